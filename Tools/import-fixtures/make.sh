#!/usr/bin/env bash
# Regenerates Tests/Fixtures/import/ (see Tools/import-fixtures/README.md): Keras, ONNX and TFLite files made by
# the real tools, each trained briefly on MNIST, with the producing framework's outputs beside them.
# Creates Tools/import-fixtures/.venv with the pinned requirements on first use (or when requirements.txt
# changes), then runs make_fixtures.py and check_fixtures.py. Extra arguments go to make_fixtures.py (e.g. --only keras_convnet).
# MNIST: ../shared/data/mnist relative to the repository root, or $MNIST_DIR.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/Tests/Fixtures/import"
mnist="${MNIST_DIR:-$root/../shared/data/mnist}"
if [ ! -e "$mnist/t10k-images-idx3-ubyte.gz" ] && [ ! -e "$mnist/t10k-images-idx3-ubyte" ]; then
    echo "make.sh: no MNIST IDX files in $mnist (set MNIST_DIR)" >&2
    exit 1
fi
source "$here/../venv.sh"
python="$(ensure_venv "$here")"

# One thread everywhere, no GPU: deterministic and light on a shared machine.
export TF_CPP_MIN_LOG_LEVEL=2 TF_ENABLE_ONEDNN_OPTS=0 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 PYTHONHASHSEED=0 \
    CUDA_VISIBLE_DEVICES=""

cd "$here"
nice -n 10 "$python" "$here/make_fixtures.py" --mnist "$mnist" --out "$out" "$@"
"$python" "$here/check_fixtures.py" "$out" --mnist "$mnist"
