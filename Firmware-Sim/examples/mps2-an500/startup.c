// mps2-an500 (QEMU): ARM MPS2 FPGA board with the AN500 image, Cortex-M7 with the double-precision FPv5 FPU.
// Reset fetches the vector table from 0x00000000 (ZBT SSRAM1, link.ld). QEMU models no caches, so none are
// enabled. Clock: SysTick on the processor clock (25 MHz on the board), calibrated at boot in instructions under
// -icount shift=0 (common/board.c).
#include <stdint.h>
#include "board.h"

extern uint32_t __stack_top;

void Reset_Handler(void) {
    *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20; // CPACR: CP10/CP11 full access (the FPv5-D16 FPU; hard-float ABI)
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
