#!/usr/bin/env python3
"""What the runtime costs a board besides the model and its arena, from Firmware-Sim runs (Tools/bench/footprint.sh):
per core and kernel path, the runtime's code (flash), its static SRAM and the stack high-water of an inference.

    footprint.py RUN.json... [--catalog boards.json --write]

Each RUN.json is `Firmware-Sim/run --json` output for one model, board and kernel path (`--kernels fast` or
`reference`); its "elf" names the firmware, whose symbols (llvm-nm) separate the runtime from the rest:
  runtime code  = the firmware's flash (text + data) minus the model's bytes (model.S, eq_model_start..end), minus
                  the symbols of startup.c (vector table, reset, semihosting, SysTick clock, stack painting and the
                  memcpy/memset stand-ins a libc would supply) and of main.swift (the test harness: firmwareMain,
                  write, fw_main). What remains is Int8Runtime with its kernels (the CInt8DSP paths inlined) and the
                  Embedded Swift standard library code they pull in, plus alignment padding between them.
  static SRAM   = data + bss minus the arena and the harness's buffers (expected outputs, per-layer ticks).
  stack         = the high-water mark of the painted 8 KB stack over every image (main.swift's frame included).
A core's figure is the largest over the models run (the code is the same for every model; the stack may differ)."""
import argparse, json, os, shutil, subprocess, sys, tempfile

BOARD_CORE = {  # Firmware-Sim board -> the catalog core it measures
    "mps2-an386": ("cortex-m4f", "mps2-an386 (Cortex-M4F)"),
    "mps2-an500": ("cortex-m7", "mps2-an500 (Cortex-M7)"),
    # QEMU has no MPS2 Cortex-M0+ board; the Cortex-M3 build (no DSP extension, portable C paths) stands in.
    "mps2-an385": ("cortex-m0plus", "mps2-an385 (Cortex-M3, standing in for the Cortex-M0+: QEMU has no M0+ MPS2 board)"),
}
HARNESS_SWIFT = ("$e8Firmware12firmwareMain", "$e8Firmware5write")
RAM_ORIGIN = 0x20000000


def nm(path):
    tool = shutil.which("llvm-nm") or "/opt/swift/usr/bin/llvm-nm"
    out = subprocess.run([tool, "-S", "--defined-only", path], capture_output=True, text=True, check=True).stdout
    symbols = []
    for line in out.splitlines():
        fields = line.split()
        if len(fields) == 4:
            symbols.append((int(fields[0], 16), int(fields[1], 16), fields[2], fields[3]))
        elif len(fields) == 3:
            symbols.append((int(fields[0], 16), 0, fields[1], fields[2]))
    return symbols


def measure(run):
    elf = run["elf"]
    folder = os.path.dirname(elf)
    symbols = nm(elf)
    address = {name: addr for addr, _, _, name in symbols}
    model = address["eq_model_end"] - address["eq_model_start"]
    startup_names = {name for _, _, _, name in nm(os.path.join(folder, "startup.o"))}
    startup = sum(size for addr, size, _, name in symbols if addr < RAM_ORIGIN and name in startup_names)
    harness = sum(size for addr, size, _, name in symbols
                  if addr < RAM_ORIGIN and (name.startswith(HARNESS_SWIFT) or name == "fw_main"))
    m = run["memory"]
    return {"runtime_code_bytes": m["flash"] - model - startup - harness,
            "static_sram_bytes": m["data"] + m["bss"] - m["arena"] - m["harness"],
            "stack_bytes": run["stack_used"],
            "model_bytes": model, "startup_bytes": startup, "harness_code_bytes": harness}


def main(argv):
    parser = argparse.ArgumentParser(description="Runtime footprint per core and kernel path from Firmware-Sim runs.")
    parser.add_argument("runs", nargs="+", metavar="RUN.json")
    parser.add_argument("--catalog", default=os.path.join(os.path.dirname(__file__), "..", "..", "Sources", "Boards",
                                                          "Resources", "boards.json"))
    parser.add_argument("--commit", default="unknown", help="the commit the firmware was built from")
    parser.add_argument("--write", action="store_true", help="record the figures in the catalog's cores")
    args = parser.parse_args(argv)
    figures = {}  # (board, kernels) -> list of (model, measured)
    for path in args.runs:
        with open(path) as f:
            run = json.load(f)
        if run["bit_exact"] != run["images"]:
            sys.exit(f"{path}: not bit-exact ({run['bit_exact']}/{run['images']}); refusing to record it")
        kernels = list(run["passes"])
        if len(kernels) != 1:
            sys.exit(f"{path}: one kernel path per run (--kernels fast or reference), found {kernels}")
        if run["board"] not in BOARD_CORE:
            sys.exit(f"{path}: board {run['board']} measures no catalog core")
        figures.setdefault((run["board"], kernels[0]), []).append((os.path.basename(run["model"]), measure(run)))

    print("| board | kernels | model | runtime code | static SRAM | stack high-water | model | startup.c | main.swift |")
    print("|---|---|---|---|---|---|---|---|---|")
    for (board, kernels), rows in sorted(figures.items()):
        for model, f in rows:
            print(f"| {board} | {kernels} | {model} | {f['runtime_code_bytes']:,} | {f['static_sram_bytes']:,} | "
                  f"{f['stack_bytes']:,} | {f['model_bytes']:,} | {f['startup_bytes']:,} | {f['harness_code_bytes']:,} |")
    with open(args.catalog) as f:
        catalog = json.load(f)
    for (board, kernels), rows in sorted(figures.items()):
        core, measured_on = BOARD_CORE[board]
        if core not in catalog["cores"]:
            sys.exit(f"{args.catalog}: no core {core} to record {board} in")
        entry = catalog["cores"][core].setdefault("footprint", {})
        entry[kernels] = {key: max(f[key] for _, f in rows)
                          for key in ("runtime_code_bytes", "static_sram_bytes", "stack_bytes")}
        entry["source"] = (f"measured by Tools/bench/footprint.sh on {measured_on}, Firmware-Sim at commit {args.commit} "
                           f"({', '.join(sorted({m for rows in figures.values() for m, _ in rows}))}, "
                           f"Samples/digits; largest over the models)")
    print(json.dumps({core: catalog["cores"][core]["footprint"] for core in {BOARD_CORE[b][0] for b, _ in figures}},
                     indent=1, sort_keys=True))
    if args.write:
        folder = os.path.dirname(os.path.abspath(args.catalog))
        with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp") as f:
            json.dump(catalog, f, indent=2)
            f.write("\n")
        os.replace(f.name, args.catalog)
        print(f"wrote {args.catalog}")


if __name__ == "__main__":
    main(sys.argv[1:])
