// netduinoplus2 (QEMU): STM32F405RG, Cortex-M4F. Reset fetches the vector table from 0x00000000, where the
// STM32 aliases its boot flash (0x08000000, link.ld): no VTOR set-up needed. Clock: SysTick on the processor clock
// (QEMU feeds it the 168 MHz SYSCLK), calibrated at boot in instructions under -icount shift=0 (common/board.c).
#include <stdint.h>
#include "board.h"

extern uint32_t __stack_top;

void Reset_Handler(void) {
    *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20; // CPACR: CP10/CP11 full access (the FPv4-SP FPU; hard-float ABI)
    board_enable_fault_vectors();
    board_run();
}

__attribute__((section(".vectors"), used))
void (*const vector_table[16])(void) = {
    (void (*)(void))&__stack_top, Reset_Handler,
    Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler, // NMI, HardFault, MemManage, BusFault, UsageFault
    Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler,                 // reserved
    Fault_Handler /* SVCall */, Fault_Handler /* DebugMonitor */, Fault_Handler /* reserved */, Fault_Handler /* PendSV */,
    SysTick_Handler,
};
