"""The nightly inbox: files are staged for a batch and leave the inbox only after commit."""

from __future__ import annotations

import shutil
from pathlib import Path

from pipelines.settings import Settings


def inbox_dir(settings: Settings) -> Path:
    return settings.state_dir / "inbox"


def _staging(settings: Settings, batch_id: str) -> Path:
    return settings.state_dir / "inbox-staging" / batch_id


def stage(settings: Settings, batch_id: str) -> Path:
    """Copy what is in the inbox now into the batch's staging folder (re-runs reuse it)."""
    inbox = inbox_dir(settings)
    inbox.mkdir(parents=True, exist_ok=True)
    staging = _staging(settings, batch_id)
    staging.mkdir(parents=True, exist_ok=True)
    for entry in sorted(inbox.iterdir()):
        target = staging / entry.name
        if target.exists():
            continue
        if entry.is_dir():
            shutil.copytree(entry, target)
        else:
            shutil.copy2(entry, target)
    return staging


def commit(settings: Settings, batch_id: str) -> int:
    """Move the staged files out of the inbox into inbox-done/<batch_id>; returns how many."""
    staging = _staging(settings, batch_id)
    done = settings.state_dir / "inbox-done" / batch_id
    done.mkdir(parents=True, exist_ok=True)
    moved = 0
    for entry in sorted(staging.iterdir()) if staging.exists() else []:
        original = inbox_dir(settings) / entry.name
        if original.exists():
            shutil.move(str(original), done / entry.name)
            moved += 1
    shutil.rmtree(staging, ignore_errors=True)
    return moved
