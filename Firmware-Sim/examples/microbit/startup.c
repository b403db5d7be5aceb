// microbit (QEMU): BBC micro:bit v1, nRF51822, Cortex-M0 (ARMv6-M: no DSP extension, no FPU, no hardware
// divide, no unaligned word access; soft-float ABI). Reset reads the vector table at 0x00000000 (flash, link.ld).
// ARMv6-M has HardFault only (no MemManage/BusFault/UsageFault, no SHCSR or CCR.DIV_0_TRP to set): every fault
// lands in the shared Fault_Handler (common/board.c) as a HardFault.
//
// Clock: the nRF51's Cortex-M0 is built without SysTick (QEMU's armv7m container models one anyway, but a real
// micro:bit has none), so this machine counts with TIMER0 instead, which QEMU models and the real chip has: a
// 32-bit timer on the 16 MHz HFCLK with prescaler 0. Under `qemu -icount shift=0` one guest instruction is 1 ns,
// so one 16 MHz tick is 62.5 instructions; the ratio is calibrated at boot against a loop of known length, as the
// SysTick machines do, and these definitions replace common/board.c's SysTick clock (weak there).
#include <stdint.h>
#include "board.h"

extern uint32_t __stack_top;

// MARK: TIMER0 (nRF51 Series Reference Manual, TIMER: registers at 0x40008000)

#define TIMER0_BASE 0x40008000u
#define TIMER0(offset) (*(volatile uint32_t *)(TIMER0_BASE + (offset)))
#define TASKS_START 0x000u
#define TASKS_STOP 0x004u
#define TASKS_CLEAR 0x00Cu
#define TASKS_CAPTURE0 0x040u
#define MODE 0x504u      // 0 = timer
#define BITMODE 0x508u   // 3 = 32 bit (TIMER0 only; TIMER1/TIMER2 stop at 16)
#define PRESCALER 0x510u // f = 16 MHz / 2^PRESCALER
#define CC0 0x540u

static uint32_t last_capture, wraps;
static uint32_t instructions_per_tick_x1000;

// 64-bit ticks from the 32-bit counter: a wrap (every 2^32 / 16 MHz = 268 s) is seen as a smaller capture than
// the previous one, so the count stays right as long as it is read at least once per wrap (every inference does).
uint64_t board_ticks(void) {
    TIMER0(TASKS_CAPTURE0) = 1;
    uint32_t now = TIMER0(CC0);
    if (now < last_capture) wraps++;
    last_capture = now;
    return ((uint64_t)wraps << 32) | now;
}

uint32_t board_instructions_per_tick_x1000(void) { return instructions_per_tick_x1000; }

uint64_t board_instructions(uint64_t ticks) { return (ticks * instructions_per_tick_x1000 + 500) / 1000; }

// A loop of exactly 2 instructions per round (subs, bne), timed to find the instructions per TIMER0 tick.
// (.syntax unified: GCC's Thumb-1 inline assembly defaults to the divided syntax, which has no "subs".)
static void busy(uint32_t rounds) {
    __asm__ volatile(".syntax unified\n1: subs %0, %0, #1\n bne 1b" : "+l"(rounds) : : "cc");
}

void board_start_clock(void) {
    TIMER0(TASKS_STOP) = 1;
    TIMER0(MODE) = 0;
    TIMER0(BITMODE) = 3;
    TIMER0(PRESCALER) = 0;
    TIMER0(TASKS_CLEAR) = 1;
    TIMER0(TASKS_START) = 1;
    const uint32_t rounds = 4000000; // 8,000,000 instructions
    uint64_t t0 = board_ticks();
    busy(rounds);
    uint64_t t1 = board_ticks();
    uint32_t ticks = (uint32_t)(t1 - t0);
    instructions_per_tick_x1000 = ticks ? (uint32_t)((8000000000ull + ticks / 2) / ticks) : 0;
}

// MARK: reset

void Reset_Handler(void) {
    board_run();
}

// The 16 system vectors (the nRF51's 26 peripheral interrupts stay disabled: none is enabled, none is listed).
__attribute__((section(".vectors"), used))
void (*const vector_table[16])(void) = {
    (void (*)(void))&__stack_top, Reset_Handler,
    Fault_Handler, Fault_Handler,                                               // NMI, HardFault
    Fault_Handler, Fault_Handler, Fault_Handler,                                // reserved on ARMv6-M
    Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler,                 // reserved
    Fault_Handler /* SVCall */, Fault_Handler /* reserved */, Fault_Handler /* reserved */, Fault_Handler /* PendSV */,
    Fault_Handler, // SysTick: not implemented on the nRF51
};
