#!/usr/bin/env bash
# Runs every EdgeQuant test from a fresh clone: installs what the tests need, builds, then runs the suites.
# MNIST is read from ../shared/data/mnist (or $EDGEQUANT_MNIST); tests that need it say so and skip without it.
set -euo pipefail
cd "$(dirname "$0")/.."

# apt-get with one retry: a first attempt has been seen to fail when apt's temporary folder vanished. Without
# recommended packages: qemu-system-arm would otherwise pull in GTK, GStreamer and the rest of a desktop.
apt_install() {
    local missing=()
    for package in "$@"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "test.sh: installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    for attempt in 1 2; do
        if $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
            return 0
        fi
        echo "test.sh: apt-get failed (attempt $attempt)"
        sleep 5
    done
    return 1
}

apt_install libpng-dev zlib1g-dev pkg-config qemu-system-arm libhdf5-dev gcc-arm-none-eabi

echo "== boards.json footprints measured at the current runtime"
# Builds nothing: fails when Int8Runtime, CInt8DSP or the firmware changed since Tools/bench/footprint.sh --write.
Tools/bench/footprint.sh --check

echo "== Int8Runtime as Embedded Swift (armv7em)"
# The deployable core must stay inside the Embedded subset: no Foundation, classes, existentials or heap.
embedded_out="$(mktemp -d)"
trap 'rm -rf "$embedded_out"' EXIT
swiftc -target armv7em-none-none-eabi -enable-experimental-feature Embedded -wmo -Osize -parse-as-library \
    -module-name Int8Runtime -Xcc -mcpu=cortex-m4 -Xcc -mfloat-abi=hard -Xcc -mfpu=fpv4-sp-d16 -Xcc -fshort-enums \
    -Xcc -fno-pic -Xfrontend -function-sections -Xfrontend -disable-stack-protector -I Sources/CInt8DSP/include \
    -c $(find Sources/Int8Runtime -name '*.swift' | sort) -o "$embedded_out/Int8Runtime.o"
echo "Int8Runtime.o: $(wc -c < "$embedded_out/Int8Runtime.o") bytes"

echo "== swift build"
swift build 2>&1 | tail -n 3

echo "== swift test"
swift test 2>&1 | grep -vE '^\[[0-9]+/[0-9]+\]|^Test Suite|^Test Case|Executed 0 tests'

echo "== imported models: quantize FILE --calibration, int8 within 0.1 points of float on the 10k MNIST test images"
# Release binaries: the debug ones take minutes per model on 10,000 images.
swift build -c release 2>&1 | tail -n 1
Tools/import-fixtures/accuracy.sh .build/release

echo "== Firmware-Sim: the DSP assembly kernels against plain C on QEMU Cortex-M4 and M7"
Firmware-Sim/dsp-check/run.sh

echo "== Firmware-Sim: the Helium (MVE) kernels against plain C on QEMU Cortex-M55 (mps3-an547)"
Firmware-Sim/helium/run-check.sh

echo "== Firmware-Sim: the cycle-estimate plugin against hand-counted instruction sequences (QEMU Cortex-M4)"
Firmware-Sim/cycles/check.sh

echo "== Firmware-Sim: firmware on QEMU Cortex-M4 (mps2-an386) against the host runtime, byte for byte"
# Both shipped models, quantized with the defaults; 20 MNIST test images plus the project's sample digits.
mnist="${EDGEQUANT_MNIST:-../shared/data/mnist}"
mnist_args=()
if [ -e "$mnist/t10k-images-idx3-ubyte.gz" ] || [ -e "$mnist/t10k-images-idx3-ubyte" ]; then
    mnist_args=(--mnist 20 --data "$mnist")
else
    echo "Firmware-Sim: MNIST not found at $mnist: SKIPPING the 20 MNIST images, running the sample digits only"
fi
for model in vgg resnet; do
    .build/debug/quantize "Models/$model-mnist.bin" -o "$embedded_out/$model.q8" > /dev/null
    EDGE_SIM=.build/debug/edge-sim Firmware-Sim/run --model "$embedded_out/$model.q8" --quiet "${mnist_args[@]}" \
        Samples/digits/*.png
done

echo "== Firmware-Sim: models imported from the frameworks' own files (Keras, ONNX, TFLite float and int8), byte for byte"
for fixture in keras_resnet.keras torch_vgg32.onnx keras_convnet_float.tflite keras_resnet_int8.tflite; do
    .build/debug/quantize "Tests/Fixtures/import/$fixture" -o "$embedded_out/$fixture.q8" > /dev/null
    EDGE_SIM=.build/debug/edge-sim Firmware-Sim/run --model "$embedded_out/$fixture.q8" --quiet "${mnist_args[@]}" \
        Samples/digits/*.png
done

echo "== Firmware-Sim: the hostile .q8 suite on QEMU Cortex-M4, refused by the firmware's loader with no fault"
# Each fault vector must report (exit 70), then every file of Tests/Fixtures/hostile must end in the manifest's
# Q8Error and exit 3: a fault, a hang, a reset or an acceptance fails.
Firmware-Sim/run --check-faults --board mps2-an386
Firmware-Sim/run --expect-refused --quiet --board mps2-an386 --manifest Tests/Fixtures/hostile/manifest.json \
    --model Tests/Fixtures/hostile/*.q8

echo "== Firmware-Sim: QEMU mps2-an505 (Cortex-M33, Secure state, DSP path), byte for byte, and its faults"
# resnet on the M33 board (its own memory map and ARMv8-M startup; the Swift code is the M4's ARMv7E-M), then the
# four faults and the stack overflow past MSPLIM. About 15 s; the hostile suite runs the M4's same Swift code above.
EDGE_SIM=.build/debug/edge-sim Firmware-Sim/run --model "$embedded_out/resnet.q8" --board mps2-an505 --quiet \
    "${mnist_args[@]}" Samples/digits/*.png
Firmware-Sim/run --check-faults --board mps2-an505

echo "== Firmware-Sim: QEMU microbit (nRF51822, Cortex-M0, ARMv6-M: no DSP, no unaligned access), byte for byte"
# The model made for its 16 KB of SRAM, both kernel sets; then its one fault (HardFault, also from an unaligned load)
# and the hostile suite on the ARMv6-M build.
.build/debug/quantize Models/tiny-mnist.bin -o "$embedded_out/tiny.q8" > /dev/null
EDGE_SIM=.build/debug/edge-sim Firmware-Sim/run --model "$embedded_out/tiny.q8" --board microbit --kernels both --quiet \
    "${mnist_args[@]}" Samples/digits/*.png
Firmware-Sim/run --check-faults --board microbit
Firmware-Sim/run --expect-refused --quiet --board microbit --manifest Tests/Fixtures/hostile/manifest.json \
    --model Tests/Fixtures/hostile/*.q8

echo "== C example on QEMU netduinoplus2 (STM32F405, Cortex-M4F): quantize --emit --target cortex-m4f, both shipped models"
# The issue's own command (resnet calibrated on MNIST when present), then vgg, then the checks that can fail: a changed
# output, input or model byte must each be caught (--self-check).
calibration=()
[ ${#mnist_args[@]} -gt 0 ] && calibration=(--calibration "$mnist")
Firmware-Sim/examples/run --machine netduinoplus2 --model Models/resnet-mnist.bin "${calibration[@]}" --quiet
Firmware-Sim/examples/run --machine netduinoplus2 --model Models/vgg-mnist.bin --quiet
Firmware-Sim/examples/run --machine netduinoplus2 --model Models/vgg-mnist.bin --self-check --quiet

echo "== C example on QEMU microbit: quantize --emit --target cortex-m0, libedgequant.a linked unchanged by arm-none-eabi-gcc"
Firmware-Sim/examples/run --machine microbit --model Models/tiny-mnist.bin --quiet

echo "== fuzz (each parser briefly; Tools/fuzz/run.sh SECONDS for longer runs)"
# The whole import path per format (import-*: detection, reader, conversion, validation, the float engine) covers
# the reader-only targets (tflite, onnx, keras, hdf5), which stay runnable by name; CI keeps to 30 minutes.
Tools/fuzz/run.sh "${EDGEQUANT_FUZZ_SECONDS:-60}" modelbin q8 png import-keras import-h5 import-onnx import-tflite 2>&1 | grep -vE 'ld(\.gold|\.lld)?: warning'
