#!/usr/bin/env bash
# EdgeQuant side by side with TFLite, TFLite Micro and ONNX Runtime (issue 6; see Tools/peers/README.md).
# Creates Tools/peers/.venv from the pinned requirements.txt on first use (or when it changes), builds the Swift
# tools in release mode, runs compare.py on the 10k MNIST test set and writes the section between
# <!-- peers:begin --> and <!-- peers:end --> in docs/BENCHMARKS.md. Extra arguments go to compare.py
# (e.g. --models vgg --images 1000 --no-doc). Set EDGEQUANT_SKIP_BUILD=1 to use the existing .build/release.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
source "$here/../venv.sh"
python="$(ensure_venv "$here")"

cd "$root"
if [ "${EDGEQUANT_SKIP_BUILD:-0}" != 1 ]; then
    echo "run.sh: swift build -c release"
    nice -n 10 swift build -c release --product quantize >/dev/null
    nice -n 10 swift build -c release --product edge-sim >/dev/null
fi

# One thread everywhere: the latencies are single-thread figures, and the machine is shared.
export TF_CPP_MIN_LOG_LEVEL=2 TF_ENABLE_ONEDNN_OPTS=0 OMP_NUM_THREADS=1 PYTHONHASHSEED=0
command="Tools/peers/run.sh${*:+ $*}"
exec "$python" "$here/compare.py" --command "$command" "$@" \
    2> >(grep -v -e '^WARNING: All log messages before absl' -e '^I0000 ' -e '^W0000 ' >&2)
