#!/usr/bin/env bash
# Trains and exports an EdgeQuant model with Keras (see train.py --help). Creates Tools/train/.venv with the pinned
# requirements on first use (and again when requirements.txt changes), then runs train.py from the caller's cwd so
# relative --out / --fixture / --data paths mean what they say.
#   Tools/train/train.sh --arch resnet --out Models/resnet-mnist.bin
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    echo "train.sh: creating $venv" >&2
    "$python" -m venv "$venv"
fi
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "train.sh: installing $here/requirements.txt" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
    echo "$want" > "$stamp"
fi
exec "$venv/bin/python" "$here/train.py" "$@"
