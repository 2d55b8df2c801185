#!/usr/bin/env bash
# The main job on the embedded default: sample archive -> Airflow DAG -> signed, loaded records.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export OMP_THREAD_LIMIT=1
exec .venv/bin/hocba demo "$@"
