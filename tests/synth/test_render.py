"""Rendering and degradation of synthetic booklets (synth/render.py, layouts.py, degrade.py)."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from domain.record import (
    RatedItem,
    Source,
    Student,
    SubjectResult,
    TermTriple,
    TranscriptRecord,
    YearPage,
)
from domain.vocab import (
    COMPETENCIES_TT22,
    IDENTITY_LABELS,
    QUALITIES,
    regulation_for,
    subjects_for,
)
from synth.degrade import DPI_RANGE, apply_degradation, degrade_page
from synth.layouts import DEV_VARIANTS, HELD_OUT, VARIANTS
from synth.render import (
    draw_booklet,
    format_dob,
    format_level,
    format_name,
    format_pcnl,
    format_rank,
    format_score,
    page_size,
    render_booklet,
    school_year_text,
)

LOOK_DIR = Path("/tmp/synth-look")
_PLACEHOLDER = Source(file="pending", sha256="0" * 64, page_count=1)


def _thcs_year(rng: random.Random, page: int, grade: int, start: int) -> YearPage:
    subjects = []
    for subj in subjects_for("THCS-2011", grade):
        if subj.assessed_by == "comment":
            subjects.append(SubjectResult(name=subj.name, hk1="Đ", hk2="Đ", year="Đ"))
        else:
            hk1, hk2 = round(rng.uniform(5, 9.5), 1), round(rng.uniform(5, 9.5), 1)
            year = round((hk1 + 2 * hk2) / 3, 1)
            subjects.append(SubjectResult(name=subj.name, hk1=hk1, hk2=hk2, year=year))
    school_year = f"{start}-{start + 1}"
    return YearPage(
        page=page,
        school_year=school_year,
        grade=grade,
        class_name=f"{grade}A{rng.randint(1, 5)}",
        school_name="Trường THCS Nguyễn Trãi",
        regulation=regulation_for("THCS-2011", school_year, grade),  # type: ignore[arg-type]
        subjects=subjects,
        average_all=TermTriple(hk1=7.1, hk2=7.6, year=7.4),
        conduct=TermTriple(hk1="Tốt", hk2="Tốt", year="Tốt"),
        academic=TermTriple(hk1="Khá", hk2="Giỏi", year="Khá"),
        absences=rng.randint(0, 6),
        decision="Hoàn thành chương trình THCS" if grade == 9 else "Được lên lớp",
        awards="Học sinh tiên tiến",
        homeroom_comment="Ngoan, lễ phép, có ý thức học tập tốt; cần phát huy hơn nữa ở học kỳ sau.",
    )


def _th_year(rng: random.Random, page: int, grade: int, start: int) -> YearPage:
    subjects = []
    for subj in subjects_for("TH-2014", grade):
        if subj.optional and subj.name != "Ngoại ngữ":
            continue
        score = rng.randint(6, 10) if subj.assessed_by == "score" else None
        subjects.append(
            SubjectResult(
                name=subj.name,
                level="Hoàn thành tốt",
                test_score=score,
                comment="Nắm vững kiến thức, tích cực phát biểu",
            )
        )
    school_year = f"{start}-{start + 1}"
    return YearPage(
        page=page,
        school_year=school_year,
        grade=grade,
        class_name=f"{grade}B",
        school_name="Trường Tiểu học Kim Đồng",
        regulation=regulation_for("TH-2014", school_year, grade),  # type: ignore[arg-type]
        subjects=subjects,
        competencies=[
            RatedItem(name=n, level="Tốt", comment="Mạnh dạn") for n in COMPETENCIES_TT22
        ],
        qualities=[RatedItem(name=n, level="Đạt") for n in QUALITIES],
        absences=rng.randint(0, 4),
        decision="Hoàn thành chương trình lớp học",
        awards=None,
    )


def sample_record(family: str, index: int, years: int = 2) -> TranscriptRecord:
    """A hand-built truth record (content.py is written elsewhere)."""
    rng = random.Random(index)
    first_grade, start = (6, 2013) if family == "THCS-2011" else (2, 2017)
    make = _thcs_year if family == "THCS-2011" else _th_year
    return TranscriptRecord(
        document_id=f"HB-{family[:2]}-{index:05d}",
        source=_PLACEHOLDER,
        family=family,  # type: ignore[arg-type]
        student=Student(
            full_name="Nguyễn Thị Ánh Tuyết",
            gender="Nữ",
            date_of_birth="2002-09-05" if family == "THCS-2011" else "2010-03-17",
            place_of_birth="xã Hòa Bình, huyện Kỳ Sơn, tỉnh Nghệ An",
            ethnicity="Kinh",
            nationality="Việt Nam" if index % 2 else None,
            residence="xóm 3, xã Hòa Bình, huyện Kỳ Sơn, tỉnh Nghệ An",
            father_name="Nguyễn Văn Hùng",
            mother_name="Trần Thị Lan",
            personal_id="040302001234" if index % 3 == 0 else None,
        ),
        years=[make(rng, i + 2, first_grade + i, start + i) for i in range(years)],
    )


def test_every_variant_renders_both_families_with_one_page_per_year() -> None:
    for name, variant in VARIANTS.items():
        for family in ("THCS-2011", "TH-2014"):
            record = sample_record(family, 3, years=1)
            pages = render_booklet(record, variant)
            assert len(pages) == 1 + len(record.years), name
            assert all(p.size == page_size(300) == (2480, 3508) for p in pages)
            # ink on every page, and the page is mostly paper
            for page in pages:
                gray = np.asarray(page.convert("L"))
                assert 0.01 < (gray < 128).mean() < 0.2, (name, family)
            if name in ("p1", "p2", "holdout"):
                LOOK_DIR.mkdir(parents=True, exist_ok=True)
                for i, page in enumerate(pages[:2]):
                    page.save(LOOK_DIR / f"{name}-{family}-{i + 1}.png", compress_level=1)


def test_rendering_is_deterministic() -> None:
    record = sample_record("THCS-2011", 7)
    first = [p.tobytes() for p in render_booklet(record, VARIANTS["p3"])]
    second = [p.tobytes() for p in render_booklet(record, VARIANTS["p3"])]
    assert first == second


@pytest.mark.parametrize("name", HELD_OUT)
def test_variants_differ_and_holdout_is_unseen(name: str) -> None:
    assert set(DEV_VARIANTS) >= {"p1", "p2", "p3", "p4", "p5", "p6"}
    assert name not in DEV_VARIANTS
    holdout = VARIANTS[name]
    dev_fonts = {
        f for n in DEV_VARIANTS for f in (VARIANTS[n].fonts.label, VARIANTS[n].fonts.value)
    }
    assert holdout.fonts.label not in dev_fonts and holdout.fonts.value not in dev_fonts
    for other in (*DEV_VARIANTS, *(h for h in HELD_OUT if h != name)):
        assert VARIANTS[other].identity_labels != holdout.identity_labels
    for variant in VARIANTS.values():
        for field, label in variant.identity_labels.items():
            assert label in IDENTITY_LABELS[field], (variant.name, field)
        assert all(Path(f).exists() for f in (variant.fonts.label, variant.fonts.value))


def test_printed_values_follow_the_variant() -> None:
    short, full = VARIANTS["p2"], VARIANTS["p1"]
    assert format_score(7.5, full) == "7,5"
    assert format_score(8.0, full) == "8,0"
    assert format_score(8.0, short) == "8"
    assert format_score("CĐ", short) == "CĐ"
    assert format_score(None, short) == ""
    assert format_dob("2010-09-05", full) == "05/09/2010"
    assert format_dob("2010-09-05", VARIANTS["p3"]) == "5-9-2010"
    assert format_dob("2010-09-05", short) == "ngày 05 tháng 9 năm 2010"


@pytest.mark.parametrize("level", ["clean", "typical", "poor"])
def test_degradation_keeps_size_within_dpi_bounds(level: str) -> None:
    page = render_booklet(sample_record("TH-2014", 1, years=1), VARIANTS["p4"])[1]
    low, high = DPI_RANGE[level]  # type: ignore[index]
    for seed in range(3):
        out, trace = apply_degradation(page, random.Random(seed), level)  # type: ignore[arg-type]
        assert low <= trace.dpi <= high
        w, h = page_size(trace.dpi)
        if trace.rotation in (90, 270):
            w, h = h, w
        # skew, border strips and edge crops change the size by a few percent at most
        assert abs(out.width - w) <= 0.04 * w and abs(out.height - h) <= 0.04 * h
        assert out.info["dpi"] == (trace.dpi, trace.dpi)
        if level == "clean":
            assert trace.rotation == 0 and trace.skew == 0 and trace.dpi == 300
        LOOK_DIR.mkdir(parents=True, exist_ok=True)
        if seed == 0:
            out.save(LOOK_DIR / f"degraded-{level}.png", compress_level=1)


def test_degrade_page_is_seeded() -> None:
    page = render_booklet(sample_record("THCS-2011", 2, years=1), VARIANTS["p5"])[1]
    a = degrade_page(page, random.Random(5), "poor")
    b = degrade_page(page, random.Random(5), "poor")
    c = degrade_page(page, random.Random(6), "poor")
    assert a.tobytes() == b.tobytes()
    assert a.size != c.size or a.tobytes() != c.tobytes()
    assert isinstance(a, Image.Image)


def _on_page(printed: list[str], value: str) -> bool:
    return value in " ".join(printed)


@pytest.mark.parametrize("variant", ["p2", "p3", "holdout"])
def test_every_truth_value_is_printed_on_its_page(variant: str) -> None:
    """What the truth says is what the page shows (content.py records, all value kinds)."""
    from synth.content import make_records

    v = VARIANTS[variant]
    families = set()
    for record in make_records(21, 4):
        families.add(record.family)
        sheets = draw_booklet(record, v)
        st = record.student
        identity = sheets[0].printed
        for value in (
            st.place_of_birth,
            st.ethnicity,
            st.nationality,
            st.residence,
            st.gender,
            st.personal_id,
            format_name(st.full_name, v),
            format_dob(st.date_of_birth, v),
        ):
            assert not value or _on_page(identity, value), (variant, value)
        for year, sheet in zip(record.years, sheets[1:], strict=True):
            page = sheet.printed
            expected = [
                year.class_name,
                school_year_text(year.school_year, v),
                year.decision,
                year.awards,
                year.homeroom_comment,
                str(year.absences),
            ]
            for subj in year.subjects:
                expected += [
                    format_score(x, v) for x in (subj.hk1, subj.hk2, subj.year, subj.retest)
                ]
                expected += [format_level(subj.level, v), subj.comment]
                expected.append(None if subj.test_score is None else str(subj.test_score))
            for item in (year.competencies or []) + (year.qualities or []):
                expected += [format_pcnl(item.level, v), item.comment]
            for triple in (year.average_all, year.conduct, year.academic):
                if triple is not None:
                    expected += [
                        format_score(x, v) if isinstance(x, float) else format_rank(x, v)
                        for x in (triple.hk1, triple.hk2, triple.year)
                    ]
            for value in expected:
                assert not value or _on_page(page, value), (variant, record.document_id, value)
    assert families == {"THCS-2011", "TH-2014"}


def _blue_ink(page: Image.Image) -> int:
    """Pixels of ballpoint blue: blue well above red (print is neutral grey-black)."""
    rgb = np.asarray(page.convert("RGB")).astype(int)
    return int(((rgb[:, :, 2] - rgb[:, :, 0] > 50) & (rgb[:, :, 2] < 200)).sum())


@pytest.mark.parametrize("family", ["THCS-2011", "TH-2014"])
def test_handwritten_mode_writes_values_by_hand_in_the_same_frame(family: str) -> None:
    record = sample_record(family, 7, years=1)
    printed = draw_booklet(record, VARIANTS["p2"])
    hand = draw_booklet(record, VARIANTS["p2"], handwritten=True)
    for p, h in zip(printed, hand, strict=True):
        assert p.printed == h.printed  # the same strings, so the truth still describes the page
        # values in pen: far more blue ink than the signatures alone leave on a printed page
        assert _blue_ink(h.img) > _blue_ink(p.img) + 20_000
    again = draw_booklet(record, VARIANTS["p2"], handwritten=True)
    assert all(a.img.tobytes() == b.img.tobytes() for a, b in zip(hand, again, strict=True))


VIETNAMESE_LETTERS = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"


@pytest.mark.parametrize("name", VARIANTS)
def test_every_printing_has_every_vietnamese_letter(name: str) -> None:
    """A font without them prints boxes (Liberation 1.x has no «ệ»): not a printing."""
    from fontTools.ttLib import TTFont

    fonts = VARIANTS[name].fonts
    for path in (fonts.label, fonts.label_bold, fonts.value):
        cmap = TTFont(path).getBestCmap()
        letters = VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper()
        assert not [ch for ch in letters if ord(ch) not in cmap], path
