/* Smoke firmware startup for QEMU netduinoplus2: vector table, .data/.bss, stack paint, FPU on; any fault exits 70. */
#include <stdint.h>
extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[], __stack_bottom[], __stack_top[];
int main(void);
void SysTick_Handler(void);
static void fault(void) { uint32_t block[2] = {0x20026, 70}; register int r0 __asm__("r0") = 0x20; register void *r1 __asm__("r1") = block; __asm__ volatile("bkpt 0xAB" :: "r"(r0), "r"(r1) : "memory"); for (;;) {} }
void Reset_Handler(void) {
    for (uint32_t *s = __data_load, *d = __data_start; d < __data_end;) *d++ = *s++;
    for (uint32_t *d = __bss_start; d < __bss_end;) *d++ = 0;
    uint32_t sp; __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (uint32_t *d = __stack_bottom; (uint32_t)d < sp - 64; d++) *d = 0xDEADBEEF;
#if defined(__ARM_FP)
    *(volatile uint32_t *)0xE000ED88 |= 0xF << 20; __asm__ volatile("dsb\n isb");
#endif
    main();
    fault();
}
__attribute__((section(".vectors"), used)) const void *vectors[16] = {
    __stack_top, Reset_Handler, fault, fault, fault, fault, fault, 0, 0, 0, 0, fault, fault, 0, fault, SysTick_Handler,
};
