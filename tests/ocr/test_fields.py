"""Field readers (ocr/fields.py): typed values from raw OCR text, never a guess."""

from __future__ import annotations

import pytest

from domain.vocab import (
    ACADEMIC,
    CONDUCT,
    ETHNICITIES,
    TH_LEVEL_ABBREVIATIONS,
    TH_LEVELS_TT22,
    THCS_SUBJECTS,
)
from ocr.engine import DIGITS
from ocr.fields import (
    NOT_PARSED,
    OUT_OF_VOCAB,
    Parsed,
    class_parser,
    foreign_letters,
    match_vocab,
    parse_date,
    parse_mark,
    parse_name,
    parse_school_name,
    parse_school_year,
    parse_score,
    parse_text,
    school_name_doubtful,
    vocab_alphabet,
    vocab_index,
    vocab_or_name,
)
from ocr.year_th import LEVEL_INDEX, PC_NL_INDEX, PC_NL_LETTERS
from ocr.year_thcs import ACADEMIC_INDEX, CONDUCT_INDEX

SUBJECTS = vocab_index({v: s.name for s in THCS_SUBJECTS for v in (s.name, *s.variants)})
LEVELS = vocab_index({**{lv: lv for lv in TH_LEVELS_TT22}, **TH_LEVEL_ABBREVIATIONS})
RATINGS = vocab_index((*CONDUCT, *ACADEMIC))


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("7,5", 7.5),
        ("7.5", 7.5),
        ("8", 8.0),
        ("10", 10.0),
        ("0,0", 0.0),
        ("6, 8", 6.8),  # a space inside the number
        ("O,5", 0.5),  # letter O read for zero
        ("Đ", "Đ"),
        ("CĐ", "CĐ"),
    ],
)
def test_parse_score_reads(raw: str, value: object) -> None:
    parsed = parse_score(raw)
    assert parsed.ok
    assert parsed.value == value


@pytest.mark.parametrize("raw", ["", "11", "10,5", "7,55", "7/5", "abc", "-3", "D?"])
def test_parse_score_refuses(raw: str) -> None:
    parsed = parse_score(raw)
    assert not parsed.ok
    assert parsed.value is None
    assert parsed.problem == NOT_PARSED


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("05/09/2010", "2010-09-05"),
        ("5/9/2010", "2010-09-05"),
        ("05-09-2010", "2010-09-05"),
        ("05.09.2010", "2010-09-05"),
        ("Ngày sinh: 17 / 02 / 2003", "2003-02-17"),
        ("ngày 05 tháng 9 năm 2010", "2010-09-05"),
        ("Ngày 5 tháng 09 năm 2010", "2010-09-05"),
        ("ngay 05 thang 9 nam 2010", "2010-09-05"),  # tone marks lost by OCR
    ],
)
def test_parse_date_variants(raw: str, iso: str) -> None:
    parsed = parse_date(raw)
    assert parsed.ok, parsed
    assert parsed.value == iso


def test_parse_date_impossible_and_garbage() -> None:
    assert parse_date("31/02/2010").problem == "DATE_INVALID"
    assert parse_date("ngày 30 tháng 13 năm 2010").problem == "DATE_INVALID"
    assert parse_date("28-11-2903").problem == "DATE_INVALID"  # a 0 read as 9: a future year
    assert parse_date("5/9/1809").problem == "DATE_INVALID"
    garbage = parse_date("không rõ")
    assert garbage.value is None and garbage.problem == NOT_PARSED


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("2014-2015", "2014-2015"),
        ("Năm học 2014 - 2015", "2014-2015"),
        ("2014–2015", "2014-2015"),
        ("2014/2015", "2014-2015"),
        ("20142015", "2014-2015"),
    ],
)
def test_parse_school_year(raw: str, value: str) -> None:
    parsed = parse_school_year(raw)
    assert parsed.ok
    assert parsed.value == value


def test_parse_school_year_refuses_inconsistent_years() -> None:
    parsed = parse_school_year("2014-2016")
    assert parsed.problem == "SCHOOL_YEAR_INVALID"
    assert parse_school_year("1890-1891").problem == "SCHOOL_YEAR_INVALID"
    assert parse_school_year("Năm học").problem == NOT_PARSED


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("Vat li", "Vật lí"),  # tone marks lost
        ("VẬT LÝ", "Vật lí"),  # printed variant, upper case
        ("Ngu van", "Ngữ văn"),
        ("Giao duc cong dan", "Giáo dục công dân"),
        ("Sinh hoc.", "Sinh học"),  # trailing punctuation
        ("Lich su", "Lịch sử"),
        ("Lich sư", "Lịch sử"),
        ("Dia lí", "Địa lí"),  # Đ read as D
        ("Ngữ vân", "Ngữ văn"),
        ("Ngu vaan", "Ngữ văn"),  # one OCR slip away from exactly one entry
    ],
)
def test_match_vocab_restores_subjects(raw: str, canonical: str) -> None:
    parsed = match_vocab(raw, SUBJECTS)
    assert parsed.ok, (raw, parsed)
    assert parsed.value == canonical


def test_match_vocab_ratings_and_abbreviations() -> None:
    assert match_vocab("Gioi", RATINGS).value == "Giỏi"
    assert match_vocab("trung binh", RATINGS).value == "Trung bình"
    assert match_vocab("HTT", LEVELS).value == "Hoàn thành tốt"
    assert match_vocab("Hoan thanh tot", LEVELS).value == "Hoàn thành tốt"


def test_a_letters_read_that_lost_the_spaces_names_its_entry() -> None:
    # the `eng` family reads with a vocabulary's letters only: no space in its alphabet
    assert match_vocab("Hoanthanhtot", LEVELS).value == "Hoàn thành tốt"
    assert match_vocab("Chuahoanthanh", LEVELS).value == "Chưa hoàn thành"
    assert match_vocab("Trungbinh", RATINGS).value == "Trung bình"
    # a slip on top of it stays a doubt: "Hoàn thành" is two letters away
    assert match_vocab("Hoanthanhtt", LEVELS).problem == OUT_OF_VOCAB


def test_entries_that_meet_without_spaces_are_refused() -> None:
    with pytest.raises(ValueError, match="without spaces"):
        vocab_index({"Hoàn thành": "A", "Hoànthành": "B"})


@pytest.mark.parametrize(
    ("raw", "index"),
    [
        ("Hoan thanh t", LEVELS),  # between "Hoàn thành" and "Hoàn thành tốt"
        ("Kha Gioi", RATINGS),  # two entries in one cell
        ("Kh", RATINGS),  # too short to correct
        ("Hóa", SUBJECTS),  # not a subject name
        ("Tin hoc ung dung", SUBJECTS),
    ],
)
def test_match_vocab_ambiguous_or_unknown_is_a_problem(raw: str, index: dict[str, str]) -> None:
    parsed = match_vocab(raw, index)
    assert parsed.value is None
    assert parsed.problem == OUT_OF_VOCAB


def test_match_vocab_empty_is_unparseable() -> None:
    assert match_vocab("  .. ", RATINGS).problem == NOT_PARSED


def test_letter_alphabets_fold_vietnamese_letters_and_map_back() -> None:
    assert set(PC_NL_LETTERS) >= set("TDCtdc") and not set(PC_NL_LETTERS) & set(DIGITS)
    for index in (LEVEL_INDEX, PC_NL_INDEX, CONDUCT_INDEX, ACADEMIC_INDEX):
        alphabet = vocab_alphabet(index)
        for key, canonical in index.items():  # what the ASCII family can read, in either case
            assert set(key.replace(" ", "")) <= set(alphabet)
            assert match_vocab(key.upper(), index) == Parsed(canonical)
    assert match_vocab("D", PC_NL_INDEX) == Parsed("Đạt")
    assert match_vocab("Ð", PC_NL_INDEX) == Parsed("Đạt")  # the engine's eth look-alike


def test_entries_told_apart_only_by_accents_are_refused() -> None:
    with pytest.raises(ValueError, match="folds to"):
        vocab_index({"Đ": "Đạt", "D": "Dở"})
    assert vocab_index({"Hoàn thành": "Hoàn thành", "HT": "Hoàn thành", "H": "Hoàn thành"})


@pytest.mark.parametrize(
    ("raw", "mark"),
    [("Đ", "Đ"), ("D)", "Đ"), ("Ð", "Đ"), ("Đ.", "Đ"), ("CĐ", "CĐ"), ("CD", "CĐ"), ("C Đ", "CĐ"),
     ("ĐÐ", "Đ"), ("CĐÐ", "CĐ"),  # one Đ read twice (Đ and eth): no word doubles đ
     ("5)", None), ("3)", None), ("›", None), ("7,5", None)],
)  # fmt: skip
def test_a_comment_mark_survives_a_lost_bar_and_ruling_stubs(raw: str, mark: str | None) -> None:
    assert parse_mark(raw).value == mark


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("7C", "7C"),
        ("9 A1", "9A1"),
        ("7B6.", "7B6"),  # a leader's first dot
        ("8A2…", "8A2"),
        ("1C", None),
        ("5A", None),
        ("C7", None),
        ("", None),
        (".", None),
    ],
)
def test_a_class_is_of_the_booklets_grades(raw: str, value: str | None) -> None:
    assert class_parser((6, 7, 8, 9))(raw).value == value


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Irường THCS Tân Phước", "Trường THCS Tân Phước"),  # a slip in «Trường»
        ("Trường Tiếu học Lê Lợi", "Trường Tiểu học Lê Lợi"),  # a tone slip in the kind
        ("Trường THỂS Mỹ Lộc", "Trường THCS Mỹ Lộc"),
        ("Trường TIICS Trần Phú.", "Trường THCS Trần Phú"),  # H read as II; a trailing period
        ("THCS Mỹ Lộc....", "THCS Mỹ Lộc"),  # no «Trường»: none added; leaders dropped
        ("Trường Trung hoc cơ sở Lê Lợi", "Trường Trung học cơ sở Lê Lợi"),
        ("Trường TH&THCS Ea Kar", "Trường TH&THCS Ea Kar"),
        ("\\g: Trường Tiểu học Long Hưng", "Trường Tiểu học Long Hưng"),  # the label's tail
        ("ìg: Trường Tiểu học Long Hưng", "Trường Tiểu học Long Hưng"),
        ("g Trường Tiểu học Long Hưng", "Trường Tiểu học Long Hưng"),  # a speck before it
        ("Trường Tiểu học LÝ Tự Trọng", "Trường Tiểu học Lý Tự Trọng"),  # marked capitals
    ],
)
def test_a_school_names_kind_is_read_from_its_closed_list(raw: str, name: str) -> None:
    assert parse_school_name(raw) == Parsed(name)


@pytest.mark.parametrize(
    "raw",
    [
        "Trường THCS Irần Phú",  # the proper name is never corrected
        "Trường Tiên Phong",  # a name a slip from «Tiểu học»'s first word only
        "Trường TTICS Tân Phước",  # two slips from «THCS»: not that kind
        "Trường TC Lê Lợi",  # a short word must match exactly
        "Trường THCS",  # a kind with no name after it
        "Số 2 Trường Sơn",  # a capital opens it: no label tail
        "Trường Tiểu học LÝ TỰ TRỌNG",  # a name printed in capitals stays so
        "Trường Tiểu học ĐH Sư Phạm",  # an acronym carries no marks
    ],
)
def test_a_school_name_not_near_a_kind_is_taken_as_read(raw: str) -> None:
    assert parse_school_name(raw) == Parsed(raw)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("'Tiếp thu bài còn chậm.", "Tiếp thu bài còn chậm."),  # a speck read as a quote
        ("‘ Ngoan, lễ phép.", "Ngoan, lễ phép."),
        ("'Ngoan' và lễ phép.", "'Ngoan' và lễ phép."),  # a quote that closes stays
        ("Ea H'leo", "Ea H'leo"),
    ],
)
def test_an_opening_quote_no_closing_one_answers_is_a_speck(raw: str, text: str) -> None:
    assert parse_text(raw) == Parsed(text)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("HỌC sinh tiên tiến", "Học sinh tiên tiến"),  # a monospace «ọ», «c» read capitals
        ("ẤP 11, xã Đại Đồng, huyện Vĩnh Cửu", "Ấp 11, xã Đại Đồng, huyện Vĩnh Cửu"),
        ("SỞ GD&ĐT khen thưởng", "SỞ GD&ĐT khen thưởng"),  # goes on in capitals: as printed
        ("HỌC SINH GIỎI", "HỌC SINH GIỎI"),
        ("UBND xã tặng giấy khen", "UBND xã tặng giấy khen"),  # an acronym: no marks
        ("Học sinh XUẤT SẮC", "Học sinh XUẤT SẮC"),  # capitals past the first word: printed so
    ],
)
def test_a_first_word_read_in_marked_capitals_opens_a_sentence_case_text(
    raw: str, text: str
) -> None:
    assert parse_text(raw) == Parsed(text)


def test_a_school_name_no_school_has_is_doubtful() -> None:
    """`holdout`'s «An» read «.Vn» by every read; a speck before «Trường» read «g»."""
    assert school_name_doubtful("Trường Tiểu học Chu Văn .Vn")
    assert school_name_doubtful("Trường Tiểu học Chu Văn .\\n")
    assert school_name_doubtful("g Tiểu học Long Hưng")
    assert not school_name_doubtful("Trường THCS Số 2 TT. Phú Mỹ")  # an abbreviation's point
    assert not school_name_doubtful("Trường PTDTBT TH&THCS Ea H'leo")


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("NGUYỄN THÀNH SƠN", "Nguyễn Thành Sơn"),
        ("“SÙNG HOÀNG HÒA", "Sùng Hoàng Hòa"),  # a speck before the name, read as a quote
        (": Lê Văn An....", "Lê Văn An"),  # the label's colon and the leaders
        ("Ksor H'Hen", "Ksor H'hen"),
        ("Rơ Châm Ka-Lim", "Rơ Châm Ka-lim"),
    ],
)
def test_a_name_is_its_letters_without_the_specks_around_it(raw: str, name: str) -> None:
    assert parse_name(raw) == Parsed(name)


@pytest.mark.parametrize("raw", ["—k ` › SÙNG HOANG HÒA", "Nguyễn 3 An", "Lê Văn, An", "ØLE"])
def test_a_name_with_marks_or_digits_inside_is_not_a_name(raw: str) -> None:
    assert parse_name(raw) == Parsed(None, NOT_PARSED)


@pytest.mark.parametrize(
    ("text", "foreign"),
    [
        ("Học fốt, tích cực phát biểu.", True),  # «t» read «f» in a toned word
        ("Ÿ thức học tập", True),
        ("Việt ñam", True),  # a tilde on a consonant
        ("Học tốt, tích cực phát biểu.", False),
        ("Trường THCS Wilson, Zone 3", False),  # loan letters in unmarked words
        ("H'Hen Niê", False),
        ("Thôn 6, huyện Cư Jút, tỉnh Đắk Nông", False),  # J in a toned place name
    ],
)
def test_letters_no_vietnamese_word_has_are_foreign(text: str, foreign: bool) -> None:
    assert foreign_letters(text) is foreign


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("Thái", "Thái"),
        ("Ê-đê", "Ê Đê"),
        ("Jrai", "Jrai"),  # a spelling the list lacks («Gia Rai»), read as a name
        ("Thá1", None),  # a digit in a word: a misread, not an ethnic group
    ],
)
def test_an_ethnicity_is_listed_or_reads_as_a_name(raw: str, value: str | None) -> None:
    assert vocab_or_name(vocab_index(ETHNICITIES))(raw).value == value
