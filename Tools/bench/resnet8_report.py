#!/usr/bin/env python3
"""Tables for Tools/bench/resnet8.sh from Firmware-Sim/run --json files: ResNet-8 per core (instructions and, when
the run has them, estimated cycles per layer and in total) beside MLPerf Tiny's published image-classification
results on real boards.

    resnet8_report.py RUN.json [RUN.json ...] [--refused BOARD=REASON ...]

A run's estimated cycles come from Firmware-Sim's cycle estimate (`--cycles`: every executed instruction charged
by its core's timing table, zero wait states); a run without them prints '-' in the cycle columns. Milliseconds
are estimated cycles at the clock of the board MLPerf Tiny publishes for that core (L4R5 120 MHz for the M4,
H7A3 280 MHz for the M7, U575 160 MHz for the M33); cores with no MLPerf board get none."""
import argparse, importlib.machinery, json, os, sys


def board_and_core(board):
    """'board (core)' as Firmware-Sim/run names the core, for a board whose run wrote no JSON."""
    try:
        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Firmware-Sim", "run")
        return f"{board} ({importlib.machinery.SourceFileLoader('fwrun', path).load_module().BOARDS[board]['core']})"
    except (OSError, ImportError, KeyError, SyntaxError):
        return board


def cycle_table_label(p):
    """The timing table a pass with estimated cycles was charged by, saying when it stands in for the core's own."""
    used, own = p.get("cycles_table"), p.get("cycles_core")
    return used if used == own else f"{used} (standing in for {own}: no published table)"

# The board MLPerf Tiny results use for each core, and its clock (MHz).
MLPERF_BOARD = {"Cortex-M4F": ("STM32L4R5", 120), "Cortex-M7": ("STM32H7A3", 280), "Cortex-M33": ("STM32U575", 160)}

# Published MLPerf Tiny image-classification (ResNet-8) results, closed division, measured on the boards (wait
# states, caches and all): median throughput in inferences per second as each results.txt prints it; ms = 1000 /
# throughput. (core, board, runtime, round, inferences/s, source file in the round's GitHub repository.)
PUBLISHED = [
    ("Cortex-M4F", "NUCLEO-L4R5ZI (STM32L4R5, 120 MHz)", "X-CUBE-AI 10.2 (STMicroelectronics)", "v1.3", 6.036,
     "mlcommons/tiny_results_v1.3 closed/STMicroelectronics/results/NUCLEO_L4R5ZI-P/ic/performance/results.txt"),
    ("Cortex-M4F", "NUCLEO-L4R5ZI (STM32L4R5, 120 MHz)", "Plumerai Inference Engine", "v1.1", 5.961,
     "mlcommons/tiny_results_v1.1 closed/plumerai/results/NUCLEO-L4R5ZI/ic/performance/results.txt"),
    ("Cortex-M7", "NUCLEO-H7A3ZI-Q (STM32H7A3, 280 MHz)", "X-CUBE-AI 9.0 (STMicroelectronics)", "v1.2", 24.483,
     "mlcommons/tiny_results_v1.2 closed/STMicroelectronics/results/NUCLEO_H7A3ZI_Q/ic/performance/results.txt"),
    ("Cortex-M7", "NUCLEO-H7A3ZI-Q (STM32H7A3, 280 MHz)", "Plumerai Inference Engine", "v1.1", 19.636,
     "mlcommons/tiny_results_v1.1 closed/plumerai/results/NUCLEO_H7A3ZI_Q/ic/performance/results.txt"),
    ("Cortex-M33", "NUCLEO-U575ZI-Q (STM32U575, 160 MHz)", "X-CUBE-AI 10.2 (STMicroelectronics)", "v1.3", 9.133,
     "mlcommons/tiny_results_v1.3 closed/STMicroelectronics/results/NUCLEO_U575ZI_Q/ic/performance/results.txt"),
    ("Cortex-M33", "NUCLEO-U575ZI-Q (STM32U575, 160 MHz)", "Plumerai Inference Engine 2023.05", "v1.1", 9.589,
     "mlcommons/tiny_results_v1.1 closed/plumerai/results/NUCLEO_U575ZI_Q/ic/performance/results.txt"),
]


def cycles_of(entry):
    """Estimated cycles of a layer (`cycles`) or a pass (`cycles_per_inference`), None when the run has none."""
    value = entry.get("cycles_per_inference", entry.get("cycles"))
    return float(value) if isinstance(value, (int, float)) else None


def load(path):
    try:
        with open(path) as f:
            run = json.load(f)
        fast = run["passes"]["fast"]
        fast["layers"], fast["instructions_per_inference"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        sys.exit(f"Error: {path}: not a Firmware-Sim/run --json file ({e})")
    return run


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+")
    parser.add_argument("--refused", action="append", default=[], metavar="BOARD=REASON",
                        help="a board the model could not run on, and Firmware-Sim's one-line reason")
    args = parser.parse_args(argv)
    runs = [load(p) for p in args.runs]
    first = runs[0]["passes"]["fast"]["layers"]
    for run in runs[1:]:
        if [(l["op"], l["macs"]) for l in run["passes"]["fast"]["layers"]] != [(l["op"], l["macs"]) for l in first]:
            sys.exit(f"Error: {run['model']}: its layers differ from {runs[0]['model']}'s (not the same model?)")
    macs = runs[0]["macs"]
    cycled = [r for r in runs if cycles_of(r["passes"]["fast"]) is not None]

    print("Per core (fast kernels; every output byte compared with the host runtime):")
    print("| board (core) | inputs bit-exact | instructions | MACs/instruction | estimated cycles (zero wait states) "
          "| cycles/instruction | MACs/estimated cycle | estimated ms at the MLPerf board's clock | cycle table | flash | SRAM | arena |")
    print("|---|---|---:|---:|---:|---:|---:|---|---|---:|---:|---:|")
    for run in runs:
        fast = run["passes"]["fast"]
        ins = fast["instructions_per_inference"]
        cyc = cycles_of(fast)
        board = MLPERF_BOARD.get(run["core"])
        ms = f"{cyc / (board[1] * 1000):.1f} ms ({board[0]}, {board[1]} MHz)" if cyc and board else "-"
        m = run["memory"]
        table = cycle_table_label(fast) if cyc else "-"
        print(f"| {run['board']} ({run['core']}) | {run['bit_exact']}/{run['images']} | {ins:,.0f} | {macs / ins:.3f} | "
              + (f"{cyc:,.0f} | {cyc / ins:.3f} | {macs / cyc:.3f} | " if cyc else "- | - | - | ")
              + f"{ms} | {table} | {m['flash']:,} | {m['sram']:,} | {m['arena']:,} |")
    for refusal in args.refused:
        board, _, reason = refusal.partition("=")
        reason = reason.split("error: ")[-1].rstrip(")")  # the linker's or Firmware-Sim's own words
        print(f"| {board_and_core(board)} | does not run: {reason} | | | | | | | | | | |")
    print()

    print("Per layer (instructions; estimated cycles in brackets where the run has them):")
    print("| step | op | MACs | " + " | ".join(f"{r['board']} ({r['core']})" for r in runs) + " |")
    print("|---:|---|---:|" + "---:|" * len(runs))
    for i, layer in enumerate(first):
        cells = []
        for run in runs:
            l = run["passes"]["fast"]["layers"][i]
            cyc = cycles_of(l)
            cells.append(f"{l['instructions']:,.0f}" + (f" ({cyc:,.0f})" if cyc else ""))
        print(f"| {layer['step']} | {layer['op']} | {layer['macs']:,} | " + " | ".join(cells) + " |")
    print()

    for run in cycled:
        layers = run["passes"]["fast"]["layers"]
        groups = list(layers[0].get("cycle_shares", {}))
        print(f"{run['board']} ({run['core']}) per layer: estimated cycles (zero wait states), cycles per instruction, "
              f"MACs per estimated cycle, share of the layer's estimated cycles per instruction class:")
        print("| step | op | estimated cycles | CPI | MACs/cycle | " + " | ".join(groups) + " |")
        print("|---:|---|---:|---:|---:|" + "---:|" * len(groups))
        for l in layers:
            per_cycle = f"{l['macs'] / l['cycles']:.3f}" if l["macs"] else ""
            print(f"| {l['step']} | {l['op']} | {l['cycles']:,.0f} | {l['cycles_per_instruction']:.2f} | {per_cycle} | "
                  + " | ".join(f"{l['cycle_shares'][g]:.0f}%" for g in groups) + " |")
        print()

    print("MLPerf Tiny's published image-classification results (hardware: real boards, wait states included), "
          "beside ours (estimate):")
    print("| core | board | runtime | round | hardware ms | hardware cycles at the board's clock | MACs/cycle | "
          "ours: estimated ms (zero wait states) | ours / published | source |")
    print("|---|---|---|---|---:|---:|---:|---:|---:|---|")
    ours = {r["core"]: cycles_of(r["passes"]["fast"]) for r in runs}
    for core, board, runtime, rnd, throughput, source in PUBLISHED:
        ms = 1000 / throughput
        clock = MLPERF_BOARD[core][1]
        hw_cycles = ms * clock * 1000
        cyc = ours.get(core)
        mine = f"{cyc / (clock * 1000):.1f}" if cyc else ("not run (no such emulated core)" if core not in ours
                                                         else "- (no cycle estimate)")
        ratio = f"{cyc / hw_cycles:.2f}x" if cyc else "-"
        print(f"| {core} | {board} | {runtime} | {rnd} | {ms:.1f} | {hw_cycles / 1e6:.2f} M | {macs / hw_cycles:.3f} | "
              f"{mine} | {ratio} | {source} |")
    print()
    print(f"MACs per inference (Int8Runtime's count, edge-sim inspect): {macs:,}")
    if not cycled:
        print("No run has a cycle estimate (Firmware-Sim/run without --cycles): cycle columns are '-'.")


if __name__ == "__main__":
    main(sys.argv[1:])
