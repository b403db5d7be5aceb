#!/usr/bin/env bash
# Trains and exports an EdgeQuant model with Keras (see train.py --help). Creates Tools/train/.venv with the pinned
# requirements on first use (and again when requirements.txt changes), then runs train.py from the caller's cwd so
# relative --out / --fixture / --data paths mean what they say.
#   Tools/train/train.sh --arch resnet --out Models/resnet-mnist.bin
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/../venv.sh"
python="$(ensure_venv "$here")"
exec "$python" "$here/train.py" "$@"
