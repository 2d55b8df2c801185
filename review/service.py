"""What a steward or supervisor does, each as one transaction with its audit row.

The web layer calls these; a booklet outside the account's scope raises NotFound (-> 404).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.errors import HocbaError
from domain.record import FieldReading, TranscriptRecord
from pipelines.registry_store import link_candidates
from review import store
from review.booklet import (
    FieldView,
    apply_edit,
    current_findings,
    field_views,
    is_sensitive,
    parse_value,
    relink,
)
from review.db import Conn, Pool, append_audit
from review.security import Account, ReviewError
from validation.linking import link_queries
from validation.report import Finding


class NotFound(HocbaError):
    """No such booklet in the account's scope (shown as 404, never as 403)."""

    code = "NOT_FOUND"


@dataclass
class Booklet:
    item: dict[str, Any]
    record: TranscriptRecord
    findings: list[Finding]
    fields: list[FieldView]
    readings: list[FieldReading]
    edits: list[dict[str, Any]]
    candidates: list[dict[str, Any]]
    awaiting: list[dict[str, Any]]
    mine: bool  # claimed by this account: it may edit and decide

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def sensitive_edits(self) -> int:
        return sum(1 for e in self.edits if e["sensitive"])


def _load(conn: Conn, account: Account, document_id: str) -> Booklet:
    row = store.item(conn, account, document_id)
    if row is None:
        raise NotFound(f"no booklet {document_id!r} in scope", hint="check the link")
    extracted = TranscriptRecord.from_contract(row["extracted"])
    record = TranscriptRecord.from_contract(row["draft"] or row["extracted"])
    edits = store.edits(conn, document_id)
    findings = current_findings(record, extracted, {e["field"] for e in edits})
    readings = [FieldReading.model_validate(r) for r in row["readings"] or []]
    doc = record.to_contract()
    pids = list(dict.fromkeys([*record.identity_link.candidates, record.identity_link.personal_id]))
    return Booklet(
        item=row,
        record=record,
        findings=findings,
        fields=field_views(doc, findings, readings),
        readings=readings,
        edits=edits,
        candidates=store.registry_rows(conn, [str(p) for p in pids if p]),
        awaiting=store.awaiting(conn, account, document_id),
        mine=row["status"] == "claimed" and row["claimed_by"] == account.username,
    )


def open_booklet(pool: Pool, account: Account, document_id: str) -> Booklet:
    """Show a booklet (a view of personal data: audited); an editor claims it if it is free."""
    with pool.tx() as conn:
        if store.item(conn, account, document_id) is None:
            raise NotFound(f"no booklet {document_id!r} in scope", hint="check the link")
        if account.can_edit and store.claim(conn, account, document_id):
            append_audit(conn, account.username, "claim", document_id)
        append_audit(conn, account.username, "view", document_id)
        return _load(conn, account, document_id)


def peek(pool: Pool, account: Account, document_id: str, what: dict[str, Any]) -> Booklet:
    """Load for an image of the booklet (a page or a field crop); the view is audited."""
    with pool.tx() as conn:
        booklet = _load(conn, account, document_id)
        append_audit(conn, account.username, "view_image", document_id, detail=what)
        return booklet


def _editable(conn: Conn, account: Account, document_id: str) -> Booklet:
    booklet = _load(conn, account, document_id)
    if not account.can_edit or not booklet.mine:
        raise ReviewError("Học bạ này không do bạn đang xử lý.", hint="open it from the queue")
    if booklet.awaiting:  # what the supervisor confirms must not change underneath
        raise ReviewError("Học bạ đang chờ giám sát xác nhận.")
    return booklet


def edit_field(pool: Pool, account: Account, document_id: str, path: str, raw: str) -> None:
    """Set one field in the draft (re-linking after an identity edit); audited with before/after."""
    with pool.tx() as conn:
        booklet = _editable(conn, account, document_id)
        value = parse_value(path, raw)
        doc, before = apply_edit(booklet.record.to_contract(), path, value)
        record = TranscriptRecord.from_contract(doc)
        if path.startswith("student."):
            queries = link_queries([record.student])  # the pipeline's candidate search
            record = relink(record, link_candidates(conn, queries))
        store.save_draft(conn, account, document_id, record.to_contract())
        sensitive = is_sensitive(path)
        store.add_edit(conn, account, document_id, path, before, value, sensitive=sensitive)
        append_audit(conn, account.username, "edit", document_id,
                     detail={"field": path, "sensitive": sensitive}, before=before, after=value)  # fmt: skip


def choose_candidate(pool: Pool, account: Account, document_id: str, personal_id: str) -> None:
    """Link the booklet to a registry person the steward picked (needs four eyes later)."""
    with pool.tx() as conn:
        booklet = _editable(conn, account, document_id)
        if personal_id not in {c["personal_id"] for c in booklet.candidates}:
            raise ReviewError("Người này không nằm trong danh sách ứng viên.")
        before = booklet.record.identity_link.model_dump(mode="json")
        after = {**before, "status": "linked", "personal_id": personal_id}
        doc = {**booklet.record.to_contract(), "identity_link": after}
        store.save_draft(
            conn, account, document_id, TranscriptRecord.from_contract(doc).to_contract()
        )
        store.add_edit(conn, account, document_id, "identity_link", before, after, sensitive=True)
        append_audit(conn, account.username, "link_choice", document_id,
                     detail={"field": "identity_link"}, before=before, after=after)  # fmt: skip


def decide(
    pool: Pool, account: Account, document_id: str, action: str, reason: str = "",
    *, as_printed: bool = False,
) -> str:  # fmt: skip
    """Approve or reject; returns 'final' or 'awaiting' (a supervisor must confirm).

    Rejections, identity or link changes, and approvals over remaining errors (the steward
    says the paper really reads so) all need a second person.
    """
    with pool.tx() as conn:
        booklet = _editable(conn, account, document_id)
        if action == "approve":
            _check_approvable(booklet, as_printed)
        elif action != "reject" or not reason.strip():
            raise ReviewError("Cần ghi lý do từ chối.")
        needs = action == "reject" or booklet.sensitive_edits > 0 or bool(booklet.blocking)
        store.add_decision(
            conn, account, document_id, action, reason.strip() or None,
            awaiting=needs, edit_count=len(booklet.edits), is_audit=bool(booklet.item["is_audit"]),
        )  # fmt: skip
        state = "awaiting" if needs else "final"
        append_audit(conn, account.username, action, document_id,
                     detail={"state": state, "reason": reason.strip(), "as_printed": as_printed,
                             "open_errors": [f.code for f in booklet.blocking]})  # fmt: skip
        return state


def _check_approvable(booklet: Booklet, as_printed: bool) -> None:
    if booklet.record.identity_link.status != "linked":
        raise ReviewError("Chưa chọn học sinh trong dữ liệu dân cư: chưa duyệt được.")
    if booklet.blocking and not as_printed:
        raise ReviewError(
            "Còn lỗi chưa xử lý. Sửa các trường được đánh dấu, hoặc đánh dấu «bản gốc ghi đúng"
            " như vậy» để giám sát xác nhận."
        )


def send_back(pool: Pool, account: Account, document_id: str) -> None:
    """Give the booklet back to the shared queue (another steward may take it). A supervisor
    may also release someone else's claim (a colleague away), never a decision awaiting."""
    with pool.tx() as conn:
        booklet = _load(conn, account, document_id)
        if not may_release(account, booklet):
            raise ReviewError(
                "Không trả lại được học bạ này.", hint="only its holder or a supervisor"
            )
        store.release(conn, document_id)
        append_audit(conn, account.username, "send_back", document_id,
                     detail={"holder": booklet.item["claimed_by"]})  # fmt: skip


def may_release(account: Account, booklet: Booklet) -> bool:
    if booklet.awaiting or booklet.item["status"] != "claimed" or not account.can_edit:
        return False
    return booklet.mine or account.can_confirm


def confirm(pool: Pool, account: Account, decision_id: int, accept: bool) -> str:
    """A supervisor confirms or refuses another person's decision; returns its booklet id."""
    if not account.can_confirm:
        raise ReviewError("Chỉ giám sát viên được xác nhận.", hint="ask a supervisor")
    with pool.tx() as conn:
        in_scope = {d["decision_id"] for d in store.awaiting(conn, account)}
        document_id = (
            store.close_decision(conn, account, decision_id, accept)
            if decision_id in in_scope
            else None
        )
        if document_id is None:
            raise NotFound("no such awaiting decision in scope", hint="reload the list")
        append_audit(conn, account.username, "confirm" if accept else "refuse", document_id,
                     detail={"decision_id": decision_id})  # fmt: skip
        return document_id
