"""The batch summary a department head reads, in Vietnamese, and terminal progress."""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping

FATES_VI = {
    "accepted": "đã nhận để xử lý",
    "quarantined": "cách ly (không xử lý được)",
    "duplicate": "trùng lặp (bỏ qua)",
    "skipped": "bỏ qua",
}
STATUS_VI = {
    "auto_approved": "tự động duyệt",
    "needs_review": "chuyển cán bộ kiểm tra",
    "rejected": "từ chối",
}
REASONS_VI = {
    "LOW_CONFIDENCE": "chữ đọc không chắc chắn",
    "READS_DISAGREE": "hai lần đọc khác nhau",
    "UNPARSEABLE": "sai định dạng",
    "OUT_OF_VOCABULARY": "giá trị ngoài danh mục",
    "MISSING_FIELD": "thiếu trường bắt buộc",
    "YEAR_AVG_MISMATCH": "điểm cả năm không khớp công thức",
    "OVERALL_AVG_MISMATCH": "điểm TB các môn không khớp",
    "ACADEMIC_MISMATCH": "học lực không khớp điểm",
    "IDENTITY_NOT_FOUND": "không tìm thấy trong CSDL dân cư",
    "IDENTITY_AMBIGUOUS": "nhiều người trùng khớp trong CSDL dân cư",
    "IDENTITY_CONFLICT": "số định danh in trên học bạ thuộc người khác",
    "REGISTRY_MISMATCH": "thông tin khác với CSDL dân cư",
    "ROW_NOT_FOUND": "không đọc được tên dòng trong bảng",
    "ROW_NAMED_BY_FORM": "tên môn đọc sai, xác định theo mẫu in",
    "PAGES_DISAGREE": "tên trường khác nhau giữa các trang",
    "COMMENTS_DISAGREE": "một lời nhận xét đọc với dấu khác nhau ở các ô",
    "COLUMN_NOT_FOUND": "không xác định được cột của bảng",
    "SUBJECT_MISSING": "thiếu môn học bắt buộc",
    "HANDWRITTEN": "giá trị viết tay",
    "ACADEMIC_RULE_UNCERTAIN": "học lực cần xác nhận cách điều chỉnh",
    "DECISION_INCONSISTENT": "quyết định lên lớp không khớp kết quả",
    "SCORE_RANGE": "điểm ngoài thang 0-10",
    "ASSESSMENT_KIND": "sai hình thức đánh giá",
    "VOCABULARY": "giá trị ngoài danh mục",
    "ADDRESS_PROVINCE_UNKNOWN": "tỉnh/thành trong địa chỉ không rõ",
    "PLACE_NAME_NEAR_KNOWN": "địa danh gần một địa danh trong dữ liệu dân cư",
    "SURNAME_NEAR_KNOWN": "họ gần một họ thường gặp nhưng không phải họ",
    "NAME_INCOMPLETE": "tên người chỉ có một chữ",
    "NAME_WORD_UNLIKELY": "một chữ trong tên không thể là tiếng Việt",
    "AWARD_NEAR_KNOWN": "khen thưởng gần một danh hiệu nhưng không trùng",
    "SURNAME_MARKS_LOST": "họ đọc mất dấu, đã đề xuất họ đủ dấu",
    "AUDIT_SAMPLE": "mẫu kiểm tra ngẫu nhiên",
}


def format_summary(
    summary: Mapping[str, object], issued: int | None = None, loaded: int | None = None
) -> str:
    files = _counts(summary.get("files"))
    review = _counts(summary.get("review"))
    extractions = _counts(summary.get("extractions"))
    lines = [
        f"TỔNG KẾT LÔ {summary.get('batch_id')}  (batch summary)",
        f"  Tệp nhận được (files received):          {sum(files.values())}",
    ]
    lines += [f"    - {FATES_VI.get(k, k)}: {v}" for k, v in sorted(files.items())]
    quarantine = _counts(summary.get("quarantine_reasons"))
    if quarantine:
        lines.append("  Lý do cách ly (quarantine reasons):")
        lines += [f"    - {k}: {v}" for k, v in quarantine.items()]
    lines.append(f"  Học bạ đã đọc (booklets extracted):      {sum(extractions.values())}")
    lines += [f"    - {STATUS_VI.get(k, k)}: {v}" for k, v in sorted(extractions.items())]
    if review:
        lines.append(
            "  Hàng đợi kiểm tra (review queue): "
            + ", ".join(f"{k}: {v}" for k, v in review.items())
        )
    reasons = _counts(summary.get("top_review_reasons"))
    if reasons:
        lines.append("  Lý do chuyển kiểm tra hàng đầu (top review reasons):")
        lines += [f"    - {REASONS_VI.get(k, k)} [{k}]: {v}" for k, v in list(reasons.items())[:8]]
    if issued is not None:
        lines.append(f"  Đã ký số (signed PDF/A-3b):              {issued}")
    if loaded is not None:
        lines.append(f"  Đã nạp vào CSDL ngành (loaded):          {loaded}")
    lines.append(f"  Báo cáo kiểm tra (check reports):        {summary.get('reports_dir')}")
    lines.append(f"  Kho tệp (object store):                  {summary.get('objects')}")
    return "\n".join(lines)


def _counts(value: object) -> dict[str, int]:
    if isinstance(value, Mapping):
        return {str(k): int(v) for k, v in value.items()}
    if isinstance(value, list):
        return {str(k): int(v) for k, v in value}
    return {}


class Progress:
    """Booklets done / total, rate and ETA on a terminal; silent when output is a log."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.start = time.monotonic()
        self.tty = sys.stderr.isatty()

    def __call__(self, done: int, total: int) -> None:
        if not self.tty:
            return
        elapsed = max(time.monotonic() - self.start, 1e-6)
        rate = done / elapsed
        eta = (total - done) / rate if rate else 0
        sys.stderr.write(f"\r{self.label}: {done}/{total}  {rate * 60:.1f}/phút  còn ~{eta:.0f}s ")
        if done == total:
            sys.stderr.write("\n")
        sys.stderr.flush()
