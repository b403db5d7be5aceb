#!/usr/bin/env bash
# Int8 accuracy of each calibration method (and of data-free ranges) on the 10k MNIST test set, for both
# shipped models: the measurement behind quantize's default --method (docs/calibration.md); then the default
# method with --bias-correction (int8 and weights inputs), the measurement behind leaving it off.
# Usage: Tools/bench/calibration.sh [MNIST_DIR]
source "$(dirname "$0")/setup.sh"
printf '| model | ranges | float32 | int8 | difference (points) | top-1 agreement |\n|---|---|---|---|---|---|\n'
for model in vgg resnet; do
    for method in minmax percentile mse data-free bias-int8 bias-weights; do
        if [ "$method" = data-free ]; then
            .build/release/quantize "Models/$model-mnist.bin" -o "$work/$model.q8" --json >/dev/null
        elif [ "${method%%-*}" = bias ]; then
            .build/release/quantize "Models/$model-mnist.bin" --calibration "$data" --bias-correction \
                --bias-correction-inputs "${method#bias-}" -o "$work/$model.q8" --json >/dev/null
        else
            .build/release/quantize "Models/$model-mnist.bin" --calibration "$data" --method "$method" -o "$work/$model.q8" --json >/dev/null
        fi
        .build/release/edge-sim compare --float "Models/$model-mnist.bin" --int8 "$work/$model.q8" --data "$data" --json |
            python3 -c 'import json,sys; r=json.load(sys.stdin); m,k=sys.argv[1:3]; print("| %s | %s | %.2f%% | %.2f%% | %+.2f | %.2f%% |" % (m, k, 100*r["float_accuracy"], 100*r["int8_accuracy"], 100*(r["int8_accuracy"]-r["float_accuracy"]), 100*r["agreement"]))' "$model" "$method"
    done
done
