// mps2-an505 (QEMU): ARM MPS2+ FPGA board with the AN505 image (IoT Kit), Cortex-M33 (ARMv8-M Mainline with the
// DSP extension and the FPv5 single-precision FPU). The core leaves reset in the Secure state with VTOR_S =
// 0x10000000 (the IoT Kit's INITSVTOR0), the Secure alias of the code SSRAM where link.ld puts the vectors; the
// memory protection controllers reset with every block Secure, so this Secure-only firmware needs no TrustZone
// set-up. Clock: the Secure SysTick on the processor clock, calibrated at boot in instructions under
// -icount shift=0 (common/board.c).
#include <stdint.h>
#include "board.h"

extern uint32_t __stack_limit, __stack_top;

void Reset_Handler(void) {
    *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20; // CPACR: CP10/CP11 full access (the FPv5-SP FPU; hard-float ABI)
    // SecureFault gets its own vector too (SHCSR.SECUREFAULTENA), and a stack overflow past the stack's end
    // faults (MSPLIM, an ARMv8-M register) instead of silently overwriting .bss.
    *(volatile uint32_t *)0xE000ED24 |= 1u << 19;
    __asm__ volatile("msr msplim, %0" : : "r"(&__stack_limit));
    board_enable_fault_vectors();
    board_run();
}

__attribute__((section(".vectors"), used))
void (*const vector_table[16])(void) = {
    (void (*)(void))&__stack_top, Reset_Handler,
    Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler, // NMI, HardFault, MemManage, BusFault, UsageFault
    Fault_Handler /* SecureFault */, Fault_Handler, Fault_Handler, Fault_Handler, // reserved
    Fault_Handler /* SVCall */, Fault_Handler /* DebugMonitor */, Fault_Handler /* reserved */, Fault_Handler /* PendSV */,
    SysTick_Handler,
};
