/* The three 32-bit atomics Embedded Swift calls on ARMv6-M (Cortex-M0/M0+) for its once-initialized globals: the
 * core has no LDREX/STREX, so the compiler calls these libatomic functions, which bare-metal toolchains do not
 * ship. Single core: an aligned word load or store is atomic by itself, and the compare-exchange masks interrupts
 * (PRIMASK) around its read-compare-write. Linked into libedgequant.a's one relocatable object and made local there
 * (Sources/Deploy/LibraryBuilder.swift), so they can never clash with a firmware's own definitions. */
    .syntax unified
    .thumb

/* uint32_t __atomic_load_4(const volatile void *ptr, int order) */
    .section .text.__atomic_load_4, "ax", %progbits
    .global __atomic_load_4
    .type __atomic_load_4, %function
    .thumb_func
__atomic_load_4:
    ldr r0, [r0]
    dmb
    bx lr
    .size __atomic_load_4, . - __atomic_load_4

/* void __atomic_store_4(volatile void *ptr, uint32_t value, int order) */
    .section .text.__atomic_store_4, "ax", %progbits
    .global __atomic_store_4
    .type __atomic_store_4, %function
    .thumb_func
__atomic_store_4:
    dmb
    str r1, [r0]
    dmb
    bx lr
    .size __atomic_store_4, . - __atomic_store_4

/* bool __atomic_compare_exchange_4(volatile void *ptr, void *expected, uint32_t desired, bool weak, int success,
 * int failure): *ptr = desired if *ptr == *expected (returns 1), else *expected = *ptr (returns 0). */
    .section .text.__atomic_compare_exchange_4, "ax", %progbits
    .global __atomic_compare_exchange_4
    .type __atomic_compare_exchange_4, %function
    .thumb_func
__atomic_compare_exchange_4:
    push {r4, r5, lr}
    mrs r4, primask
    cpsid i
    dmb
    ldr r5, [r0]
    ldr r3, [r1]
    cmp r5, r3
    bne 1f
    str r2, [r0]
    dmb
    msr primask, r4
    movs r0, #1
    pop {r4, r5, pc}
1:
    str r5, [r1]
    msr primask, r4
    movs r0, #0
    pop {r4, r5, pc}
    .size __atomic_compare_exchange_4, . - __atomic_compare_exchange_4
