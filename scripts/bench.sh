#!/usr/bin/env bash
# Long benchmarks, kept out of the test suite: extraction accuracy, speed, memory.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export OMP_THREAD_LIMIT=1
exec .venv/bin/hocba bench "$@"
