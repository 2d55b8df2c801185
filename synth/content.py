"""Ground truth for synthetic booklets of the v1 families, as contract records.

A booklet is planned top-down: a pupil (name, birth, family, ability), a career (which grades,
which year repeated), school years that keep every page inside its family's regulation window,
then one year page per school year whose numbers obey the era's rules (forms.md, domain.md §1).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any, Literal, cast

from domain.record import (
    Family,
    Gender,
    IdentityLink,
    RatedItem,
    Regulation,
    Review,
    Source,
    Student,
    SubjectResult,
    TermTriple,
    TranscriptRecord,
    YearPage,
)
from domain.text import clean, strip_accents
from domain.vocab import (
    COMPETENCIES_TT22,
    COMPETENCIES_TT30,
    CONDUCT,
    GRADES_BY_FAMILY,
    QUALITIES,
    Subject,
    regulation_for,
    subjects_for,
)
from synth import people

# School years (start year of the page) each family's booklets were used for (forms.md table).
YEAR_WINDOW: dict[str, tuple[int, int]] = {"THCS-2011": (2011, 2021), "TH-2014": (2014, 2023)}
SCHOOL_KIND = {"THCS-2011": "Trường THCS", "TH-2014": "Trường Tiểu học"}
REPEAT_RATE = 0.05
TRANSFER_RATE = 0.05
LATE_START_RATE = 0.03
PRINTED_ID_RATE = 0.30
WEAK_SUBJECT_RATE = 0.02  # exercises the TT58 khoản 6 adjustment (one subject pulls down)
WEAK_SUBJECT_OFFSET = -3.5


@dataclass(frozen=True)
class Career:
    """The grade of each year page in order, and which of those years end in a repeat."""

    grades: tuple[int, ...]
    repeats: tuple[bool, ...]


@dataclass
class Pupil:
    gender: Gender
    ethnicity: str
    full_name: str
    surname: str
    ability: float  # expected THCS subject average / primary test score, 0-10
    aptitude: dict[str, float] = field(default_factory=dict)  # per-subject offset


def plan_career(rng: random.Random, family: Family) -> Career:
    """Mostly a full run; ~5% repeat one grade; ~5% transfer in late or out early."""
    grades = list(GRADES_BY_FAMILY[family])
    repeats = [False] * len(grades)
    roll = rng.random()
    if roll < REPEAT_RATE:
        at = rng.randrange(len(grades) - 1)  # the final grade's repeat would leave no trace
        grades.insert(at, grades[at])
        repeats.insert(at, True)
    elif roll < REPEAT_RATE + TRANSFER_RATE:
        cut = rng.randint(1, len(grades) - 1)
        if rng.random() < 0.5:
            grades, repeats = grades[cut:], repeats[cut:]
        else:
            grades, repeats = grades[:cut], repeats[:cut]
    return Career(tuple(grades), tuple(repeats))


def choose_first_year(rng: random.Random, family: Family, career: Career) -> int:
    """A start year for the first page such that every page lies in its family's era."""
    return rng.choice(_fitting_first_years(family, career.grades))


@cache
def _fitting_first_years(family: Family, grades: tuple[int, ...]) -> tuple[int, ...]:
    low, high = YEAR_WINDOW[family]
    return tuple(
        first
        for first in range(low, high - len(grades) + 2)
        if all(
            regulation_for(family, school_year(first + i), grade) is not None
            for i, grade in enumerate(grades)
        )
    )


def school_year(start: int) -> str:
    return f"{start}-{start + 1}"


def birth_date(rng: random.Random, first_year: int, first_grade: int) -> str:
    """Grade 1 in the calendar year the child turns 6 (grade g at g + 5); rarely a year late."""
    year = first_year - (first_grade + 5) - (1 if rng.random() < LATE_START_RATE else 0)
    return people.random_date(rng, year)


def make_pupil(rng: random.Random) -> Pupil:
    gender: Gender = "Nam" if rng.random() < 0.5 else "Nữ"
    ethnicity = people.random_ethnicity(rng)
    surname = people.surname_for(rng, gender, ethnicity)
    name = people.full_name(
        surname, people.middle_for(rng, gender, ethnicity), rng.choice(people.GIVEN[gender])
    )
    weak = rng.random() < 0.06
    ability = rng.gauss(5.0, 0.5) if weak else rng.gauss(7.0, 1.0)
    return Pupil(gender, ethnicity, clean(name), surname, min(max(ability, 3.0), 9.6))


def make_student(rng: random.Random, pupil: Pupil, dob: str) -> tuple[Student, str]:
    """The identity page and the pupil's real personal id (registered where born, mostly)."""
    home = people.province_for(rng, pupil.ethnicity)
    born_in = home if rng.random() < 0.85 else rng.choice(people.PROVINCES)
    registered = born_in if rng.random() < 0.9 else home
    pid = people.personal_id(rng, registered.code, pupil.gender, int(dob[:4]))
    father, mother = people.parent_names(rng, pupil.surname)
    guardian = people.random_name(rng, rng.choice(("Nam", "Nữ"))) if rng.random() < 0.04 else None
    student = Student(
        full_name=pupil.full_name,
        gender=pupil.gender,
        date_of_birth=dob,
        place_of_birth=clean(people.place_of_birth(rng, born_in)),
        ethnicity=pupil.ethnicity,
        nationality="Việt Nam" if rng.random() < 0.55 else None,
        residence=clean(people.residence(rng, home)),
        father_name=None if rng.random() < 0.08 else clean(father),
        mother_name=None if rng.random() < 0.08 else clean(mother),
        guardian_name=clean(guardian) if guardian else None,
        personal_id=pid if rng.random() < PRINTED_ID_RATE else None,
    )
    return student, pid


def class_suffix(rng: random.Random) -> str:
    """The part after the grade, mostly kept across years ("A3": 6A3, 7A3)."""
    return rng.choice("ABCD") + (str(rng.randint(1, 6)) if rng.random() < 0.6 else "")


def make_booklet(rng: random.Random, family: Family, document_id: str) -> TranscriptRecord:
    """Ground truth for one booklet (identity page + one page per school year).

    `source` is a placeholder the archive writer fills in; the identity link is the pupil's
    real personal id, and the review is auto_approved with no flags.
    """
    career, first_year, pupil, student, pid = _identity(rng, family)
    school = f"{SCHOOL_KIND[family]} {rng.choice(people.SCHOOL_NAMES + people.COMMUNES)}"
    suffix = class_suffix(rng)
    make_year = secondary_year if family == "THCS-2011" else primary_year
    options = _booklet_options(rng, family, pupil)
    years: list[YearPage] = []
    for index, (grade, repeat) in enumerate(zip(career.grades, career.repeats, strict=True)):
        if rng.random() < 0.15:
            suffix = class_suffix(rng)
        page = make_year(rng, pupil, grade, school_year(first_year + index), not repeat, options)
        page.page = index + 2
        page.class_name = f"{grade}{suffix}"
        page.school_name = school
        years.append(page)
    return TranscriptRecord(
        document_id=document_id,
        source=Source(file=document_id, sha256="0" * 64, page_count=1 + len(years)),
        family=family,
        student=student,
        years=years,
        identity_link=IdentityLink(status="linked", personal_id=pid),
        review=Review(status="auto_approved", flags=[]),
    )


def _identity(rng: random.Random, family: Family) -> tuple[Career, int, Pupil, Student, str]:
    """The first draws of a booklet: career, first school year, pupil, identity page."""
    career = plan_career(rng, family)
    first_year = choose_first_year(rng, family, career)
    pupil = make_pupil(rng)
    dob = birth_date(rng, first_year, career.grades[0])
    student, pid = make_student(rng, pupil, dob)
    return career, first_year, pupil, student, pid


def _booklet_options(rng: random.Random, family: Family, pupil: Pupil) -> frozenset[str]:
    """Optional subjects this booklet's school teaches (kept across its years)."""
    chosen: set[str] = set()
    if rng.random() < (0.5 if family == "THCS-2011" else 0.4):
        chosen.add("Tin học")
    if family == "TH-2014":
        if rng.random() < 0.85:
            chosen.add("Ngoại ngữ")
        if pupil.ethnicity != "Kinh" and rng.random() < 0.4:
            chosen.add("Tiếng dân tộc")
    return frozenset(chosen)


def make_records(seed: int, count: int) -> list[TranscriptRecord]:
    """`count` booklets, deterministic for `seed`, both families about half and half.

    Each booklet has its own generator, so booklet i is the same whatever `count` is.
    Personal ids are unique across the batch.
    """
    return list(iter_records(seed, count))


def iter_records(seed: int, count: int) -> Iterator[TranscriptRecord]:
    """The booklets of `make_records`, one at a time (large benchmarks keep few in memory)."""
    seen: set[str] = set()
    for i in range(count):
        rng = random.Random(f"hocba-synth-{seed}-{i}")
        family: Family = "THCS-2011" if rng.random() < 0.5 else "TH-2014"
        record = make_booklet(rng, family, f"hb-{seed}-{i:05d}")
        _make_id_unique(rng, record, seen)
        yield record


def _make_id_unique(rng: random.Random, record: TranscriptRecord, seen: set[str]) -> None:
    pid = record.identity_link.personal_id or ""
    while pid in seen:
        pid = f"{pid[:6]}{rng.randrange(1_000_000):06d}"
    seen.add(pid)
    if pid != record.identity_link.personal_id:
        record.identity_link.personal_id = pid
        if record.student.personal_id is not None:
            record.student.personal_id = pid


def iter_identities(seed: int, count: int) -> Iterator[TranscriptRecord]:
    """The booklets of `iter_records` without their year pages, far cheaper to make.

    Identity pages and personal ids are those of `iter_records` (the same draws come first);
    only when two pupils draw the same id may the replacement id differ.
    """
    seen: set[str] = set()
    for i in range(count):
        rng = random.Random(f"hocba-synth-{seed}-{i}")
        family: Family = "THCS-2011" if rng.random() < 0.5 else "TH-2014"
        _, _, _, student, pid = _identity(rng, family)
        document_id = f"hb-{seed}-{i:05d}"
        record = TranscriptRecord(
            document_id=document_id,
            source=Source(file=document_id, sha256="0" * 64, page_count=1),
            family=family,
            student=student,
            identity_link=IdentityLink(status="linked", personal_id=pid),
            review=Review(status="auto_approved", flags=[]),
        )
        _make_id_unique(rng, record, seen)
        yield record


# --- THCS-2011 year pages: TT58/2011 (+TT26/2020) scores, averages, học lực, promotion -------

TENTH = Decimal("0.1")
RANKS = ("Giỏi", "Khá", "Trung bình", "Yếu", "Kém")
# rank, minimum for the average and the best key subject, floor for every scored subject
_RANK_BANDS = (
    ("Giỏi", Decimal("8.0"), Decimal("6.5")),
    ("Khá", Decimal("6.5"), Decimal("5.0")),
    ("Trung bình", Decimal("5.0"), Decimal("3.5")),
)
# TT58 Điều 13 khoản 6: (rank the average reaches, rank given) -> adjusted rank
_ADJUSTMENT = {
    ("Giỏi", "Trung bình"): "Khá",
    ("Giỏi", "Yếu"): "Trung bình",
    ("Khá", "Yếu"): "Trung bình",
    ("Khá", "Kém"): "Yếu",
}
CONDUCT_WEIGHTS = (70, 22, 6, 2)
TERMS = ("hk1", "hk2", "year")
HOMEROOM_COMMENTS = {
    "Giỏi": ("Học sinh ngoan, học giỏi, cần phát huy.", "Chăm chỉ, tiếp thu bài nhanh."),
    "Khá": ("Ngoan, có ý thức học tập, cần cố gắng hơn.", "Học khá, tích cực tham gia hoạt động."),
    "Trung bình": ("Ý thức học tập chưa cao, cần chăm chỉ hơn.", "Có cố gắng nhưng chưa đều."),
    "Yếu": ("Tiếp thu bài còn chậm, cần cố gắng nhiều hơn.", "Cần sự quan tâm của gia đình."),
}
Marks = dict[str, tuple[Decimal | str, Decimal | str, Decimal | str]]  # subject -> hk1, hk2, year


def round1(value: Decimal) -> Decimal:
    """Round half up to one decimal (7.25 -> 7.3), as the ministry's software does."""
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def year_average(hk1: Decimal, hk2: Decimal) -> Decimal:
    """ĐTBmcn = (ĐTBmhkI + 2·ĐTBmhkII) / 3, one decimal."""
    return round1((hk1 + 2 * hk2) / 3)


def key_subjects(regulation: str | None) -> tuple[str, ...]:
    """Subjects one of which must reach the rank's minimum (TT26 added Ngoại ngữ)."""
    return ("Toán", "Ngữ văn", "Ngoại ngữ") if regulation == "TT58+TT26" else ("Toán", "Ngữ văn")


def academic_rank(
    average: Decimal, scores: Mapping[str, Decimal], comments_passed: bool, keys: Sequence[str]
) -> str:
    """Học lực of a term (TT58 Điều 13), including the khoản 6 adjustment.

    The adjustment applies when the average reaches Giỏi/Khá, every comment subject is Đ and
    exactly one scored subject is below that rank's floor.
    """
    lowest = min(scores.values())
    best_key = max((scores[k] for k in keys if k in scores), default=Decimal(0))
    strict = "Yếu" if average >= Decimal("3.5") and lowest >= Decimal("2.0") else "Kém"
    for rank, minimum, floor in _RANK_BANDS:
        if comments_passed and average >= minimum and best_key >= minimum and lowest >= floor:
            strict = rank
            break
    by_average = next((r for r, minimum, _ in _RANK_BANDS[:2] if average >= minimum), None)
    adjusted = _ADJUSTMENT.get((by_average or "", strict))
    if adjusted and comments_passed:
        floor = _RANK_BANDS[RANKS.index(by_average or "")][2]
        if sum(1 for value in scores.values() if value < floor) == 1:
            return adjusted
    return strict


def _aptitude(rng: random.Random, pupil: Pupil, subject: str) -> float:
    """A pupil's lasting offset in a subject; now and then one subject is far below the rest."""
    if subject not in pupil.aptitude:
        weak_spot = WEAK_SUBJECT_OFFSET if rng.random() < WEAK_SUBJECT_RATE else 0.0
        pupil.aptitude[subject] = rng.gauss(0, 0.7) + weak_spot
    return pupil.aptitude[subject]


def _draw_score(rng: random.Random, mean: float) -> Decimal:
    return Decimal(round(min(max(rng.gauss(mean, 0.6), 0.0), 10.0) * 10)) / 10


def _secondary_marks(
    rng: random.Random, pupil: Pupil, grade: int, options: frozenset[str], ability: float
) -> Marks:
    marks: Marks = {}
    for subject in subjects_for("THCS-2011", grade):
        if subject.optional and subject.name not in options:
            continue
        if subject.assessed_by == "comment":
            marks[subject.name] = ("CĐ" if rng.random() < 0.015 else "Đ", "Đ", "Đ")
            continue
        mean = ability + _aptitude(rng, pupil, subject.name)
        hk1, hk2 = _draw_score(rng, mean), _draw_score(rng, mean + 0.1)
        marks[subject.name] = (hk1, hk2, year_average(hk1, hk2))
    return marks


def _term(marks: Marks, term: int, keys: Sequence[str]) -> tuple[Decimal, str]:
    """ĐTB các môn and học lực of one term (0 = HK I, 1 = HK II, 2 = cả năm)."""
    scores = {n: v for n, m in marks.items() if isinstance(v := m[term], Decimal)}
    passed = all(m[term] == "Đ" for m in marks.values() if isinstance(m[term], str))
    average = round1(sum(scores.values(), Decimal(0)) / len(scores))
    return average, academic_rank(average, scores, passed, keys)


def _conduct(rng: random.Random) -> tuple[str, str, str]:
    """Hạnh kiểm; the year rank follows HK II (which often improves on HK I)."""
    hk1 = rng.choices(CONDUCT, weights=CONDUCT_WEIGHTS)[0]
    hk2 = CONDUCT[max(CONDUCT.index(hk1) - 1, 0)] if rng.random() < 0.3 else hk1
    return hk1, hk2, hk2


def _absences(rng: random.Random) -> int:
    return min(int(rng.expovariate(1 / 3.0)), 30)


def _passed(grade: int, line: str) -> str:
    return "Hoàn thành chương trình THCS" if grade == 9 else line


def promotion(
    rng: random.Random, grade: int, marks: Marks, keys: Sequence[str], ranks: tuple[str, str, int]
) -> tuple[str, dict[str, Decimal]]:
    """Decision line (TT58 Điều 15-16) from year học lực, hạnh kiểm, absences; retest scores."""
    academic, conduct, absences = ranks
    if absences > 45 or academic == "Kém" or (academic == "Yếu" and conduct == "Yếu"):
        return "Ở lại lớp", {}
    if academic == "Yếu":
        retests = _retests(rng, marks)
        after = {n: retests.get(n, m[2]) for n, m in marks.items()}
        _, rank_after = _term({n: (v, v, v) for n, v in after.items()}, 2, keys)
        if RANKS.index(rank_after) <= RANKS.index("Trung bình"):
            return _passed(grade, "Được lên lớp sau kiểm tra lại"), retests
        return "Ở lại lớp", retests
    if conduct == "Yếu":
        return _passed(grade, "Được lên lớp sau rèn luyện hè"), {}
    return _passed(grade, "Được lên lớp"), {}


def _retests(rng: random.Random, marks: Marks) -> dict[str, Decimal]:
    """The pupil retakes up to three of the scored subjects whose year average is below 5.0."""
    scored = sorted((v, n) for n, m in marks.items() if isinstance(v := m[2], Decimal))
    failing = [(v, n) for v, n in scored if v < Decimal("5.0")] or scored[:1]
    return {n: _draw_score(rng, float(v) + 1.8) for v, n in failing[:3]}


def secondary_year(
    rng: random.Random,
    pupil: Pupil,
    grade: int,
    year: str,
    promote: bool,
    options: frozenset[str],
) -> YearPage:
    """One THCS year page whose decision promotes (or holds back) the pupil as planned."""
    regulation = cast(Regulation | None, regulation_for("THCS-2011", year, grade))
    keys = key_subjects(regulation)
    by_absence = not promote and rng.random() < 0.3
    base = pupil.ability + rng.gauss(0, 0.3) - (0 if promote or by_absence else 2.5)
    for attempt in range(40):
        shift = 0.15 * attempt if promote else -0.3 * attempt
        marks = _secondary_marks(rng, pupil, grade, options, base + shift)
        terms = [_term(marks, t, keys) for t in range(3)]
        conduct = _conduct(rng)
        absences = rng.randint(46, 80) if by_absence or attempt == 39 else _absences(rng)
        decision, retests = promotion(rng, grade, marks, keys, (terms[2][1], conduct[2], absences))
        if (decision != "Ở lại lớp") == promote:
            break
    return YearPage(
        page=2,
        school_year=year,
        grade=grade,
        regulation=regulation,
        subjects=[_subject_row(n, m, retests.get(n)) for n, m in marks.items()],
        average_all=TermTriple(**{k: float(t[0]) for k, t in zip(TERMS, terms, strict=True)}),
        conduct=TermTriple(**dict(zip(TERMS, conduct, strict=True))),
        academic=TermTriple(**{k: t[1] for k, t in zip(TERMS, terms, strict=True)}),
        absences=absences,
        decision=decision,
        awards=secondary_award(conduct[2], terms[2][1], decision),
        homeroom_comment=rng.choice(HOMEROOM_COMMENTS.get(terms[2][1], HOMEROOM_COMMENTS["Yếu"])),
    )


def _subject_row(
    name: str, marks: tuple[Decimal | str, ...], retest: Decimal | None
) -> SubjectResult:
    hk1, hk2, year = (float(v) if isinstance(v, Decimal) else v for v in marks)
    return SubjectResult(
        name=name, hk1=hk1, hk2=hk2, year=year, retest=None if retest is None else float(retest)
    )


def secondary_award(conduct: str, academic: str, decision: str) -> str | None:
    """Danh hiệu: HSG = Tốt + Giỏi; HSTT = ≥ Khá + ≥ Khá (TT58 Điều 18)."""
    if decision == "Ở lại lớp":
        return None
    if conduct == "Tốt" and academic == "Giỏi":
        return "Học sinh giỏi"
    if conduct in ("Tốt", "Khá") and academic in ("Giỏi", "Khá"):
        return "Học sinh tiên tiến"
    return None


# --- TH-2014 year pages: TT30/2014 and TT22/2016 levels, test scores, năng lực, phẩm chất ------

Level = Literal["Hoàn thành tốt", "Hoàn thành", "Chưa hoàn thành"]
RatedLevel = Literal["Tốt", "Đạt", "Cần cố gắng", "Chưa đạt"]
HTT: Level = "Hoàn thành tốt"
HT: Level = "Hoàn thành"
CHT: Level = "Chưa hoàn thành"
SUBJECT_REMARKS = {
    HTT: ("Nắm vững kiến thức, vận dụng tốt.", "Học tốt, tích cực phát biểu xây dựng bài."),
    HT: ("Hoàn thành nội dung môn học.", "Nắm được kiến thức cơ bản."),
    CHT: ("Chưa nắm vững kiến thức cơ bản, cần rèn thêm.", "Đọc, viết còn chậm."),
}
RATED_REMARKS = ("Mạnh dạn, tự tin.", "Biết giúp đỡ bạn bè.", "Cần mạnh dạn hơn khi giao tiếp.")
EXCELLENT_AWARD = "Học sinh hoàn thành xuất sắc các nội dung học tập và rèn luyện"
PROGRESS_AWARD = "Học sinh có thành tích vượt trội trong học tập và rèn luyện"


def _primary_subject(
    rng: random.Random, pupil: Pupil, subject: Subject, ability: float, tt22: bool, failing: bool
) -> SubjectResult:
    scored = subject.assessed_by == "score"
    basis = ability + 0.6 + _aptitude(rng, pupil, subject.name)
    level: Level = CHT
    if failing:
        score = rng.randint(2, 4) if scored else None
    else:
        score = min(max(round(rng.gauss(basis, 0.9)), 5), 10) if scored else None
        top = (score if score is not None else basis + rng.gauss(0, 0.8)) >= 8.5
        level = HTT if tt22 and top else HT
    comment = rng.choice(SUBJECT_REMARKS[level]) if rng.random() < 0.5 else None
    return SubjectResult(name=subject.name, level=level, test_score=score, comment=comment)


def _rated(rng: random.Random, name: str, ability: float, tt22: bool, weak: bool) -> RatedItem:
    """A năng lực / phẩm chất row: Tốt/Đạt/Cần cố gắng (TT22/2016) or Đạt/Chưa đạt (TT30)."""
    level: RatedLevel = "Đạt"
    if tt22 and weak and rng.random() < 0.4:
        level = "Cần cố gắng"
    elif tt22 and rng.random() < min(max((ability - 6.0) / 3.0, 0.05), 0.95):
        level = "Tốt"
    elif not tt22 and weak and rng.random() < 0.3:
        level = "Chưa đạt"
    comment = rng.choice(RATED_REMARKS) if rng.random() < 0.2 else None
    return RatedItem(name=name, level=level, comment=comment)


def primary_year(
    rng: random.Random,
    pupil: Pupil,
    grade: int,
    year: str,
    promote: bool,
    options: frozenset[str],
) -> YearPage:
    """One TH year page; a held-back year has Tiếng Việt and/or Toán not completed."""
    regulation = cast(Regulation | None, regulation_for("TH-2014", year, grade))
    tt22 = regulation == "TT22-2016"
    ability = pupil.ability + rng.gauss(0, 0.4)
    failing = set() if promote else set(rng.sample(("Tiếng Việt", "Toán"), rng.randint(1, 2)))
    subjects = [
        _primary_subject(rng, pupil, s, ability, tt22, s.name in failing)
        for s in subjects_for("TH-2014", grade)
        if not s.optional or s.name in options
    ]
    names = COMPETENCIES_TT22 if tt22 else COMPETENCIES_TT30
    competencies = [_rated(rng, n, ability, tt22, not promote) for n in names]
    qualities = [_rated(rng, n, ability, tt22, not promote) for n in QUALITIES]
    complete = all(s.level != CHT for s in subjects)
    return YearPage(
        page=2,
        school_year=year,
        grade=grade,
        regulation=regulation,
        subjects=subjects,
        competencies=competencies,
        qualities=qualities,
        absences=_absences(rng),
        decision=primary_decision(grade, complete),
        awards=_primary_award(rng, subjects, competencies + qualities, complete and tt22),
    )


def primary_decision(grade: int, complete: bool) -> str:
    if not complete:
        return "Chưa hoàn thành chương trình lớp học"
    return "Hoàn thành chương trình tiểu học" if grade == 5 else "Hoàn thành chương trình lớp học"


def _primary_award(
    rng: random.Random,
    subjects: Sequence[SubjectResult],
    rated: Sequence[RatedItem],
    eligible: bool,
) -> str | None:
    """Giấy khen of TT22/2016 Điều 10 (TT30 pages carry none in this generator)."""
    if not eligible:
        return None
    if all(s.level == HTT for s in subjects) and all(r.level == "Tốt" for r in rated):
        return EXCELLENT_AWARD
    top_subjects = sum(1 for s in subjects if s.level == HTT)
    return PROGRESS_AWARD if top_subjects >= 3 and rng.random() < 0.15 else None


# --- OCR-style errors for the checks benchmark ---------------------------------------------

# Digit slips Tesseract makes on scores and dates (engineering-notes: 5->9, 7->1, 3->8).
DIGIT_SLIPS = {"1": "7", "7": "1", "4": "9", "9": "4", "5": "6", "6": "5", "3": "8", "8": "3"}
_SCORE_KEYS = ("hk1", "hk2", "year", "retest")
_TEXT_KEYS = ("full_name", "father_name", "mother_name", "place_of_birth", "residence", "decision")
_DIGIT_TEXT_KEYS = ("date_of_birth", "personal_id", "school_year")


def inject_ocr_errors(
    rng: random.Random, record: TranscriptRecord, rate: float
) -> TranscriptRecord:
    """A copy of `record` where each eligible field is misread with probability `rate`.

    The errors are those extraction lets through unflagged: digit slips in scores, dates and
    IDs, decimal commas dropped (7,5 -> 75), lost diacritics in names and ratings (Khá -> Kha).
    """
    doc = record.to_contract()
    for container, key, path in _leaves(doc):
        if rng.random() < rate:
            wrong = _misread(rng, path, key, container[key])
            if wrong is not None and wrong != container[key]:
                container[key] = wrong
    return TranscriptRecord.from_contract(doc)


def _leaves(node: object, path: str = "") -> list[tuple[Any, Any, str]]:
    """(container, key, JSON path) of every leaf value, skipping provenance and verdicts."""
    out: list[tuple[Any, Any, str]] = []
    items = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else []
    )
    for key, value in items:
        if key in ("source", "identity_link", "review", "schema", "document_id"):
            continue
        child = f"{path}[{key}]" if isinstance(key, int) else f"{path}.{key}" if path else key
        if isinstance(value, dict | list):
            out.extend(_leaves(value, child))
        elif value is not None:
            out.append((node, key, child))
    return out


def _misread(rng: random.Random, path: str, key: object, value: object) -> object | None:
    in_term = ".average_all." in path or ".subjects[" in path
    if isinstance(value, float) and in_term and key in (*_SCORE_KEYS, "hk1", "hk2", "year"):
        if value != int(value) and rng.random() < 0.4:
            return round(value * 10, 1)  # "7,5" read as "75"
        return _slip_number(rng, value)
    if key == "test_score" and isinstance(value, int) and value < 10:
        slipped = DIGIT_SLIPS.get(str(value))
        return int(slipped) if slipped else None
    if key == "absences" and isinstance(value, int):
        return int(_slip_digits(rng, str(value)) or value)
    if key in _DIGIT_TEXT_KEYS and isinstance(value, str):
        return _slip_digits(rng, value)
    if isinstance(value, str) and (
        key in _TEXT_KEYS or ".conduct." in path or ".academic." in path
    ):
        return _lose_marks(rng, value)
    if isinstance(value, str) and value == "Đ":
        return "D"
    return None


def _slip_number(rng: random.Random, value: float) -> float | None:
    text = _slip_digits(rng, f"{value:.1f}")
    return float(text) if text else None


def _slip_digits(rng: random.Random, text: str) -> str | None:
    spots = [i for i, ch in enumerate(text) if ch in DIGIT_SLIPS]
    if not spots:
        return None
    i = rng.choice(spots)
    return text[:i] + DIGIT_SLIPS[text[i]] + text[i + 1 :]


def _lose_marks(rng: random.Random, text: str) -> str | None:
    """One syllable's diacritics lost (OCR drops small marks), đ kept as d."""
    words = text.split(" ")
    marked = [i for i, w in enumerate(words) if not w.isascii()]
    if not marked:
        return None
    i = rng.choice(marked)
    words[i] = strip_accents(words[i])
    return " ".join(words)
