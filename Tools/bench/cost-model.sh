#!/usr/bin/env bash
# Calibrates the simulator's cost model on the emulated cores: runs both shipped models (default quantization) as
# Firmware-Sim firmware on the sample digits, on Cortex-M4F (mps2-an386), Cortex-M7 (mps2-an500) and Cortex-M3
# (mps2-an385), then fits each core's per-op instruction costs and prints measured against fitted per layer.
# Usage: Tools/bench/cost-model.sh [--write]    (--write updates Sources/Boards/Resources/boards.json)
# The Cortex-M3 fit prices cortex-m0plus: QEMU has no MPS2 Cortex-M0+ board, and both lack the DSP extension.
source "$(dirname "$0")/setup.sh" ""
for model in vgg resnet; do
    .build/release/quantize "Models/$model-mnist.bin" -o "$work/$model.q8" > /dev/null
    for board in mps2-an386 mps2-an500 mps2-an385; do
        EDGE_SIM=.build/release/edge-sim Firmware-Sim/run --model "$work/$model.q8" --board "$board" --quiet \
            --json "$work/$model-$board.json" Samples/digits/*.png | tail -n 1 | sed "s/^/$model $board: /"
    done
done
echo
python3 Tools/bench/fit_cost_model.py \
    "cortex-m4f=$work/vgg-mps2-an386.json,$work/resnet-mps2-an386.json" \
    "cortex-m7=$work/vgg-mps2-an500.json,$work/resnet-mps2-an500.json" \
    "cortex-m0plus=$work/vgg-mps2-an385.json,$work/resnet-mps2-an385.json" "$@"
