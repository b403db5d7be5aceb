@ Firmware-Sim/cycles/check.S: hand-counted instruction sequences for the cycle estimate (check.sh runs them on
@ QEMU mps2-an386, Cortex-M4, under the plugin and compares). Each block sits between two calls of cyc_mark, the
@ marker the plugin is told about; the plugin records its totals at each call, so one block's figures are:
@   the marker's return (bx lr: 1 + P = 3, taken) + the block + the next call (bl: 1 + P = 3)
@ = 2 instructions and 6 cycles of overhead (Cortex-M4 table, P = 2) plus the block.
@ A line "@ expect NAME insns I cycles C" gives the block's totals; the arithmetic is beside each instruction.
    .syntax unified
    .cpu cortex-m4
    .thumb
    .text

    .global cyc_mark
    .type cyc_mark, %function
    .p2align 2
cyc_mark:
    bx lr

    .type leaf, %function
    .p2align 2
leaf:
    bx lr

    .global fw_main
    .type fw_main, %function
    .p2align 2
fw_main:
    push {r4-r11, lr}
    ldr r8, =buffer            @ r8: eight words to load (buffer[0] holds buffer's own address)
    ldr r9, =scratch           @ r9: somewhere to store
    movs r10, #0               @ r10: a zero register offset
    str r8, [r8]
    bl cyc_mark

@ expect empty insns 2 cycles 6
@   overhead only: 2 instructions, 3 + 3 = 6 cycles
    bl cyc_mark

@ expect alu insns 6 cycles 10
@   4 data-processing instructions of 1 cycle: 4 + 6
    adds r0, r1, r2            @ 1
    eors r3, r3, r0            @ 1
    mov.w r4, #5               @ 1
    sxtb16 r5, r6              @ 1
    bl cyc_mark

@ expect loads4 insns 6 cycles 11
@   4 single loads in a row, none addressed by an earlier load's result: 2 + 1 + 1 + 1 = 5 (N + 1); 5 + 6
    ldr r0, [r8]               @ 2 (follows bx lr: nothing to pipeline with)
    ldr r1, [r8, #4]           @ 1 (pipelined)
    ldrb r2, [r8, #8]          @ 1
    ldrh r3, [r8, #12]         @ 1
    bl cyc_mark

@ expect loads-dependent insns 4 cycles 10
@   the second load's address is the first's result: no pipelining, 2 + 2 = 4; 4 + 6
    ldr r0, [r8]               @ 2 (r0 = buffer)
    ldr r1, [r0, #4]           @ 2 (address from r0)
    bl cyc_mark

@ expect load-store insns 4 cycles 9
@   the TRM's example "LDR R0,[R1,R2]; STR R0,[R3,#20]: normally three cycles total": 2 + 1; 3 + 6
    ldr r0, [r8, #4]           @ 2
    str r0, [r9, #20]          @ 1 (pipelined after the load)
    bl cyc_mark

@ expect store-regoffset insns 4 cycles 10
@   nothing pipelines after a store with a register offset: 2 + 2; 4 + 6
    str r0, [r9, r10]          @ 2
    ldr r1, [r8]               @ 2
    bl cyc_mark

@ expect agu-stall insns 4 cycles 10
@   a load addressed by the preceding data-processing result stalls a cycle: 1 + (2 + 1); 4 + 6
    adds r11, r8, #4           @ 1
    ldr r0, [r11]              @ 3
    bl cyc_mark

@ expect ldrd insns 4 cycles 11
@   LDRD is 1 + N = 3 and does not pipeline with its neighbours: 3 + 2; 5 + 6
    ldrd r0, r1, [r8]          @ 3
    ldr r2, [r8, #8]           @ 2 (not pipelined after LDRD)
    bl cyc_mark

@ expect ldm insns 5 cycles 17
@   LDM/STM/PUSH/POP 1 + N: push 2 registers 3, pop 2 registers 3, ldm 4 registers 5; 11 + 6
    push {r0, r1}              @ 3
    pop {r0, r1}               @ 3
    ldm r8, {r0-r3}            @ 5
    bl cyc_mark

@ expect branch-taken insns 4 cycles 10
@   cmp 1, beq taken 1 + P = 3: 4 + 6 (the nop is skipped)
    cmp r0, r0                 @ 1
    beq 1f                     @ 3
    nop
1:  bl cyc_mark

@ expect branch-not-taken insns 5 cycles 9
@   cmp 1, bne not taken 1, nop 1: 3 + 6
    cmp r0, r0                 @ 1
    bne 1f                     @ 1
    nop                        @ 1
1:  bl cyc_mark

@ expect smlad insns 6 cycles 10
@   SMLAD is one cycle (Cortex-M4 DSP MAC): 4 + 6
    smlad r0, r1, r2, r0       @ 1
    smlad r0, r3, r4, r0       @ 1
    smlad r0, r1, r2, r0       @ 1
    smlad r0, r3, r4, r0       @ 1
    bl cyc_mark

@ expect loop insns 9 cycles 17
@   movs 1; two rounds of subs 1 + bne taken 3; a last round of subs 1 + bne not taken 1:
@   1 + 2 * 4 + 2 = 11 cycles, 1 + 3 * 2 = 7 instructions; 11 + 6, 7 + 2
    movs r0, #3                @ 1
1:  subs r0, #1                @ 1 each round
    bne 1b                     @ 3 taken (twice), 1 not taken
    bl cyc_mark

@ expect multiply insns 7 cycles 22
@   MUL 1, MLA 1, SMULL 1, SDIV charged 12 (the TRM's 2 to 12, worst case), movs 1: 16 + 6
    movs r2, #3                @ 1
    mul r0, r1, r2             @ 1
    mla r0, r1, r2, r0         @ 1
    smull r3, r4, r1, r2       @ 1
    sdiv r5, r1, r2            @ 12
    bl cyc_mark

@ expect call insns 4 cycles 12
@   bl 1 + P = 3 and bx lr 1 + P = 3: 6 + 6
    bl leaf                    @ 3
    bl cyc_mark                @ (leaf's bx lr: 3)

    movs r0, #0
    bl fw_exit

    .pool

    .bss
    .p2align 3
buffer:  .space 64
scratch: .space 64
