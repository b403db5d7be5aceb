#!/usr/bin/env bash
# Regenerates the TFLite Micro fixtures (see Tools/tflm/README.md and docs/tflm-parity.md).
#   Tools/tflm/make_fixtures.sh                 op fixtures (Tests/Fixtures/tflm), check, then the whole-model
#                                               fixtures (Tests/Fixtures/tflm-models) when MNIST is there
#   Tools/tflm/make_fixtures.sh --only NAME...  some op fixtures only (arguments go to make_fixtures.py)
#   Tools/tflm/make_fixtures.sh --models [--data DIR] [--images N] [--only vgg-mnist]
#                                               the whole-model fixtures only (make_model_fixtures.py)
#   Tools/tflm/make_fixtures.sh --desktop [--images N]
#                                               desktop TFLite against TFLM (desktop_differences.py; writes nothing)
# Creates Tools/tflm/.venv with the pinned requirements on first use (or when requirements.txt changes).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/Tests/Fixtures/tflm"
models_out="$root/Tests/Fixtures/tflm-models"
source "$here/../venv.sh"
python="$(ensure_venv "$here")"

# One thread everywhere: deterministic and light on a shared machine.
export TF_CPP_MIN_LOG_LEVEL=2 TF_ENABLE_ONEDNN_OPTS=0 OMP_NUM_THREADS=1 PYTHONHASHSEED=0

cd "$here"
if [ "${1:-}" = "--desktop" ]; then
    shift
    exec nice -n 10 "$python" "$here/desktop_differences.py" "$@"
fi
if [ "${1:-}" = "--models" ]; then
    shift
    exec nice -n 10 "$python" "$here/make_model_fixtures.py" --out "$models_out" "$@"
fi
nice -n 10 "$python" "$here/make_fixtures.py" --out "$out" "$@"
"$python" "$here/check_fixtures.py" "$out"
if [ $# -eq 0 ]; then
    mnist="${EDGEQUANT_MNIST:-$root/../shared/data/mnist}"
    if [ -e "$mnist/t10k-images-idx3-ubyte.gz" ] || [ -e "$mnist/t10k-images-idx3-ubyte" ]; then
        nice -n 10 "$python" "$here/make_model_fixtures.py" --out "$models_out" --data "$mnist"
    else
        echo "make_fixtures.sh: MNIST not found at $mnist: SKIPPING the whole-model fixtures (Tests/Fixtures/tflm-models)"
    fi
fi
