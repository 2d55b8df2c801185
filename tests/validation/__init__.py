"""Record builders for the validation tests: consistent booklets that every rule accepts.

Averages are computed here independently of validation.rules (Decimal, half up), so a test
that breaks one value knows exactly which rule must fire.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from domain.record import (
    RatedItem,
    Source,
    Student,
    SubjectResult,
    TermTriple,
    TranscriptRecord,
    YearPage,
)

SHA = "0" * 64

# grade 6-7 subjects (no Hóa học), every one at Giỏi level, Toán ≥ 8.0
THCS_SCORES: dict[str, tuple[float, float]] = {
    "Toán": (8.5, 9.0),
    "Vật lí": (8.0, 8.4),
    "Sinh học": (8.2, 8.3),
    "Ngữ văn": (8.0, 8.1),
    "Lịch sử": (8.6, 8.8),
    "Địa lí": (8.1, 8.0),
    "Ngoại ngữ": (9.0, 9.2),
    "Giáo dục công dân": (8.8, 8.9),
    "Công nghệ": (8.3, 8.5),
}
COMMENT_SUBJECTS = ("Thể dục", "Âm nhạc", "Mĩ thuật")


def _r1(value: Decimal) -> float:
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def thcs_page(
    page: int, start: int, grade: int, scores: dict[str, tuple[float, float]] = THCS_SCORES
) -> YearPage:
    subjects = []
    for name, (hk1, hk2) in scores.items():
        year = _r1((Decimal(str(hk1)) + 2 * Decimal(str(hk2))) / 3)
        subjects.append(SubjectResult(name=name, hk1=hk1, hk2=hk2, year=year))
    subjects += [SubjectResult(name=n, hk1="Đ", hk2="Đ", year="Đ") for n in COMMENT_SUBJECTS]
    averages = {}
    for term in ("hk1", "hk2", "year"):
        values = [Decimal(str(getattr(s, term))) for s in subjects if s.name in scores]
        averages[term] = _r1(sum(values, Decimal(0)) / len(values))
    regulation = "TT58+TT26" if start >= 2020 else "TT58"
    return YearPage(
        page=page,
        school_year=f"{start}-{start + 1}",
        grade=grade,
        class_name=f"{grade}A1",
        regulation=regulation,
        subjects=subjects,
        average_all=TermTriple(**averages),
        conduct=TermTriple(hk1="Tốt", hk2="Tốt", year="Tốt"),
        academic=TermTriple(hk1="Giỏi", hk2="Giỏi", year="Giỏi"),
        absences=2,
        decision="Hoàn thành chương trình THCS" if grade == 9 else "Được lên lớp",
        awards="Học sinh giỏi",
    )


def thcs_record(document_id: str = "thcs-1") -> TranscriptRecord:
    return TranscriptRecord(
        document_id=document_id,
        source=Source(file="a.tif", sha256=SHA, page_count=3),
        family="THCS-2011",
        student=Student(
            full_name="Nguyễn Văn An",
            gender="Nam",
            date_of_birth="2003-05-10",
            place_of_birth="xã Hoằng Lộc, huyện Hoằng Hóa, tỉnh Thanh Hóa",
            father_name="Nguyễn Văn Bình",
            mother_name="Lê Thị Hoa",
            personal_id="038203001234",
        ),
        years=[thcs_page(2, 2014, 6), thcs_page(3, 2015, 7)],
    )


TH_TESTED = {"Tiếng Việt": 9, "Toán": 10}
TH_UNTESTED = ("Đạo đức", "Tự nhiên và Xã hội", "Âm nhạc", "Mĩ thuật", "Thủ công", "Thể dục")


def th_page(page: int, start: int, grade: int) -> YearPage:
    tt30 = start <= 2015
    level = "Hoàn thành" if tt30 else "Hoàn thành tốt"
    rating = "Đạt" if tt30 else "Tốt"
    subjects = [SubjectResult(name=n, level=level, test_score=s) for n, s in TH_TESTED.items()]
    subjects += [SubjectResult(name=n, level=level) for n in TH_UNTESTED]
    competencies = (
        "Tự phục vụ, tự quản",
        "Giao tiếp, hợp tác" if tt30 else "Hợp tác",
        "Tự học và giải quyết vấn đề",
    )
    qualities = (
        "Chăm học, chăm làm",
        "Tự tin, trách nhiệm",
        "Trung thực, kỉ luật",
        "Đoàn kết, yêu thương",
    )
    return YearPage(
        page=page,
        school_year=f"{start}-{start + 1}",
        grade=grade,
        class_name=f"{grade}B",
        regulation="TT30" if tt30 else "TT22-2016",
        subjects=subjects,
        competencies=[RatedItem(name=n, level=rating) for n in competencies],
        qualities=[RatedItem(name=n, level=rating) for n in qualities],
        absences=1,
        decision="Hoàn thành chương trình lớp học",
    )


def th_record(document_id: str = "th-1") -> TranscriptRecord:
    return TranscriptRecord(
        document_id=document_id,
        source=Source(file="b.pdf", sha256=SHA, page_count=4),
        family="TH-2014",
        student=Student(full_name="Trần Thị Hòa", gender="Nữ", date_of_birth="2008-03-02"),
        years=[th_page(2, 2014, 1), th_page(3, 2015, 2), th_page(4, 2016, 3)],
    )
