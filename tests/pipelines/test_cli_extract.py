"""`hocba extract` in-process on a generated archive: one valid contract JSON per booklet."""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import jsonschema
import pytest
from PIL import Image

from pipelines import batch, localpg
from pipelines.cli import main
from pipelines.settings import REPO_ROOT, Settings, load_settings
from pipelines.storage import open_store, page_image_key
from synth.archive import generate_archive
from tests.conftest import free_port

SCHEMA = REPO_ROOT.parent / "shared" / "contract" / "transcript.schema.json"
BATCH = "cli-extract-1"


@pytest.fixture()
def state(monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    # Not tmp_path: its 0700 parents would stop the postgres OS user (when run as root).
    root = Path(tempfile.mkdtemp(prefix="hocba-test-cli-"))
    root.chmod(0o711)
    monkeypatch.setenv("HOCBA_STATE_DIR", str(root / "state"))
    monkeypatch.setenv("HOCBA_PG_PORT", str(free_port()))
    settings = load_settings()
    try:
        yield settings
    finally:
        localpg.stop_local_cluster(settings)
        shutil.rmtree(root, ignore_errors=True)


def test_extract_writes_one_valid_record_per_accepted_booklet(
    state: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not SCHEMA.is_file():
        pytest.fail(f"contract schema not found at {SCHEMA}; CI keeps shared/ beside the repo")
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    archive = tmp_path / "archive"
    generate_archive(archive, 3, 17, bad_files=True, jobs=2)
    out = tmp_path / "out"
    argv = ["extract", str(archive / "scans"), "--registry", str(archive / "registry.csv")]
    code = main([*argv, "--out", str(out), "--jobs", "2", "--batch-id", BATCH])
    assert code == 0, capsys.readouterr().err
    files = cast(dict[str, int], batch.batch_summary(state, BATCH)["files"])
    inputs = sorted(p.name for p in (archive / "scans").iterdir())
    assert sum(files.values()) == len(inputs)
    assert files.get("duplicate") == 1
    assert files.get("quarantined", 0) >= 4
    records = sorted(out.glob("*.json"))
    assert len(records) == files["accepted"] >= 2
    for path in records:
        document = json.loads(path.read_text(encoding="utf-8"))
        errors = [e.message for e in validator.iter_errors(document)]
        assert not errors, f"{path.name}: {errors[:5]}"
        assert document["review"]["status"] in ("auto_approved", "needs_review", "rejected")
        _assert_page_images(state, document["document_id"], document["source"]["page_count"])
    assert "Bản ghi JSON" in capsys.readouterr().out


def _assert_page_images(state: Settings, document_id: str, pages: int) -> None:
    """The review view needs every page as the OCR saw it, boxes in its pixels."""
    store = open_store(state)
    for page in range(1, pages + 1):
        png = store.get_bytes(page_image_key(document_id, page))
        width, height = Image.open(io.BytesIO(png)).size
        assert width > 1500 and height > 1500  # a 300 dpi page, not a thumbnail
