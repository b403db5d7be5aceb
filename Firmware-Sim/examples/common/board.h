// What every example machine shares (common/board.c): semihosting output and exit, the SysTick instruction clock,
// stack painting, the fault report, and the memory functions a freestanding build must provide itself.
// Each machine adds only its own startup.c (vector table, reset) and link.ld (its memory map).
#ifndef EDGEQUANT_EXAMPLE_BOARD_H
#define EDGEQUANT_EXAMPLE_BOARD_H
#include <stdint.h>

/// Semihosting (the host prints; no UART driver needed on any machine).
void board_write(const char *text);
void board_write_int(int64_t value);
/// SYS_EXIT_EXTENDED: QEMU ends with `status` (0 = the firmware ran to the end).
void board_exit(int32_t status) __attribute__((noreturn));

/// SysTick as a clock counting guest instructions under `qemu -icount shift=0` (1 instruction = 1 ns): started and
/// calibrated at boot against a loop of known length (board_start_clock), read with board_ticks.
void board_start_clock(void);
uint64_t board_ticks(void);
/// Guest instructions in `ticks` SysTick ticks, from the boot calibration.
uint64_t board_instructions(uint64_t ticks);
uint32_t board_instructions_per_tick_x1000(void);

/// The stack between __stack_limit and __stack_top (link.ld) is painted at reset; board_stack_used gives the
/// bytes ever written since.
void board_paint_stack(void);
uint32_t board_stack_used(void);

/// What every machine's Reset_Handler ends with, after its own core set-up: .data copied from flash, .bss zeroed,
/// the stack painted, the clock started, then main's return value is the exit status.
void board_run(void) __attribute__((noreturn));
/// ARMv7-M and ARMv8-M Mainline: MemManage, BusFault and UsageFault get their own vectors (SHCSR) and an integer
/// division by zero faults (CCR.DIV_0_TRP). ARMv6-M has neither register: every fault is a HardFault there.
void board_enable_fault_vectors(void);

/// Every fault vector: one line naming the exception, the faulting PC and the fault status, then exit 70.
void Fault_Handler(void);
/// `run --check-faults`: raises exception `which` (3 HardFault, 4 MemManage, 5 BusFault, 6 UsageFault; on ARMv6-M
/// every one is a HardFault); returns only when no fault was raised.
void board_raise_fault(int which);
/// SysTick wraps (the clock's upper bits).
void SysTick_Handler(void);
#endif
