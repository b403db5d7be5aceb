#!/usr/bin/env python3
"""The per-core table of Tools/bench/firmware.sh from Firmware-Sim/run --json files: per model and core, images
bit-exact, instructions, MACs per instruction, estimated cycles (when the run has Firmware-Sim's cycle estimate,
--cycles: the core's TRM timing table, zero wait states) and MACs per estimated cycle, firmware code and memory.

    firmware_report.py [--order "B1 B2 ..."] RUN.json [RUN.json ...] [--refused MODEL:BOARD=REASON ...]

Rows go model by model (the order of the files), boards in --order; a pass without cycles prints '-' there."""
import argparse, json, os, sys

from resnet8_report import board_and_core, cycle_table_label  # same folder: one copy of each


def load(path):
    try:
        with open(path) as f:
            run = json.load(f)
        for p in run["passes"].values():
            p["instructions_per_inference"], p["conv_macs_per_instruction"]
        run["memory"]["code"], run["bit_exact"], run["images"], run["macs"]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        sys.exit(f"Error: {path}: not a Firmware-Sim/run --json file of this version ({e})")
    run["name"] = os.path.splitext(os.path.basename(run["model"]))[0]
    return run


def table(p):
    return cycle_table_label(p) if p.get("cycles_per_inference") is not None else "none: instructions only"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--order", default="", help="boards in the order of the rows")
    parser.add_argument("--refused", action="append", default=[], metavar="MODEL:BOARD=REASON",
                        help="a model that could not run on a board, and Firmware-Sim's one-line reason")
    args = parser.parse_args(argv)
    runs = [load(p) for p in args.runs]
    order = args.order.split()
    rank = lambda board: order.index(board) if board in order else len(order)
    models = list(dict.fromkeys([r["name"] for r in runs] + [x.partition(":")[0] for x in args.refused]))
    refused = {}
    for item in args.refused:
        key, _, reason = item.partition("=")
        refused[tuple(key.split(":", 1))] = reason.split("error: ")[-1].rstrip(")").strip()

    print("| model | board (core) | kernels | images bit-exact | instructions/inference | MACs/instruction | "
          "conv MACs/instruction | estimated cycles/inference (zero wait states) | cycles/instruction | "
          "MACs/estimated cycle | conv MACs/estimated cycle | cycle table | code (text without the model) | "
          "flash (text+data) | SRAM (data+bss+stack) | arena | stack used |")
    print("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|")
    for model in models:
        rows = [(rank(r["board"]), r["board"], r) for r in runs if r["name"] == model]
        rows += [(rank(board), board, None) for (m, board) in refused if m == model]
        for _, board, run in sorted(rows, key=lambda row: row[:2]):
            if run is None:
                print(f"| {model} | {board_and_core(board)} | | does not run: {refused[(model, board)]} | | | | | | | | | | | | | |")
                continue
            m = run["memory"]
            for kernels in ("reference", "fast"):
                p = run["passes"].get(kernels)
                if p is None:
                    continue
                ins = p["instructions_per_inference"]
                cyc = p.get("cycles_per_inference")
                cycles = (f"{cyc:,.0f} | {p['cycles_per_instruction']:.3f} | {p['macs_per_cycle']:.3f} | "
                          f"{p['conv_macs_per_cycle']:.3f}") if cyc else "- | - | - | -"
                print(f"| {model} | {run['board']} ({run['core']}) | {kernels} | {run['bit_exact']}/{run['images']} | "
                      f"{ins:,.0f} | {run['macs'] / ins:.3f} | {p['conv_macs_per_instruction']:.3f} | {cycles} | "
                      f"{table(p)} | {m['code']:,} | {m['flash']:,} | {m['sram']:,} | {m['arena']:,} | "
                      f"{run['stack_used']:,} |")
    print()
    print("Estimated cycles are Firmware-Sim's estimate (--cycles: each executed instruction charged by the core's "
          "TRM timing table), zero wait states; instructions are exact (QEMU -icount). 'code' is the firmware's text "
          "without the .q8 model (runtime, main, startup); flash and SRAM are the whole firmware (the SRAM with the "
          "8 KB stack reservation, or the board's, and the measurement buffers). With --kernels both, memory and "
          "stack are the fast build's.")


if __name__ == "__main__":
    main(sys.argv[1:])
