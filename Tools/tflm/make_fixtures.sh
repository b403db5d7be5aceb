#!/usr/bin/env bash
# Regenerates Tests/Fixtures/tflm/*.json from TFLite Micro (see Tools/tflm/README.md).
# Creates Tools/tflm/.venv with the pinned requirements on first use (or when
# requirements.txt changes), then runs make_fixtures.py and check_fixtures.py.
# Extra arguments go to make_fixtures.py (e.g. --only small_model).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/Tests/Fixtures/tflm"
source "$here/../venv.sh"
python="$(ensure_venv "$here")"

# One thread everywhere: deterministic and light on a shared machine.
export TF_CPP_MIN_LOG_LEVEL=2 TF_ENABLE_ONEDNN_OPTS=0 OMP_NUM_THREADS=1 PYTHONHASHSEED=0

cd "$here"
nice -n 10 "$python" "$here/make_fixtures.py" --out "$out" "$@"
"$python" "$here/check_fixtures.py" "$out"
