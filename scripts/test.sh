#!/usr/bin/env bash
# The test suite: lint, types, then pytest (real Tesseract, PostgreSQL, S3 server, pyHanko, Airflow).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export OMP_THREAD_LIMIT=1
.venv/bin/ruff check .
.venv/bin/mypy domain ocr validation signing pipelines synth review dags
.venv/bin/pytest -q -p no:cacheprovider "$@"
