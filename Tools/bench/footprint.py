#!/usr/bin/env python3
"""What the emitted C library costs each core, from the example firmwares (Tools/bench/footprint.sh): per core, the
library's code (flash), its static SRAM and the stack high-water of an inference, recorded in boards.json.

    footprint.py RUN.json... --commit C [--command CMD] [--catalog boards.json] [--write]

Each RUN.json is `Firmware-Sim/examples/run --json` output for one machine and model (the contract of issue 13,
docs/boards.md): {"machine", "core", "library_code_bytes", "library_static_sram_bytes", "model_bytes", "arena_bytes",
"stack_bytes", "firmware_text_bytes", "firmware_data_bytes", "firmware_bss_bytes", "instructions_per_inference",
"samples", "bit_exact"} (bit_exact: true or the count of matching samples; "ok", "libgcc_bytes" when the runner
gives them). The model's name is the JSON file's base name (footprint.sh writes MACHINE/MODEL.json). The runner counts them: library code and statics = the sections of libedgequant.a's members
in the linked ELF (its map file); stack = the example's painted-stack high-water over every sample (main.c's frame
included). This script only checks, groups and records them:
  - a run that is not bit-exact, or has a missing or non-integer figure, is refused (nothing is written);
  - a core's figures are the largest over its runs (the code is the same for every model; the stack may differ);
    runs of one core on two machines are refused (one machine measures a core);
  - cortex-m0plus, when not run itself, records cortex-m0's figures (the same ARMv6-M library), marked measured_as;
  - recording a core's library removes its older Firmware-Sim `footprint` (one set of figures per core)."""
import argparse, json, os, sys, tempfile

FIGURES = ("library_code_bytes", "library_static_sram_bytes", "stack_bytes")
REQUIRED = ("machine", "core", "model_bytes", "arena_bytes", "instructions_per_inference", "samples", "bit_exact") + FIGURES
# A core that runs another core's library unchanged (H1's DeployTarget: cortex-m0 and cortex-m0plus are both armv6m).
SAME_LIBRARY = {"cortex-m0plus": "cortex-m0"}


def check_run(path, run):
    """The run's problem in one line, or None."""
    if not isinstance(run, dict):
        return "not a JSON object"
    for key in REQUIRED:
        if key not in run:
            return f"missing '{key}'"
    for key in FIGURES + ("model_bytes", "arena_bytes", "samples"):
        if not isinstance(run[key], int) or isinstance(run[key], bool) or run[key] < 0:
            return f"'{key}' must be a non-negative integer, got {run[key]!r}"
    if run["library_code_bytes"] <= 0 or run["stack_bytes"] <= 0:
        return "library_code_bytes and stack_bytes must be positive"
    if run["samples"] <= 0:
        return "no samples were run"
    exact = run["bit_exact"]
    # The contract names the key; accept true or the count of bit-exact samples.
    if exact is not True and not (isinstance(exact, int) and not isinstance(exact, bool) and exact == run["samples"]):
        return f"not bit-exact ({exact!r} of {run['samples']} samples)"
    if run.get("ok", True) is not True:
        return "the runner reported a failure (ok false: a mismatch or a non-zero firmware exit status)"
    return None


def model_name(run, path):
    return os.path.splitext(os.path.basename(run.get("model") or path))[0]


def measure(runs, commit, command):
    """{core: library entry} from the runs (list of (path, run))."""
    by_core = {}
    for path, run in runs:
        by_core.setdefault(run["core"], []).append((path, run))
    entries = {}
    for core, rows in sorted(by_core.items()):
        machines = sorted({run["machine"] for _, run in rows})
        if len(machines) != 1:
            sys.exit(f"footprint: core {core} was run on {', '.join(machines)}; one machine measures a core")
        entries[core] = {key: max(run[key] for _, run in rows) for key in FIGURES}
        entries[core].update({
            "machine": machines[0], "commit": commit, "command": command,
            "models": sorted({model_name(run, path) for path, run in rows}),
            "runs": [{"model": model_name(run, path), **{key: run[key] for key in FIGURES},
                      "model_bytes": run["model_bytes"], "arena_bytes": run["arena_bytes"],
                      "instructions_per_inference": run["instructions_per_inference"], "samples": run["samples"],
                      **({"libgcc_bytes": run["libgcc_bytes"]} if "libgcc_bytes" in run else {})}
                     for path, run in sorted(rows, key=lambda r: model_name(r[1], r[0]))],
        })
    for core, source in SAME_LIBRARY.items():
        if core not in entries and source in entries:
            entries[core] = dict(entries[source], measured_as=source)
    return entries


def main(argv):
    parser = argparse.ArgumentParser(description="The C library's footprint per core from the example runner's JSON.")
    parser.add_argument("runs", nargs="+", metavar="RUN.json")
    parser.add_argument("--catalog", default=os.path.join(os.path.dirname(__file__), "..", "..", "Sources", "Boards",
                                                          "Resources", "boards.json"))
    parser.add_argument("--commit", required=True, help="the commit the library and examples were built from")
    parser.add_argument("--command", default="Tools/bench/footprint.sh --write", help="the command that measured them")
    parser.add_argument("--write", action="store_true", help="record the figures in the catalog's cores")
    args = parser.parse_args(argv)
    runs = []
    for path in args.runs:
        try:
            with open(path) as f:
                run = json.load(f)
        except (OSError, ValueError) as error:
            sys.exit(f"{path}: cannot be read as JSON ({error})")
        problem = check_run(path, run)
        if problem:
            sys.exit(f"{path}: {problem}; refusing to record it")
        runs.append((path, run))
    entries = measure(runs, args.commit, args.command)

    print("| core | machine | model | library code | library statics | stack high-water | model | arena | instructions/inference |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for core, entry in sorted(entries.items()):
        if "measured_as" in entry:
            print(f"| {core} | (the {entry['measured_as']} library) | | {entry['library_code_bytes']:,} | "
                  f"{entry['library_static_sram_bytes']:,} | {entry['stack_bytes']:,} | | | |")
            continue
        for row in entry["runs"]:
            print(f"| {core} | {entry['machine']} | {row['model']} | {row['library_code_bytes']:,} | "
                  f"{row['library_static_sram_bytes']:,} | {row['stack_bytes']:,} | {row['model_bytes']:,} | "
                  f"{row['arena_bytes']:,} | {row['instructions_per_inference']:,} |")

    with open(args.catalog) as f:
        catalog = json.load(f)
    for core, entry in entries.items():
        if core not in catalog["cores"]:
            sys.exit(f"{args.catalog}: no core {core} to record {entry['machine']} in")
        catalog["cores"][core]["library"] = entry
        catalog["cores"][core].pop("footprint", None)
    unmeasured = sorted(core for core, model in catalog["cores"].items() if "library" not in model)
    if unmeasured:
        print(f"not measured from the C library: {', '.join(unmeasured)}")
    if args.write:
        folder = os.path.dirname(os.path.abspath(args.catalog))
        with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp") as f:
            json.dump(catalog, f, indent=2)
            f.write("\n")
        os.chmod(f.name, 0o644)
        os.replace(f.name, args.catalog)
        print(f"wrote {args.catalog}")


if __name__ == "__main__":
    main(sys.argv[1:])
