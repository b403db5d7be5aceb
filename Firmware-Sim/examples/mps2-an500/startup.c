// mps2-an500 (QEMU): ARM MPS2 FPGA board with the AN500 image, Cortex-M7 with the double-precision FPv5 FPU.
// Reset fetches the vector table from 0x00000000 (ZBT SSRAM1, link.ld). QEMU models no caches, so none are
// enabled. Clock: SysTick on the processor clock (25 MHz on the board), calibrated at boot in instructions under
// -icount shift=0 (common/board.c).
#include <stdint.h>
#include "board.h"

extern uint32_t __stack_top, __data_load, __data_start, __data_end, __bss_start, __bss_end;
int main(void);

void Reset_Handler(void) {
    uint32_t *from = &__data_load;
    for (uint32_t *to = &__data_start; to < &__data_end;) *to++ = *from++;
    for (uint32_t *to = &__bss_start; to < &__bss_end;) *to++ = 0;
    *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20; // CPACR: CP10/CP11 full access (the FPv5-D16 FPU; hard-float ABI)
    // MemManage, BusFault and UsageFault get their own vectors (SHCSR), integer division by zero faults (CCR).
    *(volatile uint32_t *)0xE000ED24 |= (1u << 16) | (1u << 17) | (1u << 18);
    *(volatile uint32_t *)0xE000ED14 |= 1u << 4;
    __asm__ volatile("dsb\n isb");
    board_paint_stack();
    board_start_clock();
    board_exit(main());
}

__attribute__((section(".vectors"), used))
void (*const vector_table[16])(void) = {
    (void (*)(void))&__stack_top, Reset_Handler,
    Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler, // NMI, HardFault, MemManage, BusFault, UsageFault
    Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler,                 // reserved
    Fault_Handler /* SVCall */, Fault_Handler /* DebugMonitor */, Fault_Handler /* reserved */, Fault_Handler /* PendSV */,
    SysTick_Handler,
};
