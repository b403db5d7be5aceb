// Firmware-Sim/cycles/cycles.c: a QEMU TCG plugin (plugin API v1, QEMU 7.2) that estimates the cycles of a
// Thumb/Thumb-2 Cortex-M program: every instruction is decoded once when QEMU translates it (its class, its cost
// from the core's table in tables.h, the registers it writes and the registers its address uses), and every
// execution charges that cost, with the pipeline rules the TRM states: a taken branch (known from the next
// executed PC) adds the refill P, neighbouring single loads/stores pipeline, an address computed by the
// previous data-processing instruction stalls one cycle. It is an ESTIMATE WITHOUT WAIT STATES.
//
// Arguments (-plugin cycles.so,core=cortex-m4,out=FILE[,mark=0xADDR][,refill=N]):
//   core    a row of tables.h (cortex-m4, cortex-m7 and cortex-m33 = the M4 table, cortex-m55 with MVE,
//           cortex-m3, cortex-m0)
//   out     the report file, written at exit (temporary file, then rename)
//   mark    the address of a marker function: each time execution reaches it the plugin records the running
//           totals (instructions, cycles, per class), so the caller can difference them per layer
//   refill  overrides P (sensitivity checks)
//   dp_overlap=1  (MVE) also overlaps two vector data-processing instructions in a row, as if every such pair used
//           different pipes (integer, FP/multiply): the optimistic side of the Cortex-M55 estimate's simplification
// Report format (one record per line, fields separated by single spaces): see docs/firmware-sim.md.
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tables.h"

// The few declarations of QEMU 7.2's include/qemu/qemu-plugin.h (API version 1) this plugin uses. Debian ships
// QEMU with plugin support but without the header.
typedef uint64_t qemu_plugin_id_t;
typedef struct qemu_info_t qemu_info_t;  // only passed through
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))
QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;

// Instruction classes, in report order.
enum cls { C_ALU, C_MUL, C_DIV, C_LOAD, C_STORE, C_LDRD, C_LDM, C_BRANCH, C_FP, C_OTHER,
           C_VLOAD, C_VSTORE, C_VDP, C_VMAC, C_VCTL, C_COUNT };  // the last five: MVE (Cortex-M55)
static const char *const class_names[C_COUNT] = {"alu", "mul", "div", "load", "store", "ldrd", "ldm",
                                                 "branch", "fp", "other", "vload", "vstore", "vdp", "vmac",
                                                 "vctl"};

enum {
    F_SINGLE = 1,     // a single load or store (may pipeline after a single load/store)
    F_PIPE_NEXT = 2,  // the next single load/store may pipeline after this one (LDR, STR immediate)
    F_DP = 4,         // a data-processing result (address dependence stalls the next load/store)
    F_MEM = 8,        // any load or store (subject to the address-dependence stall)
    F_PC = 16,        // may write the PC: taken when the next executed instruction is not the following one
    F_MARK = 32,      // the marker function's first instruction
    F_VLS = 64,       // an MVE load or store (the load/store pipe)
    F_VDP = 128,      // MVE data processing (the integer and FP/multiply pipes)
};

struct insn {
    uint32_t vaddr, opcode;
    uint8_t size, cls, cost, flags;
    uint16_t writes, addr;  // register masks: written, used to form the address
    uint16_t loaded;        // register mask: written with data read from memory (load latency, load_use)
    uint8_t taken_cost;     // extra when the PC changes (P)
    struct insn *next;      // hash chain
};

static const struct core_table *core;
static int refill;
static int dp_overlap;  // dp_overlap=1: also overlap two MVE data-processing instructions (sensitivity bound)
static uint64_t mark_addr = UINT64_MAX;
static const char *out_path;

// Running totals; snapshots at each mark.
struct totals {
    uint64_t insns, cycles, class_insns[C_COUNT], class_cycles[C_COUNT], taken;
};
static struct totals now;
static struct totals *marks;
static size_t mark_count, mark_capacity;
static const struct insn *prev, *pending;

// Decoded instructions, deduplicated by address and opcode (QEMU retranslates blocks, e.g. under -icount).
#define BUCKETS 65536
static struct insn *table[BUCKETS];

static int popcount16(uint32_t v) { return __builtin_popcount(v & 0xFFFF); }

static void set(struct insn *i, int cls, int cost, int flags) {
    i->cls = (uint8_t)cls;
    i->cost = (uint8_t)cost;
    i->flags |= (uint8_t)flags;
}

static void single(struct insn *i, bool load, int rt, int rn, int rm, bool reg_offset) {
    i->addr = (uint16_t)((1u << rn) | (rm >= 0 ? 1u << rm : 0));
    if (load) {
        i->writes = (uint16_t)(1u << rt);
        i->loaded = i->writes;
        if (rt == 15) {  // LDR PC: 2 + P, never pipelined
            set(i, C_LOAD, core->load, F_MEM | F_PC);
            return;
        }
        set(i, C_LOAD, core->load, F_SINGLE | F_PIPE_NEXT | F_MEM);
    } else {
        set(i, C_STORE, core->store, F_SINGLE | F_MEM | (reg_offset ? 0 : F_PIPE_NEXT));
    }
}

static void multiple(struct insn *i, bool load, int rn, uint32_t list) {
    int n = popcount16(list);
    i->addr = (uint16_t)(1u << rn);
    i->writes = (uint16_t)((load ? list : 0) | (1u << rn));
    i->loaded = (uint16_t)(load ? list : 0);
    set(i, C_LDM, core->ldm_base + n, F_MEM | (load && (list & 0x8000) ? F_PC : 0));
}

static void dp(struct insn *i, int rd) {
    if (rd >= 0) i->writes = (uint16_t)(1u << rd);
    set(i, C_ALU, core->alu, F_DP | (rd == 15 ? F_PC : 0));
    if (rd == 15) i->cls = C_BRANCH;
}

static void decode16(struct insn *i, uint32_t h) {
    int lo = h & 7, mid = (h >> 3) & 7, top = (h >> 8) & 7;
    if ((h >> 14) == 0) {  // shift (immediate), add, subtract, move, compare
        int op = (h >> 11) & 7;
        if (op == 5) dp(i, -1);               // CMP imm8
        else if (op >= 4) dp(i, top);         // MOV/ADD/SUB imm8
        else dp(i, lo);                       // LSL/LSR/ASR imm, ADD/SUB reg/imm3
    } else if ((h >> 10) == 0x10) {  // data processing (register)
        int op = (h >> 6) & 15;
        if (op == 13) { set(i, C_MUL, core->mul, F_DP); i->writes = (uint16_t)(1u << lo); }
        else dp(i, (op == 8 || op == 10 || op == 11) ? -1 : lo);  // TST, CMP, CMN write no register
    } else if ((h >> 10) == 0x11) {  // special data processing, branch and exchange
        int op = (h >> 8) & 3, rd = ((h >> 4) & 8) | lo;
        if (op == 3) {  // BX, BLX
            set(i, C_BRANCH, (h & 0x80) ? core->bl : core->branch, F_PC);
            if (h & 0x80) i->writes = 1u << 14;
        } else dp(i, op == 1 ? -1 : rd);
    } else if ((h >> 11) == 9) {  // LDR literal
        single(i, true, top, 15, -1, false);
    } else if ((h >> 12) == 5) {  // load/store register offset
        int op = (h >> 9) & 7;
        single(i, op >= 3, lo, mid, (h >> 6) & 7, true);
    } else if ((h >> 13) == 3 || (h >> 12) == 8) {  // load/store word/byte/halfword immediate
        single(i, (h >> 11) & 1, lo, mid, -1, false);
    } else if ((h >> 12) == 9) {  // load/store SP-relative
        single(i, (h >> 11) & 1, top, 13, -1, false);
    } else if ((h >> 12) == 10) {  // ADR, ADD Rd, SP, #imm
        dp(i, top);
    } else if ((h >> 12) == 11) {  // miscellaneous
        if ((h & 0xF500) == 0xB100) {  // CBZ, CBNZ
            set(i, C_BRANCH, core->branch, F_PC);
            i->addr = 0;
        } else if ((h & 0xFF00) == 0xB000) {  // ADD/SUB SP, SP, #imm
            dp(i, 13);
        } else if ((h & 0xFE00) == 0xB400) {  // PUSH
            multiple(i, false, 13, (h & 0xFF) | ((h & 0x100) << 6));
        } else if ((h & 0xFE00) == 0xBC00) {  // POP
            multiple(i, true, 13, (h & 0xFF) | ((h & 0x100) << 7));
        } else if ((h & 0xFF00) == 0xB200 || (h & 0xFF00) == 0xBA00) {  // extend, reverse
            dp(i, lo);
        } else {  // CPS, BKPT, IT, hints
            set(i, C_OTHER, core->other, 0);
        }
    } else if ((h >> 12) == 12) {  // STM, LDM
        multiple(i, (h >> 11) & 1, top, h & 0xFF);
    } else if ((h >> 12) == 13) {  // B<c>, UDF, SVC
        int cond = (h >> 8) & 15;
        if (cond < 14) set(i, C_BRANCH, core->branch, F_PC);
        else set(i, C_OTHER, core->other, 0);
    } else if ((h >> 11) == 0x1C) {  // B
        set(i, C_BRANCH, core->branch, F_PC);
    } else {
        set(i, C_OTHER, core->other, 0);
    }
}

// MVE (Helium, Armv8.1-M) in the coprocessor space (the caller checked h1 is 111x 11xx), by encoding group
// (Armv8-M Architecture Reference Manual, MVE encodings; groups checked against llvm-objdump by
// check-decode.py on check-m55.S and the compiled Helium kernels):
//   111x 110x (load/store), coprocessor field 111x: VLDR/VSTR of vectors (contiguous, widening, narrowing,
//     gather/scatter, VLD2/VLD4/VST2/VST4), except VMOV two lanes <-> two core registers (1110 1100 000x) and
//     VLDR/VSTR of a system register (P0, FPSCR: h2[11:7] = 11111), a scalar load/store;
//   111x 1111: vector data processing (A-profile's Advanced SIMD space: VADD, VMUL, VQRDMULH, VSHL, VMOV #imm...);
//   111x 1110, coprocessor field 111x: vector-by-scalar and reductions (VMLADAV, VADDV, VMAXV, VCMP/VPT,
//     VPST/VPNOT...); coprocessor 1011 with h2[4] = 1: VDUP and VMOV lane <-> core register (on a core without MVE
//     the same encodings are FP register transfers, decode_fp).
// Returns false for what is not MVE (FP, left to decode_fp).
static bool decode_mve(struct insn *i, uint32_t h1, uint32_t h2) {
    uint32_t cp = (h2 >> 8) & 15;
    if ((h1 & 0xEE00) == 0xEC00) {
        if ((h1 & 0xFE00) == 0xFC00 && cp == 8) {  // VCMLA, VCADD (floating point)
            set(i, C_VDP, core->vdp, F_VDP);
            return true;
        }
        if ((cp & 0xE) != 0xE) return false;  // cp10/cp11: VLDR/VSTR/VLDM/VSTM/VPUSH/VPOP of FP registers
        i->addr = (uint16_t)(1u << (h1 & 15));
        if ((h2 & 0x0F80) == 0x0F80) {  // VLDR/VSTR (system register): a 32-bit load/store
            set(i, (h1 & 0x10) ? C_LOAD : C_STORE, core->fp_load, F_MEM);
            return true;
        }
        if ((h1 & 0xFFE0) == 0xEC00) {  // VMOV Qd[2], Qd[0], Rt, Rt2 and back
            i->addr = 0;
            set(i, C_VDP, core->vdp, F_VDP);
            if (h1 & 0x10) i->writes = (uint16_t)((1u << (h2 & 15)) | (1u << (h1 & 15)));
            return true;
        }
        bool load = (h1 >> 4) & 1;
        set(i, load ? C_VLOAD : C_VSTORE, load ? core->vload : core->vstore, F_VLS | F_MEM);
        if (h1 & 0x20) i->writes = (uint16_t)(1u << (h1 & 15));  // writeback of the base
        return true;
    }
    if ((h1 & 0xEF00) == 0xEF00) {
        set(i, C_VDP, core->vdp, F_VDP);
        return true;
    }
    if ((h1 & 0xEF00) != 0xEE00) return false;
    if (cp == 0xB && (h2 & 0x10)) {  // VDUP, VMOV lane <-> core register
        set(i, C_VDP, core->vdp, F_VDP);
        if ((h1 & 0x10) && !(h1 & 0x80)) i->writes = (uint16_t)(1u << ((h2 >> 12) & 15));  // VMOV to a core register
        return true;
    }
    if ((cp & 0xE) != 0xE) return false;  // FP data processing
    if ((h1 & 0xFFBF) == 0xFE31 && (h2 & 0x1FFF) == 0x0F4D) {  // VPST, VPNOT
        set(i, C_VCTL, core->vctl, 0);
        return true;
    }
    // 111U 1110 1xxx xxxx with h2[6] = 0 (h2[6] = 1: VMOVL, VSHLL): VMLADAV/VMLAV (RdaHi = 111), VMLALDAV,
    // VRMLALDAVH, VMLSDAV... (the element size is h1[0]:h2[8] = 01, 00, 10 for 8, 16, 32 bits), except
    // VADDV/VADDLV (h1[0] = h2[8] = 1), VMAXV/VMINV/VMAXAV/VMINAV/VMAXNMV... (111U 1110 1110 xxx0: RdaHi 110 would
    // name SP) and VABAV (h1[6] = 0, h2 = xxxx 1111 0x0x xxx1).
    if ((h1 & 0xEF80) == 0xEE80 && !(h2 & 0x40) && !((h1 & 1) && (h2 & 0x100)) && (h1 & 0xEFF1) != 0xEEE0 &&
        !((h1 & 0xEFC1) == 0xEE80 && (h2 & 0x0F51) == 0x0F01)) {
        set(i, C_VMAC, core->vmac, F_VDP);
        i->writes = (uint16_t)(3u << ((h2 >> 12) & 14));  // Rda/RdaLo (even) and the next one: bookkeeping only
        return true;
    }
    set(i, C_VDP, core->vdp, F_VDP);
    return true;
}

static void decode_fp(struct insn *i, uint32_t h1, uint32_t h2) {
    if (core->v81m && decode_mve(i, h1, h2)) return;
    if ((h2 & 0x0E00) != 0x0A00) { set(i, C_OTHER, core->other, 0); return; }  // not cp10/cp11
    if ((h1 & 0x0E00) == 0x0C00) {  // extension register load/store
        int op = (h1 >> 4) & 0x1F;
        if ((op & 0x12) == 0x10) {  // VSTR, VLDR (opcode 1xx0L)
            set(i, (op & 1) ? C_LOAD : C_STORE, core->fp_load, F_MEM);
            i->addr = (uint16_t)(1u << (h1 & 15));
        } else if ((op & 0x1E) == 0x04) {  // VMOV two core registers
            set(i, C_FP, core->fp, 0);
        } else {  // VLDM, VSTM, VPUSH, VPOP: 1 + N (N words)
            set(i, C_LDM, core->ldm_base + (h2 & 0xFF), F_MEM);
            i->addr = (uint16_t)(1u << (h1 & 15));
        }
        return;
    }
    if ((h1 & 0x0F00) == 0x0E00 && !(h2 & 0x10)) {  // VFP data processing
        int opc1 = (h1 >> 4) & 0xB, opc2 = h1 & 15, opc3 = (h2 >> 6) & 3;
        if (opc1 == 0x0 || opc1 == 0x1 || opc1 == 0x9 || opc1 == 0xA) set(i, C_FP, core->fp_mac, 0);
        else if (opc1 == 0x8) set(i, C_FP, core->fp_div, 0);  // VDIV
        else if (opc1 == 0xB && opc2 == 1 && opc3 == 3) set(i, C_FP, core->fp_div, 0);  // VSQRT
        else set(i, C_FP, core->fp, 0);
        return;
    }
    set(i, C_FP, core->fp, 0);  // VMOV core/extension register, VMRS, VMSR
}

static void decode32(struct insn *i, uint32_t h1, uint32_t h2) {
    int op1 = (h1 >> 11) & 3, rn = h1 & 15, rt = (h2 >> 12) & 15, rd = (h2 >> 8) & 15;
    if (op1 == 1) {
        if ((h1 & 0x0640) == 0x0000) {  // load/store multiple
            multiple(i, (h1 >> 4) & 1, rn, h2);
        } else if ((h1 & 0x0640) == 0x0040) {  // load/store dual or exclusive, table branch
            int a = (h1 >> 7) & 3, b = (h1 >> 4) & 3;
            if (a == 0 && b < 2) single(i, b == 1, rt, rn, -1, false);  // STREX, LDREX
            else if (a == 1 && b == 0) single(i, false, h2 & 15, rn, -1, false);  // STREXB/H/D
            else if (a == 1 && b == 1) {
                int op3 = (h2 >> 4) & 15;
                if (op3 < 2) {  // TBB, TBH
                    set(i, C_BRANCH, core->table_branch, F_PC | F_MEM);
                    i->addr = (uint16_t)((1u << rn) | (1u << (h2 & 15)));
                } else single(i, true, rt, rn, -1, false);  // LDREXB/H/D
            } else {  // LDRD, STRD
                bool load = (h1 >> 4) & 1;
                set(i, C_LDRD, core->ldrd, F_MEM);
                i->addr = (uint16_t)(1u << rn);
                i->writes = (uint16_t)((load ? (1u << rt) | (1u << rd) : 0) | ((h1 & 0x20) ? 1u << rn : 0));
                i->loaded = (uint16_t)(load ? (1u << rt) | (1u << rd) : 0);
            }
        } else if ((h1 & 0x0600) == 0x0200) {  // data processing (shifted register)
            int op = (h1 >> 5) & 15;
            bool s = (h1 >> 4) & 1;
            if (core->v81m && (h1 & 0xFFF0) == 0xEA50 && rd == 15) dp(i, rn);  // SQRSHR, UQSHL, SRSHR... (MVE)
            else dp(i, (s && rd == 15 && (op == 0 || op == 4 || op == 8 || op == 13)) ? -1 : rd);  // TST TEQ CMN CMP
        } else decode_fp(i, h1, h2);
    } else if (op1 == 2) {
        if (!(h2 & 0x8000)) {  // data processing (modified or plain immediate)
            int op = (h1 >> 5) & 15;
            bool s = (h1 >> 4) & 1, plain = (h1 >> 9) & 1;
            dp(i, (!plain && s && rd == 15 && (op == 0 || op == 4 || op == 8 || op == 13)) ? -1 : rd);
        } else if (h2 & 0x1000) {  // B.W, BL
            set(i, C_BRANCH, (h2 & 0x4000) ? core->bl : core->branch, F_PC);
            if (h2 & 0x4000) i->writes = 1u << 14;
        } else if (!(h2 & 0x4000) && ((h1 >> 7) & 7) != 7) {  // B<c>.W
            set(i, C_BRANCH, core->branch, F_PC);
        } else if (core->v81m && (h1 & 0xFFC0) == 0xF000 && h2 == 0xE801) {  // VCTP
            set(i, C_VCTL, core->vctl, 0);
        } else if (core->v81m && (h1 & 0xFF80) == 0xF000 && h2 == 0xE001) {  // DLS, DLSTP: set up a loop
            set(i, C_BRANCH, core->alu, 0);
            i->writes = 1u << 14;
        } else if (core->v81m && (h1 & 0xFF80) == 0xF000 && (h2 & 0xF001) == 0xC001) {
            i->writes = 1u << 14;
            if ((h1 & 15) == 15) {  // LE, LETP: back to the loop's start without a refill (loop branch cache)
                set(i, C_BRANCH, core->loop_end, F_PC);
                i->taken_cost = 0;
            } else set(i, C_BRANCH, core->branch, F_PC);  // WLS, WLSTP: taken when there is nothing to loop
        } else set(i, C_OTHER, core->other, 0);  // MSR, MRS, hints, barriers, UDF
    } else {  // op1 == 3
        if ((h1 & 0x0E00) == 0x0800) {  // load/store single
            bool load = (h1 >> 4) & 1;
            bool reg = !(h1 & 0x0080) && rn != 15 && (h2 & 0x0FC0) == 0;
            if (load && rt == 15 && ((h1 >> 5) & 3) != 2) set(i, C_OTHER, core->other, 0);  // PLD, PLI
            else single(i, load, rt, rn, reg ? (int)(h2 & 15) : -1, reg);
            if (!reg && !(h1 & 0x0080) && (h2 & 0x0100)) i->writes |= (uint16_t)(1u << rn);  // writeback
        } else if ((h1 & 0x0F00) == 0x0A00) {  // data processing (register), parallel add/sub, misc
            dp(i, rd);
        } else if ((h1 & 0x0F80) == 0x0B00) {  // multiply, multiply-accumulate, absolute difference
            int op = (h1 >> 4) & 7, op2 = (h2 >> 4) & 3;
            int cost = (op == 0 && op2 < 2) ? (op2 == 0 && rt == 15 ? core->mul : core->mla) : core->dsp_mac;  // MUL, MLA, MLS
            set(i, C_MUL, cost, F_DP);
            i->writes = (uint16_t)(1u << rd);
        } else if ((h1 & 0x0F80) == 0x0B80) {  // long multiply, long multiply-accumulate, divide
            int op = (h1 >> 4) & 7;
            if (op == 1 || op == 3) set(i, C_DIV, core->div, F_DP);
            else set(i, C_MUL, (op == 0 || op == 2) ? core->mull : core->mlal, F_DP);
            i->writes = (uint16_t)((1u << rd) | ((op == 1 || op == 3) ? 0 : 1u << rt));
        } else if (h1 & 0x0400) {
            decode_fp(i, h1, h2);
        } else set(i, C_OTHER, core->other, 0);
    }
}

static struct insn *lookup(uint32_t vaddr, const uint8_t *bytes, size_t size) {
    uint32_t h1 = bytes[0] | (uint32_t)bytes[1] << 8;
    uint32_t h2 = size >= 4 ? (bytes[2] | (uint32_t)bytes[3] << 8) : 0;
    uint32_t opcode = size >= 4 ? (h1 << 16 | h2) : h1;
    size_t b = (vaddr >> 1) % BUCKETS;
    for (struct insn *i = table[b]; i; i = i->next)
        if (i->vaddr == vaddr && i->opcode == opcode && i->size == size) return i;
    struct insn *i = calloc(1, sizeof *i);
    if (!i) { fprintf(stderr, "cycles: out of memory\n"); exit(1); }
    i->vaddr = vaddr;
    i->opcode = opcode;
    i->size = (uint8_t)size;
    i->taken_cost = (uint8_t)refill;
    if (size == 2) decode16(i, h1);
    else if (size == 4) decode32(i, h1, h2);
    else set(i, C_OTHER, core->other, 0);
    if (vaddr == mark_addr) i->flags |= F_MARK;
    i->next = table[b];
    table[b] = i;
    return i;
}

static void exec_insn(unsigned int vcpu, void *userdata) {
    (void)vcpu;
    const struct insn *i = userdata;
    if (pending) {  // the previous instruction could write the PC: taken when this is not the following one
        if (i->vaddr != pending->vaddr + pending->size) {
            now.cycles += pending->taken_cost;
            now.class_cycles[pending->cls] += pending->taken_cost;
            now.taken++;
        }
        pending = NULL;
    }
    if (i->flags & F_MARK) {
        if (mark_count == mark_capacity) {
            mark_capacity = mark_capacity ? mark_capacity * 2 : 1024;
            marks = realloc(marks, mark_capacity * sizeof *marks);
            if (!marks) { fprintf(stderr, "cycles: out of memory\n"); exit(1); }
        }
        marks[mark_count++] = now;
    }
    uint64_t cost = i->cost;
    if (prev) {
        if (core->pipelined && (i->flags & F_SINGLE) && (prev->flags & F_PIPE_NEXT) && !(prev->writes & i->addr))
            cost -= 1;
        if (core->agu_stall && (i->flags & F_MEM) && (prev->flags & F_DP) && (prev->writes & i->addr))
            cost += 1;
        if ((i->flags & F_MEM) && (prev->loaded & i->addr)) cost += (uint64_t)core->load_use;
        if (((i->flags & F_VLS) && (prev->flags & F_VDP)) || ((i->flags & F_VDP) && (prev->flags & F_VLS)) ||
            (dp_overlap && (i->flags & F_VDP) && (prev->flags & F_VDP)))
            cost -= (uint64_t)core->overlap;  // a beat pair of each in different pipes at once
    }
    now.insns++;
    now.cycles += cost;
    now.class_insns[i->cls]++;
    now.class_cycles[i->cls] += cost;
    if (i->flags & F_PC) pending = i;
    prev = i;
}

static void translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t k = 0; k < n; k++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, k);
        size_t size = qemu_plugin_insn_size(insn);
        uint8_t bytes[4] = {0};
        memcpy(bytes, qemu_plugin_insn_data(insn), size < 4 ? size : 4);
        struct insn *i = lookup((uint32_t)qemu_plugin_insn_vaddr(insn), bytes, size);
        qemu_plugin_register_vcpu_insn_exec_cb(insn, exec_insn, QEMU_PLUGIN_CB_NO_REGS, i);
    }
}

static void write_totals(FILE *f, const struct totals *t) {
    fprintf(f, "insns %" PRIu64 " cycles %" PRIu64 " taken %" PRIu64 " class_insns", t->insns, t->cycles, t->taken);
    for (int c = 0; c < C_COUNT; c++) fprintf(f, " %" PRIu64, t->class_insns[c]);
    fprintf(f, " class_cycles");
    for (int c = 0; c < C_COUNT; c++) fprintf(f, " %" PRIu64, t->class_cycles[c]);
    fprintf(f, "\n");
}

static void at_exit(qemu_plugin_id_t id, void *userdata) {
    (void)id; (void)userdata;
    if (pending) {  // the last instruction (the semihosting exit call) is charged untaken
        pending = NULL;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", out_path);
    FILE *f = fopen(tmp, "w");
    if (!f) { fprintf(stderr, "cycles: %s: cannot write\n", tmp); return; }
    fprintf(f, "edgequant-cycles 1 estimate zero-wait-states\n");
    fprintf(f, "core %s table %s refill %d source %s\n", core->name, core->table, refill, core->source);
    fprintf(f, "classes");
    for (int c = 0; c < C_COUNT; c++) fprintf(f, " %s", class_names[c]);
    fprintf(f, "\n");
    for (size_t m = 0; m < mark_count; m++) {
        fprintf(f, "mark %zu ", m);
        write_totals(f, &marks[m]);
    }
    fprintf(f, "end ");
    write_totals(f, &now);
    if (fclose(f) != 0 || rename(tmp, out_path) != 0) fprintf(stderr, "cycles: %s: cannot write\n", out_path);
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv) {
    (void)info;
    const char *core_name = "cortex-m4";
    refill = -1;
    for (int a = 0; a < argc; a++) {
        const char *arg = argv[a];
        if (!strncmp(arg, "core=", 5)) core_name = arg + 5;
        else if (!strncmp(arg, "out=", 4)) out_path = arg + 4;
        else if (!strncmp(arg, "mark=", 5)) mark_addr = strtoull(arg + 5, NULL, 0) & ~1ull;
        else if (!strncmp(arg, "refill=", 7)) refill = atoi(arg + 7);
        else if (!strcmp(arg, "dp_overlap=1")) dp_overlap = 1;
        else { fprintf(stderr, "cycles: unknown argument %s\n", arg); return 1; }
    }
    for (size_t k = 0; k < sizeof core_tables / sizeof core_tables[0]; k++)
        if (!strcmp(core_tables[k].name, core_name)) core = &core_tables[k];
    if (!core) { fprintf(stderr, "cycles: unknown core %s\n", core_name); return 1; }
    if (!out_path) { fprintf(stderr, "cycles: needs out=FILE\n"); return 1; }
    if (refill < 0) refill = core->refill;
    qemu_plugin_register_vcpu_tb_trans_cb(id, translate);
    qemu_plugin_register_atexit_cb(id, at_exit, NULL);
    return 0;
}

#ifdef CYCLES_DECODE_TOOL
// A host tool over the same decoder (check-decode.py): reads lines "ADDRESS HEX" (the instruction's bytes in
// memory order) and prints "ADDRESS CLASS COST FLAGS" for each, for the table named by the argument (default
// cortex-m4).
int main(int argc, char **argv) {
    const char *name = argc > 1 ? argv[1] : "cortex-m4";
    for (size_t k = 0; k < sizeof core_tables / sizeof core_tables[0]; k++)
        if (!strcmp(core_tables[k].name, name)) core = &core_tables[k];
    if (!core) { fprintf(stderr, "decode: unknown core %s\n", name); return 1; }
    refill = core->refill;
    char line[256];
    while (fgets(line, sizeof line, stdin)) {
        unsigned long address;
        char hex[64];
        if (sscanf(line, "%lx %63s", &address, hex) != 2) continue;
        size_t size = strlen(hex) / 2;
        if (size != 2 && size != 4) continue;
        uint8_t bytes[4] = {0};
        for (size_t k = 0; k < size; k++) sscanf(hex + 2 * k, "%2hhx", &bytes[k]);
        const struct insn *i = lookup((uint32_t)address, bytes, size);
        printf("%lx %s %d %d\n", address, class_names[i->cls], i->cost, i->flags);
    }
    return 0;
}
#endif
