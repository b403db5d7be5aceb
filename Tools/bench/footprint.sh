#!/usr/bin/env bash
# Measures what the emitted C library costs each core besides the model and its arena: the library's code (flash),
# its static SRAM and the stack high-water of an inference, from the example firmwares that link it unchanged
# (Firmware-Sim/examples/run, one QEMU machine per core: netduinoplus2 cortex-m4f, netduino2 cortex-m3, mps2-an505
# cortex-m33, mps2-an500 cortex-m7, microbit cortex-m0; cortex-m0plus records cortex-m0's ARMv6-M library). Each shipped
# model (Models/*-mnist.bin, quantized with the defaults) runs on the sample digits; a run that fails (a model too
# large for the machine, a firmware not matching edge-sim byte for byte) is printed and not recorded. What is counted:
# Tools/bench/footprint.py and docs/boards.md. quantize --board, edge-sim run and the emit step's bill use these figures.
# Usage: Tools/bench/footprint.sh [--write] [--machines "M..."] [--models "Models/a.bin ..."]
#          (--write records them, with the commit measured, in Sources/Boards/Resources/boards.json; rerun it
#          whenever the runtime, the C API, the library builder or the examples change)
#        Tools/bench/footprint.sh --check
#          (builds nothing: exit 1 when what a core's figures were measured from changed since their commit)
set -uo pipefail
# What the recorded figures depend on. The library: the runtime, its kernels, the C API, the builder (Sources/Deploy)
# and the example firmwares. The older Firmware-Sim figures (cores whose library is not measured yet): the runtime,
# its kernels and Firmware-Sim's own firmware.
# Documentation and the Embedded Swift example (not what the C library's figures are measured from) do not count.
LIBRARY_WATCHED=(Sources/Int8Runtime Sources/CInt8DSP Sources/EdgeQuantC Sources/Deploy Firmware-Sim/examples
                 ':(exclude,glob)**/*.md' ':(exclude)Firmware-Sim/examples/swift')
FIRMWARE_SIM_WATCHED=(Sources/Int8Runtime Sources/CInt8DSP Firmware-Sim/src Firmware-Sim/run)

if [[ "${1:-}" == "--check" ]]; then
    cd "$(dirname "$0")/../.."
    status=0
    # core, kind (library or firmware-sim), commit: one line per recorded set of figures; "-" for an unmeasured core.
    while read -r core kind commit; do
        if [[ "$kind" == "-" ]]; then
            echo "footprint: $core: the library is not measured yet (Tools/bench/footprint.sh --write on its machine)"
            continue
        fi
        if [[ "$kind" == library ]]; then watched=("${LIBRARY_WATCHED[@]}"); else watched=("${FIRMWARE_SIM_WATCHED[@]}"); fi
        if ! git cat-file -e "$commit^{commit}" 2>/dev/null; then
            echo "footprint: $core ($kind) measured at $commit, which this clone does not have; rerun Tools/bench/footprint.sh --write" >&2
            status=1
            continue
        fi
        changed="$(git diff --name-only "$commit" -- "${watched[@]}")"
        if [[ -n "$changed" ]]; then
            echo "footprint: $core ($kind) stale, measured at $commit; changed since: $(echo $changed); rerun Tools/bench/footprint.sh --write" >&2
            status=1
        else
            echo "footprint: $core ($kind) measured at $commit; unchanged since"
        fi
    done < <(python3 - Sources/Boards/Resources/boards.json <<'PY'
import json, re, sys
for name, core in json.load(open(sys.argv[1]))["cores"].items():
    if "library" in core:
        print(name, "library", core["library"]["commit"])
    elif "footprint" in core:
        match = re.search(r"at commit ([0-9a-f]+)", core["footprint"]["source"])
        print(name, "firmware-sim", match.group(1) if match else "unknown")
    else:
        print(name, "-", "-")
PY
)
    exit $status
fi

write=()
machines="netduinoplus2 netduino2 mps2-an505 mps2-an500 microbit"
models=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --write) write=(--write) ;;
        --machines) machines="$2"; shift ;;
        --models) models="$2"; shift ;;
        *) echo "footprint.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
source "$(dirname "$0")/setup.sh" ""
set +e
[[ -n "$models" ]] || models="$(ls Models/*-mnist.bin)"
commit="$(git rev-parse --short=12 HEAD)"
# The recorded commit must be what was built: refuse to --write over uncommitted changes to what is measured.
if [[ ${#write[@]} -gt 0 ]] && [[ -n "$(git status --porcelain -- "${LIBRARY_WATCHED[@]}")" ]]; then
    echo "Error: ${LIBRARY_WATCHED[*]} have uncommitted changes; commit them first" >&2
    exit 1
fi
if [[ ! -x Firmware-Sim/examples/run ]]; then
    echo "Error: Firmware-Sim/examples/run (the example runner) is missing" >&2
    exit 1
fi
runs=()
for machine in $machines; do
    for model in $models; do
        # footprint.py names the model after the JSON file.
        name="$(basename "$model" .bin)"
        mkdir -p "$work/$machine"
        json="$work/$machine/$name.json" log="$work/$machine/$name.log"
        if Firmware-Sim/examples/run --machine "$machine" --model "$model" --json "$json" > "$log" 2>&1 && [[ -s "$json" ]]; then
            echo "$machine $name: $(grep -E '^(memory|instructions per inference|bit-exact)' "$log" | tr '\n' ' ')"
            runs+=("$json")
        else
            echo "$machine $name: FAILED, not recorded: $(tail -n 2 "$log" | tr '\n' ' ')"
        fi
    done
done
if [[ ${#runs[@]} -eq 0 ]]; then
    echo "Error: no example run succeeded; nothing measured" >&2
    exit 1
fi
echo
python3 Tools/bench/footprint.py --commit "$commit" --command "Tools/bench/footprint.sh --write --machines \"$machines\"" \
    "${runs[@]}" "${write[@]}"
