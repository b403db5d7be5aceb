#!/usr/bin/env bash
# The user's path from a framework's file, on every trained import fixture (Tests/Fixtures/import), no Python:
#   quantize FILE --calibration MNIST -o m.q8 --board nrf52840 (no calibration for an int8 .tflite), then edge-sim compare (float models) or
#   edge-sim evaluate (int8 .tflite) on the 10,000 MNIST test images. Fails when
#   - int8 is more than 0.1 points from float (calibrated), or
#   - our float accuracy differs from the producing framework's (the fixture's .json) by more than 2 images, or
#   - an int8 .tflite's accuracy is not exactly TFLite Micro's (it is imported as it is: the outputs are equal).
# Usage: Tools/import-fixtures/accuracy.sh [BIN_DIR] (default .build/release; Tools/test.sh builds it).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${1:-.build/release}"
mnist="${EDGEQUANT_MNIST:-../shared/data/mnist}"
fixtures=Tests/Fixtures/import
if [ ! -e "$mnist/t10k-images-idx3-ubyte.gz" ] && [ ! -e "$mnist/t10k-images-idx3-ubyte" ]; then
    echo "import accuracy: MNIST not found at $mnist: SKIPPING (needs the 10k test set)"
    exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# "key":number from one line of JSON.
field() { sed -n "s/.*\"$1\":\([-0-9.e]*\).*/\1/p" <<< "$2"; }
# The fixture's stated test accuracy (correct images out of 10,000).
stated() { sed -n '/"test_accuracy": {/,/}/s/.*"correct": \([0-9]*\).*/\1/p' "$fixtures/$1.json" | head -n 1; }

failures=0
check() { # name condition message
    if awk "BEGIN { exit !($2) }"; then echo "  ok   $1: $3"; else echo "  FAIL $1: $3"; failures=$((failures + 1)); fi
}

# file [flags for every command: the model's input normalization]
while read -r file flags; do
    [ -n "$file" ] || continue
    q8="$work/${file%.*}.q8"
    # An int8 .tflite keeps its producer's quantization: no calibration (quantize refuses one).
    calibration=(--calibration "$mnist")
    case "$file" in *_int8.tflite) calibration=() ;; esac
    # shellcheck disable=SC2086
    "$bin/quantize" "$fixtures/$file" "${calibration[@]}" -o "$q8" --board nrf52840 $flags > "$work/quantize.txt"
    want="$(stated "$file")"
    case "$file" in
    *_int8.tflite)
        json="$("$bin/edge-sim" evaluate --model "$q8" --data "$mnist" --json)"
        correct="$(field correct "$json")"
        check "$file" "$correct == $want" "int8 $correct/10000 correct, TFLite Micro $want/10000"
        ;;
    *)
        # shellcheck disable=SC2086
        json="$("$bin/edge-sim" compare --float "$fixtures/$file" --int8 "$q8" --data "$mnist" --json $flags)"
        f="$(field float_correct "$json")"; i="$(field int8_correct "$json")"
        check "$file" "($i - $f) <= 10 && ($f - $i) <= 10" "float $f/10000, int8 $i/10000 (calibrated; at most 10 images = 0.1 points apart)"
        check "$file" "($f - $want) <= 2 && ($want - $f) <= 2" "float $f/10000 here, $want/10000 in the producing framework"
        ;;
    esac
done <<'LIST'
keras_convnet.keras
keras_convnet.h5
keras_resnet.keras
keras_resnet.h5
keras_convnet_float.tflite
keras_resnet_float.tflite
keras_convnet_int8.tflite
keras_resnet_int8.tflite
torch_resnet18.onnx --input-normalization 0.1307,0.3081
torch_vgg32.onnx
torch_vgg32_legacy.onnx
LIST

if [ "$failures" -ne 0 ]; then echo "import accuracy: $failures check(s) failed"; exit 1; fi
echo "import accuracy: every fixture within bounds"
