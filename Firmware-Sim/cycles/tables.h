// Per-core instruction costs of the cycle estimate (Firmware-Sim/cycles/cycles.c): one table per core, in one
// place. Every figure is the core's Technical Reference Manual instruction timing, zero wait states; where the TRM
// gives a range the choice is named beside it. It is an ESTIMATE WITHOUT WAIT STATES: flash wait states, bus
// contention, unaligned accesses, interrupts' stacking and the cores' own hazards beyond those below are not
// modelled. Documentation: docs/firmware-sim.md "Estimated cycles".
#ifndef EDGEQUANT_CYCLES_TABLES_H
#define EDGEQUANT_CYCLES_TABLES_H

struct core_table {
    const char *name;    // the plugin's core= argument
    const char *table;   // which TRM table the costs are (M7: the Cortex-M4 table, no published M7 table)
    const char *source;  // the TRM section
    int refill;          // P: pipeline refill after a taken branch or a write to the PC (TRM: 1 to 3)
    int alu;             // data processing, moves, shifts, extends, saturate, SIMD add/sub, packing, bit field
    int mul;             // MUL (32-bit result)
    int mla;             // MLA, MLS
    int dsp_mac;         // SMLAxy, SMLAD(X), SMLSD, SMUAD, SMULxy, SMULWy, SMMUL/SMMLA, USAD8... (ARMv7E-M)
    int mull;            // SMULL, UMULL
    int mlal;            // SMLAL, UMLAL, UMAAL, SMLALxy, SMLALD, SMLSLD
    int div;             // SDIV, UDIV (TRM: 2 to 12, operand dependent)
    int load;            // single load LDR/LDRB/LDRH/LDRSB/LDRSH/LDREX, unpipelined
    int store;           // single store STR/STRB/STRH/STREX, unpipelined
    int pipelined;       // 1: a single load/store after a single load/store costs one cycle less (TRM notes)
    int agu_stall;       // 1: a load/store whose address register the previous data processing wrote: +1
    int ldrd;            // LDRD, STRD (1 + N, N = 2)
    int ldm_base;        // LDM/STM/PUSH/POP: ldm_base + N registers (+ P when the PC is loaded)
    int table_branch;    // TBB/TBH: table_branch + P
    int branch;          // B<c>, CBZ/CBNZ not taken; taken or unconditional: branch + P
    int bl;              // BL, BLX: bl + P
    int fp;              // VADD, VSUB, VMUL, VNMUL, VABS, VNEG, VCMP, VCVT, VMOV
    int fp_mac;          // VMLA, VMLS, VNMLA, VNMLS, VFMA, VFMS, VFNMA, VFNMS
    int fp_div;          // VDIV, VSQRT
    int fp_load;         // VLDR, VSTR
    int other;           // IT, NOP and hints, MRS/MSR, CPS, barriers (minimum), SVC/BKPT, anything unrecognised
    // Armv8.1-M (zero on the other cores, which cannot execute these encodings):
    int load_use;        // a load/store whose address register the previous load wrote: + load_use (load latency)
    int loop_end;        // LE/LETP: charged every iteration, never the refill (the loop branch cache)
    int v81m;            // 1: decode Armv8.1-M: low-overhead loops, MVE (Helium); VDUP/VMOV lane (cp11) are MVE, not FP
    int vload, vstore;   // MVE VLDR/VSTR (all sizes, widening/narrowing, gather/scatter, VLD2/VST4): beats/2
    int vdp;             // MVE data processing: integer, multiply, FP, compare (VCMP/VPT), moves, reductions
    int vmac;            // MVE multiply-accumulate across lanes to scalars: VMLADAV/VMLAV, VMLALDAV, VRMLALDAVH
    int vctl;            // VPST, VPNOT, VCTP (predicate control)
    int overlap;         // cycles saved when an MVE load/store and MVE data processing follow one another
};

// Cortex-M4 Technical Reference Manual (ARM DDI 0439B / 100166_0001), section 3.3.1 "Table of processor
// instructions" (Table 3-1, zero wait states) and 3.3.2 "Load/store timings"; FPU: section 7.2.3 (Table 7-1).
//   MOV/ADD/.../SSAT/extend/bit field 1; MOV PC, ADD PC 1+P; MUL, MLA, MLS 1; SMULL, UMULL, SMLAL, UMLAL 1;
//   DSP multiplies and MACs 1; SDIV/UDIV 2 to 12 (charged 12, the worst case: our kernels divide outside the
//   inner loops); LDR/STR (all sizes) 2, "neighboring load and store single instructions can pipeline their
//   address and data phases" (footnote) and 3.3.2: an LDR/STR after an LDR whose destination is not its address
//   register takes one cycle less; STR with register offset: nothing pipelines after it; any load/store whose
//   address depends on the preceding data processing result stalls one cycle; LDR PC 2+P;
//   LDRD/STRD 1+N = 3 ("cannot be pipelined"); LDM/STM/PUSH/POP 1+N, with PC 1+N+P; B<c> 1 not taken, 1+P taken;
//   B, BL, BX, BLX 1+P; CBZ/CBNZ 1 or 1+P; TBB/TBH 2+P; IT, NOP, CPS, MRS, MSR 1 (the table's minimum);
//   FPU: VADD/VSUB/VMUL/VABS/VNEG/VCMP/VCVT/VMOV 1, VMLA/VMLS/VNMLA/VNMLS/VFMA... 3, VDIV/VSQRT 14,
//   VLDR/VSTR 2, VLDM/VSTM/VPUSH/VPOP 1+N.
//   P = 2 (the TRM: 1 to 3, "depending on the alignment and width of the target instruction, and whether the
//   processor manages to speculate the address early"): the middle of the range.
#define CORTEX_M4_COSTS \
    .refill = 2, .alu = 1, .mul = 1, .mla = 1, .dsp_mac = 1, .mull = 1, .mlal = 1, .div = 12, .load = 2, \
    .store = 2, .pipelined = 1, .agu_stall = 1, .ldrd = 3, .ldm_base = 1, .table_branch = 2, .branch = 1, .bl = 1, \
    .fp = 1, .fp_mac = 3, .fp_div = 14, .fp_load = 2, .other = 1

static const struct core_table core_tables[] = {
    {.name = "cortex-m4", .table = "cortex-m4", .source = "Cortex-M4 TRM (DDI 0439B) 3.3.1 Table 3-1, 3.3.2, 7.2.3",
     CORTEX_M4_COSTS},
    // Cortex-M7: its TRM (DDI 0489) publishes no per-instruction cycle table (dual issue, 6-stage pipeline).
    // The Cortex-M4 table is used and every report says so ("table cortex-m4").
    {.name = "cortex-m7", .table = "cortex-m4", .source = "Cortex-M4 table (no published Cortex-M7 table)",
     CORTEX_M4_COSTS},
    // Cortex-M33: Arm publishes no instruction timing for it (its TRM, Arm 100230, has no cycle table, and there
    // is no Cortex-M33 Software Optimization Guide; the one public M33 table found, SLOTHY's
    // slothy/targets/arm_v7m/cortex_m33.py, is measured on an RP2350 and says it is not an official guide). The
    // Cortex-M4 table stands in, and every report says so ("table cortex-m4").
    {.name = "cortex-m33", .table = "cortex-m4", .source = "Cortex-M4 table (no published Cortex-M33 table)",
     CORTEX_M4_COSTS},
    // Cortex-M55 (with MVE): Arm Cortex-M55 Processor Software Optimization Guide (Arm 102692, issue 0101),
    // chapter "Instruction latencies" (sections Load instructions, Arithmetic and logical instructions, Move and
    // shift instructions, Multiply instructions, MVE integer vector instructions, MVE load/store instructions).
    // The guide was not readable from here: its figures are taken as quoted from it by LLVM's Cortex-M55
    // scheduling model (llvm/lib/Target/ARM/ARMScheduleM55.td, written by Arm) and SLOTHY's Cortex-M55 model
    // (slothy/targets/arm_v81m/cortex_m55r1.py; pull requests #308, #312, #373, #417, #461 cite the guide's
    // sections). Charged as the inverse throughput of each instruction:
    //   scalar ALU, moves, shifts (also with a shifted operand: latency 2, throughput 1) 1; MUL, MLA and the
    //   DSP/long multiplies 1 (latency 2); LDR/LDRB/LDRH and STR 1 (load latency 2: a load addressed by the
    //   previous load's result waits one more cycle, load_use); LDRD/STRD 1 (SLOTHY's model: inverse
    //   throughput 1, latency 2, 64-bit TCM interface); VFP single precision 1, VDIV/VSQRT 16 (LLVM's latency);
    //   MVE: every 128-bit vector instruction is four 32-bit beats, two per cycle ("dual-beat"): 2 cycles
    //   (VLDR/VSTR, integer, multiply, FP, VMLADAV...); VPST/VPNOT/VCTP 1 (one beat, the control pipe).
    //   Beat overlap (ARMScheduleM55.td's description of the guide): the first beat pair of an instruction may
    //   overlap the last of the previous one when they use different pipelines (load/store, integer, FP/multiply),
    //   e.g. VLDR;VADD;VMUL;VSTR takes 5 cycles and VLDR;VLDRB;VADD;VSTR 6. SIMPLIFICATION: the estimate overlaps
    //   only an MVE load/store with MVE data processing (either order: 2 + 1), never two data-processing
    //   instructions (an integer op then a multiply would overlap on the core: up to 1 cycle too many per pair),
    //   never scalar with vector instructions, and it charges no result latency stalls (the VMLADAV
    //   accumulator chain, a VLDR feeding the next instruction in the same pipe).
    // Not from the guide (the Cortex-M4 table's figures kept, and said here): taken branch 1 + P with P = 2;
    // LDM/STM/PUSH/POP 1 + N; SDIV/UDIV 12; TBB/TBH 2 + P. LE/LETP: 1 per iteration with no refill (the loop
    // branch cache branches back; the first iteration's refill is not charged); DLS/WLS 1.
    {.name = "cortex-m55", .table = "cortex-m55",
     .source = "Cortex-M55 SOG (Arm 102692 0101) Instruction latencies, via LLVM ARMScheduleM55.td and SLOTHY",
     .refill = 2, .alu = 1, .mul = 1, .mla = 1, .dsp_mac = 1, .mull = 1, .mlal = 1, .div = 12, .load = 1,
     .store = 1, .pipelined = 0, .agu_stall = 0, .ldrd = 1, .ldm_base = 1, .table_branch = 2, .branch = 1, .bl = 1,
     .fp = 1, .fp_mac = 1, .fp_div = 16, .fp_load = 1, .other = 1, .load_use = 1, .loop_end = 1, .v81m = 1,
     .vload = 2, .vstore = 2, .vdp = 2, .vmac = 2, .vctl = 1, .overlap = 1},
    // Cortex-M3 Technical Reference Manual (ARM DDI 0337I), section 3.3.1 "Cortex-M3 instructions" (Table 3-1)
    // and 3.3.2 "Load/store timings" (the same notes as the M4): as the M4 except MLA, MLS 2; SMULL, UMULL "3 to 5"
    // and SMLAL, UMLAL "4 to 7" (early termination on small operands; charged 5 and 7: requantization multiplies
    // full 31-bit multipliers); no DSP instructions, no FPU (the fp rows never apply).
    {.name = "cortex-m3", .table = "cortex-m3", .source = "Cortex-M3 TRM (DDI 0337I) 3.3.1 Table 3-1, 3.3.2",
     .refill = 2, .alu = 1, .mul = 1, .mla = 2, .dsp_mac = 1, .mull = 5, .mlal = 7, .div = 12, .load = 2,
     .store = 2, .pipelined = 1, .agu_stall = 1, .ldrd = 3, .ldm_base = 1, .table_branch = 2, .branch = 1, .bl = 1,
     .fp = 1, .fp_mac = 3, .fp_div = 14, .fp_load = 2, .other = 1},
    // Cortex-M0 Technical Reference Manual (ARM DDI 0432C), section 3.3 "Instruction set summary" (Table 3-1):
    // data processing 1; loads and stores 2 (no pipelining); LDM/STM/PUSH/POP 1+N, POP with PC 4+N (N without the PC: 1 + (N+1) + P);
    // B<c> 1 not taken, 3 taken; B 3; BL 4 (bl = 1 + P); BX, BLX 3; MOV PC / ADD PC 3; MULS 1 (the fast
    // multiplier; 32 with the small one); MRS/MSR 4, barriers 4 (charged as other = 1: outside the kernels).
    {.name = "cortex-m0", .table = "cortex-m0", .source = "Cortex-M0 TRM (DDI 0432C) 3.3 Table 3-1",
     .refill = 2, .alu = 1, .mul = 1, .mla = 1, .dsp_mac = 1, .mull = 1, .mlal = 1, .div = 12, .load = 2,
     .store = 2, .pipelined = 0, .agu_stall = 0, .ldrd = 3, .ldm_base = 1, .table_branch = 2, .branch = 1, .bl = 2,
     .fp = 1, .fp_mac = 3, .fp_div = 14, .fp_load = 2, .other = 1},
};
#endif
