"""Ingest: fixity hash, one fate per input file, duplicate detection, quarantine of unreadable files.

Accepted scans are copied into the object store under their content hash, so every later step
reads the exact bytes that were hashed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from domain.errors import UnreadableScan
from ocr.decode import IMAGE_SUFFIXES, decode_booklet
from pipelines.repository import Repository
from pipelines.storage import ObjectStore


@dataclass(frozen=True)
class Accepted:
    """A booklet to extract: small enough for XCom."""

    document_id: str
    file_name: str
    sha256: str
    object_key: str  # a file key, or a prefix ending in "/" for a folder of page images
    page_count: int


@dataclass(frozen=True)
class Fate:
    file_name: str
    fate: str  # accepted | quarantined | duplicate | skipped
    reason: str | None = None


def document_id_for(sha256: str) -> str:
    """Stable id from the content: re-running a batch finds and updates the same records."""
    return f"hb-{sha256[:16]}"


def booklet_sha256(path: Path) -> str:
    """SHA-256 of a file, or of a folder's page images concatenated in name order."""
    digest = hashlib.sha256()
    for part in _parts(path):
        with part.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def _parts(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    return [path]


def list_inputs(source: Path) -> list[Path]:
    """Oldest first, so that of two identical files the one received first is kept."""
    return sorted(source.iterdir(), key=lambda p: (p.stat().st_mtime_ns, p.name))


def ingest_one(
    path: Path, batch_id: str, repo: Repository, store: ObjectStore
) -> tuple[Fate, Accepted | None]:
    """Decide one input's fate and record it. Never raises for bad input: the batch goes on."""
    name = path.name
    if name.startswith("."):
        return _record(
            repo, batch_id, name, "", 0, None, "skipped", "tệp ẩn/hệ thống, không phải bản quét"
        ), None
    size = sum(p.stat().st_size for p in _parts(path)) if path.is_dir() else path.stat().st_size
    sha = booklet_sha256(path)
    earlier = repo.accepted_sha256(sha, batch_id=batch_id, file_name=name)
    if earlier:
        return _record(
            repo,
            batch_id,
            name,
            sha,
            size,
            None,
            "duplicate",
            f"trùng nội dung với {earlier}",
            earlier,
        ), None
    try:
        pages = decode_booklet(path, colour=False)
    except UnreadableScan as exc:
        key = _quarantine(store, batch_id, path)
        return _record(repo, batch_id, name, sha, size, key, "quarantined", _reason_vi(exc)), None
    key = _store_scan(store, sha, path)
    fate = _record(repo, batch_id, name, sha, size, key, "accepted", None)
    return fate, Accepted(document_id_for(sha), name, sha, key, len(pages))


def _record(
    repo: Repository,
    batch_id: str,
    name: str,
    sha: str,
    size: int,
    key: str | None,
    fate: str,
    reason: str | None,
    duplicate_of: str | None = None,
) -> Fate:
    repo.record_input(batch_id, name, sha, size, key, fate, reason, duplicate_of)
    return Fate(name, fate, reason)


def _store_scan(store: ObjectStore, sha: str, path: Path) -> str:
    if path.is_dir():
        prefix = f"scans/{sha[:2]}/{sha}/"
        for part in _parts(path):
            store.put_bytes(prefix + part.name, part.read_bytes())
        return prefix
    key = f"scans/{sha[:2]}/{sha}/{path.name}"
    if not store.exists(key):
        store.put_bytes(key, path.read_bytes())
    return key


def _quarantine(store: ObjectStore, batch_id: str, path: Path) -> str:
    key = f"quarantine/{batch_id}/{path.name}"
    for part in _parts(path) if path.is_dir() else [path]:
        store.put_bytes(key + ("/" + part.name if path.is_dir() else ""), part.read_bytes())
    return key


def _reason_vi(exc: UnreadableScan) -> str:
    text = str(exc)
    if "empty" in text:
        return "tệp rỗng (0 byte)"
    if "damaged PDF" in text:
        return "tệp PDF bị hỏng"
    if "not a readable image" in text:
        return "không phải ảnh quét hoặc PDF đọc được"
    return f"không đọc được tệp quét ({text})"
