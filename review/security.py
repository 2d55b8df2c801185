"""Passwords (argon2id), session and CSRF tokens, lock-out policy, roles and scope."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from domain.errors import HocbaError

MAX_FAILURES = 5
LOCKOUT_MINUTES = 15
SESSION_HOURS = 10  # one working day
ROLES = ("steward", "supervisor", "auditor", "admin")
EDITORS = frozenset({"steward", "supervisor", "admin"})  # may edit and decide
CONFIRMERS = frozenset({"supervisor"})  # the second pair of eyes
AUDIT_READERS = frozenset({"auditor", "supervisor", "admin"})

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


class ReviewError(HocbaError):
    """A review-workbench operation was refused (bad input, wrong state, no permission)."""

    code = "REVIEW_ERROR"


@dataclass(frozen=True)
class Account:
    account_id: int
    username: str
    display_name: str
    role: str
    scope_level: str  # all | province | district | school
    province: str | None
    district: str | None
    school: str | None

    @property
    def can_edit(self) -> bool:
        return self.role in EDITORS

    @property
    def can_confirm(self) -> bool:
        return self.role in CONFIRMERS

    @property
    def scope_label(self) -> str:
        parts = [p for p in (self.school, self.district, self.province) if p]
        return ", ".join(parts) if parts else "Toàn hệ thống"


def hash_password(password: str) -> str:
    if len(password) < 12:
        raise ReviewError("password too short", hint="use at least 12 characters")
    return _hasher.hash(password)


def check_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def dummy_check(password: str) -> None:
    """Spend the time of a real check for unknown users (no user enumeration by timing)."""
    check_password(_DUMMY_HASH, password)


_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def same_token(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))
