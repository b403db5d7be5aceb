#!/usr/bin/env bash
# MLPerf Tiny's image-classification ResNet-8 (32x32x3, 16/32/64 filters, 12.5 M MACs, 78 k parameters) on every
# emulated core Firmware-Sim supports: instructions and, where Firmware-Sim has its cycle estimate (--cycles),
# estimated cycles (zero wait states), per layer and in total, beside MLPerf Tiny's published hardware results.
#   1. Tools/bench/make_models.py writes resnet8.bin: the architecture of mlcommons/tiny's
#      benchmark/training/image_classification/keras_model.py (resnet_v1_eembc), seeded random weights (seed 1);
#      accuracy is not the point, the shapes and so the work are the benchmark's.
#   2. quantize resnet8.bin -o resnet8.q8: data-free (activation ranges from the BatchNorm statistics,
#      docs/calibration.md), the same .q8 bytes on every run.
#   3. Firmware-Sim/run --random N --seed 1 on each board: N seeded random int8 input tensors, every output byte
#      compared with the host runtime (a board the model does not fit is reported with Firmware-Sim's reason).
# Usage: Tools/bench/resnet8.sh [--random N] [--boards "B1 B2 ..."] [--keep DIR]
#   --random N   inputs per board (default 4)
#   --boards     Firmware-Sim boards (default: mps2-an386 mps2-an500 mps2-an505 mps2-an385 microbit mps3-an547; the
#                Cortex-M33's row is the STM32U575's core, at its 160 MHz)
#   --keep DIR   keep resnet8.bin, resnet8.q8 and the run JSONs in DIR
source "$(dirname "$0")/setup.sh" ""
started=$SECONDS
random=4 keep="" boards=()
while [ $# -gt 0 ]; do
    case "$1" in
        --random) random="${2:?--random needs a count}"; shift ;;
        --boards) read -r -a boards <<< "${2:?--boards needs a list}"; shift ;;
        --keep) keep="${2:?--keep needs a folder}"; shift ;;
        *) echo "Error: $1: unknown argument (usage: Tools/bench/resnet8.sh [--random N] [--boards \"B ...\"] [--keep DIR])" >&2
           exit 64 ;;
    esac
    shift
done
[ ${#boards[@]} -gt 0 ] || boards=(mps2-an386 mps2-an500 mps2-an505 mps2-an385 microbit mps3-an547)
out="${keep:-$work}"
mkdir -p "$out"
cycles=()
Firmware-Sim/run --help 2>/dev/null | grep -q -- '--cycles' && cycles=(--cycles)

echo "# ResNet-8: Tools/bench/resnet8.sh --random $random ($(date -u +%Y-%m-%d), commit $(git rev-parse --short=12 HEAD)$(git diff --quiet HEAD -- Sources Firmware-Sim Tools/bench || echo ', with uncommitted changes'))"
python3 Tools/bench/make_models.py "$out" --only resnet8 --summary | tail -n 1
.build/release/quantize "$out/resnet8.bin" -o "$out/resnet8.q8" > /dev/null
echo "resnet8.q8: $(wc -c < "$out/resnet8.q8" | tr -d ' ') bytes, sha256 $(sha256sum "$out/resnet8.q8" | cut -c1-16)..., data-free quantization"
echo "Firmware-Sim: --random $random --seed 1 ${cycles[*]:-(no --cycles: this Firmware-Sim has no cycle estimate)}"
echo
jsons=() refused=()
# A board whose core has no timing table in Firmware-Sim/cycles/tables.h (every board Firmware-Sim has now has one)
# runs without --cycles: instructions only.
has_cycle_table() {
    python3 -c "import importlib.machinery as m, sys; r = m.SourceFileLoader('fwrun', 'Firmware-Sim/run').load_module(); sys.exit(0 if r.BOARDS['$1']['cpu'] in r.CYCLE_TABLES else 1)"
}
for board in "${boards[@]}"; do
    log="$out/resnet8-$board.log"
    board_cycles=()
    has_cycle_table "$board" && board_cycles=("${cycles[@]}")
    if EDGE_SIM=.build/release/edge-sim nice Firmware-Sim/run --model "$out/resnet8.q8" --board "$board" --quiet \
           "${board_cycles[@]}" --random "$random" --seed 1 --json "$out/resnet8-$board.json" > "$log" 2>&1; then
        jsons+=("$out/resnet8-$board.json")
    else
        reason="$(grep -m1 -E '^Error|DIFFERENT|does not|DOES NOT' "$log" || tail -n 1 "$log")"
        refused+=(--refused "$board=${reason//|//}")
    fi
done
[ ${#jsons[@]} -gt 0 ] || { echo "Error: ResNet-8 ran on no board" >&2; cat "$out"/resnet8-*.log >&2; exit 1; }
python3 Tools/bench/resnet8_report.py "${jsons[@]}" "${refused[@]}"
echo
echo "Tools/bench/resnet8.sh took $((SECONDS - started)) s."
