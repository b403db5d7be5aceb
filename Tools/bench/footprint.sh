#!/usr/bin/env bash
# Measures what the runtime costs each core besides the model and its arena: runtime code (flash), static SRAM and
# the stack high-water of an inference, for the fast and the reference kernel paths, by running both shipped
# models (default quantization) on the sample digits as Firmware-Sim firmware on Cortex-M4F (mps2-an386),
# Cortex-M7 (mps2-an500) and Cortex-M3 (mps2-an385, which stands in for the rp2040's Cortex-M0+). What is counted:
# Tools/bench/footprint.py. The board verdicts (quantize, edge-sim run) use these figures instead of reserves.
# Usage: Tools/bench/footprint.sh [--write]    (--write records them, with the commit measured, in
#        Sources/Boards/Resources/boards.json; rerun it whenever the runtime or its kernels change: about 10 min)
#        Tools/bench/footprint.sh --check     (builds nothing: exit 1 when the runtime, its kernels or the firmware
#        changed since the commit the recorded figures were measured at)
if [[ "${1:-}" == "--check" ]]; then
    cd "$(dirname "$0")/../.."
    measured="$(grep -o 'at commit [0-9a-f]*' Sources/Boards/Resources/boards.json | sort -u | sed 's/at commit //')"
    if [[ "$(wc -w <<< "$measured")" != 1 ]]; then
        echo "footprint: the cores were measured at different commits ($(echo $measured)); rerun Tools/bench/footprint.sh --write" >&2
        exit 1
    fi
    if ! git cat-file -e "$measured^{commit}" 2>/dev/null; then
        echo "footprint: measured at $measured, which this clone does not have; rerun Tools/bench/footprint.sh --write" >&2
        exit 1
    fi
    changed="$(git diff --name-only "$measured" -- Sources/Int8Runtime Sources/CInt8DSP Firmware-Sim/src Firmware-Sim/run)"
    if [[ -n "$changed" ]]; then
        echo "footprint: stale, measured at $measured; changed since: $(echo $changed); rerun Tools/bench/footprint.sh --write" >&2
        exit 1
    fi
    echo "footprint: measured at $measured; the runtime, kernels and firmware are unchanged since"
    exit 0
fi
source "$(dirname "$0")/setup.sh" ""
commit="$(git rev-parse --short=12 HEAD)"
# The recorded commit must be what was built: refuse to --write over uncommitted runtime or firmware changes.
if [[ "${1:-}" == "--write" ]] && [[ -n "$(git status --porcelain -- Sources/Int8Runtime Sources/CInt8DSP Firmware-Sim)" ]]; then
    echo "Error: Sources/Int8Runtime, Sources/CInt8DSP or Firmware-Sim has uncommitted changes; commit them first" >&2
    exit 1
fi
# A private temporary folder: Firmware-Sim/run keeps its builds in $TMPDIR/edgequant-firmware-$UID, which other
# checkouts on this machine share; the ELFs measured below must be the ones these runs built.
export TMPDIR="$work"
runs=()
for model in vgg resnet; do
    .build/release/quantize "Models/$model-mnist.bin" -o "$work/$model.q8" > /dev/null
    for board in mps2-an386 mps2-an500 mps2-an385; do
        for kernels in fast reference; do
            EDGE_SIM=.build/release/edge-sim Firmware-Sim/run --model "$work/$model.q8" --board "$board" \
                --kernels "$kernels" --quiet --json "$work/$model-$board-$kernels.json" Samples/digits/*.png \
                | tail -n 1 | sed "s/^/$model $board $kernels: /"
            runs+=("$work/$model-$board-$kernels.json")
        done
    done
done
echo
python3 Tools/bench/footprint.py --commit "$commit" "${runs[@]}" "$@"
