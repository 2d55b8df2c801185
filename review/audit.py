"""The audit log's hash chain: canonical entries, their hashes, and the walk that checks them.

hash = sha256(prev_hash || canonical JSON of the entry). Sequence numbers have no gaps, so a
deleted row shows as a missing number, an altered row as a hash mismatch. Pure functions: the
rows come from review.store.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


@dataclass(frozen=True)
class Entry:
    seq: int
    at: dt.datetime
    actor: str
    action: str
    document_id: str | None
    detail: dict[str, Any]
    before: Any
    after: Any


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    head_seq: int
    head_hash: str
    broken_seq: int | None = None
    problem: str = ""


def canonical(entry: Entry) -> str:
    """One byte-exact text per entry: sorted keys, no spaces, UTC time with microseconds."""
    body = {
        "seq": entry.seq,
        "at": entry.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": entry.actor,
        "action": entry.action,
        "document_id": entry.document_id,
        "detail": entry.detail,
        "before": entry.before,
        "after": entry.after,
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def chain_hash(prev_hash: str, entry: Entry) -> str:
    return hashlib.sha256((prev_hash + canonical(entry)).encode()).hexdigest()


def normalized(value: Any) -> Any:
    """The value as it reads back from jsonb, so the hash written equals the hash re-computed."""
    return None if value is None else json.loads(json.dumps(value, ensure_ascii=False))


def verify_chain(
    rows: Iterable[tuple[Entry, str, str]], expect: tuple[int, str] | None = None
) -> ChainReport:
    """Walk (entry, prev_hash, hash) rows in seq order; report the first broken or missing link.

    `expect` is a (seq, hash) recorded earlier outside the database: it must still be in the
    chain, which detects a cut tail (deleting the newest rows leaves no gap to see).
    """
    expected_seq, prev, count = 1, GENESIS, 0
    for entry, prev_hash, stored in rows:
        if entry.seq != expected_seq:
            return _broken(count, prev, expected_seq, f"entry {expected_seq} is missing (deleted)")
        if prev_hash != prev:
            return _broken(count, prev, entry.seq, f"entry {entry.seq} does not follow its parent")
        if chain_hash(prev_hash, entry) != stored:
            return _broken(count, prev, entry.seq, f"entry {entry.seq} was altered")
        if expect is not None and entry.seq == expect[0] and stored != expect[1]:
            return _broken(count, prev, entry.seq, f"entry {entry.seq} differs from the record")
        prev, expected_seq, count = stored, expected_seq + 1, count + 1
    if expect is not None and expect[0] >= expected_seq:
        return _broken(count, prev, expected_seq, f"entries from {expected_seq} on were removed")
    return ChainReport(True, count, expected_seq - 1, prev)


def _broken(count: int, head: str, seq: int, problem: str) -> ChainReport:
    return ChainReport(False, count, seq - 1, head, broken_seq=seq, problem=problem)
