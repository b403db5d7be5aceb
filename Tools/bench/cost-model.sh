#!/usr/bin/env bash
# Calibrates the simulator's cost model on the emulated cores and measures its error out of sample. Runs as
# Firmware-Sim firmware, on Cortex-M4F (mps2-an386), Cortex-M7 (mps2-an500), Cortex-M33 (mps2-an505) and Cortex-M3
# (mps2-an385):
#   - the two shipped models (default, data-free quantization) on the 14 sample digits: the fit;
#   - pool-bench-a and pool-bench-b (Tools/bench/make_models.py): standalone max pools, average pools and Mean at
#     several sizes, whose pool and Mean layers the fit also uses (fusion leaves the shipped models none of those
#     pools and one Mean);
#   - keras-convnet (keras.io's Simple MNIST convnet) and resnet8 (MLPerf Tiny's ResNet-8, 32x32x3), with seeded
#     random weights: never seen by the fit, so their per-layer and total errors are out of sample.
# The extra models run on 4 seeded random int8 inputs (Firmware-Sim/run --random 4), checked byte for byte
# against the host runtime. Then fits each core's per-op instruction costs (Tools/bench/fit_cost_model.py) and
# prints the fit, the out-of-sample errors, and the reverse split (fit on keras-convnet and resnet8, check on the
# shipped models).
# Usage: Tools/bench/cost-model.sh [--write] [--runs DIR] [--reuse DIR]
#   --write      store the fitted costs in Sources/Boards/Resources/boards.json
#   --runs DIR   keep the Firmware-Sim run JSONs in DIR;  --reuse DIR: fit the run JSONs in DIR, run nothing
# The Cortex-M3 fit prices cortex-m0plus: QEMU has no MPS2 Cortex-M0+ board, and both lack the DSP extension.
source "$(dirname "$0")/setup.sh" ""
write=() runs="$work" reuse=""
while [ $# -gt 0 ]; do
    case "$1" in
        --write) write=(--write) ;;
        --runs) runs="${2:?--runs needs a folder}"; shift ;;
        --reuse) reuse="${2:?--reuse needs a folder}"; runs="$reuse"; shift ;;
        *) echo "Error: $1: unknown argument (usage: Tools/bench/cost-model.sh [--write] [--runs DIR] [--reuse DIR])" >&2
           exit 64 ;;
    esac
    shift
done
boards=(mps2-an386 mps2-an500 mps2-an505 mps2-an385)
shipped=(vgg resnet) extra=(pool-bench-a pool-bench-b keras-convnet resnet8)
if [ -z "$reuse" ]; then
    mkdir -p "$runs"
    python3 Tools/bench/make_models.py "$work" > /dev/null
    for model in "${shipped[@]}"; do
        .build/release/quantize "Models/$model-mnist.bin" -o "$work/$model.q8" > /dev/null
    done
    for model in "${extra[@]}"; do
        .build/release/quantize "$work/$model.bin" -o "$work/$model.q8" > /dev/null
    done
    for board in "${boards[@]}"; do
        for model in "${shipped[@]}" "${extra[@]}"; do
            case " ${shipped[*]} " in *" $model "*) inputs=(Samples/digits/*.png) ;; *) inputs=(--random 4 --seed 1) ;; esac
            EDGE_SIM=.build/release/edge-sim nice Firmware-Sim/run --model "$work/$model.q8" --board "$board" --quiet \
                --cycles --json "$runs/$model-$board.json" "${inputs[@]}" | tail -n 1 | sed "s/^/$model $board: /"
        done
    done
    echo
fi
specs=()
for pair in cortex-m4f=mps2-an386 cortex-m7=mps2-an500 cortex-m33=mps2-an505 cortex-m0plus=mps2-an385; do
    files=()
    for model in "${shipped[@]}" "${extra[@]}"; do files+=("$runs/$model-${pair#*=}.json"); done
    specs+=("${pair%=*}=$(IFS=,; echo "${files[*]}")")
done
python3 Tools/bench/fit_cost_model.py "${specs[@]}" --fit vgg,resnet --pools pool-bench-a,pool-bench-b "${write[@]}"
echo
echo "# Reverse split (not written): fit on keras-convnet and resnet8, check on the shipped models"
python3 Tools/bench/fit_cost_model.py "${specs[@]}" --fit keras-convnet,resnet8 --pools pool-bench-a,pool-bench-b \
    | sed -n '/^## Out of sample/,/^$/p'
