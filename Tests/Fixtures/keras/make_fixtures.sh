#!/usr/bin/env bash
# Remakes Tests/Fixtures/keras/*.keras, *.h5 and *.json with Tools/tflm's pinned venv (keras 3.15.1).
set -euo pipefail
cd "$(dirname "$0")/../../.."
source Tools/venv.sh
python="$(ensure_venv Tools/tflm)"
PYTHONHASHSEED=0 nice "$python" Tests/Fixtures/keras/make_fixtures.py "$@"
