# Sourced by the Tools/bench scripts: run from the repository root, MNIST folder from $1 (default
# ../shared/data/mnist), a release build, and a scratch folder $work removed on exit.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
data="${1:-../shared/data/mnist}"
swift build -c release >/dev/null
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
