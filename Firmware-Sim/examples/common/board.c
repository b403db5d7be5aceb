// The helpers every example machine shares (see board.h). No libc is linked: any heap use is a link error.
#include <stddef.h>
#include <stdint.h>
#include "board.h"

// MARK: semihosting (bkpt 0xAB: operation in r0, argument block in r1; ARMv6-M, ARMv7-M and ARMv8-M alike)

static int32_t semihost(uint32_t operation, const void *argument) {
    register uint32_t r0 __asm__("r0") = operation;
    register const void *r1 __asm__("r1") = argument;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return (int32_t)r0;
}

void board_write(const char *text) { semihost(0x04, text); } // SYS_WRITE0

void board_write_int(int64_t value) {
    char digits[24];
    int at = 23;
    digits[at] = 0;
    uint64_t magnitude = value < 0 ? (uint64_t)(-(value + 1)) + 1 : (uint64_t)value;
    do {
        digits[--at] = (char)('0' + magnitude % 10); // libgcc's __aeabi_uldivmod
        magnitude /= 10;
    } while (magnitude != 0);
    if (value < 0) digits[--at] = '-';
    board_write(&digits[at]);
}

void board_exit(int32_t status) {
    uint32_t block[2] = { 0x20026 /* ADP_Stopped_ApplicationExit */, (uint32_t)status };
    semihost(0x20, block); // SYS_EXIT_EXTENDED: QEMU exits with `status`
    for (;;) {}
}

// MARK: SysTick as an instruction clock (architectural: the same registers on every Cortex-M)
// The four clock functions are weak: a machine whose core has no SysTick (the micro:bit's nRF51 Cortex-M0) defines
// them in its startup.c on a timer of its own.

#define SYST_CSR (*(volatile uint32_t *)0xE000E010)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018)
static volatile uint32_t systick_wraps;
static uint32_t instructions_per_tick_x1000;

void SysTick_Handler(void) { systick_wraps++; }

__attribute__((weak)) uint64_t board_ticks(void) {
    uint32_t wraps, value;
    do {
        wraps = systick_wraps;
        value = SYST_CVR;
    } while (wraps != systick_wraps);
    return ((uint64_t)wraps << 24) + (0xFFFFFFu - value);
}

__attribute__((weak)) uint32_t board_instructions_per_tick_x1000(void) { return instructions_per_tick_x1000; }

__attribute__((weak)) uint64_t board_instructions(uint64_t ticks) { return (ticks * instructions_per_tick_x1000 + 500) / 1000; }

// GCC hands Thumb-1 inline assembly over in the divided syntax, so ARMv6-M blocks switch to unified and back;
// Clang (the Swift example builds this file with it) is unified throughout and rejects ".syntax divided".
#if defined(__clang__)
#define SYNTAX_DIVIDED ""
#else
#define SYNTAX_DIVIDED ".syntax divided\n"
#endif

// A loop of exactly 2 instructions per round (subs, bne), timed to find the instructions per SysTick tick.
static void busy(uint32_t rounds) {
#if __ARM_ARCH_ISA_THUMB >= 2
    __asm__ volatile("1: subs %0, %0, #1\n bne 1b" : "+l"(rounds) : : "cc");
#else // ARMv6-M
    __asm__ volatile(".syntax unified\n1: subs %0, %0, #1\n bne 1b\n" SYNTAX_DIVIDED : "+l"(rounds) : : "cc");
#endif
}

__attribute__((weak)) void board_start_clock(void) {
    SYST_RVR = 0xFFFFFF;
    SYST_CVR = 0;
    SYST_CSR = 7; // processor clock, interrupt on wrap, enabled
    busy(1000);   // past the first reload (counting down from the written 0 to the reload value is no wrap)
    const uint32_t rounds = 4000000; // 8,000,000 instructions
    uint64_t t0 = board_ticks();
    busy(rounds);
    uint64_t t1 = board_ticks();
    uint32_t ticks = (uint32_t)(t1 - t0);
    instructions_per_tick_x1000 = ticks ? (uint32_t)((8000000000ull + ticks / 2) / ticks) : 0;
}

// MARK: stack high-water

extern uint32_t __stack_limit, __stack_top;
#define STACK_PAINT 0x5AC3A55Au

void board_paint_stack(void) {
    uint32_t *sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (uint32_t *p = &__stack_limit; p < sp - 16; p++) *p = STACK_PAINT;
}

uint32_t board_stack_used(void) {
    uint32_t *p = &__stack_limit;
    while (p < &__stack_top && *p == STACK_PAINT) p++;
    return (uint32_t)((uint8_t *)&__stack_top - (uint8_t *)p);
}

// MARK: reset

extern uint32_t __data_load, __data_start, __data_end, __bss_start, __bss_end;
int main(void);

void board_run(void) {
    uint32_t *from = &__data_load;
    for (uint32_t *to = &__data_start; to < &__data_end;) *to++ = *from++;
    for (uint32_t *to = &__bss_start; to < &__bss_end;) *to++ = 0;
    board_paint_stack();
    board_start_clock();
    board_exit(main());
}

#if !defined(__ARM_ARCH_6M__)
void board_enable_fault_vectors(void) {
    *(volatile uint32_t *)0xE000ED24 |= (1u << 16) | (1u << 17) | (1u << 18); // SHCSR: MEMFAULTENA, BUSFAULTENA, USGFAULTENA
    *(volatile uint32_t *)0xE000ED14 |= 1u << 4;                              // CCR: DIV_0_TRP
    __asm__ volatile("dsb\n isb");
}
#endif

// MARK: faults

static void write_hex(uint32_t value) {
    char text[11] = "0x";
    for (int i = 0; i < 8; i++) {
        uint32_t digit = (value >> (28 - 4 * i)) & 0xF;
        text[2 + i] = (char)(digit < 10 ? '0' + digit : 'a' + digit - 10);
    }
    text[10] = 0;
    board_write(text);
}

// One line naming the exception and the faulting PC (plus CFSR/HFSR where the core has them), then exit 70: a
// fault is never silent, and the runner tells it apart from a refused model (exit 3) or a hang (timeout).
__attribute__((used, noreturn)) void board_fault_report(const uint32_t *frame, uint32_t exception) {
    static const char *const names[16] = {
        "?", "Reset", "NMI", "HardFault", "MemManage", "BusFault", "UsageFault", "SecureFault", "reserved 8",
        "reserved 9", "reserved 10", "SVCall", "DebugMonitor", "reserved 13", "PendSV", "SysTick",
    };
    board_write("FAULT: the firmware crashed (");
    board_write(exception < 16 ? names[exception] : "interrupt");
    board_write(", exception ");
    board_write_int(exception);
    board_write(") pc ");
    write_hex(frame[6]);
#if __ARM_ARCH_ISA_THUMB >= 2 // ARMv7-M and ARMv8-M Mainline: the configurable fault status registers
    board_write(" CFSR ");
    write_hex(*(volatile uint32_t *)0xE000ED28);
    board_write(" HFSR ");
    write_hex(*(volatile uint32_t *)0xE000ED2C);
#endif
    board_write("\n");
    board_exit(70);
}

void board_raise_fault(int which) {
#if __ARM_ARCH_ISA_THUMB >= 2
    if (which == 3) { // an undefined instruction with UsageFault disabled escalates to HardFault
        *(volatile uint32_t *)0xE000ED24 &= ~(1u << 18);
        __asm__ volatile("dsb\n isb\n udf #0");
    }
    if (which == 4) ((void (*)(void))0xE0000001u)(); // executing from the never-executable system region
    if (which == 5) (void)*(volatile uint32_t *)0xF0000000u; // reading where no device answers
#endif
    if (which == 6 || which == 3) __asm__ volatile("udf #0");
}

// Passes the stacked exception frame (MSP or PSP, from EXC_RETURN bit 2) and the IPSR exception number.
__attribute__((naked)) void Fault_Handler(void) {
#if __ARM_ARCH_ISA_THUMB >= 2
    __asm__ volatile(
        "tst lr, #4\n"
        "ite eq\n"
        "mrseq r0, msp\n"
        "mrsne r0, psp\n"
        "mrs r1, ipsr\n"
        "b board_fault_report\n");
#else // ARMv6-M: no IT blocks, no TST with an immediate
    __asm__ volatile(
        ".syntax unified\n"
        "movs r0, #4\n"
        "mov r1, lr\n"
        "tst r0, r1\n"
        "bne 1f\n"
        "mrs r0, msp\n"
        "b 2f\n"
        "1: mrs r0, psp\n"
        "2: mrs r1, ipsr\n"
        "ldr r2, =board_fault_report\n"
        "bx r2\n"
        ".ltorg\n"
        SYNTAX_DIVIDED);
#endif
}

// MARK: the memory functions compilers and the library call (no libc; weak, so a library that brings its own
// wins). Built with
// -fno-tree-loop-distribute-patterns so these loops are not turned back into calls to themselves.

__attribute__((weak)) void *memcpy(void *restrict d, const void *restrict s, size_t n) {
    uint8_t *dp = d; const uint8_t *sp = s;
    while (n--) *dp++ = *sp++;
    return d;
}
__attribute__((weak)) void *memmove(void *d, const void *s, size_t n) {
    uint8_t *dp = d; const uint8_t *sp = s;
    if (dp < sp) { while (n--) *dp++ = *sp++; }
    else { dp += n; sp += n; while (n--) *--dp = *--sp; }
    return d;
}
__attribute__((weak)) void *memset(void *d, int c, size_t n) { uint8_t *dp = d; while (n--) *dp++ = (uint8_t)c; return d; }
__attribute__((weak)) int memcmp(const void *a, const void *b, size_t n) {
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++) if (*x != *y) return *x - *y;
    return 0;
}
__attribute__((weak)) void __aeabi_memcpy(void *d, const void *s, size_t n) { memcpy(d, s, n); }
__attribute__((weak)) void __aeabi_memcpy4(void *d, const void *s, size_t n) { memcpy(d, s, n); }
__attribute__((weak)) void __aeabi_memcpy8(void *d, const void *s, size_t n) { memcpy(d, s, n); }
__attribute__((weak)) void __aeabi_memmove(void *d, const void *s, size_t n) { memmove(d, s, n); }
__attribute__((weak)) void __aeabi_memmove4(void *d, const void *s, size_t n) { memmove(d, s, n); }
__attribute__((weak)) void __aeabi_memmove8(void *d, const void *s, size_t n) { memmove(d, s, n); }
__attribute__((weak)) void __aeabi_memset(void *d, size_t n, int c) { memset(d, c, n); }
__attribute__((weak)) void __aeabi_memset4(void *d, size_t n, int c) { memset(d, c, n); }
__attribute__((weak)) void __aeabi_memset8(void *d, size_t n, int c) { memset(d, c, n); }
__attribute__((weak)) void __aeabi_memclr(void *d, size_t n) { memset(d, 0, n); }
__attribute__((weak)) void __aeabi_memclr4(void *d, size_t n) { memset(d, 0, n); }
__attribute__((weak)) void __aeabi_memclr8(void *d, size_t n) { memset(d, 0, n); }
