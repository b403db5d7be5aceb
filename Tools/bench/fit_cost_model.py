#!/usr/bin/env python3
"""Fits the simulator's per-op instruction costs (boards.json `cores`) to Firmware-Sim's measured instructions, and
measures the fit's error on models it never saw.

    fit_cost_model.py CORE=RUN.json[,RUN.json...] ... --fit MODEL[,MODEL...] [--pools MODEL[,MODEL...]]
                      [--catalog boards.json --write]

Each RUN.json is written by `Firmware-Sim/run --json`; a run's model is its .q8 file name without the extension.
Per core and op kind, a least-squares fit of instructions = per_work x work + per_output x outputs + per_op (work
and outputs as Int8Runtime's Q8OpWork counts them) over the layers of the `--fit` models; the layers of the
`--pools` models count for max_pool2d, average_pool2d and mean only (models that exist to measure standalone pools,
which fusion removes from the shipped models). A kind no fit layer measures is an error: nothing is borrowed from
another kind. Coefficients that come out negative are dropped and the rest refitted. Every other run is out of
sample: its layers and totals are predicted with the fitted figures and compared with the measurement. Prints the
fit per core, then one table of out-of-sample errors across cores; with --write replaces those cores'
`instructions` and `source` in the catalog, and writes the measured layers of every run to the test fixture
Tests/Fixtures/cost-model-runs.json.

Cycles: when every run has Firmware-Sim's cycle estimate (`Firmware-Sim/run --cycles`: each executed instruction
charged by the core's TRM timing table, zero wait states), each core's `cycles_per_instruction` is fitted too: the
estimated cycles of the --fit models' inferences over their instructions (as the plugin counts both). Every other
run is its out-of-sample check (fitted instructions x that ratio against the run's estimated cycles); --write
replaces `cycles_per_instruction` and says so in `source`. Runs without the estimate leave the figure as it is."""
import argparse, json, os, re, sys, tempfile

KINDS = {"Conv2D": "conv2d", "FullyConnected": "fully_connected", "MaxPool2D": "max_pool2d",
         "AveragePool2D": "average_pool2d", "Mean": "mean", "Add": "add"}
POOL_KINDS = ("max_pool2d", "average_pool2d", "mean")
NAMES = ("per_work", "per_output", "per_op")


def solve(rows, targets, active):
    """Least squares on the active columns through the normal equations (at most 3 unknowns)."""
    n = len(active)
    a = [[sum(r[i] * r[j] for r in rows) for j in active] for i in active]
    b = [sum(r[i] * t for r, t in zip(rows, targets)) for i in active]
    for col in range(n):  # Gauss-Jordan with partial pivoting
        pivot = max(range(col, n), key=lambda k: abs(a[k][col]))
        if abs(a[pivot][col]) < 1e-12:
            return None
        a[col], a[pivot], b[col], b[pivot] = a[pivot], a[col], b[pivot], b[col]
        for k in range(n):
            if k != col:
                f = a[k][col] / a[col][col]
                a[k] = [x - f * y for x, y in zip(a[k], a[col])]
                b[k] -= f * b[col]
    return {active[i]: b[i] / a[i][i] for i in range(n)}


def predicted(cost, layer):
    """The instructions a layer costs under one op kind's coefficients (the formula of CostModel.swift)."""
    return cost["per_work"] * layer["work"] + cost["per_output"] * layer["outputs"] + cost["per_op"]


def fit(layers):
    rows = [(l["work"], l["outputs"], 1.0) for l in layers]
    targets = [l["instructions"] for l in layers]
    active = [0, 1, 2]
    while active:
        # With fewer distinct layers than unknowns, keep the simplest model: drop per_output, then per_op.
        while len(active) > len(set(rows)):
            active.pop(1 if len(active) == 3 else -1)
        solution = solve(rows, targets, active)
        if solution is None:
            active.pop()
            continue
        negative = [i for i, v in solution.items() if v < 0]
        if not negative:
            return [solution.get(i, 0.0) for i in range(3)]
        active.remove(negative[0])
    return [0.0, 0.0, 0.0]


def name(run):
    return os.path.splitext(os.path.basename(run["model"]))[0]


def error(fitted, measured):
    return 100 * (fitted - measured) / measured


def load_runs(files):
    runs = []
    for path in files:
        try:
            with open(path) as f:
                run = json.load(f)
            layers = run["passes"]["fast"]["layers"]
        except (OSError, ValueError, KeyError) as e:
            sys.exit(f"Error: {path}: not a Firmware-Sim/run --json file ({e})")
        if run["bit_exact"] != run["images"]:
            sys.exit(f"Error: {path}: not bit-exact ({run['bit_exact']}/{run['images']}); refusing to use it")
        if any(l["op"] not in KINDS for l in layers):
            sys.exit(f"Error: {path}: unknown op kind in its layers")
        runs.append(run)
    return runs


CYCLES_NOTE = "estimate, zero wait states"


def cycles_fit(core, runs, fit_models):
    """(estimated cycles per instruction over the fit models' inferences, the timing table's description), or
    (None, None) when no run has a cycle estimate. Mixed runs (some with, some without) are an error."""
    have = [r for r in runs if "cycles_per_inference" in r["passes"]["fast"]]
    if not have:
        return None, None
    if len(have) != len(runs):
        sys.exit(f"Error: {core}: only {len(have)} of {len(runs)} runs have a cycle estimate (run all with --cycles)")
    fits = [r["passes"]["fast"] for r in runs if name(r) in fit_models]
    tables = {(p["cycles_table"], p["cycles_core"], p["cycles_source"]) for p in (r["passes"]["fast"] for r in runs)}
    if len(tables) != 1:
        sys.exit(f"Error: {core}: the runs used different cycle tables ({sorted(tables)})")
    table, table_core, source = tables.pop()
    cycles = sum(p["cycles_per_inference"] for p in fits)
    instructions = sum(p["cycle_instructions_per_inference"] for p in fits)
    # The table stands in for another core when Firmware-Sim has no table of the emulated core (M7: the M4's) or
    # the catalog core is not the emulated one (cortex-m0plus is priced on mps2-an385's Cortex-M3).
    stand_in = table_core if table != table_core else core if not core.startswith(table) else None
    described = f"{table} timing table" + (f" standing in for {stand_in}" if stand_in else "")
    return cycles / instructions, f"{described}: {source}"


def fit_core(core, runs, fit_models, pool_models):
    """The six kinds' coefficients from the fit runs' layers (pool runs: pool and Mean layers only)."""
    by_kind = {}
    for run in runs:
        model = name(run)
        if model not in fit_models and model not in pool_models:
            continue
        for layer in run["passes"]["fast"]["layers"]:
            kind = KINDS[layer["op"]]
            if model in fit_models or kind in POOL_KINDS:
                by_kind.setdefault(kind, []).append(dict(layer, model=model))
    missing = [k for k in KINDS.values() if k not in by_kind]
    if missing:
        sys.exit(f"Error: {core}: no fit layer measures {', '.join(missing)} (add a --fit or --pools model that has it)")
    return {kind: dict(zip(NAMES, fit(layers))) for kind, layers in by_kind.items()}, by_kind


def main(argv):
    parser = argparse.ArgumentParser(description="Fit boards.json core costs to Firmware-Sim runs.")
    parser.add_argument("specs", nargs="+", metavar="CORE=RUN.json[,RUN.json...]")
    parser.add_argument("--fit", required=True, help="models (.q8 names without extension) the fit uses")
    parser.add_argument("--pools", default="", help="models whose pool and Mean layers the fit also uses")
    parser.add_argument("--catalog", default=os.path.join(os.path.dirname(__file__), "..", "..", "Sources", "Boards",
                                                          "Resources", "boards.json"))
    parser.add_argument("--write", action="store_true", help="replace those cores' figures in the catalog")
    parser.add_argument("--fixture", default=os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "Fixtures",
                                                          "cost-model-runs.json"),
                        help="with --write, also write the measured layers here (for Tests/EdgeSimTests/CostModelTests)")
    args = parser.parse_args(argv)
    fit_models = set(filter(None, args.fit.split(",")))
    pool_models = set(filter(None, args.pools.split(",")))
    specs = []
    for spec in args.specs:
        core, sep, files = spec.partition("=")
        if not sep or not files:
            sys.exit(f"Error: {spec}: expected CORE=RUN.json[,RUN.json...]")
        specs.append((core, load_runs(files.split(","))))
    try:
        with open(args.catalog) as f:
            catalog = json.load(f)
    except (OSError, ValueError) as e:
        sys.exit(f"Error: {args.catalog}: cannot read the catalog ({e})")

    fixture = {"note": "Firmware-Sim instructions per layer (fast kernels) that boards.json's costs were fitted to "
                       "or checked against; written by Tools/bench/cost-model.sh --write",
               "fit": sorted(fit_models), "pools": sorted(pool_models),
               "layer_fields": ["step", "op", "work", "outputs", "instructions"], "cores": {}}
    checks = {}  # (model, step) -> per core (measured, fitted); and model totals
    totals = {}
    cycle_totals = {}  # model -> per core (estimated cycles, fitted instructions x fitted cycles per instruction)
    for core, runs in specs:
        seen = {name(r) for r in runs}
        absent = (fit_models | pool_models) - seen
        if absent:
            sys.exit(f"Error: {core}: no run of {', '.join(sorted(absent))}")
        costs, by_kind = fit_core(core, runs, fit_models, pool_models)
        boards = ", ".join(sorted({r["board"] for r in runs}))
        cpi, cycle_table = cycles_fit(core, runs, fit_models)
        print(f"## {core} ({boards}): fit on {', '.join(sorted(fit_models))}"
              + (f"; pools and Mean also on {', '.join(sorted(pool_models))}" if pool_models else ""))
        print("| kind | per_work | per_output | per_op | fit layers |")
        print("|---|---:|---:|---:|---:|")
        for kind in KINDS.values():
            c = costs[kind]
            print(f"| {kind} | {c['per_work']:.4f} | {c['per_output']:.4f} | {c['per_op']:.1f} | {len(by_kind[kind])} |")
        print()
        print("In sample (the layers the fit used):")
        print("| model | step | op | work | outputs | measured | fitted | error |")
        print("|---|---:|---|---:|---:|---:|---:|---:|")
        for kind, layers in by_kind.items():
            for l in layers:
                f = predicted(costs[kind], l)
                print(f"| {l['model']} | {l['step']} | {l['op']} | {l['work']} | {l['outputs']} | {l['instructions']:.0f} "
                      f"| {f:.0f} | {error(f, l['instructions']):+.1f}% |")
        print()
        for run in runs:
            model = name(run)
            layers = run["passes"]["fast"]["layers"]
            measured = run["passes"]["fast"]["instructions_per_inference"]
            fitted = sum(predicted(costs[KINDS[l["op"]]], l) for l in layers)
            role = "fit" if model in fit_models else "pools fit" if model in pool_models else "OUT OF SAMPLE"
            fixture["cores"].setdefault(core, {"board": run["board"], "models": {}})["models"][model] = {
                "role": {"fit": "fit", "pools fit": "pools"}.get(role, "out_of_sample"), "images": run["images"],
                "instructions_per_inference": round(measured),
                "layers": [[l["step"], l["op"], l["work"], l["outputs"], round(l["instructions"])] for l in layers]}
            print(f"{model} on {run['board']} ({role}): measured {measured:.0f} instructions per inference, "
                  f"predicted {fitted:.0f} ({error(fitted, measured):+.1f}%)")
            if cpi is not None:
                fast = run["passes"]["fast"]
                est = fast["cycles_per_inference"]
                fixture["cores"][core]["models"][model].update(
                    estimated_cycles_per_inference=round(est),
                    cycle_instructions_per_inference=round(fast["cycle_instructions_per_inference"]))
                print(f"  estimated cycles ({CYCLES_NOTE}): {est:.0f}, predicted {fitted * cpi:.0f} "
                      f"({error(fitted * cpi, est):+.1f}%)")
                if model not in fit_models and model not in pool_models:
                    cycle_totals.setdefault(model, {})[core] = (est, fitted * cpi)
            if model in fit_models or model in pool_models:
                continue
            totals.setdefault(model, {})[core] = (measured, fitted)
            for l in layers:
                row = checks.setdefault((model, l["step"]), {"layer": l, "cores": {}})
                row["cores"][core] = (l["instructions"], predicted(costs[KINDS[l["op"]]], l))
        print()
        entry = catalog["cores"].setdefault(core, {"cycles_per_instruction": 1.0})
        entry["instructions"] = {k: {n: round(v, 4) + 0.0 for n, v in costs[k].items()} for k in KINDS.values()}
        was_estimated = "estimated cycles" in entry.get("source", "")
        entry["source"] = (f"fitted by Tools/bench/cost-model.sh to Firmware-Sim instruction counts on {boards} "
                           f"({', '.join(sorted(fit_models))}; pool and Mean layers also from "
                           f"{', '.join(sorted(pool_models)) or 'none'})")
        if cpi is not None:
            entry["cycles_per_instruction"] = round(cpi, 4)
            entry["source"] += (f"; cycles_per_instruction: estimated cycles per instruction of those models' "
                                f"inferences (Firmware-Sim --cycles, {cycle_table}; {CYCLES_NOTE})")
        elif args.write and was_estimated:
            sys.exit(f"Error: {core}: the catalog's cycles_per_instruction is an estimate but these runs have no "
                     f"cycle estimate (run Firmware-Sim with --cycles)")

    cores = [core for core, _ in specs]
    labels = [f"{core} ({', '.join(sorted({r['board'] for r in runs}))})" for core, runs in specs]
    if totals:
        print(f"## Out of sample: error of the predicted instructions (measured in brackets), fit on "
              f"{', '.join(sorted(fit_models))}")
        print("| model | step | op | work | outputs | " + " | ".join(labels) + " |")
        print("|---|---:|---|---:|---:|" + "---:|" * len(cores))
        for (model, step), row in sorted(checks.items()):
            l = row["layer"]
            cells = [f"{error(row['cores'][c][1], row['cores'][c][0]):+.1f}% ({row['cores'][c][0]:,.0f})"
                     if c in row["cores"] else "-" for c in cores]
            print(f"| {model} | {step} | {l['op']} | {l['work']:,} | {l['outputs']:,} | " + " | ".join(cells) + " |")
        for model, per_core in sorted(totals.items()):
            cells = [f"{error(per_core[c][1], per_core[c][0]):+.1f}% ({per_core[c][0]:,.0f})" if c in per_core else "-"
                     for c in cores]
            print(f"| **{model}** | | **total** | | | " + " | ".join(cells) + " |")
        print()
    if cycle_totals:
        print(f"## Out of sample: error of the predicted cycles (fitted instructions x fitted cycles per instruction) "
              f"against the estimated cycles in brackets ({CYCLES_NOTE})")
        print("| model | " + " | ".join(labels) + " |")
        print("|---|" + "---:|" * len(cores))
        for model, per_core in sorted(cycle_totals.items()):
            cells = [f"{error(per_core[c][1], per_core[c][0]):+.1f}% ({per_core[c][0]:,.0f})" if c in per_core else "-"
                     for c in cores]
            print(f"| {model} | " + " | ".join(cells) + " |")
        print()
    print(json.dumps({core: {k: v for k, v in catalog["cores"][core].items() if k not in ("footprint", "library")}
                      for core in cores}, indent=1))
    if args.write:
        # The fixture keeps each layer on one line: innermost lists of plain values are collapsed.
        compact = re.sub(r"\[\s*([^\[\]{}]*?)\s*\]", lambda m: "[" + " ".join(m.group(1).split()) + "]",
                         json.dumps(fixture, indent=1))
        for path, text in ((args.catalog, json.dumps(catalog, indent=2)), (args.fixture, compact)):
            folder = os.path.dirname(os.path.abspath(path))
            with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp") as f:
                f.write(text + "\n")
            os.replace(f.name, path)
            print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
