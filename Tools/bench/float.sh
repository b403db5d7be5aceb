#!/usr/bin/env bash
# Float engine throughput: the whole MNIST test set through each shipped model, on one core and on all cores.
# Usage: Tools/bench/float.sh [MNIST_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
data="${1:-../shared/data/mnist}"
swift build -c release --product edge-sim >/dev/null
printf '| model | cores | images | seconds | images/s | float32 accuracy |\n|---|---|---|---|---|---|\n'
for model in Models/vgg-mnist.bin Models/resnet-mnist.bin; do
    for cores in 1 "$(nproc)"; do
        .build/release/edge-sim evaluate --model "$model" --data "$data" --cores "$cores" --json |
            python3 -c 'import json,sys; r=json.load(sys.stdin); print("| %s | %d | %d | %.2f | %.0f | %.2f%% |" % (r["model"], r["cores"], r["images"], r["seconds"], r["images_per_second"], 100*r["accuracy"]))'
    done
done
