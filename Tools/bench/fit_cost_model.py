#!/usr/bin/env python3
"""Fits the simulator's per-op instruction costs (boards.json `cores`) to Firmware-Sim's measured instructions.

    fit_cost_model.py CORE=RUN.json[,RUN.json...] ... [--catalog boards.json --write]

Each RUN.json is written by `Firmware-Sim/run --json`. Per core and op kind, a least-squares fit of
instructions = per_work x work + per_output x outputs + per_op over every layer of every run (coefficients that
come out negative are dropped and the rest refitted). Prints measured against fitted per layer and per model, and
with --write replaces those cores' `instructions` and `source` in the catalog (all or nothing)."""
import argparse, json, os, sys, tempfile

KINDS = {"Conv2D": "conv2d", "FullyConnected": "fully_connected", "MaxPool2D": "max_pool2d",
         "AveragePool2D": "average_pool2d", "Mean": "mean", "Add": "add"}
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
        # With fewer layers than unknowns, keep the simplest model: drop per_output, then per_op.
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


def main(argv):
    parser = argparse.ArgumentParser(description="Fit boards.json core costs to Firmware-Sim runs.")
    parser.add_argument("specs", nargs="+", metavar="CORE=RUN.json[,RUN.json...]")
    parser.add_argument("--catalog", default=os.path.join(os.path.dirname(__file__), "..", "..", "Sources", "Boards",
                                                          "Resources", "boards.json"))
    parser.add_argument("--write", action="store_true", help="replace those cores' figures in the catalog")
    args = parser.parse_args(argv)
    specs = [(core, files.split(",")) for core, _, files in (spec.partition("=") for spec in args.specs)]
    with open(args.catalog) as f:
        catalog = json.load(f)
    for core, files in specs:
        runs = []
        for path in files:
            with open(path) as f:
                run = json.load(f)
            if run["bit_exact"] != run["images"]:
                sys.exit(f"{path}: not bit-exact ({run['bit_exact']}/{run['images']}); refusing to calibrate on it")
            runs.append(run)
        by_kind = {}
        for run in runs:
            for layer in run["passes"]["fast"]["layers"]:
                by_kind.setdefault(KINDS[layer["op"]], []).append(dict(layer, model=os.path.basename(run["model"])))
        costs = {kind: dict(zip(NAMES, fit(layers))) for kind, layers in by_kind.items()}
        # Kinds no calibration model contains are priced like Mean (one pass over the elements read).
        for kind in KINDS.values():
            if kind not in costs:
                costs[kind] = dict(costs["mean"])
        print(f"## {core} ({', '.join(sorted({r['board'] for r in runs}))}; {sum(r['images'] for r in runs)} images)")
        print("| model | step | op | work | outputs | measured | fitted | error |")
        print("|---|---|---|---|---|---|---|---|")
        for kind, layers in by_kind.items():
            c = costs[kind]
            for l in layers:
                fitted = predicted(c, l)
                print(f"| {l['model']} | {l['step']} | {l['op']} | {l['work']} | {l['outputs']} | {l['instructions']:.0f} "
                      f"| {fitted:.0f} | {100 * (fitted - l['instructions']) / l['instructions']:+.1f}% |")
        for run in runs:
            measured = run["passes"]["fast"]["instructions_per_inference"]
            fitted = sum(predicted(costs[KINDS[l["op"]]], l) for l in run["passes"]["fast"]["layers"])
            print(f"{os.path.basename(run['model'])} on {run['board']}: measured {measured:.0f} instructions per inference, "
                  f"fitted {fitted:.0f} ({100 * (fitted - measured) / measured:+.1f}%)")
        print()
        entry = catalog["cores"].setdefault(core, {"cycles_per_instruction": 1.0})
        entry["instructions"] = {k: {n: round(v, 4) + 0.0 for n, v in costs[k].items()} for k in KINDS.values()}
        entry["source"] = (f"fitted by Tools/bench/cost-model.sh to Firmware-Sim instruction counts on "
                           f"{', '.join(sorted({r['board'] for r in runs}))} ({', '.join(os.path.basename(r['model']) for r in runs)})")
    print(json.dumps({core: catalog["cores"][core] for core, _ in specs}, indent=1))
    if args.write:
        folder = os.path.dirname(os.path.abspath(args.catalog))
        with tempfile.NamedTemporaryFile("w", dir=folder, delete=False, suffix=".tmp") as f:
            json.dump(catalog, f, indent=2)
            f.write("\n")
        os.replace(f.name, args.catalog)
        print(f"wrote {args.catalog}")


if __name__ == "__main__":
    main(sys.argv[1:])
