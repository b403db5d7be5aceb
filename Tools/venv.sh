# Sourced by the Python tools' scripts. ensure_venv DIR: creates DIR/.venv from the pinned DIR/requirements.txt
# on first use, and reinstalls only when requirements.txt changed since (a hash is kept in the venv). Prints
# the venv's python path. Set PYTHON to choose the interpreter that makes the venv.
ensure_venv() {
    local here="$1" venv="$1/.venv" python="${PYTHON:-python3}"
    if [ ! -x "$venv/bin/python" ]; then
        echo "$(basename "$here"): creating $venv" >&2
        "$python" -m venv "$venv" >&2
    fi
    local stamp="$venv/.requirements.sha256" want
    want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        echo "$(basename "$here"): installing $here/requirements.txt" >&2
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
        echo "$want" > "$stamp"
    fi
    echo "$venv/bin/python"
}
