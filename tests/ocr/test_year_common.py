"""Table roles of the year pages (ocr/year_common.py, ocr/year_thcs.py)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from domain.vocab import TH_DECISIONS, THCS_DECISIONS, THCS_SUBJECTS
from ocr.decode import PageImage
from ocr.engine import Word
from ocr.layout import Place, Table, group_lines, labelled_places
from ocr.pages import ReadPage
from ocr.preprocess import clean_page
from ocr.sink import FieldSink
from ocr.tess_api import TesserocrEngine
from ocr.year_common import (
    CLASS_ALPHABET,
    _count_words,
    column_roles,
    compulsory_subjects,
    find_phrase,
    name_first,
    read_count,
    read_header,
    require_roles,
    split_slipped_class,
    subject_names,
    table_with,
    term_of,
)
from ocr.year_th import SUBJECT_INDEX as TH_INDEX
from ocr.year_thcs import SCORE_ROLES, _is_average_row, score_columns
from ocr.year_thcs import SUBJECT_INDEX as THCS_INDEX
from tests.ocr.test_sink import Recording


def test_a_garbled_signature_header_cannot_take_the_name_column() -> None:
    # The first header read garbled; the signature header lost "Giáo viên" but kept "môn".
    headers = ["Mẫn h hẹc", "Học kỳ I", "Học kỳ II", "Cả năm", "Điểm sau kiểm tra lại", "bộ môn ký"]
    roles = column_roles(headers, SCORE_ROLES)
    assert roles["name"] == 5
    name_first(roles)
    assert roles["name"] == 0
    assert 5 not in roles.values()
    assert (roles["hk1"], roles["hk2"], roles["year"]) == (1, 2, 3)


@pytest.mark.parametrize(
    ("label", "average"),
    [
        ("ĐTB các môn", True),
        ("Điểm TB các môn", True),
        ("Điểm trung bình các môn", True),
        ("ĐEB các môn", True),  # the bold ĐTB misread
        ("Giáo dục công dân", False),
        ("Toán", False),
    ],
)
def test_the_average_row_is_known_by_cac_mon(label: str, average: bool) -> None:
    assert _is_average_row(label) is average


SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
SERIF = "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf"
HEADERS = ["Môn học", "Học kỳ I", "Học kỳ II", "Cả năm", "Điểm kiểm tra lại", "Giáo viên ký"]


def _with(*changes: int | str) -> list[str]:
    """HEADERS with some cells read otherwise: column, text, column, text..."""
    out = list(HEADERS)
    for col, text in zip(changes[::2], changes[1::2], strict=True):
        out[int(col)] = str(text)
    return out


def _reread(texts: list[str]) -> Callable[[], list[str]]:
    return lambda: texts


@pytest.mark.parametrize(
    ("page_read", "reread"),
    [
        (HEADERS, HEADERS),
        # "II" lost on the page, and the re-read takes HK I's header for HK II
        (_with(2, "xế kỳ"), _with(1, "Học kỳ ÏI", 2, "Học lậi kỳ")),
        # the page read takes HK II's header for HK I, the re-read is no better
        (_with(1, "Học H kỳ", 2, "Học kỳ I"), _with(1, "Học H kỳ", 2, "Học kỳ I")),
        (_with(1, "", 2, ""), _with(1, "", 2, "")),  # both terms' headers lost
    ],
)
def test_term_columns_follow_the_forms_order_whatever_one_header_reads(
    page_read: list[str], reread: list[str]
) -> None:
    roles = score_columns(page_read, _reread(reread), len(HEADERS))
    assert [roles.get(t) for t in ("name", "hk1", "hk2", "year")] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("headers", "retest"),
    [
        (_with(4, "Dủ seủ kiến bx lại", 5, "Điáo m. Bên"), 4),  # both headers garbled
        (_with(4, "Dủ seủ kiến bx lại"), 4),
        (HEADERS[:4] + ["Điáo m. Bên"], None),  # no column between Cả năm and the signatures
        (_with(4, "Dủ seủ", 5, "bx lại") + ["Điáo m. Bên"], None),  # two unnamed: which?
    ],
)
def test_an_unnamed_column_between_the_year_and_the_signatures_is_the_retest(
    headers: list[str], retest: int | None
) -> None:
    roles = score_columns(headers, _reread(headers), len(headers))
    assert roles.get("retest") == retest
    assert [roles.get(t) for t in ("name", "hk1", "hk2", "year")] == [0, 1, 2, 3]


@pytest.mark.parametrize(
    ("text", "term"),
    [
        ("Học kỳ I", "hk1"),
        ("Học kỳI", "hk1"),  # the numeral read joined to "kỳ"
        ("Học kỳII", "hk2"),
        ("Học kỳ II", "hk2"),
        ("Học kì 1", "hk1"),
        ("HKII", "hk2"),
        ("HK I", "hk1"),
        ("Cả năm", "year"),
        ("CN", "year"),
        ("Học kỳ", None),  # the column's header, no term
        ("Hạnh kiểm", None),
    ],
)
def test_term_rows_and_headers_name_their_term(text: str, term: str | None) -> None:
    assert term_of(text) == term


def _count_line(count: str) -> tuple[np.ndarray, list[Word]]:
    """'Số ngày nghỉ: <count>' rendered, and the page read's words without the count (a lone
    digit after a label is what Tesseract's page layout drops)."""
    img = Image.new("L", (1600, 140), 255)
    draw = ImageDraw.Draw(img)
    draw.text((80, 40), "Số ngày nghỉ:", font=ImageFont.truetype(SANS, 40), fill=0)
    draw.text((420, 38), count, font=ImageFont.truetype(SERIF, 42), fill=0)
    image = np.array(img)
    words = [w for w in TesserocrEngine().read_page(image) if w.right < 400]
    return image, words


@pytest.mark.parametrize(("count", "expected"), [("8", 8), ("12", 12), ("", None)])
def test_a_count_the_page_read_dropped_is_read_from_its_place(
    count: str, expected: int | None
) -> None:
    image, words = _count_line(count)
    sink = FieldSink(page=1, image=image, engine=TesserocrEngine())
    found, places = labelled_places(group_lines(words), {"absences": ("Số ngày nghỉ",)}, 1600)
    assert found["absences"] == []
    assert read_count(sink, "absences", found["absences"], places["absences"]) == expected
    assert [f.code for f in sink.flags] == ([] if count else ["MISSING_FIELD"])


LIBERATION_SANS = "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf"


def test_a_count_is_read_without_its_unit() -> None:
    count, unit = Word("Ö", 74.0, 420, 40, 24, 34), Word("ngày", 96.0, 462, 40, 94, 45)
    assert _count_words([count, unit]) == [count]
    assert _count_words([Word("12ngày", 90.0, 420, 40, 120, 45)]) == [
        Word("12ngày", 90.0, 420, 40, 120, 45)
    ]  # one word: nothing to drop
    assert _count_words([unit]) == []  # the unit alone: the count is read from its place


def _zero_days_line() -> tuple[np.ndarray, dict[str, list[Word]], dict[str, Place]]:
    """'Số ngày nghỉ: 0 ngày' rendered, with the page read's words and places by label."""
    img = Image.new("L", (1600, 140), 255)
    draw = ImageDraw.Draw(img)
    draw.text((80, 40), "Số ngày nghỉ:", font=ImageFont.truetype(SANS, 40), fill=0)
    draw.text((420, 34), "0 ngày", font=ImageFont.truetype(LIBERATION_SANS, 50), fill=0)
    image = np.array(img)
    words = TesserocrEngine().read_page(image)
    found, places = labelled_places(group_lines(words), {"absences": ("Số ngày nghỉ",)}, 1600)
    return image, found, places


def test_a_count_the_page_read_dropped_before_its_unit_is_read_between_label_and_unit() -> None:
    """holdout6's bold «0» the page read dropped, keeping «ngày»: the digits-only read of the
    place with the unit in it read «9» from the unit's letters."""
    image, found, places = _zero_days_line()
    unit_only = [w for w in found["absences"] if w.text == "ngày"]
    assert unit_only
    sink = FieldSink(page=1, image=image, engine=TesserocrEngine())
    assert read_count(sink, "absences", unit_only, places["absences"]) == 0
    assert sink.flags == []
    assert [r.raw for r in sink.readings] == ["0"]  # the unit was not read as a digit


def test_a_count_the_page_read_garbled_is_read_from_its_own_glyphs() -> None:
    """holdout2's «0 ngày» read «Ö ngày» on the page: the count is read again from its own
    glyphs, the unit apart, and taken unflagged. (On holdout2's scans a digits-only read of
    the count with its unit read nothing sure; this clean render reads either way.)"""
    image, found, places = _zero_days_line()
    zero = next(w for w in found["absences"] if w.text == "0")
    garbled = [Word("Ö", 74.0, zero.x, zero.y, zero.w, zero.h), *found["absences"][1:]]
    sink = FieldSink(page=1, image=image, engine=TesserocrEngine())
    assert read_count(sink, "absences", garbled, places["absences"]) == 0
    assert sink.flags == []


def _names(texts: dict[int, str], family: str, grade: int | None) -> tuple[dict[int, str], list]:
    index = TH_INDEX if family == "TH-2014" else THCS_INDEX
    sink = FieldSink(page=1, image=np.full((10, 10), 255, np.uint8), engine=TesserocrEngine())
    names = subject_names(texts, index, compulsory_subjects(family, grade), sink, "years[0]")
    return names, sink.flags


GRADE_2_ROWS = {
    1: "Tiếng Việt", 2: "Toán", 3: "Đạo đức", 5: "Âm nhạc", 6: "Mĩ thuật", 7: "Thủ công",
    8: "Thể dục",
}  # fmt: skip


@pytest.mark.parametrize(
    ("read", "by_form"),
    [("TX&NH", True), ("TN&KNH", True), ("Tự nhicn và Xã hoj", True), ("TNXH", False)],
)
def test_the_one_unnamed_row_is_the_one_compulsory_subject_missing(
    read: str, by_form: bool
) -> None:
    names, flags = _names({**GRADE_2_ROWS, 4: read}, "TH-2014", 2)
    assert names[4] == "Tự nhiên và Xã hội"
    expected = [("ROW_NAMED_BY_FORM", "info")] if by_form else []  # «TNXH» matches as it is
    assert [(f.code, f.severity) for f in flags] == expected


@pytest.mark.parametrize(
    ("rows", "grade"),
    [
        ({**GRADE_2_ROWS, 4: "Ghi chú"}, 2),  # other letters: not a garbled name
        ({**GRADE_2_ROWS, 4: "TX&NH", 9: "Tiếng dtộc"}, 2),  # two rows unnamed
        ({**{k: v for k, v in GRADE_2_ROWS.items() if k != 3}, 4: "TX&NH"}, 2),  # two missing
    ],
)
def test_no_row_is_named_by_the_form_unless_only_one_fits(rows: dict[int, str], grade: int) -> None:
    names, flags = _names(rows, "TH-2014", grade)
    assert 4 not in names and not flags


def test_a_thcs_row_is_named_by_the_form_too() -> None:
    rows = {i: s.name for i, s in enumerate(THCS_SUBJECTS) if s.name not in ("Hóa học", "Tin học")}
    rows[1] = "Vât lj"  # two slips from «Vật lí»: past the vocabulary match
    names, flags = _names(rows, "THCS-2011", 7)
    assert names[1] == "Vật lí" and len(names) == len(rows)
    assert [f.code for f in flags] == ["ROW_NAMED_BY_FORM"]


def _words(*texts: str) -> list[Word]:
    return [Word(t, 90.0, 100 * i, 0, 80, 40) for i, t in enumerate(texts)]


@pytest.mark.parametrize(
    ("read", "name", "class_name"),
    [
        (("NGUYỄN", "HẢI", "THẢO", "....", "Lớn:", "1C3", "....."), "NGUYỄN HẢI THẢO", "1C3"),
        (("NGUYỄN", "THỊ", "LINH", "LẾP:", "3C"), "NGUYỄN THỊ LINH", "3C"),
        (("TRẦN", "VĂN", "THỊNH", "LớóI:", "6C6"), "TRẦN VĂN THỊNH", "6C6"),  # two slips
        (("NGUYỄN", "THỊ", "LINH", "DU:", "3C"), None, None),  # not the label: left as read
        (("NGUYỄN", "THỊ", "LINH", "Ở:", "3C"), None, None),  # too short to be a slipped «Lớp»
        (("NGUYỄN", "THỊ", "LINH", "Lớn:", "¿C2"), None, None),  # no class after it
    ],
)
def test_a_class_label_the_page_read_garbled_still_ends_the_name(
    read: tuple[str, ...], name: str | None, class_name: str | None
) -> None:
    found = split_slipped_class(_words(*read), 40.0)
    assert " ".join(w.text for w in found.get("full_name", [])) == (name or "")
    assert " ".join(w.text for w in found.get("class_name", [])) == (class_name or "")


def test_a_missing_rank_column_is_flagged_on_its_own_field() -> None:
    """p6's rank table whose «Học lực» header was not found: the flag names the academic
    cells, not the conduct ones beside them."""
    sink = FieldSink(page=1, image=np.full((10, 10), 255, np.uint8), engine=TesserocrEngine())
    require_roles(
        {"name": 0, "conduct": 1}, ("conduct", "academic"), sink, "years[0]", role_paths=True
    )
    require_roles({"name": 0}, ("hk1", "hk2"), sink, "years[1].subjects")
    assert [(f.field, f.code) for f in sink.flags] == [
        ("years[0].academic", "COLUMN_NOT_FOUND"),
        ("years[1].subjects", "COLUMN_NOT_FOUND"),
    ]


@pytest.mark.parametrize(
    ("read", "phrases", "decision"),
    [
        (("Được", "lên", "lớp"), THCS_DECISIONS, "Được lên lớp"),
        (("Được", "tên", "Lớp"), THCS_DECISIONS, "Được lên lớp"),  # holdout3's monospace «l»
        (
            ("Được", "tên", "lớp", "sau", "kiểm", "tra", "lại"),
            THCS_DECISIONS,
            "Được lên lớp sau kiểm tra lại",
        ),  # the phrase containing the nearer short one
        (("Ở", "lạ", "lớp"), THCS_DECISIONS, "Ở lại lớp"),
        (("Được", "tên", "tớp"), THCS_DECISIONS, None),  # two slips: not sure enough
        (
            ("Chưa", "hoàn", "thành", "chương", "trình", "lớp", "hạc"),
            TH_DECISIONS,
            "Chưa hoàn thành chương trình lớp học",
        ),  # not the «Hoàn thành …» inside it
    ],
)
def test_a_decision_is_found_one_slip_away_and_only_when_no_other_is_near(
    read: tuple[str, ...], phrases: tuple[str, ...], decision: str | None
) -> None:
    found = find_phrase(group_lines(_words(*read)), phrases)
    assert (found[0] if found else None) == decision


def test_a_class_name_is_also_read_by_the_second_model_with_its_alphabet() -> None:
    """Class names are digits and capitals: `eng` reads them with that alphabet, so a `vie`
    slip («8C» as «SC», «9B6» as «9BG») meets a read of another model, not only crops."""
    img = Image.new("L", (2480, 3508), 255)  # an A4 page at 300 dpi
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", 44)
    ImageDraw.Draw(img).text((200, 300), "Họ và tên: Lê Văn An    Lớp: 9B6", font=font, fill=0)
    clean = clean_page(PageImage(2, np.asarray(img), 300.0))
    engine = Recording(TesserocrEngine())
    words = engine.read_page(clean.text_only)
    page = ReadPage(clean, words, group_lines(words), [], "year", "THCS-2011", 3)
    sink = FieldSink(page=2, image=clean.gray, engine=engine)
    header = read_header(page, sink, "years[0]", "THCS-2011")
    assert header.class_name == "9B6" and header.grade == 9
    assert CLASS_ALPHABET in engine.alphabets
    assert [f.code for f in sink.flags if "class" in f.field] == []


def _in_cell(text: str, table: Table, row: int, col: int, nth: int = 0) -> Word:
    x, y, _, _ = table.cell_box(row, col)
    return Word(text, 90.0, x + 10 + 90 * nth, y + 30, 80, 40)


def test_a_tables_heading_words_must_share_a_column() -> None:
    """hb-41-00008: a speck in a score table's signature cell read «lục», beside «Môn học» in
    the header, made the score table the «Học lực» table; its rank columns were not found."""
    scores = Table(xs=(0, 400, 700, 1000), ys=(0, 100, 200, 300))
    ranks = Table(xs=(0, 300, 600, 900), ys=(500, 600, 700, 800, 900))
    words = [
        _in_cell("Môn", scores, 0, 0), _in_cell("học", scores, 0, 0, 1),
        _in_cell("Toán", scores, 1, 0), _in_cell("lục", scores, 1, 2),
        _in_cell("Hạnh", ranks, 0, 1), _in_cell("kiểm", ranks, 0, 1, 1),
        _in_cell("Học", ranks, 0, 2), _in_cell("lực", ranks, 0, 2, 1),
    ]  # fmt: skip
    clean = clean_page(PageImage(2, np.full((1000, 1000), 255, np.uint8), 300.0))
    page = ReadPage(clean, words, group_lines(words), [scores, ranks], "year", "THCS-2011", 3)
    assert table_with(page, "Hạnh kiểm", "Học lực") is ranks
    assert table_with(page, "Môn học") is scores
