// Startup, vector table, fault handlers, semihosting, SysTick clock and the few libc-free helpers the Swift and
// C code need. No libc is linked: any heap use (malloc, free, posix_memalign, _sbrk) is a link error.
#include <stdint.h>
#include <stddef.h>
#include "firmware.h"

#ifndef ARENA_SIZE
#error "ARENA_SIZE (the model's planned arena bytes) must be defined"
#endif

extern uint32_t __stack_top, __data_load, __data_start, __data_end, __bss_start, __bss_end;
extern const uint8_t eq_model_start[], eq_model_end[];
extern void fw_main(void);

static uint8_t arena[ARENA_SIZE] __attribute__((aligned(16), section(".bss.arena")));

const uint8_t *fw_model(void) { return eq_model_start; }
uint32_t fw_model_size(void) { return (uint32_t)(eq_model_end - eq_model_start); }
uint8_t *fw_arena(void) { return arena; }
uint32_t fw_arena_size(void) { return ARENA_SIZE; }

// FW_CAPACITY: a board with little RAM (microbit: 16 KB) sets a smaller capacity for these measurement buffers.
#ifndef FW_CAPACITY
#define FW_CAPACITY 1024
#endif
static uint8_t expected[FW_CAPACITY];
static uint64_t layer_ticks[FW_CAPACITY];
uint8_t *fw_expected(void) { return expected; }
uint32_t fw_expected_capacity(void) { return sizeof expected; }
uint64_t *fw_layer_ticks(void) { return layer_ticks; }
uint32_t fw_layer_capacity(void) { return sizeof layer_ticks / sizeof layer_ticks[0]; }

extern uint32_t __stack_limit;
#define STACK_PAINT 0x5AC3A55Au
uint32_t fw_stack_used(void) {
    uint32_t *p = &__stack_limit;
    while (p < &__stack_top && *p == STACK_PAINT) p++;
    return (uint32_t)((uint8_t *)&__stack_top - (uint8_t *)p);
}

static void paint_stack(void) {
    uint32_t *sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (uint32_t *p = &__stack_limit; p < sp - 16; p++) *p = STACK_PAINT;
}

// MARK: semihosting (bkpt 0xAB, operation in r0, argument block in r1)

static int32_t semihost(uint32_t operation, const void *argument) {
    register uint32_t r0 __asm__("r0") = operation;
    register const void *r1 __asm__("r1") = argument;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return (int32_t)r0;
}

void fw_write(const char *text) { semihost(0x04, text); }

void fw_write_int(int64_t value) {
    char digits[24];
    int at = 23;
    digits[at] = 0;
    uint64_t magnitude = value < 0 ? (uint64_t)(-(value + 1)) + 1 : (uint64_t)value;
    do {
        // Division by 10 of a 64-bit value without a library call: this is only output formatting.
        uint64_t q = 0, r = 0;
        for (int bit = 63; bit >= 0; bit--) {
            r = (r << 1) | ((magnitude >> bit) & 1);
            if (r >= 10) { r -= 10; q |= (uint64_t)1 << bit; }
        }
        digits[--at] = (char)('0' + r);
        magnitude = q;
    } while (magnitude != 0);
    if (value < 0) digits[--at] = '-';
    fw_write(&digits[at]);
}

static uint32_t string_length(const char *s) { uint32_t n = 0; while (s[n]) n++; return n; }

int32_t fw_open(const char *path) {
    uint32_t block[3] = { (uint32_t)path, 1 /* "rb" */, string_length(path) };
    return semihost(0x01, block);
}

uint32_t fw_read(int32_t handle, uint8_t *buffer, uint32_t count) {
    uint32_t block[3] = { (uint32_t)handle, (uint32_t)buffer, count };
    return count - (uint32_t)semihost(0x06, block); // SYS_READ returns the bytes NOT read
}

void fw_close(int32_t handle) { uint32_t block[1] = { (uint32_t)handle }; semihost(0x02, block); }

void fw_exit(int32_t status) {
    uint32_t block[2] = { 0x20026 /* ADP_Stopped_ApplicationExit */, (uint32_t)status };
    semihost(0x20, block); // SYS_EXIT_EXTENDED: QEMU exits with `status`
    for (;;) {}
}

// MARK: SysTick as an instruction clock (-icount shift=0)

#define SYST_CSR (*(volatile uint32_t *)0xE000E010)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018)
static volatile uint32_t systick_wraps;
static uint32_t ns_per_tick_x1000;

void SysTick_Handler(void) { systick_wraps++; }

uint64_t fw_ticks(void) {
    uint32_t wraps, value;
    do {
        wraps = systick_wraps;
        value = SYST_CVR;
    } while (wraps != systick_wraps);
    return ((uint64_t)wraps << 24) + (0xFFFFFFu - value);
}

uint32_t fw_ns_per_tick_x1000(void) { return ns_per_tick_x1000; }

// A loop of exactly 2 instructions per round (subs, bne), timed to find the instructions per SysTick tick.
static void busy(uint32_t rounds) {
    __asm__ volatile(".syntax unified\n1: subs %0, %0, #1\n bne 1b" : "+l"(rounds) : : "cc");
}

static void start_clock(void) {
    SYST_RVR = 0xFFFFFF;
    SYST_CVR = 0;
    SYST_CSR = 7; // processor clock, interrupt on wrap, enabled
    busy(1000); // past the first reload (the count from the written 0 to the reload value is not a wrap)
    const uint32_t rounds = 4000000; // 8,000,000 instructions
    uint64_t t0 = fw_ticks();
    busy(rounds);
    uint64_t t1 = fw_ticks();
    uint32_t ticks = (uint32_t)(t1 - t0);
    // 8e6 instructions over `ticks` ticks, x1000, rounded to the nearest integer
    ns_per_tick_x1000 = ticks ? (uint32_t)((8000000000ull + ticks / 2) / ticks) : 0;
}

// MARK: faults

static void write_hex(uint32_t value) {
    char text[11] = "0x";
    for (int i = 0; i < 8; i++) {
        uint32_t digit = (value >> (28 - 4 * i)) & 0xF;
        text[2 + i] = (char)(digit < 10 ? '0' + digit : 'a' + digit - 10);
    }
    text[10] = 0;
    fw_write(text);
}

#define SCB_SHCSR (*(volatile uint32_t *)0xE000ED24)
#define SCB_CFSR (*(volatile uint32_t *)0xE000ED28)
#define SCB_HFSR (*(volatile uint32_t *)0xE000ED2C)
#define SCB_CCR (*(volatile uint32_t *)0xE000ED14)

// One line naming the exception, the faulting PC and the fault status registers, then exit 70: a fault is
// never silent, and Firmware-Sim/run tells it apart from an orderly refusal (exit 3) or a hang (QEMU timeout).
__attribute__((used, noreturn)) void fault_report(const uint32_t *frame, uint32_t exception) {
    static const char *const names[16] = {
        "?", "Reset", "NMI", "HardFault", "MemManage", "BusFault", "UsageFault",
#if defined(__ARM_ARCH_8M_MAIN__)
        "SecureFault", // ARMv8-M Mainline with the Security Extension (the Cortex-M33 on mps2-an505)
#else
        "reserved 7",
#endif
        "reserved 8",
        "reserved 9", "reserved 10", "SVCall", "DebugMonitor", "reserved 13", "PendSV", "SysTick",
    };
    fw_write("FAULT: the firmware crashed (");
    fw_write(exception < 16 ? names[exception] : "interrupt");
    fw_write(", exception ");
    fw_write_int(exception);
    fw_write(") pc ");
    write_hex(frame[6]);
#if __ARM_ARCH_ISA_THUMB >= 2 // ARMv6-M has no configurable fault status registers
    fw_write(" CFSR ");
    write_hex(SCB_CFSR);
    fw_write(" HFSR ");
    write_hex(SCB_HFSR);
#endif
    fw_write("\n");
    fw_exit(70);
}

// Every fault vector: passes the stacked exception frame (MSP or PSP, from EXC_RETURN) and the IPSR number.
__attribute__((naked)) void Fault_Handler(void) {
#if __ARM_ARCH_ISA_THUMB >= 2
    __asm__ volatile(
        "tst lr, #4\n"
        "ite eq\n"
        "mrseq r0, msp\n"
        "mrsne r0, psp\n"
        "mrs r1, ipsr\n"
        "b fault_report\n");
#else // ARMv6-M: no IT blocks, no TST with an immediate
    __asm__ volatile(
        "movs r0, #4\n"
        "mov r1, lr\n"
        "tst r0, r1\n"
        "bne 1f\n"
        "mrs r0, msp\n"
        "b 2f\n"
        "1: mrs r0, psp\n"
        "2: mrs r1, ipsr\n"
        "ldr r2, =fault_report\n"
        "bx r2\n");
#endif
}

#ifdef FW_FAULT_TEST
// Firmware-Sim/run --check-faults builds the firmware with FW_FAULT_TEST set to an exception number to prove
// that each fault reaches Fault_Handler and is reported: 3 HardFault (an undefined instruction before the
// configurable faults are enabled, so it escalates), 4 MemManage (executing from the never-executable system
// region), 5 BusFault (reading an address no device answers), 6 UsageFault (an undefined instruction); on
// ARMv6-M (HardFault only) also 7, a word load from an odd address, which that architecture always faults on; on
// ARMv8-M also 8, the stack pointer below the stack's limit (MSPLIM).
static void trigger_fault(int which) {
    if (which == 3 || which == 6) __asm__ volatile("udf #0");
    if (which == 7) {
        uint32_t value, address = (uint32_t)(uintptr_t)&__stack_limit + 1;
        __asm__ volatile("ldr %0, [%1]" : "=l"(value) : "l"(address) : "memory");
        (void)value;
    }
#if defined(__ARM_ARCH_8M_MAIN__)
    // 8: the stack pointer moved below MSPLIM (1 KB above the limit, then 2 KB down) must fault (UsageFault, STKOF)
    // before the move; the 1 KB left is the handler's stack.
    if (which == 8) {
        __asm__ volatile("mov sp, %0\n sub sp, sp, #2048" : : "r"((uint32_t)(uintptr_t)&__stack_limit + 1024) : "memory");
    }
#endif
    if (which == 4) ((void (*)(void))0xE0000001u)();
    if (which == 5) (void)*(volatile uint32_t *)0xF0000000u;
    fw_write("FAULT TEST: no fault was raised\n");
    fw_exit(71);
}
#endif

// MARK: startup

void Reset_Handler(void) {
#if defined(__ARM_FP)
    // CPACR: full access to CP10/CP11 (the FPU, and on the Cortex-M55 also MVE), first: for an MVE core the
    // compiler vectorizes the copy loops below.
    *(volatile uint32_t *)0xE000ED88 |= 0xFu << 20;
    __asm__ volatile("dsb\n isb");
#endif
    uint32_t *from = &__data_load;
    for (uint32_t *to = &__data_start; to < &__data_end;) *to++ = *from++;
    for (uint32_t *to = &__bss_start; to < &__bss_end;) *to++ = 0;
#if defined(FW_FAULT_TEST) && FW_FAULT_TEST == 3
    trigger_fault(3);
#endif
    // MemManage, BusFault and UsageFault get their own vectors (else they escalate to HardFault), and an
    // integer division by zero faults instead of giving 0.
#if __ARM_ARCH_ISA_THUMB >= 2 // ARMv6-M has neither: every fault is a HardFault, and it has no divide instruction
    SCB_SHCSR |= (1u << 16) | (1u << 17) | (1u << 18);
    SCB_CCR |= 1u << 4;
    __asm__ volatile("dsb\n isb");
#endif
#if defined(__ARM_ARCH_8M_MAIN__)
    // ARMv8-M: SecureFault gets its own vector (SHCSR.SECUREFAULTENA), and a stack overflow past the stack's end
    // faults (MSPLIM: a UsageFault, STKOF) instead of silently overwriting .bss.
    SCB_SHCSR |= 1u << 19;
    __asm__ volatile("msr msplim, %0\n isb" : : "r"(&__stack_limit));
#endif
#ifdef FW_FAULT_TEST
    trigger_fault(FW_FAULT_TEST);
#endif
    paint_stack();
    start_clock();
    fw_main();
    fw_exit(0);
}

__attribute__((section(".vectors"), used))
void (*const vector_table[16])(void) = {
    (void (*)(void))&__stack_top, Reset_Handler,
    Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler, Fault_Handler, // NMI, HardFault, MemManage, BusFault, UsageFault
    Fault_Handler /* reserved; SecureFault on ARMv8-M */, Fault_Handler, Fault_Handler, Fault_Handler, // reserved
    Fault_Handler /* SVC */, Fault_Handler /* DebugMon */, Fault_Handler /* reserved */, Fault_Handler /* PendSV */,
    SysTick_Handler,
};

// MARK: the library functions compilers call without being asked

void *memcpy(void *restrict d, const void *restrict s, size_t n) {
    uint8_t *dp = d; const uint8_t *sp = s;
    while (n--) *dp++ = *sp++;
    return d;
}
void *memmove(void *d, const void *s, size_t n) {
    uint8_t *dp = d; const uint8_t *sp = s;
    if (dp < sp) { while (n--) *dp++ = *sp++; }
    else { dp += n; sp += n; while (n--) *--dp = *--sp; }
    return d;
}
void *memset(void *d, int c, size_t n) { uint8_t *dp = d; while (n--) *dp++ = (uint8_t)c; return d; }
int memcmp(const void *a, const void *b, size_t n) {
    const uint8_t *x = a, *y = b;
    for (; n; n--, x++, y++) if (*x != *y) return *x - *y;
    return 0;
}
void __aeabi_memcpy(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memcpy4(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memcpy8(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memmove(void *d, const void *s, size_t n) { memmove(d, s, n); }
void __aeabi_memmove4(void *d, const void *s, size_t n) { memmove(d, s, n); }
void __aeabi_memmove8(void *d, const void *s, size_t n) { memmove(d, s, n); }
void __aeabi_memset(void *d, size_t n, int c) { memset(d, c, n); }
void __aeabi_memset4(void *d, size_t n, int c) { memset(d, c, n); }
void __aeabi_memset8(void *d, size_t n, int c) { memset(d, c, n); }
void __aeabi_memclr(void *d, size_t n) { memset(d, 0, n); }
void __aeabi_memclr4(void *d, size_t n) { memset(d, 0, n); }
void __aeabi_memclr8(void *d, size_t n) { memset(d, 0, n); }

// 64-bit unsigned division (compilers call it for uint64 / and %): shift and subtract.
uint64_t fw_udivmod64(uint64_t n, uint64_t d, uint64_t *remainder) {
    uint64_t q = 0, r = 0;
    if (d == 0) { *remainder = n; return ~(uint64_t)0; }
    for (int bit = 63; bit >= 0; bit--) {
        r = (r << 1) | ((n >> bit) & 1);
        if (r >= d) { r -= d; q |= (uint64_t)1 << bit; }
    }
    *remainder = r;
    return q;
}

// The AEABI helper returns the quotient in r0:r1 and the remainder in r2:r3.
__attribute__((naked)) void __aeabi_uldivmod(void) {
    __asm__ volatile(
        "push {r4, lr}\n"
        "sub sp, sp, #16\n"
        "add r4, sp, #8\n"
        "str r4, [sp]\n"
        "bl fw_udivmod64\n"
        "ldr r2, [sp, #8]\n"
        "ldr r3, [sp, #12]\n"
        "add sp, sp, #16\n"
        "pop {r4, pc}\n");
}
