// C services the Swift firmware main calls: model and arena placement, semihosting I/O, the instruction clock.
// Imported into the one Swift module (runtime + main) through module.modulemap.
#ifndef EDGEQUANT_FIRMWARE_H
#define EDGEQUANT_FIRMWARE_H
#include <stdint.h>

/// The .q8 bytes, linked into flash (.rodata) by model.S.
const uint8_t *fw_model(void);
uint32_t fw_model_size(void);
/// The static arena: exactly the model's planned arena size (ARENA_SIZE at build time), in .bss.
uint8_t *fw_arena(void);
uint32_t fw_arena_size(void);

/// Semihosting: NUL-terminated output (SYS_WRITE0), files (SYS_OPEN/SYS_READ/SYS_CLOSE), exit with a status.
void fw_write(const char *text);
void fw_write_int(int64_t value);
int32_t fw_open(const char *path);
/// Reads up to `count` bytes; returns the number of bytes read.
uint32_t fw_read(int32_t handle, uint8_t *buffer, uint32_t count);
void fw_close(int32_t handle);
void fw_exit(int32_t status) __attribute__((noreturn));

/// Guest instructions since boot, from SysTick under QEMU -icount shift=0 (1 instruction = 1 ns of virtual
/// time): wraps x 2^24 + elapsed ticks, times the ns per tick measured at boot (fw_ns_per_tick).
uint64_t fw_ticks(void);
uint32_t fw_ns_per_tick_x1000(void);

/// Static buffers the main uses instead of a heap: the host's expected output bytes, per-layer tick sums.
uint8_t *fw_expected(void);
uint32_t fw_expected_capacity(void);
uint64_t *fw_layer_ticks(void);
uint32_t fw_layer_capacity(void);
/// Bytes of stack ever touched since boot (the stack is painted at reset).
uint32_t fw_stack_used(void);
#endif
