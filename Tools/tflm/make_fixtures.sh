#!/usr/bin/env bash
# Regenerates Tests/Fixtures/tflm/*.json from TFLite Micro (see Tools/tflm/README.md).
# Creates Tools/tflm/.venv with the pinned requirements on first use (or when
# requirements.txt changes), then runs make_fixtures.py and check_fixtures.py.
# Extra arguments go to make_fixtures.py (e.g. --only small_model).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
out="$root/Tests/Fixtures/tflm"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    echo "make_fixtures.sh: creating $venv"
    "$python" -m venv "$venv"
fi

# Reinstall only when requirements.txt differs from what this venv was built from.
stamp="$venv/.requirements.sha256"
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "make_fixtures.sh: installing $here/requirements.txt"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt"
    echo "$want" > "$stamp"
fi

# One thread everywhere: deterministic and light on a shared machine.
export TF_CPP_MIN_LOG_LEVEL=2 TF_ENABLE_ONEDNN_OPTS=0 OMP_NUM_THREADS=1 PYTHONHASHSEED=0

cd "$here"
nice -n 10 "$venv/bin/python" "$here/make_fixtures.py" --out "$out" "$@"
"$venv/bin/python" "$here/check_fixtures.py" "$out"
