"""The synthetic archive on disk (synth/archive.py, synth/cli.py)."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import jsonschema
import pikepdf
import pytest
from PIL import Image, UnidentifiedImageError

from domain.errors import ConfigError
from synth.archive import ArchiveSummary, generate_archive
from synth.cli import main
from synth.render import page_size

SCHEMA = Path("/work/shared/contract/transcript.schema.json")
SEED = 11
BOOKLETS = 3  # the format deck then holds one TIFF, one PDF and one image folder


def _tree_hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ArchiveSummary]:
    out = tmp_path_factory.mktemp("archive")
    summary = generate_archive(out, BOOKLETS, SEED, bad_files=True, jobs=2)
    return out, summary


@pytest.fixture(scope="module")
def manifest(archive: tuple[Path, ArchiveSummary]) -> dict:
    return json.loads((archive[0] / "manifest.json").read_text(encoding="utf-8"))


def test_same_arguments_give_the_same_bytes_whatever_the_jobs(
    archive: tuple[Path, ArchiveSummary], tmp_path: Path
) -> None:
    again = generate_archive(tmp_path / "again", BOOKLETS, SEED, bad_files=True, jobs=1)
    first = _tree_hashes(archive[0])
    assert first == _tree_hashes(again.out_dir)
    assert len(first) > 10


def test_layout_formats_and_summary(archive: tuple[Path, ArchiveSummary], manifest: dict) -> None:
    out, summary = archive
    assert summary.booklets == BOOKLETS == len(manifest["booklets"])
    assert summary.formats == {"tif": 1, "pdf": 1, "jpg": 1}
    assert summary.pages == sum(len(b["pages"]) for b in manifest["booklets"])
    for booklet in manifest["booklets"]:
        scan = out / "scans" / booklet["file"]
        assert scan.exists(), booklet["file"]
        if booklet["format"] == "jpg":
            assert scan.is_dir() and (scan / "page_01.jpg").exists()
        else:
            assert scan.name == f"{booklet['document_id']}.{booklet['format']}"
        assert (out / "truth" / f"{booklet['document_id']}.json").exists()


def _page_images(scan: Path) -> list[Image.Image]:
    if scan.is_dir():
        return [Image.open(p) for p in sorted(scan.glob("page_*.jpg"))]
    image = Image.open(scan)
    frames = []
    for i in range(getattr(image, "n_frames", 1)):
        image.seek(i)
        frames.append(image.copy())
    return frames


def _scan_sha256(scan: Path) -> str:
    digest = hashlib.sha256()
    for part in sorted(scan.iterdir()) if scan.is_dir() else [scan]:
        digest.update(part.read_bytes())
    return digest.hexdigest()


def test_truth_validates_and_describes_its_scan(
    archive: tuple[Path, ArchiveSummary], manifest: dict
) -> None:
    out = archive[0]
    validator = jsonschema.Draft202012Validator(
        json.loads(SCHEMA.read_text(encoding="utf-8")),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    for booklet in manifest["booklets"]:
        truth = json.loads((out / "truth" / f"{booklet['document_id']}.json").read_text("utf-8"))
        validator.validate(truth)
        scan = out / "scans" / booklet["file"]
        assert truth["source"]["file"] == booklet["file"]
        assert truth["source"]["sha256"] == _scan_sha256(scan)
        pages = len(pikepdf.open(scan).pages) if scan.suffix == ".pdf" else len(_page_images(scan))
        assert pages == truth["source"]["page_count"] == 1 + len(truth["years"])
        assert [y["page"] for y in truth["years"]] == list(range(2, pages + 1))


def test_manifest_pages_match_the_stored_images(
    archive: tuple[Path, ArchiveSummary], manifest: dict
) -> None:
    out = archive[0]
    for booklet in manifest["booklets"]:
        if booklet["format"] == "pdf":
            continue
        images = _page_images(out / "scans" / booklet["file"])
        for image, page in zip(images, booklet["pages"], strict=True):
            assert set(page) >= {"page", "rotation", "skew", "dpi"}
            assert 200 <= page["dpi"] == booklet["dpi"] <= 400
            assert round(image.info["dpi"][0]) == page["dpi"]
            w, h = page_size(page["dpi"])
            if page["rotation"] in (90, 270):
                w, h = h, w
            assert abs(image.width - w) <= 30 and abs(image.height - h) <= 30
            if booklet["format"] == "tif":
                assert image.mode == "L"
                assert image.info.get("compression") in {"jpeg", "tiff_lzw"}


def test_bad_files_are_written_and_named_in_the_manifest(
    archive: tuple[Path, ArchiveSummary], manifest: dict
) -> None:
    scans = archive[0] / "scans"
    bad = {entry["kind"]: entry for entry in manifest["bad_files"]}
    assert set(bad) == {"truncated_tiff", "zero_byte_pdf", "text_as_tiff", "junk_file", "duplicate"}
    assert archive[1].bad_files == 5
    truncated = scans / bad["truncated_tiff"]["file"]
    with pytest.raises((OSError, SyntaxError)), Image.open(truncated) as image:
        image.load()
    assert (scans / bad["zero_byte_pdf"]["file"]).stat().st_size == 0
    with pytest.raises(UnidentifiedImageError):
        Image.open(scans / bad["text_as_tiff"]["file"])
    assert (scans / bad["junk_file"]["file"]).suffix == ".docx"
    duplicate = bad["duplicate"]
    assert duplicate["expected_fate"] == "skip_duplicate"
    original = (scans / duplicate["duplicate_of"]).read_bytes()
    assert (scans / duplicate["file"]).read_bytes() == original
    assert all(e["expected_fate"] == "quarantine" for k, e in bad.items() if k != "duplicate")


def test_registry_holds_every_pupil_among_other_residents(
    archive: tuple[Path, ArchiveSummary],
) -> None:
    out = archive[0]
    with (out / "registry.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    ids = {row["personal_id"] for row in rows}
    for truth_file in (out / "truth").glob("*.json"):
        truth = json.loads(truth_file.read_text("utf-8"))
        assert truth["identity_link"]["personal_id"] in ids
    assert len(rows) > 3 * BOOKLETS


def test_cli_writes_an_archive_and_rejects_bad_arguments(tmp_path: Path) -> None:
    out = tmp_path / "cli"
    code = main(
        [
            "synth",
            "--booklets",
            "1",
            "--seed",
            "3",
            "--out",
            str(out),
            "--degradation",
            "clean",
            "--variants",
            "holdout",
            "--residents-per-pupil",
            "2",
        ]
    )
    assert code == 0
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert [b["variant"] for b in manifest["booklets"]] == ["holdout"]
    assert all(p["rotation"] == 0 and p["skew"] == 0 for p in manifest["booklets"][0]["pages"])
    bad = ["--booklets", "1", "--seed", "3", "--out", str(tmp_path / "x"), "--variants", "p9"]
    assert main(bad) == 2


def test_refuses_to_write_into_a_foreign_directory(tmp_path: Path) -> None:
    (tmp_path / "thesis.odt").write_text("not an archive")
    with pytest.raises(ConfigError):
        generate_archive(tmp_path, 1, 1)


def test_handwritten_share_is_recorded_per_booklet(tmp_path: Path) -> None:
    generate_archive(tmp_path / "hand", 2, SEED, degradation="clean", handwritten=1.0)
    booklets = json.loads((tmp_path / "hand" / "manifest.json").read_text("utf-8"))["booklets"]
    assert [b["handwritten"] for b in booklets] == [True, True]
    with pytest.raises(ConfigError):
        generate_archive(tmp_path / "bad", 1, SEED, handwritten=1.5)
