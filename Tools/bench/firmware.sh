#!/usr/bin/env bash
# Firmware-Sim figures for both shipped models (default quantization) on the three emulated cores, reference and
# fast kernels: instructions per inference, MACs per instruction (all layers and conv layers), estimated cycles
# (Firmware-Sim --cycles: the core's TRM timing table, zero wait states; the M7 is charged the M4's table) and MACs
# per estimated cycle, firmware memory.
# Usage: Tools/bench/firmware.sh [--mnist N]   (default: the 14 sample digits)
source "$(dirname "$0")/setup.sh" ""
printf '| model | board (core) | kernels | images bit-exact | instructions/inference | MACs/instruction | conv MACs/instruction | estimated cycles/inference (zero wait states) | cycles/instruction | MACs/estimated cycle | conv MACs/estimated cycle | flash (text+data) | SRAM (data+bss+stack) | arena | stack used |\n'
printf '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n'
for model in vgg resnet; do
    .build/release/quantize "Models/$model-mnist.bin" -o "$work/$model.q8" > /dev/null
    for board in mps2-an386 mps2-an500 mps2-an385; do
        EDGE_SIM=.build/release/edge-sim Firmware-Sim/run --model "$work/$model.q8" --board "$board" --kernels both \
            --quiet --cycles --json "$work/run.json" "$@" Samples/digits/*.png > /dev/null
        python3 - "$work/run.json" "$model" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
m = r["memory"]
for kernels in ("reference", "fast"):
    p = r["passes"][kernels]
    print(f"| {sys.argv[2]} | {r['board']} ({r['core']}) | {kernels} | {r['bit_exact']}/{r['images']} | "
          f"{p['instructions_per_inference']:,.0f} | {r['macs'] / p['instructions_per_inference']:.3f} | "
          f"{p['conv_macs_per_instruction']:.3f} | {p['cycles_per_inference']:,.0f} | {p['cycles_per_instruction']:.3f} | "
          f"{p['macs_per_cycle']:.3f} | {p['conv_macs_per_cycle']:.3f} | "
          f"{m['flash']:,} | {m['sram']:,} | {m['arena']:,} | {r['stack_used']:,} |")
PY
    done
done
