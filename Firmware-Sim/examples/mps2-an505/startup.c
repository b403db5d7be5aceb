// mps2-an505 (QEMU): ARM MPS2+ FPGA board with the AN505 image (IoT Kit), Cortex-M33 (ARMv8-M Mainline with the
// DSP extension and the FPv5 single-precision FPU). The core leaves reset in the Secure state with VTOR_S =
// 0x10000000 (the IoT Kit's INITSVTOR0), the Secure alias of the code SSRAM where link.ld puts the vectors; the
// memory protection controllers reset with every block Secure, so this Secure-only firmware needs no TrustZone
// set-up. Clock: the Secure SysTick on the processor clock, calibrated at boot in instructions under
// -icount shift=0 (common/board.c).
#include <stdint.h>
#include "board.h"

extern uint32_t __stack_limit, __stack_top, __data_load, __data_start, __data_end, __bss_start, __bss_end;
int main(void);

void Reset_Handler(void) {
    uint32_t *from = &__data_load;
    for (uint32_t *to = &__data_start; to < &__data_end;) *to++ = *from++;
    for (uint32_t *to = &__bss_start; to < &__bss_end;) *to++ = 0;
    *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20; // CPACR: CP10/CP11 full access (the FPv5-SP FPU; hard-float ABI)
    // MemManage, BusFault, UsageFault and SecureFault get their own vectors (SHCSR), integer division by zero
    // faults (CCR), and a stack overflow past the stack's end faults (MSPLIM, an ARMv8-M register) instead of
    // silently overwriting .bss.
    *(volatile uint32_t *)0xE000ED24 |= (1u << 16) | (1u << 17) | (1u << 18) | (1u << 19);
    __asm__ volatile("msr msplim, %0" : : "r"(&__stack_limit));
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
    Fault_Handler /* SecureFault */, Fault_Handler, Fault_Handler, Fault_Handler, // reserved
    Fault_Handler /* SVCall */, Fault_Handler /* DebugMonitor */, Fault_Handler /* reserved */, Fault_Handler /* PendSV */,
    SysTick_Handler,
};
