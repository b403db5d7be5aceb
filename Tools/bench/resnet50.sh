#!/usr/bin/env bash
# ResNet50 at scale (issue 12, "Scale and bad input"): the seed tutorial's Keras ResNet50 (23,601,930 parameters,
# 7x7 stride-2 stem, bottleneck blocks, 28x28x1) generated from seed 50 as a Keras 3 .keras (94 MB) by
# Tests/ModelImportTests/ResNet50Keras.swift, then `quantize resnet50.keras -o resnet50.q8` (data-free, release
# build) timed with /usr/bin/time: wall time and peak RSS; and `edge-sim run --model resnet50.keras DIGIT.png` (the
# import plus one float inference) the same way. Prints one Markdown table row; when quantize refuses the file (for
# instance before the Keras -> float graph mapping is merged) the row says what it printed.
# Usage: Tools/bench/resnet50.sh [RUNS]      (default 3 runs; the row gives the fastest and the largest RSS)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-3}"
swift build -c release --product quantize >/dev/null
swift build -c release --product edge-sim >/dev/null
swift build --build-tests >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# The generator runs inside the test that reads the file back (debug build), and keeps the file where asked.
EDGEQUANT_RESNET50_KERAS="$work/resnet50.keras" swift test --skip-build --filter 'ResNet50Tests/readsBack' >"$work/generate.log" 2>&1 ||
    { tail -20 "$work/generate.log"; exit 1; }
bytes=$(stat -c %s "$work/resnet50.keras")
best="" rss=0 status=0
for _ in $(seq "$runs"); do
    status=0
    /usr/bin/time -f "%e %M" -o "$work/time" .build/release/quantize "$work/resnet50.keras" -o "$work/resnet50.q8" \
        >"$work/out" 2>"$work/err" || status=$?
    read -r seconds kb <"$work/time"
    if [ -z "$best" ] || awk "BEGIN { exit !($seconds < $best) }"; then best=$seconds; fi
    if [ "$kb" -gt "$rss" ]; then rss=$kb; fi
done
/usr/bin/time -f "%e %M" -o "$work/time-run" .build/release/edge-sim run --model "$work/resnet50.keras" \
    Samples/digits/2-bilevel-gray1-96x96.png >/dev/null 2>"$work/err-run" || { echo "edge-sim run: $(cat "$work/err-run")"; }
read -r run_seconds run_kb <"$work/time-run"
commit=$(git rev-parse --short HEAD)
if [ "$status" = 0 ]; then
    q8=$(stat -c %s "$work/resnet50.q8")
    printf '| %s | %s | %s | %s s, %s MB | %s s | %s MB | %s |\n' "$(date -u +%F)" "$commit" "$bytes" "$run_seconds" \
        "$((run_kb / 1024))" "$best" "$((rss / 1024))" "$q8"
else
    printf '| %s | %s | %s | %s s, %s MB | refused (exit %s) in %s s | %s MB | %s |\n' "$(date -u +%F)" "$commit" "$bytes" \
        "$run_seconds" "$((run_kb / 1024))" "$status" "$best" "$((rss / 1024))" "$(tr -d '\n' <"$work/err" | sed "s|$work/||g")"
fi
