"""`hocba demo`: the main job on the embedded default, end to end through Airflow.

Generates a seeded sample archive (with deliberately bad files), runs the hocba_backfill DAG
in-process (`airflow dags test`), prints the batch summary and checks every signed PDF with
poppler's pdfsig, an independent validator.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from pipelines import batch
from pipelines.report import format_summary
from pipelines.repository import Repository
from pipelines.settings import REPO_ROOT, Settings, load_settings
from pipelines.storage import open_store


def airflow_env(settings: Settings) -> dict[str, str]:
    """Airflow home with SQLite metadata under the git-ignored state folder."""
    home = settings.airflow_home
    env = dict(os.environ)
    env.update(
        AIRFLOW_HOME=str(home),
        AIRFLOW__CORE__DAGS_FOLDER=str(REPO_ROOT / "dags"),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{home / 'airflow.db'}",
        AIRFLOW__CORE__MAX_MAP_LENGTH="1024",
        HOCBA_STATE_DIR=str(settings.state_dir),
        OMP_THREAD_LIMIT="1",
    )
    return env


def _airflow(settings: Settings, *args: str, timeout: float) -> None:
    airflow = str(Path(sys.executable).with_name("airflow"))
    done = subprocess.run([airflow, *args], env=airflow_env(settings), timeout=timeout, check=False)
    if done.returncode != 0:
        raise SystemExit(
            f"airflow {' '.join(args[:2])} failed (exit {done.returncode}); see the log above"
        )


def run_dag(settings: Settings, conf: dict[str, object], dag_id: str = "hocba_backfill") -> None:
    _airflow(settings, "db", "migrate", timeout=300)
    _airflow(settings, "dags", "test", dag_id, "-c", json.dumps(conf), timeout=1800)


def generate_sample(out: Path, booklets: int, seed: int) -> None:
    from synth.archive import generate_archive  # demo and tests only

    if out.exists():
        shutil.rmtree(out)
    generate_archive(out, booklets, seed, bad_files=True, jobs=os.cpu_count() or 1)


def check_signed(settings: Settings, batch_id: str) -> tuple[int, int]:
    """(valid, total) signed PDFs of the batch according to pdfsig."""
    from signing.pdfsig import run_pdfsig

    store = open_store(settings)
    valid = total = 0
    with Repository(batch.database_dsn(settings)) as repo:
        keys = repo.issued_keys(batch_id)
    out = settings.runs_dir / batch_id / "issued"
    out.mkdir(parents=True, exist_ok=True)
    for key in keys:
        path = out / Path(key).name
        path.write_bytes(store.get_bytes(key))
        total += 1
        valid += run_pdfsig(path).ok
    return valid, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="hocba demo")
    parser.add_argument("--booklets", type=int, default=36)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    settings = load_settings()
    settings.ensure_dirs()
    sample = settings.state_dir / "demo"
    print(f"[1/4] Tạo kho học bạ mẫu ({args.booklets} cuốn + tệp lỗi) tại {sample}", flush=True)
    generate_sample(sample, args.booklets, args.seed)
    batch.database_dsn(settings)  # starts the project-local PostgreSQL before Airflow needs it
    batch_id = f"demo-{args.seed}"
    conf = {
        "source": str(sample / "scans"),
        "registry": str(sample / "registry.csv"),
        "batch_id": batch_id,
        "jobs": os.cpu_count() or 1,
    }
    print("[2/4] Chạy DAG hocba_backfill bằng Airflow (airflow dags test)", flush=True)
    run_dag(settings, conf)
    print("[3/4] Kiểm tra chữ ký số bằng pdfsig (poppler)", flush=True)
    valid, total = check_signed(settings, batch_id)
    print("[4/4] Tổng kết\n", flush=True)
    print(format_summary(batch.batch_summary(settings, batch_id), issued=total, loaded=total))
    print(f"  pdfsig: {valid}/{total} tệp PDF có chữ ký hợp lệ (signature valid)")
    print(f"  PDF đã ký (signed PDFs):                 {settings.runs_dir / batch_id / 'issued'}")
    print(f"  Bản ghi JSON (records):                  {settings.objects_dir / 'records'}")
    return 0 if valid == total else 1
