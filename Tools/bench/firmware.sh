#!/usr/bin/env bash
# Firmware-Sim figures for the shipped models (Models/vgg-mnist, resnet-mnist, tiny-mnist; default quantization) on
# every emulated core, as one markdown table ready for docs/BENCHMARKS.md: Cortex-M0 (microbit), M3 (mps2-an385),
# M4F (mps2-an386), M7 (mps2-an500), M33 (mps2-an505), M55 with Helium (mps3-an547). Per model and core: images
# bit-exact (every output byte compared with the host runtime), instructions per inference (exact, QEMU -icount),
# MACs per instruction, estimated cycles per inference where Firmware-Sim has the core's timing table (--cycles:
# an estimate, zero wait states) and MACs per estimated cycle, the firmware's code (text without the model), flash,
# SRAM, arena and stack used. A model a board cannot hold is a row with Firmware-Sim's reason.
# Usage: Tools/bench/firmware.sh [--kernels fast|reference|both] [--models "vgg resnet tiny"] [--boards "B ..."]
#                                [--keep DIR] [--mnist N]
#   --kernels  fast (default: the kernels a deployment runs), reference, or both (one row each)
#   --mnist N  also the first N MNIST test images (../shared/data/mnist) besides the 14 sample digits
#   --keep DIR keep the .q8 files, the run JSONs and the logs in DIR
# Time: 137-196 s for the default (fast kernels, 14 sample digits, 18 runs) on 2 cores shared with other builds; the
# script prints its own. --kernels both adds the reference loops' 10-30x more instructions per image.
source "$(dirname "$0")/setup.sh" ""
started=$SECONDS
kernels=fast models=(vgg resnet tiny) keep="" extra=()
boards=(microbit mps2-an385 mps2-an386 mps2-an500 mps2-an505 mps3-an547)
while [ $# -gt 0 ]; do
    case "$1" in
        --kernels) kernels="${2:?--kernels needs fast, reference or both}"; shift ;;
        --models) read -r -a models <<< "${2:?--models needs a list}"; shift ;;
        --boards) read -r -a boards <<< "${2:?--boards needs a list}"; shift ;;
        --keep) keep="${2:?--keep needs a folder}"; shift ;;
        --mnist) extra=(--mnist "${2:?--mnist needs a count}"); shift ;;
        *) echo "Error: $1: unknown argument (usage: Tools/bench/firmware.sh [--kernels K] [--models \"M ...\"] [--boards \"B ...\"] [--keep DIR] [--mnist N])" >&2
           exit 64 ;;
    esac
    shift
done
case "$kernels" in fast|reference|both) ;; *) echo "Error: --kernels $kernels: must be fast, reference or both" >&2; exit 64 ;; esac
out="${keep:-$work}"
mkdir -p "$out"

# The boards whose core has a timing table in Firmware-Sim/cycles/tables.h run with --cycles; the others (today the
# Cortex-M33 and M55 until their tables land) give instructions only.
cycle_boards="$(python3 -c "
import importlib.machinery as m
r = m.SourceFileLoader('fwrun', 'Firmware-Sim/run').load_module()
print(' '.join(b for b, s in r.BOARDS.items() if s['cpu'] in r.CYCLE_TABLES))")"

images="the 14 sample digits${extra[*]:+ and the first ${extra[1]} MNIST test images}"
echo "Shipped models per core: \`Tools/bench/firmware.sh --kernels $kernels${extra[*]:+ ${extra[*]}}\` ($(date -u +%Y-%m-%d), commit $(git rev-parse --short=12 HEAD)$(git diff --quiet HEAD -- Sources Firmware-Sim Tools/bench || echo ', with uncommitted changes')); $images per run, fast kernels unless the row says otherwise."
echo
jsons=() refused=()
for model in "${models[@]}"; do
    .build/release/quantize "Models/$model-mnist.bin" -o "$out/$model.q8" > /dev/null
    for board in "${boards[@]}"; do
        cycles=()
        [[ " $cycle_boards " == *" $board "* ]] && cycles=(--cycles)
        log="$out/$model-$board.log"
        if EDGE_SIM=.build/release/edge-sim nice Firmware-Sim/run --model "$out/$model.q8" --board "$board" --quiet \
               --kernels "$kernels" "${cycles[@]}" "${extra[@]}" --json "$out/$model-$board.json" \
               Samples/digits/*.png > "$log" 2>&1; then
            jsons+=("$out/$model-$board.json")
        else
            reason="$(grep -m1 -E '^Error|DIFFERENT|does not|DOES NOT' "$log" || tail -n 1 "$log")"
            refused+=(--refused "$model:$board=${reason//|//}")
        fi
    done
done
[ ${#jsons[@]} -gt 0 ] || { echo "Error: no model ran on any board" >&2; cat "$out"/*.log >&2; exit 1; }
python3 Tools/bench/firmware_report.py --order "${boards[*]}" "${jsons[@]}" "${refused[@]}"
echo
echo "Tools/bench/firmware.sh took $((SECONDS - started)) s."
