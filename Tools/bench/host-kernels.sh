#!/usr/bin/env bash
# The host kernels' figures in docs/host-kernels.md: one-thread int8 throughput of `edge-sim evaluate` on both
# shipped models quantized without calibration data (best and median of $RUNS runs, default 5), then where the
# time goes: `perf record` of one such run (user-space cycles), grouped by kernel. The perf part is skipped, with
# the reason printed, when perf is missing or not allowed to record.
# Usage: Tools/bench/host-kernels.sh [MNIST_DIR]
source "$(dirname "$0")/setup.sh"
runs="${RUNS:-5}"
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
vnni="$(grep -qw avx512_vnni /proc/cpuinfo && echo yes || echo no)"
echo "Tools/bench/host-kernels.sh, $(date -u +%Y-%m-%d), commit $(git rev-parse --short HEAD), $cpu, $(nproc) cores, AVX-512 VNNI: $vnni, load average $(cut -d" " -f1 /proc/loadavg)"
echo
printf '| model | images | runs | best images/s (ms/image) | median images/s | int8 accuracy |\n|---|---|---|---|---|---|\n'
for model in vgg resnet; do
    .build/release/quantize "Models/$model-mnist.bin" -o "$work/$model.q8" --json >/dev/null
    for _ in $(seq "$runs"); do
        .build/release/edge-sim evaluate --model "$work/$model.q8" --data "$data" --cores 1 --json
        echo
    done | python3 -c '
import json, statistics, sys
runs = [json.loads(line) for line in sys.stdin if line.strip()]
rates = sorted(r["images_per_second"] for r in runs)
assert len({r["accuracy"] for r in runs}) == 1, "accuracy differs between runs"
print("| %s | %d | %d | %.0f (%.3f) | %.0f | %.2f%% |" % (sys.argv[1], runs[0]["images"], len(runs), rates[-1],
      1e3 / rates[-1], statistics.median(rates), 100 * runs[0]["accuracy"]))' "$model"
done
echo
echo "load average after the runs: $(cut -d' ' -f1 /proc/loadavg) (the machine is shared; a high figure slows every run)"

echo
if ! command -v perf >/dev/null; then
    echo "perf: not installed, no profile"
    exit 0
fi
if ! perf record -q -e cycles:u -o "$work/probe.data" -- true >/dev/null 2>&1; then
    echo "perf: cannot record user-space cycles here (kernel.perf_event_paranoid = $(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null)), no profile"
    exit 0
fi
echo "Where one evaluate --cores 1 run spends its user-space cycles (perf record -e cycles:u; MNIST loading included):"
echo
printf '| model | group | share |\n|---|---|---|\n'
for model in vgg resnet; do
    perf record -q -e cycles:u -F 4999 -o "$work/$model.perf" -- \
        .build/release/edge-sim evaluate --model "$work/$model.q8" --data "$data" --cores 1 >/dev/null 2>&1
    perf report -q -i "$work/$model.perf" --stdio --sort symbol --percent-limit 0 2>/dev/null | python3 -c '
import re, sys
# Groups by symbol: the C host kernels (Sources/CInt8Host), the runtime kernels by op, the rest.
groups = [("Conv2D, host VNNI kernel (tiles, requantization, padded copy)",
           r"^group_|^plan_|^eq_conv|^fill_|^requantize|^store16|^scratch_|^same_op"),
          ("Add, host AVX-512", r"^eq_add"), ("input quantization, host AVX-512", r"^eq_quantize"),
          ("Mean, runtime (Swift)", r"Int8Runtime04MeanA0|MeanInt8"),
          ("FullyConnected, runtime (Swift)", r"Int8Runtime014FullyConnectedA0|FullyConnectedInt8"),
          ("pooling, runtime (Swift)", r"Int8Runtime04PoolA0|PoolInt8"),
          ("Conv2D or Add, runtime (Swift/C)", r"Int8Runtime\w*Conv|Int8Runtime03AddA0|^dsp_"),
          ("evaluation loop, interpreter, scorer, softmax", r"EdgeSim|Int8Runtime0A11Interpreter"),
          ("memcpy/memset", r"memcpy|memset|memmove"), ("zlib (reading the MNIST .gz)", r"^crc32|^inflate|^adler")]
share = {name: 0.0 for name, _ in groups}
share["everything else"] = 0.0
for line in sys.stdin:
    m = re.match(r"\s*([\d.]+)%\s+\[\.\]\s+(\S+)", line)
    if not m:
        continue
    percent, symbol = float(m.group(1)), m.group(2)
    for name, pattern in groups:
        if re.search(pattern, symbol):
            share[name] += percent
            break
    else:
        share["everything else"] += percent
for name, value in share.items():
    if value >= 0.5:
        print("| %s | %s | %.1f%% |" % (sys.argv[1], name, value))' "$model"
done
