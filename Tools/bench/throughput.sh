#!/usr/bin/env bash
# Host throughput on the whole MNIST test set: float32 (model.bin) and int8 (.q8, quantized here with the
# default settings) for both shipped models, on one core and on every core.
# Usage: Tools/bench/throughput.sh [MNIST_DIR]
source "$(dirname "$0")/setup.sh"
printf '| model | engine | cores | images | seconds | images/s | MACs/s | accuracy |\n|---|---|---|---|---|---|---|---|\n'
for model in vgg resnet; do
    # MACs per image from the converter's report (Conv2D and Dense multiply-accumulates).
    macs="$(.build/release/quantize "Models/$model-mnist.bin" --calibration "$data" -o "$work/$model.q8" --json |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["macs"])')"
    for file in "Models/$model-mnist.bin" "$work/$model.q8"; do
        for cores in 1 "$(nproc)"; do
            .build/release/edge-sim evaluate --model "$file" --data "$data" --cores "$cores" --json |
                python3 -c '
import json, sys
r = json.load(sys.stdin)
engine = "int8" if r["model"].endswith(".q8") else "float32"
macs = int(sys.argv[2])
print("| %s | %s | %d | %d | %.2f | %.0f | %.2f G | %.2f%% |" % (sys.argv[1], engine, r["cores"], r["images"], r["seconds"],
      r["images_per_second"], macs * r["images_per_second"] / 1e9, 100 * r["accuracy"]))' "$model" "$macs"
        done
    done
done
