"""Domain rules over one booklet (domain.md §2, forms.md): pure functions, findings as data.

Each rule reads the record only; nothing here talks to OCR, the registry or a database.
Arithmetic is done in Decimal so that half-up rounding at .x5 edges is exact (7.25 -> 7.3).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from domain import vocab
from domain.record import SubjectResult, TranscriptRecord, YearPage
from validation.idnumber import check_personal_id
from validation.report import Finding, Severity

TERMS = ("hk1", "hk2", "year")
TOLERANCE = Decimal("0.1")
MAX_ABSENCES = 45  # buổi nghỉ: more means ở lại lớp (TT58 Điều 14)
AGE_SLACK = 2
REPEAT_DECISIONS = ("Ở lại lớp",)
_TERM_LABEL = {"hk1": "học kỳ I", "hk2": "học kỳ II", "year": "cả năm"}
_ONE_DECIMAL = Decimal("0.1")
_REQUIRED_IDENTITY = {"full_name": "họ và tên", "gender": "giới tính", "date_of_birth": "ngày sinh"}

Issue = tuple[str, str, str, Severity]  # (field path, code, message, severity)


def check_record(record: TranscriptRecord) -> list[Finding]:
    """Every domain rule of the record's family, as findings (empty when all hold)."""
    issues = [*_identity_issues(record), *_sequence_issues(record)]
    for i, page in enumerate(record.years):
        issues.extend(_page_issues(record, page, f"years[{i}]"))
    return [Finding(record.document_id, f, c, m, s, "rule") for f, c, m, s in issues]


# --- numbers -----------------------------------------------------------------------------


def round_half_up1(value: Decimal) -> Decimal:
    return value.quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)


def year_average(hk1: Decimal, hk2: Decimal) -> Decimal:
    """ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3, one decimal, half up (domain.md §1.5)."""
    return round_half_up1((hk1 + 2 * hk2) / 3)


def as_decimal(value: object) -> Decimal | None:
    """A score as an exact Decimal (via its shortest repr, so 7.3 stays 7.3); None if no number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except InvalidOperation:
        return None


# --- học lực (TT58 Điều 13) ---------------------------------------------------------------

RANKS = ("Giỏi", "Khá", "Trung bình", "Yếu", "Kém")
# rank -> (minimum average, minimum key subject, minimum of every subject)
_THRESHOLDS = {
    "Giỏi": (Decimal("8.0"), Decimal("8.0"), Decimal("6.5")),
    "Khá": (Decimal("6.5"), Decimal("6.5"), Decimal("5.0")),
    "Trung bình": (Decimal("5.0"), Decimal("5.0"), Decimal("3.5")),
    "Yếu": (Decimal("3.5"), Decimal("0"), Decimal("2.0")),
}
# khoản 6: (rank the average reaches, rank after one subject pulls it down) -> adjusted rank
_ADJUSTMENTS = {
    ("Giỏi", "Trung bình"): "Khá",
    ("Giỏi", "Yếu"): "Trung bình",
    ("Khá", "Yếu"): "Trung bình",
    ("Khá", "Kém"): "Yếu",
}


def key_subjects(regulation: str | None) -> tuple[str, ...]:
    """Toán and Ngữ văn; TT26/2020 adds Ngoại ngữ from 2020-21."""
    if regulation == "TT58+TT26":
        return ("Toán", "Ngữ văn", "Ngoại ngữ")
    return ("Toán", "Ngữ văn")


def academic_rank(
    average: Decimal,
    scores: dict[str, Decimal],
    comment_marks: list[str],
    keys: tuple[str, ...],
    *,
    cd_can_be_adjusted: bool = True,
    key_must_hold: bool = True,
) -> str:
    """Học lực from the term average, the scored subjects and the Đ/CĐ marks (TT58 + khoản 6).

    Khoản 6 ("do kết quả của một môn học nào đó") is read several ways by school software:
    whether a single CĐ comment subject qualifies (cd_can_be_adjusted), and whether the
    Toán/Ngữ văn condition must hold unless the one low subject is itself a key subject
    (key_must_hold). Checks accept every reading.
    """
    strict = _strict_rank(average, scores, comment_marks, keys)
    by_average = next((r for r in RANKS[:4] if average >= _THRESHOLDS[r][0]), "Kém")
    adjusted = _ADJUSTMENTS.get((by_average, strict))
    if adjusted is None or not (cd_can_be_adjusted or all(m == "Đ" for m in comment_marks)):
        return strict
    culprits = _culprits(by_average, scores, comment_marks)
    key_ok = _best_key(scores, keys) >= _THRESHOLDS[by_average][1]
    if len(culprits) != 1 or (key_must_hold and not key_ok and culprits[0] not in keys):
        return strict
    return adjusted


def _strict_rank(
    average: Decimal, scores: dict[str, Decimal], marks: list[str], keys: tuple[str, ...]
) -> str:
    lowest = min(scores.values(), default=Decimal(10))
    best_key = _best_key(scores, keys)
    for rank in RANKS[:4]:
        min_avg, min_key, min_all = _THRESHOLDS[rank]
        marks_ok = rank == "Yếu" or all(m == "Đ" for m in marks)
        if average >= min_avg and best_key >= min_key and lowest >= min_all and marks_ok:
            return rank
    return "Kém"


def _culprits(rank: str, scores: dict[str, Decimal], marks: list[str]) -> list[str]:
    """Subjects below the rank's floor for every subject, and CĐ marks."""
    floor = _THRESHOLDS[rank][2]
    return [n for n, v in scores.items() if v < floor] + ["CĐ" for m in marks if m != "Đ"]


def _best_key(scores: dict[str, Decimal], keys: tuple[str, ...]) -> Decimal:
    return max((scores[k] for k in keys if k in scores), default=Decimal(0))


# --- identity and booklet ------------------------------------------------------------------


def _identity_issues(record: TranscriptRecord) -> Iterator[Issue]:
    student = record.student
    for name, label in _REQUIRED_IDENTITY.items():
        if not getattr(student, name):
            yield f"student.{name}", "MISSING_FIELD", f"Thiếu {label} của học sinh.", "error"
    dob = student.date_of_birth
    if dob and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", dob):
        yield "student.date_of_birth", "DATE_FORMAT", "Ngày sinh không đúng dạng ngày.", "error"
    if student.personal_id:
        problems = check_personal_id(student.personal_id, date_of_birth=dob, gender=student.gender)
        for code, message in problems:
            yield "student.personal_id", code, message, "error"
    if not record.years:
        yield "years", "NO_YEAR_PAGES", "Không đọc được trang năm học nào trong học bạ.", "error"


def _start_year(page: YearPage) -> int | None:
    sy = page.school_year
    return int(sy[:4]) if sy and re.fullmatch(r"\d{4}-\d{4}", sy) else None


def _sequence_issues(record: TranscriptRecord) -> Iterator[Issue]:
    """Consecutive school years; one grade up each year unless the previous page says repeat."""
    for i in range(1, len(record.years)):
        prev, page = record.years[i - 1], record.years[i]
        y0, y1 = _start_year(prev), _start_year(page)
        if y0 is not None and y1 is not None and y1 != y0 + 1:
            msg = f"Năm học {page.school_year} không nối tiếp năm học {prev.school_year}."
            yield f"years[{i}].school_year", "YEAR_SEQUENCE", msg, "error"
        if prev.grade is None or page.grade is None:
            continue
        allowed = {prev.grade + 1}
        if prev.decision in REPEAT_DECISIONS:
            allowed = {prev.grade}
        elif (prev.decision or "").startswith("Chưa hoàn thành"):
            allowed.add(prev.grade)  # primary: the principal may still promote after remediation
        if page.grade not in allowed:
            msg = f"Lớp {page.grade} không phù hợp sau lớp {prev.grade} ({prev.decision or '—'})."
            yield f"years[{i}].grade", "YEAR_SEQUENCE", msg, "error"


# --- one year page --------------------------------------------------------------------------


def _page_issues(record: TranscriptRecord, page: YearPage, path: str) -> Iterator[Issue]:
    yield from _header_issues(record, page, path)
    yield from _subject_set_issues(record.family, page, path)
    if record.family == "THCS-2011":
        yield from _thcs_issues(page, path)
    else:
        yield from _th_issues(page, path)


def _header_issues(record: TranscriptRecord, page: YearPage, path: str) -> Iterator[Issue]:
    family = record.family
    if page.school_year is None:
        yield f"{path}.school_year", "MISSING_FIELD", "Thiếu năm học.", "error"
    elif (start := _start_year(page)) is None or int(page.school_year[5:]) != start + 1:
        msg = f"Năm học '{page.school_year}' phải có dạng YYYY-YYYY, hai năm liên tiếp."
        yield f"{path}.school_year", "YEAR_SEQUENCE", msg, "error"
    if page.grade is None:
        yield f"{path}.grade", "MISSING_FIELD", "Thiếu khối lớp.", "error"
    elif page.grade not in vocab.GRADES_BY_FAMILY[family]:
        msg = f"Lớp {page.grade} không thuộc cấp học của mẫu học bạ {family}."
        yield f"{path}.grade", "GRADE_NOT_IN_FAMILY", msg, "error"
    yield from _class_issues(page, path)
    expected = vocab.regulation_for(family, page.school_year, page.grade)
    if page.school_year and page.grade and page.regulation != expected:
        msg = (
            f"Văn bản đánh giá ghi {page.regulation or '—'} nhưng năm học và lớp này áp dụng "
            f"{expected or 'văn bản ngoài phạm vi v1'}."
        )
        yield f"{path}.regulation", "REGULATION_MISMATCH", msg, "error"
    yield from _age_issues(record, page, path)


def _class_issues(page: YearPage, path: str) -> Iterator[Issue]:
    if page.class_name is None:
        yield f"{path}.class_name", "MISSING_FIELD", "Thiếu tên lớp.", "warning"
        return
    match = re.match(r"\d+", page.class_name)
    if page.grade is not None and (match is None or int(match.group()) != page.grade):
        msg = f"Tên lớp '{page.class_name}' không bắt đầu bằng khối {page.grade}."
        yield f"{path}.class_name", "CLASS_GRADE_MISMATCH", msg, "error"


def _age_issues(record: TranscriptRecord, page: YearPage, path: str) -> Iterator[Issue]:
    dob, start = record.student.date_of_birth, _start_year(page)
    if not dob or not re.match(r"\d{4}", dob) or start is None or page.grade is None:
        return
    age = start - int(dob[:4])
    if abs(age - (page.grade + 5)) > AGE_SLACK:
        msg = f"Học sinh {age} tuổi học lớp {page.grade} (thông thường {page.grade + 5} tuổi)."
        yield f"{path}.grade", "AGE_GRADE", msg, "warning"


def _subject_set_issues(family: str, page: YearPage, path: str) -> Iterator[Issue]:
    seen: set[str] = set()
    for j, subject in enumerate(page.subjects):
        spec = vocab.subject_by_name(family, subject.name)
        where = f"{path}.subjects[{j}].name"
        if spec is None:
            msg = f"Môn '{subject.name}' không có trong danh mục môn của mẫu học bạ này."
            yield where, "SUBJECT_UNKNOWN", msg, "error"
        elif page.grade is not None and page.grade not in spec.grades:
            msg = f"Môn {subject.name} không được dạy ở lớp {page.grade}."
            yield where, "SUBJECT_NOT_IN_GRADE", msg, "error"
        if subject.name in seen:
            yield where, "SUBJECT_DUPLICATE", f"Môn {subject.name} xuất hiện hai lần.", "error"
        seen.add(subject.name)
    if page.grade in vocab.GRADES_BY_FAMILY[family]:
        for spec in vocab.subjects_for(family, page.grade):
            if not spec.optional and spec.name not in seen:
                msg = f"Không thấy dòng môn {spec.name} của lớp {page.grade}."
                yield f"{path}.subjects", "SUBJECT_MISSING", msg, "warning"


# --- THCS-2011 ------------------------------------------------------------------------------


def _thcs_issues(page: YearPage, path: str) -> Iterator[Issue]:
    for j, subject in enumerate(page.subjects):
        yield from _thcs_subject_issues(subject, f"{path}.subjects[{j}]")
    yield from _overall_issues(page, path)
    yield from _rating_issues(page, path)
    yield from _academic_issues(page, path)
    yield from _decision_issues(page, path)
    yield from _award_issues(page, path)


def _is_comment_subject(name: str) -> bool:
    spec = vocab.subject_by_name("THCS-2011", name)
    return spec is not None and spec.assessed_by == "comment"


def _thcs_subject_issues(subject: SubjectResult, path: str) -> Iterator[Issue]:
    comment = _is_comment_subject(subject.name)
    for term in (*TERMS, "retest"):
        value = getattr(subject, term)
        if value is not None:
            yield from _mark_issues(value, comment, f"{path}.{term}")
    if subject.level is not None or subject.test_score is not None:
        msg = "Trang THCS không có mức đạt được hay điểm KTĐK của tiểu học."
        yield path, "ASSESSMENT_KIND", msg, "error"
    scores = [as_decimal(getattr(subject, t)) for t in TERMS]
    hk1, hk2, year = scores
    if comment or hk1 is None or hk2 is None or year is None or not _all_valid(scores):
        return
    expected = year_average(hk1, hk2)
    if abs(year - expected) > TOLERANCE:
        msg = f"Điểm cả năm {year} khác (HKI + 2×HKII)/3 = {expected}."
        yield f"{path}.year", "YEAR_AVG_MISMATCH", msg, "error"


def _all_valid(scores: list[Decimal | None]) -> bool:
    return all(s is None or (0 <= s <= 10 and s == s.quantize(_ONE_DECIMAL)) for s in scores)


def _mark_issues(value: float | str, comment: bool, where: str) -> Iterator[Issue]:
    if comment:
        if value not in vocab.COMMENT_MARKS:
            msg = f"Môn đánh giá bằng nhận xét phải ghi Đ hoặc CĐ, không phải '{value}'."
            yield where, "ASSESSMENT_KIND", msg, "error"
        return
    score = as_decimal(value)
    if score is None:
        msg = f"Môn tính điểm phải ghi điểm số, không phải '{value}'."
        yield where, "ASSESSMENT_KIND", msg, "error"
    elif not 0 <= score <= 10:
        yield where, "SCORE_RANGE", f"Điểm {score} nằm ngoài thang 0-10.", "error"
    elif score != score.quantize(_ONE_DECIMAL):
        yield where, "SCORE_FORMAT", f"Điểm {score} có quá một chữ số thập phân.", "error"


def _term_scores(page: YearPage, term: str) -> dict[str, Decimal] | None:
    """Scored subjects' values for one term; None when one is missing or not a valid score."""
    scores: dict[str, Decimal] = {}
    for subject in page.subjects:
        if _is_comment_subject(subject.name):
            continue
        score = as_decimal(getattr(subject, term))
        if score is None or not _all_valid([score]):
            return None
        scores[subject.name] = score
    return scores or None


def _overall_issues(page: YearPage, path: str) -> Iterator[Issue]:
    if page.average_all is None:
        return
    for term in TERMS:
        printed = getattr(page.average_all, term)
        where = f"{path}.average_all.{term}"
        if printed is None:
            continue
        value = as_decimal(printed)
        if value is None or not _all_valid([value]):
            yield where, "SCORE_RANGE", f"Điểm TB các môn '{printed}' không hợp lệ.", "error"
            continue
        scores = _term_scores(page, term)
        if scores is None:
            continue
        expected = round_half_up1(sum(scores.values(), Decimal(0)) / len(scores))
        if abs(value - expected) > TOLERANCE:
            msg = f"Điểm TB các môn {_TERM_LABEL[term]} {value} khác trung bình các môn {expected}."
            yield where, "OVERALL_AVG_MISMATCH", msg, "error"


def _rating_issues(page: YearPage, path: str) -> Iterator[Issue]:
    for table, allowed in (("conduct", vocab.CONDUCT), ("academic", vocab.ACADEMIC)):
        triple = getattr(page, table)
        for term in TERMS:
            value = getattr(triple, term) if triple is not None else None
            if value is not None and value not in allowed:
                msg = f"Xếp loại '{value}' không thuộc danh mục ({', '.join(allowed)})."
                yield f"{path}.{table}.{term}", "VOCABULARY", msg, "error"


def _academic_issues(page: YearPage, path: str) -> Iterator[Issue]:
    if page.academic is None:
        return
    keys = key_subjects(page.regulation)
    for term in TERMS:
        printed = getattr(page.academic, term)
        scores = _term_scores(page, term)
        marks = [getattr(s, term) for s in page.subjects if _is_comment_subject(s.name)]
        if printed not in vocab.ACADEMIC or scores is None:
            continue
        if not all(m in vocab.COMMENT_MARKS for m in marks):
            continue
        average = _term_average(page, term, scores)
        readings = [
            academic_rank(
                average,
                scores,
                [str(m) for m in marks],
                keys,
                cd_can_be_adjusted=cd,
                key_must_hold=key,
            )
            for cd in (True, False)
            for key in (True, False)
        ]
        if printed not in readings:
            expected = " hoặc ".join(f"'{r}'" for r in dict.fromkeys(readings))
            label = _TERM_LABEL[term]
            msg = f"Học lực {label} ghi '{printed}' nhưng theo điểm phải là {expected}."
            yield f"{path}.academic.{term}", "ACADEMIC_MISMATCH", msg, "error"


def _term_average(page: YearPage, term: str, scores: dict[str, Decimal]) -> Decimal:
    printed = as_decimal(getattr(page.average_all, term)) if page.average_all else None
    if printed is not None and _all_valid([printed]):
        return printed
    return round_half_up1(sum(scores.values(), Decimal(0)) / len(scores))


def expected_decisions(
    grade: int, conduct: str, academic: str, absences: int | None
) -> tuple[str, ...]:
    """Decisions TT58 Điều 14-16 allow for a year's conduct, academic rank and absences."""
    repeat = "Ở lại lớp"
    weak_hl, weak_hk = academic == "Yếu", conduct == "Yếu"
    if (absences or 0) > MAX_ABSENCES or academic == "Kém" or (weak_hl and weak_hk):
        return (repeat,)
    done = "Hoàn thành chương trình THCS" if grade == 9 else "Được lên lớp"
    # grade 9 has no "sau kiểm tra lại" line: passing the retest completes the programme
    after_retest = (done,) if grade == 9 else ()
    if weak_hl:
        return ("Được lên lớp sau kiểm tra lại", repeat, *after_retest)
    if weak_hk:
        return ("Được lên lớp sau rèn luyện hè", repeat, *after_retest)
    return (done,)


def _decision_issues(page: YearPage, path: str) -> Iterator[Issue]:
    where = f"{path}.decision"
    if page.decision is None:
        return
    if page.decision not in vocab.THCS_DECISIONS:
        yield where, "VOCABULARY", f"Dòng quyết định '{page.decision}' không hợp lệ.", "error"
        return
    conduct = page.conduct.year if page.conduct else None
    academic = page.academic.year if page.academic else None
    if page.grade is None or not isinstance(conduct, str) or not isinstance(academic, str):
        return
    allowed = expected_decisions(page.grade, conduct, academic, page.absences)
    if page.decision not in allowed:
        msg = (
            f"'{page.decision}' không khớp hạnh kiểm {conduct}, học lực {academic}, "
            f"{page.absences or 0} buổi nghỉ (dự kiến: {' / '.join(allowed)})."
        )
        yield where, "DECISION_INCONSISTENT", msg, "warning"


def _award_issues(page: YearPage, path: str) -> Iterator[Issue]:
    """Học sinh giỏi = HK Tốt + HL Giỏi; tiên tiến = both at least Khá (TT58 Điều 18)."""
    conduct = page.conduct.year if page.conduct else None
    academic = page.academic.year if page.academic else None
    if page.awards not in vocab.THCS_TITLES or conduct not in vocab.CONDUCT:
        return
    if academic not in vocab.ACADEMIC:
        return
    good = conduct == "Tốt" and academic == "Giỏi"
    fair = vocab.CONDUCT.index(str(conduct)) <= 1 and vocab.ACADEMIC.index(str(academic)) <= 1
    if (page.awards == "Học sinh giỏi" and not good) or not fair:
        msg = f"Danh hiệu '{page.awards}' không khớp hạnh kiểm {conduct}, học lực {academic}."
        yield f"{path}.awards", "AWARD_INCONSISTENT", msg, "warning"


# --- TH-2014 --------------------------------------------------------------------------------


def _th_issues(page: YearPage, path: str) -> Iterator[Issue]:
    tt30 = page.regulation == "TT30"
    levels = vocab.TH_LEVELS_TT30 if tt30 else vocab.TH_LEVELS_TT22
    for j, subject in enumerate(page.subjects):
        where = f"{path}.subjects[{j}]"
        if subject.level is not None and subject.level not in levels:
            msg = f"Mức '{subject.level}' không có trong {page.regulation or 'quy định'}."
            yield f"{where}.level", "VOCABULARY", msg, "error"
        if any(getattr(subject, t) is not None for t in (*TERMS, "retest")):
            msg = "Trang tiểu học không có điểm học kỳ của THCS."
            yield where, "ASSESSMENT_KIND", msg, "error"
        yield from _test_score_issues(subject, f"{where}.test_score")
    names = vocab.COMPETENCIES_TT30 if tt30 else vocab.COMPETENCIES_TT22
    rated = vocab.PC_NL_LEVELS_TT30 if tt30 else vocab.PC_NL_LEVELS_TT22
    for table, allowed in (("competencies", names), ("qualities", vocab.QUALITIES)):
        for k, item in enumerate(getattr(page, table) or []):
            where = f"{path}.{table}[{k}]"
            if item.name not in allowed:
                yield f"{where}.name", "VOCABULARY", f"Mục '{item.name}' không hợp lệ.", "error"
            if item.level is not None and item.level not in rated:
                msg = f"Mức '{item.level}' không có trong {page.regulation or 'quy định'}."
                yield f"{where}.level", "VOCABULARY", msg, "error"
    yield from _th_decision_issues(page, path)


def _test_score_issues(subject: SubjectResult, where: str) -> Iterator[Issue]:
    spec = vocab.subject_by_name("TH-2014", subject.name)
    tested = spec is not None and spec.assessed_by == "score"
    score = subject.test_score
    if score is not None and not tested:
        msg = f"Môn {subject.name} không có bài kiểm tra định kỳ nhưng có điểm."
        yield where, "TEST_SCORE_UNEXPECTED", msg, "error"
    elif score is not None and not 1 <= score <= 10:
        yield where, "TEST_SCORE_RANGE", f"Điểm KTĐK {score} phải từ 1 đến 10.", "error"
    elif score is None and tested and spec is not None:
        msg = f"Môn {subject.name} có kiểm tra định kỳ nhưng thiếu điểm."
        yield where, "TEST_SCORE_MISSING", msg, "warning"


def _th_decision_issues(page: YearPage, path: str) -> Iterator[Issue]:
    decision, where = page.decision, f"{path}.decision"
    if decision is None:
        return
    if decision not in vocab.TH_DECISIONS:
        yield where, "VOCABULARY", f"Dòng hoàn thành '{decision}' không hợp lệ.", "error"
        return
    completed = decision.startswith("Hoàn thành")
    primary_done = decision == "Hoàn thành chương trình tiểu học"
    if page.grade is not None and completed and primary_done != (page.grade == 5):
        msg = f"'{decision}' không dùng cho lớp {page.grade}."
        yield where, "DECISION_INCONSISTENT", msg, "warning"
    if completed and any(s.level == "Chưa hoàn thành" for s in page.subjects):
        msg = "Ghi hoàn thành chương trình nhưng có môn chưa hoàn thành."
        yield where, "DECISION_INCONSISTENT", msg, "warning"
