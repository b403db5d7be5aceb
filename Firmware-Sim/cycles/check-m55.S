@ Firmware-Sim/cycles/check-m55.S: hand-counted instruction sequences for the Cortex-M55 table of the cycle
@ estimate (check.sh runs them on QEMU mps3-an547 under the plugin with core=cortex-m55 and compares). As in
@ check.S each block sits between two calls of cyc_mark, so one block's figures are
@   the marker's return (bx lr: 1 + P = 3, taken) + the block + the next call (bl: 1 + P = 3)
@ = 2 instructions and 6 cycles of overhead (P = 2) plus the block. "@ expect NAME insns I cycles C" gives the
@ block's totals; the arithmetic is beside each instruction. Cortex-M55 rules (tables.h): scalar loads, stores,
@ LDRD, MUL 1; a load addressed by the previous load's result +1; MVE vector instructions 2 (two beats a
@ cycle), 1 when an MVE load/store and MVE data processing follow one another (beat overlap); VPST/VCTP 1;
@ LE/LETP 1 and no refill. mve_coverage (never executed) lists MVE encodings for check-decode.py.
    .syntax unified
    .cpu cortex-m55
    .arch_extension mve.fp
    .thumb
    .text

    .global cyc_mark
    .type cyc_mark, %function
    .p2align 2
cyc_mark:
    bx lr
    .size cyc_mark, .-cyc_mark

    .global fw_main
    .type fw_main, %function
    .p2align 2
fw_main:
    push {r4-r11, lr}
    ldr r8, =buffer            @ r8: 64 bytes to load (buffer[0] holds buffer's own address)
    ldr r9, =scratch           @ r9: somewhere to store
    str r8, [r8]
    movs r0, #0
    movs r1, #0
    bl cyc_mark

@ expect empty insns 2 cycles 6
@   overhead only: 2 instructions, 3 + 3 = 6 cycles
    bl cyc_mark

@ expect loads4 insns 6 cycles 10
@   4 single loads, 1 each (the M55 issues one load a cycle; no pipelining rule needed): 4 + 6
    ldr r0, [r8]               @ 1
    ldr r1, [r8, #4]           @ 1
    ldrb r2, [r8, #8]          @ 1
    ldrh r3, [r8, #12]         @ 1
    bl cyc_mark

@ expect load-use insns 4 cycles 9
@   the second load's address is the first's result (load latency 2): 1 + (1 + 1); 3 + 6
    ldr r0, [r8]               @ 1 (r0 = buffer)
    ldr r1, [r0, #4]           @ 2
    bl cyc_mark

@ expect agu insns 4 cycles 8
@   an address from the previous ALU result does not stall (ALU latency 1): 1 + 1; 2 + 6
    adds r11, r8, #4           @ 1
    ldr r0, [r11]              @ 1
    bl cyc_mark

@ expect ldrd insns 4 cycles 8
@   LDRD 1 (64-bit interface), then a load: 1 + 1; 2 + 6
    ldrd r0, r1, [r8]          @ 1
    ldr r2, [r8, #8]           @ 1
    bl cyc_mark

@ expect ldrd-use insns 4 cycles 9
@   a load addressed by LDRD's first register waits for it: 1 + (1 + 1); 3 + 6
    ldrd r0, r1, [r8]          @ 1 (r0 = buffer)
    ldr r2, [r0, #8]           @ 2
    bl cyc_mark

@ expect ldm insns 5 cycles 17
@   LDM/STM/PUSH/POP 1 + N (the Cortex-M4 rule, kept): 3 + 3 + 5 = 11; 11 + 6
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

@ expect multiply insns 7 cycles 22
@   MUL, MLA, SMULL 1 each, SDIV 12 (the Cortex-M4 worst case, kept), movs 1: 16 + 6
    movs r2, #3                @ 1
    mul r0, r1, r2             @ 1
    mla r0, r1, r2, r0         @ 1
    smull r3, r4, r1, r2       @ 1
    sdiv r5, r1, r2            @ 12
    bl cyc_mark

@ expect vloads insns 4 cycles 10
@   two MVE loads, both in the load/store pipe: no overlap, 2 + 2; 4 + 6
    vldrb.u8 q0, [r8]          @ 2
    vldrb.u8 q1, [r8, #16]     @ 2
    bl cyc_mark

@ expect vload-vmac insns 5 cycles 11
@   two loads, then a multiply-accumulate across lanes overlapping the second load: 2 + 2 + 1; 5 + 6
    vldrb.u8 q0, [r8]          @ 2
    vldrb.u8 q1, [r8, #16]     @ 2
    vmlava.s8 r0, q0, q1       @ 1 (overlaps the load's last beat pair)
    bl cyc_mark

@ expect vdp-chain insns 5 cycles 12
@   three data-processing instructions: no overlap is modelled between them, 2 + 2 + 2; 6 + 6
    vadd.i32 q2, q0, q1        @ 2
    vmul.i32 q3, q0, q1        @ 2
    vqrdmulh.s32 q2, q2, q3    @ 2
    bl cyc_mark

@ expect vdp-store insns 4 cycles 9
@   a data-processing instruction then a store: 2 + 1; 3 + 6
    vadd.i32 q2, q0, q1        @ 2
    vstrw.32 q2, [r9]          @ 1
    bl cyc_mark

@ expect valternate insns 6 cycles 11
@   load, multiply, load, multiply: 2 + 1 + 1 + 1; 5 + 6
    vldrw.u32 q0, [r8]         @ 2
    vmul.i32 q1, q0, q0        @ 1
    vldrw.u32 q2, [r8, #16]    @ 1
    vmul.i32 q3, q2, q2        @ 1
    bl cyc_mark

@ expect vpredicated insns 6 cycles 11
@   movs 1, VCTP 1, VPST 1, a predicated load 2 (after VPST: nothing to overlap); 5 + 6
    movs r2, #5                @ 1
    vctp.8 r2                  @ 1
    vpst                       @ 1
    vldrbt.u8 q0, [r8]         @ 2
    bl cyc_mark

@ expect vmoves insns 4 cycles 10
@   VDUP and VMOV lane to a core register: data processing, 2 + 2; 4 + 6
    vdup.32 q0, r1             @ 2
    vmov.32 r0, q0[1]          @ 2
    bl cyc_mark

@ expect tail-loop insns 10 cycles 16
@   movs 1, DLSTP 1; two iterations of 16 bytes each: VLDRB 2, VADDVA 1 (overlap), LETP 1 (no refill) = 4;
@   1 + 1 + 2 * 4 = 10 cycles, 2 + 2 * 3 = 8 instructions; 10 + 6, 8 + 2
    movs r2, #32               @ 1
    dlstp.8 lr, r2             @ 1
1:  vldrb.u8 q0, [r8]          @ 2 each iteration
    vaddva.u8 r0, q0           @ 1
    letp lr, 1b                @ 1 taken (no refill), 1 at the end
    bl cyc_mark

@ expect wls-skip insns 4 cycles 10
@   movs 1, WLS with a zero count branches past the loop: 1 + P = 3; 4 + 6
    movs r2, #0                @ 1
    wls lr, r2, 2f             @ 3
1:  nop
    le lr, 1b
2:  bl cyc_mark

    movs r0, #0
    bl fw_exit

    .pool
    .size fw_main, .-fw_main

@ Never executed: one of each MVE encoding group (and the Armv8.1-M scalar additions), for check-decode.py.
    .type mve_coverage, %function
    .p2align 2
mve_coverage:
    vldrb.u8 q0, [r0]
    vldrb.u8 q0, [r0], #16
    vldrb.s16 q1, [r1, #8]
    vldrb.s32 q1, [r1]
    vldrh.s32 q1, [r1]
    vldrh.u16 q1, [r1, #16]!
    vldrw.u32 q2, [r2], #16
    vldrb.u8 q3, [r0, q1]
    vldrh.u32 q3, [r0, q1, uxtw #1]
    vldrw.u32 q3, [q1, #8]
    vstrb.8 q0, [r0], #16
    vstrb.32 q0, [r0]
    vstrh.16 q0, [r0]
    vstrw.32 q0, [r0, #-16]!
    vstrb.8 q0, [r0, q1]
    vld20.8 {q0, q1}, [r0]
    vld41.32 {q0, q1, q2, q3}, [r0]
    vst21.16 {q0, q1}, [r0]
    vst40.32 {q0, q1, q2, q3}, [r0]
    vadd.i32 q0, q1, q2
    vadd.i8 q0, q1, r2
    vsub.i16 q0, q1, q2
    vsub.i32 q0, q1, r2
    vqadd.s32 q0, q1, q2
    vqadd.s8 q0, q1, r3
    vqsub.s32 q0, q1, q2
    vhadd.s8 q0, q1, q2
    vrhadd.u8 q0, q1, q2
    vabd.s8 q0, q1, q2
    vabs.s32 q0, q1
    vneg.s32 q0, q1
    vqneg.s8 q0, q1
    vqabs.s16 q0, q1
    vmax.s32 q0, q1, q2
    vmin.s32 q0, q1, q2
    vmaxa.s8 q0, q1
    vmaxv.s32 r0, q1
    vminv.u8 r0, q1
    vmaxav.s16 r0, q1
    vand q0, q1, q2
    vorr q0, q1, q2
    veor q0, q1, q2
    vbic q0, q1, q2
    vorn q0, q1, q2
    vmvn q0, q1
    vmov q0, q1
    vmov.i32 q0, #0x1
    vmov.i8 q0, #0x7f
    vmvn.i32 q0, #0x1
    vorr.i32 q0, #0x100
    vbic.i32 q0, #0x100
    vmov.f32 q0, #1.0
    vdup.32 q0, r1
    vdup.8 q0, r1
    vmov.32 q0[1], r2
    vmov.s8 r2, q0[3]
    vmov.u16 r2, q0[3]
    vmov.32 r2, q0[3]
    vmov q0[2], q0[0], r0, r1
    vmov r0, r1, q0[2], q0[0]
    vshl.s32 q0, q1, q2
    vshl.s32 q0, r2
    vshl.i32 q0, q1, #3
    vshr.s32 q0, q1, #3
    vshr.u8 q0, q1, #3
    vrshr.s32 q0, q1, #3
    vrshl.s32 q0, q1, q2
    vrshl.s32 q0, r2
    vqshl.s32 q0, q1, q2
    vqshlu.s32 q0, q1, #3
    vqrshl.s32 q0, r2
    vqshrnb.s32 q0, q1, #3
    vqrshrnt.s32 q0, q1, #3
    vqrshrunb.s32 q0, q1, #3
    vshrnb.i32 q0, q1, #3
    vshllb.s8 q0, q1, #3
    vmovlb.s8 q0, q1
    vmovlt.s16 q0, q1
    vmovnb.i32 q0, q1
    vmovnt.i16 q0, q1
    vqmovnb.s32 q0, q1
    vqmovunb.s16 q0, q1
    vrev32.8 q0, q1
    vrev64.16 q0, q1
    vcls.s8 q0, q1
    vclz.i8 q0, q1
    vsli.32 q0, q1, #3
    vsri.16 q0, q1, #3
    vpsel q0, q1, q2
    vshlc q0, r1, #3
    vmul.i32 q0, q1, q2
    vmul.i32 q0, q1, r2
    vmulh.s32 q0, q1, q2
    vrmulh.s32 q0, q1, q2
    vqdmulh.s32 q0, q1, q2
    vqdmulh.s32 q0, q1, r2
    vqrdmulh.s32 q0, q1, q2
    vqrdmulh.s32 q0, q1, r2
    vmullb.s8 q0, q1, q2
    vmullt.u16 q0, q1, q2
    vqdmullb.s16 q0, q1, q2
    vmla.s32 q0, q1, r2
    vmlas.s32 q0, q1, r2
    vqdmlah.s32 q0, q1, r2
    vqrdmlah.s32 q0, q1, r2
    vqdmladh.s32 q0, q1, q2
    vqdmladhx.s16 q0, q1, q2
    vmladav.s8 r0, q1, q2
    vmladava.s8 r0, q1, q2
    vmladavax.s16 r0, q1, q2
    vmlava.u8 r0, q1, q2
    vmlsdav.s16 r0, q1, q2
    vmlsdavax.s32 r0, q1, q2
    vmlaldava.s16 r0, r1, q1, q2
    vmlaldavx.s32 r0, r1, q1, q2
    vmlsldava.s16 r0, r1, q1, q2
    vrmlaldavha.s32 r0, r1, q1, q2
    vaddv.s8 r0, q1
    vaddva.s8 r0, q1
    vaddva.u32 r0, q1
    vaddlva.s32 r0, r1, q1
    vabav.s8 r0, q1, q2
    vabav.u16 r0, q1, q2
    vcmp.s32 gt, q0, q1
    vcmp.i32 eq, q0, r2
    vcmp.u8 hi, q0, q1
    vcmp.f32 ge, q0, q1
    vcmp.f32 lt, q0, r1
    vpt.s32 ge, q0, q1
    vaddt.i32 q0, q1, q2
    vpte.i8 eq, q0, r1
    vaddt.i32 q0, q1, q2
    vsube.i32 q0, q1, q2
    vpt.f32 le, q0, q1
    vaddt.f32 q0, q1, q2
    vpst
    vaddt.i32 q0, q1, q2
    vpstt
    vaddt.i32 q0, q1, q2
    vldrbt.u8 q0, [r0]
    vpnot
    vctp.8 r2
    vctp.32 r2
    vadd.f32 q0, q1, q2
    vadd.f32 q0, q1, r2
    vsub.f32 q0, q1, q2
    vmul.f32 q0, q1, q2
    vmul.f32 q0, q1, r2
    vfma.f32 q0, q1, q2
    vfma.f32 q0, q1, r2
    vfmas.f32 q0, q1, r2
    vabs.f32 q0, q1
    vneg.f32 q0, q1
    vmaxnm.f32 q0, q1, q2
    vminnmv.f32 r0, q1
    vrintn.f32 q0, q1
    vcvt.f32.s32 q0, q1
    vcvt.s32.f32 q0, q1, #3
    vcvtb.f16.f32 q0, q1
    vcmla.f32 q0, q1, q2, #90
    vadc.i32 q0, q1, q2
    vsbc.i32 q0, q1, q2
    vcmul.f32 q0, q1, q2, #90
    vcadd.i32 q0, q1, q2, #90
    vhcadd.s32 q0, q1, q2, #90
    vidup.u8 q0, r0, #2
    vddup.u32 q0, r0, #4
    viwdup.u16 q0, r0, r1, #2
    vbrsr.8 q0, q1, r0
    vcmp.u8 hi, q0, q1
    vcmp.f32 ge, q0, q1
    vcmp.f32 lt, q0, r1
    vcmp.f16 eq, q0, q1
    vpt.f32 le, q0, q1
    vaddt.f32 q0, q1, q2
    vpt.f16 eq, q0, r2
    vaddt.f16 q0, q1, q2
    vadd.f32 q0, q1, r2
    vsub.f32 q0, q1, r2
    vmul.f32 q0, q1, r2
    vfma.f32 q0, q1, r2
    vfmas.f32 q0, q1, r2
    vmul.f16 q0, q1, r2
    vmullb.p8 q0, q1, q2
    vmullt.p16 q0, q1, q2
    vqdmullt.s32 q0, q1, q2
    vqdmullb.s16 q0, q1, r2
    vmulh.u8 q0, q1, q2
    vqdmlsdh.s16 q0, q1, q2
    vqrdmladhx.s32 q0, q1, q2
    vqdmlash.s32 q0, q1, r2
    vqrdmlash.s32 q0, q1, r2
    vhadd.s8 q0, q1, r2
    vhsub.u16 q0, q1, r2
    vqsub.s32 q0, q1, r2
    vmaxnmv.f32 r0, q1
    vmaxnmav.f16 r0, q1
    vminnma.f32 q0, q1
    vcadd.f32 q0, q1, q2, #270
    vcvt.s32.f32 q0, q1, #3
    vcvta.s32.f32 q0, q1
    vcvtt.f16.f32 q0, q1
    vrintx.f16 q0, q1
    vabd.f32 q0, q1, q2
    vmaxnm.f16 q0, q1, q2
    viwdup.u16 q0, r0, r1, #2
    vdwdup.u32 q0, r0, r1, #4
    vqmovunt.s16 q0, q1
    vqrshrunt.s32 q0, q1, #3
    vsbc.i32 q0, q1, q2
    vadci.i32 q0, q1, q2
    vrmlsldavha.s32 r0, r1, q1, q2
    vmlsldavax.s16 r0, r1, q1, q2
    vabav.u32 r0, q1, q2
    vmov.i16 q0, #0x12
    vmov.i64 q0, #0xff00ff00ff00ff00
    vmvn.i16 q0, #0x12
    vmov.f32 q0, #2.0
    asrl r0, r1, #3
    lsll r0, r1, r2
    sqrshr r0, r2
    sqrshrl r0, r1, #64, r2
    uqshl r0, #3
    srshr r0, #3
    csel r0, r1, r2, eq
    csinc r0, r1, r2, ne
    dls lr, r2
    wls lr, r2, 1f
    dlstp.8 lr, r2
    wlstp.32 lr, r2, 1f
2:  nop
    le lr, 2b
    letp lr, 2b
    le 2b
1:  vpush {d8-d11}
    vpop {d8-d11}
    vmsr p0, r2
    vmrs r2, p0
    vstr p0, [sp]
    vldr p0, [sp]
    vstr fpscr, [sp, #4]
    vmov.f32 s0, s1
    vmov r0, s1
    vldr s0, [r0]
    vadd.f32 s0, s1, s2
    vcvt.f32.s32 s0, s0
    bx lr
    .size mve_coverage, .-mve_coverage

    .bss
    .p2align 4
buffer:  .space 64
scratch: .space 64
