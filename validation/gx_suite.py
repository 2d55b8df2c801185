"""The Great Expectations suite over a batch of booklets: the only module importing GX.

Records become pandas frames (one row per student, year page, subject result) carrying
document_id and the row's JSON path; every unexpected row becomes a Finding on that path.
GX is imported lazily and its ephemeral context built once per process (~5 s import).
"""

from __future__ import annotations

import html
import json
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from domain import vocab
from domain.record import TranscriptRecord
from validation.report import Finding, Severity

log = logging.getLogger(__name__)

INDEX_COLUMNS = ["document_id", "field"]
RESULT_FORMAT = {"result_format": "COMPLETE", "unexpected_index_column_names": INDEX_COLUMNS}
SCORE_TERMS = ("hk1", "hk2", "year", "retest")


@dataclass(frozen=True)
class Check:
    """One expectation: its GX class name, arguments, and the finding an unexpected row gives."""

    expectation: str
    kwargs: dict[str, Any]
    path: str  # appended to the row's JSON path
    code: str
    message: str  # {value} is replaced by the unexpected value
    severity: Severity = "error"


def _between(column: str, low: float, high: float, code: str, message: str) -> Check:
    kwargs = {"column": column, "min_value": low, "max_value": high}
    return Check("ExpectColumnValuesToBeBetween", kwargs, column, code, message)


def _in_set(column: str, values: Sequence[str], code: str, message: str) -> Check:
    return Check(
        "ExpectColumnValuesToBeInSet",
        {"column": column, "value_set": list(values)},
        column,
        code,
        message,
    )


def _not_null(column: str, message: str) -> Check:
    return Check(
        "ExpectColumnValuesToNotBeNull", {"column": column}, column, "MISSING_FIELD", message
    )


def _regex(column: str, pattern: str, code: str, message: str) -> Check:
    return Check(
        "ExpectColumnValuesToMatchRegex",
        {"column": column, "regex": pattern},
        column,
        code,
        message,
    )


_SCORE_MSG = "Điểm {value} nằm ngoài thang 0-10."
_DECISIONS = {"thcs": vocab.THCS_DECISIONS, "th": vocab.TH_DECISIONS}

SUITES: dict[str, list[Check]] = {
    "students": [
        _not_null("full_name", "Thiếu họ và tên học sinh."),
        _not_null("gender", "Thiếu giới tính."),
        _not_null("date_of_birth", "Thiếu ngày sinh."),
        _in_set("gender", ("Nam", "Nữ"), "VOCABULARY", "Giới tính '{value}' không hợp lệ."),
        _regex(
            "date_of_birth",
            r"^\d{4}-\d{2}-\d{2}$",
            "DATE_FORMAT",
            "Ngày sinh '{value}' không đúng dạng ngày.",
        ),
        _regex("personal_id", r"^\d{12}$", "ID_FORMAT", "Số định danh phải gồm đúng 12 chữ số."),
    ],
    "thcs_years": [
        _regex("school_year", r"^\d{4}-\d{4}$", "YEAR_SEQUENCE", "Năm học '{value}' sai dạng."),
        _between("grade", 6, 9, "GRADE_NOT_IN_FAMILY", "Lớp {value} không thuộc cấp THCS."),
        *(_between(f"average_all.{t}", 0, 10, "SCORE_RANGE", _SCORE_MSG) for t in SCORE_TERMS[:3]),
        *(
            _in_set(
                f"conduct.{t}", vocab.CONDUCT, "VOCABULARY", "Hạnh kiểm '{value}' không hợp lệ."
            )
            for t in SCORE_TERMS[:3]
        ),
        *(
            _in_set(
                f"academic.{t}", vocab.ACADEMIC, "VOCABULARY", "Học lực '{value}' không hợp lệ."
            )
            for t in SCORE_TERMS[:3]
        ),
        _in_set(
            "decision", vocab.THCS_DECISIONS, "VOCABULARY", "Quyết định '{value}' không hợp lệ."
        ),
    ],
    "th_years": [
        _regex("school_year", r"^\d{4}-\d{4}$", "YEAR_SEQUENCE", "Năm học '{value}' sai dạng."),
        _between("grade", 1, 5, "GRADE_NOT_IN_FAMILY", "Lớp {value} không thuộc cấp tiểu học."),
        _in_set(
            "decision", vocab.TH_DECISIONS, "VOCABULARY", "Dòng hoàn thành '{value}' không hợp lệ."
        ),
    ],
    "thcs_subjects": [
        _in_set(
            "name",
            [s.name for s in vocab.THCS_SUBJECTS],
            "SUBJECT_UNKNOWN",
            "Môn '{value}' không có trong danh mục THCS.",
        ),
        *(_between(t, 0, 10, "SCORE_RANGE", _SCORE_MSG) for t in SCORE_TERMS),
        Check(
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": ["document_id", "page", "name"]},
            "name",
            "SUBJECT_DUPLICATE",
            "Môn {value} xuất hiện hai lần.",
        ),
    ],
    "th_subjects": [
        _in_set(
            "name",
            [s.name for s in vocab.TH_SUBJECTS],
            "SUBJECT_UNKNOWN",
            "Môn '{value}' không có trong danh mục tiểu học.",
        ),
        _between("test_score", 1, 10, "TEST_SCORE_RANGE", "Điểm KTĐK {value} phải từ 1 đến 10."),
        _in_set("level", vocab.TH_LEVELS_TT22, "VOCABULARY", "Mức '{value}' không hợp lệ."),
    ],
}


# --- frames ----------------------------------------------------------------------------------


def build_frames(records: Sequence[TranscriptRecord]) -> dict[str, pd.DataFrame]:
    """One frame per suite; scores that are not numbers (Đ/CĐ) are NaN in score columns."""
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in SUITES}
    for record in records:
        prefix = "thcs" if record.family == "THCS-2011" else "th"
        rows["students"].append(_student_row(record))
        for i, page in enumerate(record.years):
            rows[f"{prefix}_years"].append(_year_row(record.document_id, i, page))
            for j, subject in enumerate(page.subjects):
                row = {
                    "document_id": record.document_id,
                    "field": f"years[{i}].subjects[{j}]",
                    "page": i,
                    **subject.model_dump(),
                }
                for term in SCORE_TERMS:
                    row[term] = _number(row[term])
                rows[f"{prefix}_subjects"].append(row)
    return {name: pd.DataFrame(r) for name, r in rows.items() if r}


def _student_row(record: TranscriptRecord) -> dict[str, Any]:
    return {"document_id": record.document_id, "field": "student", **record.student.model_dump()}


def _year_row(document_id: str, index: int, page: Any) -> dict[str, Any]:
    row: dict[str, Any] = {"document_id": document_id, "field": f"years[{index}]"}
    for name in ("school_year", "grade", "class_name", "regulation", "absences", "decision"):
        row[name] = getattr(page, name)
    for table in ("average_all", "conduct", "academic"):
        triple = getattr(page, table)
        for term in SCORE_TERMS[:3]:
            value = getattr(triple, term) if triple is not None else None
            row[f"{table}.{term}"] = _number(value) if table == "average_all" else value
    return row


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


# --- running ---------------------------------------------------------------------------------


@dataclass
class _Gx:
    definitions: dict[str, Any]  # suite name -> ValidationDefinition


_STATE: _Gx | None = None


def _gx() -> _Gx:
    """The process-wide ephemeral context with one suite + validation definition per frame."""
    global _STATE
    if _STATE is None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        source = context.data_sources.add_pandas("hocba")
        definitions = {}
        for name, checks in SUITES.items():
            batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe(name)
            suite = context.suites.add(gx.ExpectationSuite(name=f"hocba_{name}"))
            for index, check in enumerate(checks):
                cls: Callable[..., Any] = getattr(gx.expectations, check.expectation)
                suite.add_expectation(cls(**check.kwargs, meta={"check": index}))
            definition = gx.ValidationDefinition(name=f"hocba_{name}", data=batch, suite=suite)
            definitions[name] = context.validation_definitions.add(definition)
        _STATE = _Gx(definitions)
    return _STATE


def run_gx_checks(
    records: Sequence[TranscriptRecord], *, report_dir: Path | None = None
) -> list[Finding]:
    """Run every suite on the batch; unexpected rows and broken expectations become findings."""
    state = _gx()
    findings: list[Finding] = []
    described: dict[str, Any] = {}
    for name, frame in build_frames(records).items():
        result = state.definitions[name].run(
            batch_parameters={"dataframe": frame}, result_format=RESULT_FORMAT
        )
        described[name] = result.describe_dict()
        for item in result.results:
            findings.extend(_findings_of(name, item, frame))
    if report_dir is not None:
        _write_report(report_dir, described, findings)
    return findings


def _findings_of(suite: str, item: Any, frame: pd.DataFrame) -> Iterator[Finding]:
    check = SUITES[suite][int(item.expectation_config.meta["check"])]
    error = _exception_message(item.exception_info)
    if error is not None:
        # A check that could not run proves nothing: every booklet of the batch goes to a person.
        log.error("GX expectation %s on %s failed to run: %s", check.expectation, suite, error)
        message = f"Không chạy được kiểm tra tự động {check.code} ({suite}); cần kiểm tra tay."
        for document_id in frame["document_id"].unique():
            yield Finding(str(document_id), "", "GX_CHECK_ERROR", message, "error", "gx")
        return
    if item.success:
        return
    for entry in item.result.get("unexpected_index_list") or []:
        value = entry.get(check.path, entry.get(check.kwargs.get("column", ""), ""))
        where = f"{entry['field']}.{check.path}" if entry["field"] else check.path
        message = check.message.format(value=value)
        yield Finding(str(entry["document_id"]), where, check.code, message, check.severity, "gx")


def _exception_message(info: Any) -> str | None:
    """GX reports a crashed metric in exception_info (flat, or keyed per metric) without raising."""
    if not info:
        return None
    entries = [info] if "raised_exception" in info else list(info.values())
    for entry in entries:
        if isinstance(entry, dict) and entry.get("raised_exception"):
            return str(entry.get("exception_message") or "unknown error")
    return None


def _write_report(report_dir: Path, described: dict[str, Any], findings: list[Finding]) -> None:
    """The raw GX results as JSON plus one self-contained HTML page (no scripts, no links)."""
    report_dir.mkdir(parents=True, exist_ok=True)
    (report_dir / "gx_results.json").write_text(
        json.dumps(described, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
    )
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in cells) + "</tr>"
        for cells in _summary_rows(described)
    )
    found = "".join(
        f"<tr><td>{html.escape(f.document_id)}</td><td>{html.escape(f.field)}</td>"
        f"<td>{f.code}</td><td>{html.escape(f.message)}</td></tr>"
        for f in findings
    )
    page = _HTML.format(rows=rows, found=found, count=len(findings))
    (report_dir / "gx_report.html").write_text(page, encoding="utf-8")


def _summary_rows(described: dict[str, Any]) -> Iterator[tuple[object, ...]]:
    for suite, result in described.items():
        for exp in result.get("expectations", []):
            column = exp.get("kwargs", {}).get("column", exp.get("kwargs", {}).get("column_list"))
            unexpected = exp.get("result", {}).get("unexpected_count", "")
            yield suite, exp.get("expectation_type"), column, exp.get("success"), unexpected


_HTML = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>Kiểm tra dữ liệu học bạ</title>
<style>body{{font-family:sans-serif}}table{{border-collapse:collapse}}
td,th{{border:1px solid #999;padding:2px 6px}}</style></head><body>
<h1>Kết quả kiểm tra (Great Expectations)</h1>
<table><tr><th>Bảng</th><th>Kiểm tra</th><th>Cột</th><th>Đạt</th><th>Số dòng lỗi</th></tr>
{rows}</table>
<h2>Các lỗi ({count})</h2>
<table><tr><th>Hồ sơ</th><th>Trường</th><th>Mã</th><th>Mô tả</th></tr>{found}</table>
</body></html>
"""
