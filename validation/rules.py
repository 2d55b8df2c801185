"""Domain rules over one booklet (domain.md §2, forms.md): pure functions, findings as data.

Each rule reads the record only; nothing here talks to OCR, the registry or a database.
Numbers and ranks live in `validation.academic`, TH-2014 pages in `validation.rules_primary`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from domain import vocab
from domain.record import SubjectResult, TranscriptRecord, YearPage
from domain.surnames import SURNAMES, is_surname
from domain.text import is_syllable
from validation.academic import (
    TERMS,
    academic_rank,
    as_decimal,
    expected_decisions,
    key_subjects,
    round_half_up1,
    year_average,
)
from validation.idnumber import check_personal_id, province_unknown
from validation.lexicon import Lexicon
from validation.report import Finding, Issue
from validation.rules_primary import th_issues

__all__ = [
    "TERMS",
    "academic_rank",
    "as_decimal",
    "check_record",
    "expected_decisions",
    "key_subjects",
    "round_half_up1",
    "year_average",
]

# A printed average may differ from the exact mean of the printed values by 0.1 at most: 0.05
# from its own rounding, 0.05 because software averages the unrounded term/subject averages
# (domain.md §2 check 5: "tolerate ±0.1"). Compared on exact sums: a digit slip of 0.5 in HK I
# moves the mean by 0.17 and is caught, where "within 0.1 of the rounded mean" let it pass.
TOLERANCE = Decimal("0.1")
ACADEMIC_RULE_UNCERTAIN = "ACADEMIC_RULE_UNCERTAIN"
AGE_SLACK = 2  # years either side of grade + 5 before a warning (late start, repeats)
AGE_TOO_YOUNG = 3  # this many years younger than usual is impossible (domain.md §2 check 14)
REPEAT_DECISIONS = ("Ở lại lớp",)
_TERM_LABEL = {"hk1": "học kỳ I", "hk2": "học kỳ II", "year": "cả năm"}
_ONE_DECIMAL = Decimal("0.1")
_REQUIRED_IDENTITY = {"full_name": "họ và tên", "gender": "giới tính", "date_of_birth": "ngày sinh"}
_NAMES = {
    "full_name": "họ và tên",
    "father_name": "họ tên cha",
    "mother_name": "họ tên mẹ",
    "guardian_name": "họ tên người giám hộ",
}
# A name's first word one slip from a surname and no surname itself: a lost capital («Trần»
# read «Rần») or mark («Nguyễn» read «Nguyên»), which every read of a font can share.
_SURNAMES = Lexicon(SURNAMES, min_slip_length=1)


def check_record(record: TranscriptRecord) -> list[Finding]:
    """Every domain rule of the record's family, as findings (empty when all hold)."""
    issues = [*_identity_issues(record), *_sequence_issues(record)]
    for i, page in enumerate(record.years):
        issues.extend(_page_issues(record, page, f"years[{i}]"))
    return [Finding(record.document_id, f, c, m, s, "rule") for f, c, m, s in issues]


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
    for name, label in _NAMES.items():
        value = getattr(student, name) or ""
        if value and " " not in value.strip():
            msg = (
                f"{label.capitalize()} chỉ có một chữ: tên người luôn có họ và tên, có thể bị "
                "đọc thiếu; cần đối chiếu với ảnh quét."
            )
            yield f"student.{name}", "NAME_INCOMPLETE", msg, "error"
        surname = value.split(" ", 1)[0]
        if surname and (close := _SURNAMES.near(surname)) is not None:
            msg = (
                f"Họ «{surname}» trong {label} không phải họ người Việt thường gặp nhưng gần "
                f"họ «{close}»: có thể bị đọc sai, cần đối chiếu với ảnh quét."
            )
            yield f"student.{name}", "SURNAME_NEAR_KNOWN", msg, "error"
        if (odd := _not_a_syllable(value, student.ethnicity)) is not None:
            msg = (
                f"Chữ «{odd}» trong {label} không thể là một tiếng tiếng Việt: có thể bị đọc "
                "sai, cần đối chiếu với ảnh quét."
            )
            yield f"student.{name}", "NAME_WORD_UNLIKELY", msg, "error"
    for name, label in (("residence", "nơi ở"), ("place_of_birth", "nơi sinh")):
        if province_unknown(getattr(student, name)):
            msg = (
                f"Tỉnh/thành phố ở cuối {label} không có trong danh mục tỉnh, thành; có thể bị "
                "đọc thiếu hoặc sai, cần đối chiếu với ảnh quét."
            )
            yield f"student.{name}", "ADDRESS_PROVINCE_UNKNOWN", msg, "error"
    if not record.years:
        yield "years", "NO_YEAR_PAGES", "Không đọc được trang năm học nào trong học bạ.", "error"


def _not_a_syllable(name: str, ethnicity: str | None) -> str | None:
    """The first word of a name in a Kinh pupil's family that no Vietnamese syllable is spelt like
    («Htếu»: every read of a font can share such a slip); a known surname of another people
    («Ksor», a parent's) is not judged, nor are the names of pupils of other peoples."""
    if ethnicity is None or ethnicity.casefold() != "kinh":
        return None
    words = name.split()
    if words and is_surname(words[0]):
        words = words[1:]
    return next((w for w in words if not is_syllable(w)), None)


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
        yield from th_issues(page, path)


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
    usual = page.grade + 5
    if usual - age >= AGE_TOO_YOUNG:
        # pupils start late or repeat, but nobody is three years ahead: a misread date
        msg = f"Học sinh {age} tuổi không thể học lớp {page.grade}; kiểm tra ngày sinh, năm học."
        yield "student.date_of_birth", "AGE_IMPOSSIBLE", msg, "error"
    elif abs(age - usual) > AGE_SLACK:
        msg = f"Học sinh {age} tuổi học lớp {page.grade} (thông thường {usual} tuổi)."
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
    if abs(3 * year - (hk1 + 2 * hk2)) > 3 * TOLERANCE:  # |printed - exact mean| > 0.1
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
        total = sum(scores.values(), Decimal(0))
        expected = round_half_up1(total / len(scores))
        if abs(len(scores) * value - total) > len(scores) * TOLERANCE:
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
    """Printed học lực vs the one recomputed from the scores (TT58 Điều 13 + khoản 6).

    Decision (issue 4): the reading domain.md states is canonical: "a single subject pulls the
    rank down" counts a CĐ comment subject as that subject (cd_can_be_adjusted) and requires
    the rank's key-subject condition unless the one low subject is itself a key subject
    (key_must_hold). School software also applies the other readings; domain.md does not
    settle them, so a rank that only another reading gives is not called wrong: it is the
    warning ACADEMIC_RULE_UNCERTAIN, which the routing policy passes or holds for a person
    (`RoutingPolicy.allow_other_academic_readings_to_pass`). A person could only confirm
    the printed rank: the transcript keeps the school's decision, whichever reading it used.
    """
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
                average, scores, [str(m) for m in marks], keys,
                cd_can_be_adjusted=cd, key_must_hold=key,
            )
            for cd in (True, False)
            for key in (True, False)
        ]  # fmt: skip
        label, where = _TERM_LABEL[term], f"{path}.academic.{term}"
        if printed == readings[0]:
            continue
        if printed in readings:
            msg = (
                f"Học lực {label} ghi '{printed}': đúng theo một cách hiểu khác của khoản 6"
                f" Điều 13 TT58 (theo cách hiểu chuẩn là '{readings[0]}'); cách hiểu cần"
                " được Sở xác nhận."
            )
            yield where, ACADEMIC_RULE_UNCERTAIN, msg, "warning"
            continue
        expected = " hoặc ".join(f"'{r}'" for r in dict.fromkeys(readings))
        msg = f"Học lực {label} ghi '{printed}' nhưng theo điểm phải là {expected}."
        yield where, "ACADEMIC_MISMATCH", msg, "error"


def _term_average(page: YearPage, term: str, scores: dict[str, Decimal]) -> Decimal:
    printed = as_decimal(getattr(page.average_all, term)) if page.average_all else None
    if printed is not None and _all_valid([printed]):
        return printed
    return round_half_up1(sum(scores.values(), Decimal(0)) / len(scores))


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
        yield where, "DECISION_INCONSISTENT", msg, "error"


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
        yield f"{path}.awards", "AWARD_INCONSISTENT", msg, "error"
