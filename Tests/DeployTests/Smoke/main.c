/* Smoke test (Tests/DeployTests/Smoke/run.sh): libedgequant.a linked by arm-none-eabi-gcc, run on QEMU netduinoplus2. */
#include <stdint.h>
#include <stddef.h>
#include "edgequant.h"
#include "edgequant_model.h"
#include "edgequant_test_vectors.h"

/* What the library needs from a libc (none is linked here). */
void *memcpy(void *d, const void *s, size_t n) { uint8_t *a = d; const uint8_t *b = s; while (n--) *a++ = *b++; return d; }
void *memmove(void *d, const void *s, size_t n) { uint8_t *a = d; const uint8_t *b = s; if (a < b) while (n--) *a++ = *b++; else while (n--) a[n] = b[n]; return d; }
void *memset(void *d, int c, size_t n) { uint8_t *a = d; while (n--) *a++ = (uint8_t)c; return d; }
void __aeabi_memcpy(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memcpy4(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memcpy8(void *d, const void *s, size_t n) { memcpy(d, s, n); }
void __aeabi_memmove(void *d, const void *s, size_t n) { memmove(d, s, n); }
void __aeabi_memset(void *d, size_t n, int c) { memset(d, c, n); }
void __aeabi_memclr(void *d, size_t n) { memset(d, 0, n); }
void __aeabi_memclr4(void *d, size_t n) { memset(d, 0, n); }
void __aeabi_memclr8(void *d, size_t n) { memset(d, 0, n); }

static int semihost(int op, const void *arg) {
    register int r0 __asm__("r0") = op; register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory"); return r0;
}
static void put(const char *s) { semihost(0x04, s); }
static void put_int(long long v) {
    char b[24]; int i = 23; b[i] = 0; int neg = v < 0; unsigned long long u = neg ? -(unsigned long long)v : (unsigned long long)v;
    do { b[--i] = '0' + u % 10; u /= 10; } while (u); if (neg) b[--i] = '-'; put(&b[i]);
}
static void leave(int code) { uint32_t block[2] = {0x20026, (uint32_t)code}; semihost(0x20, block); for (;;) {} }

#define SYST_CSR (*(volatile uint32_t *)0xE000E010)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018)
static volatile uint32_t wraps;
void SysTick_Handler(void) { wraps++; }
static uint64_t ticks(void) { uint32_t w, v; do { w = wraps; v = SYST_CVR; } while (w != wraps); return (uint64_t)w * 0x1000000u + (0xFFFFFFu - v); }

static eq_model model;
static uint8_t arena[EDGEQUANT_MODEL_ARENA_SIZE] __attribute__((aligned(EQ_ARENA_ALIGNMENT)));
extern uint32_t __stack_bottom[], __stack_top[];

int main(void) {
    eq_status s = eq_init(&model, edgequant_model_data, EDGEQUANT_MODEL_SIZE, arena, sizeof arena);
    if (s != EQ_OK) { put("init "); put(eq_status_name(s)); put("\n"); leave(3); }
    eq_model garbage; memset(&garbage, 0x5A, sizeof garbage);
    if (eq_invoke(&garbage) != EQ_NOT_INITIALIZED) { put("garbage accepted\n"); leave(4); }
    SYST_RVR = 0xFFFFFF; SYST_CVR = 0; SYST_CSR = 7;  /* processor clock, interrupt, enable */
    int bad = 0; uint64_t total = 0;
    for (unsigned i = 0; i < EDGEQUANT_TEST_COUNT; i++) {
        memcpy(eq_input(&model), edgequant_test_inputs[i], EDGEQUANT_MODEL_INPUT_SIZE);
        uint64_t t0 = ticks();
        s = eq_invoke(&model);
        uint64_t t1 = ticks();
        total += t1 - t0;
        const int8_t *out = eq_output(&model);
        int match = 1;
        for (unsigned k = 0; k < EDGEQUANT_MODEL_OUTPUT_SIZE; k++) if (out[k] != edgequant_test_outputs[i][k]) match = 0;
        bad += !match || s != EQ_OK;
        put("sample "); put(edgequant_test_names[i]); put(match ? " match ticks " : " MISMATCH ticks "); put_int((long long)(t1 - t0)); put("\n");
    }
    uint32_t *p = __stack_bottom; while (p < __stack_top && *p == 0xDEADBEEF) p++;
    put("done mismatches "); put_int(bad); put(" ticks_per_inference "); put_int((long long)(total / EDGEQUANT_TEST_COUNT));
    put(" stack_used "); put_int((long long)((__stack_top - p) * 4)); put("\n");
    leave(bad ? 1 : 0);
    return 0;
}
