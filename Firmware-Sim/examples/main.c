// The example firmware every machine shares: the emitted model in flash, a static arena of exactly
// EDGEQUANT_MODEL_ARENA_SIZE bytes, every golden test vector the emit step wrote (edgequant_test_vectors.c) run
// through eq_invoke and checked against the host's output bytes embedded beside it; instructions per inference
// and per op (eq_invoke_with_hook) from the SysTick instruction clock; the stack high-water. Output over
// semihosting; Firmware-Sim/examples/run compares it with `edge-sim run` independently.
// Exit status: 0 all vectors matched, 1 a mismatch, 3 eq_init refused the model, 4 an inference error,
// 70 a fault (common/board.c).
#include <stddef.h>
#include <stdint.h>
#include "board.h"
#include "edgequant.h"
#include "edgequant_model.h"
#include "edgequant_test_vectors.h"

#if EDGEQUANT_TEST_COUNT < 1
#error "no test vectors: emit with quantize ... --emit DIR --test-vectors PNG..."
#endif

// The one buffer the library needs: activations and scratch, sized by the converter's plan.
static uint8_t arena[EDGEQUANT_MODEL_ARENA_SIZE] __attribute__((aligned(EQ_ARENA_ALIGNMENT)));

#define MAX_OPS 256u
static uint64_t op_ticks[MAX_OPS]; // per op, summed over the vectors
static uint64_t last_tick;

static void after_op(uint32_t op_index, void *user) {
    (void)user;
    uint64_t now = board_ticks();
    if (op_index < MAX_OPS) op_ticks[op_index] += now - last_tick;
    last_tick = now;
}

static void put(const char *text, int64_t value) {
    board_write(text);
    board_write_int(value);
}

static int same_bytes(const int8_t *a, const int8_t *b, size_t n) {
    for (size_t i = 0; i < n; i++) if (a[i] != b[i]) return 0;
    return 1;
}

// CRC-32 (IEEE, as zlib's crc32) of the input bytes: the runner checks them against the tensor `edge-sim run
// --tensors` prepared from the same image, so the firmware is shown to have run exactly the host's input.
static uint32_t crc32(const int8_t *data, size_t n) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint8_t)data[i];
        for (int bit = 0; bit < 8; bit++) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static void load_input(const eq_model *model, uint32_t vector) {
    int8_t *input = eq_input(model);
    for (size_t i = 0; i < EDGEQUANT_MODEL_INPUT_SIZE; i++) input[i] = edgequant_test_inputs[vector][i];
}

int main(void) {
#ifdef EXAMPLE_FAULT_TEST // run --check-faults: the fault must print its FAULT line and exit 70
    board_raise_fault(EXAMPLE_FAULT_TEST);
    board_write("FAULT TEST: no fault was raised\n");
    return 71;
#endif
    eq_model model;
    eq_status status = eq_init(&model, edgequant_model_data, EDGEQUANT_MODEL_SIZE, arena, sizeof arena);
    if (status != EQ_OK) {
        board_write("eq_init: ");
        board_write(eq_status_name(status));
        put(" detail ", eq_error_detail(&model));
        board_write("\n");
        return 3;
    }
    uint32_t ops = eq_op_count(&model);
    put("model bytes ", EDGEQUANT_MODEL_SIZE);
    put(" arena ", (int64_t)eq_arena_size(&model));
    put(" ops ", ops);
    put(" instructions_per_tick_x1000 ", board_instructions_per_tick_x1000());
    board_write("\n");
    if (eq_input_size(&model) != EDGEQUANT_MODEL_INPUT_SIZE || eq_output_size(&model) != EDGEQUANT_MODEL_OUTPUT_SIZE) {
        board_write("model: input or output size differs from edgequant_model.h\n");
        return 4;
    }

    uint32_t mismatches = 0;
    uint64_t total_instructions = 0;
    int8_t first[EDGEQUANT_MODEL_OUTPUT_SIZE];
    for (uint32_t v = 0; v < EDGEQUANT_TEST_COUNT; v++) {
        load_input(&model, v);
        uint64_t t0 = board_ticks();
        status = eq_invoke(&model);
        uint64_t t1 = board_ticks();
        if (status != EQ_OK) {
            put("sample ", v);
            board_write(" eq_invoke: ");
            board_write(eq_status_name(status));
            board_write("\n");
            return 4;
        }
        const int8_t *output = eq_output(&model);
        uint32_t digit = 0;
        for (uint32_t i = 0; i < EDGEQUANT_MODEL_OUTPUT_SIZE; i++) {
            first[i] = output[i];
            if (output[i] > output[digit]) digit = i; // the lowest index wins a tie, as on the host
        }
        uint64_t instructions = board_instructions(t1 - t0);
        total_instructions += instructions;
        put("sample ", v);
        board_write(" name ");
        board_write(edgequant_test_names[v]);
        put(" input_crc32 ", crc32(edgequant_test_inputs[v], EDGEQUANT_MODEL_INPUT_SIZE));
        board_write("\n");
        put("sample ", v);
        board_write(" output");
        for (uint32_t i = 0; i < EDGEQUANT_MODEL_OUTPUT_SIZE; i++) put(" ", first[i]);
        put(" digit ", digit);
        put(" instructions ", (int64_t)instructions);
        board_write("\n");

        // The same input again with a hook after every op: the per-op instructions (the hook's own reading of
        // the clock included) and a second, identical, output.
        load_input(&model, v);
        last_tick = board_ticks();
        status = eq_invoke_with_hook(&model, after_op, NULL);
        int same = status == EQ_OK && same_bytes(first, eq_output(&model), EDGEQUANT_MODEL_OUTPUT_SIZE);
        int expected = same_bytes(first, edgequant_test_outputs[v], EDGEQUANT_MODEL_OUTPUT_SIZE);
        mismatches += !same || !expected;
        put("sample ", v);
        board_write(expected ? " embedded expected output: match" : " embedded expected output: MISMATCH");
        board_write(same ? ", with hook: match\n" : ", with hook: MISMATCH\n");
    }
    uint32_t count = EDGEQUANT_TEST_COUNT;
    for (uint32_t op = 0; op < ops && op < MAX_OPS; op++) {
        put("op ", op);
        put(" instructions ", (int64_t)((board_instructions(op_ticks[op]) + count / 2) / count));
        board_write("\n");
    }
    put("mismatches ", mismatches);
    board_write("\n");
    put("done samples ", count);
    put(" instructions_per_inference ", (int64_t)((total_instructions + count / 2) / count));
    put(" stack_used ", board_stack_used());
    board_write("\n");
    return mismatches ? 1 : 0;
}
