"""Field readers: raw OCR text of one field -> a typed value, or a reason it cannot be trusted.

A reader never guesses: text that does not parse cleanly returns value None with a problem code,
and the caller flags the field for review.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from domain.text import normalize_text, search_key, title_case_name
from domain.vocab import SCHOOL_KINDS


@dataclass(frozen=True)
class Parsed:
    value: object
    problem: str | None = None  # stable code, e.g. UNPARSEABLE, OUT_OF_VOCABULARY

    @property
    def ok(self) -> bool:
        return self.problem is None


# Glyphs the engine returns for look-alikes: Icelandic eth for the Vietnamese Đ.
_CONFUSABLES = str.maketrans({"Ð": "Đ", "ð": "đ"})
# The `vie` model sometimes reads one Đ as two (Đ and the look-alike eth): no Vietnamese word
# has a doubled đ, so a doubled one is one glyph.
_DOUBLED_D = re.compile(r"(Đ|đ)\1")


def unconfuse(raw: str) -> str:
    return _DOUBLED_D.sub(r"\1", raw.translate(_CONFUSABLES))


NOT_PARSED = "UNPARSEABLE"
OUT_OF_VOCAB = "OUT_OF_VOCABULARY"

_SCORE = re.compile(r"^(10|\d)(?:[,.](\d))?$")
_INT = re.compile(r"^\d{1,3}$")
_YEAR_PAIR = re.compile(r"(\d{4})\s*[-–—/]?\s*(\d{4})")
_DATE_NUMERIC = re.compile(r"(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{4})")
_DATE_WORDS = re.compile(r"ng[àa]y\s*(\d{1,2})\s*th[áa]ng\s*(\d{1,2})\s*n[ăa]m\s*(\d{4})", re.I)
_CLASS = re.compile(r"^([1-9])[A-ZĐ0-9]{0,4}$")


def parse_score(raw: str) -> Parsed:
    """THCS score "7,5" / "8" -> 7.5 / 8.0; the comment marks Đ / CĐ pass through."""
    text = unconfuse(raw).replace(" ", "").replace("O", "0").replace("o", "0")
    mark = search_key(text)
    if mark in ("d", "cd") and text[:1] in ("Đ", "C", "đ", "c"):
        return Parsed("Đ" if mark == "d" else "CĐ")
    match = _SCORE.match(text)
    if not match:
        return Parsed(None, NOT_PARSED)
    value = float(match.group(1)) + (float(match.group(2)) / 10 if match.group(2) else 0.0)
    if value > 10:
        return Parsed(None, NOT_PARSED)
    return Parsed(round(value, 1))


_EDGE_JUNK = ")]}|›»([{‹«'\"`.,:;!/\\- "  # ruling stubs and specks at a cell's edges


def parse_mark(raw: str) -> Parsed:
    """A comment-assessed THCS subject holds only Đ or CĐ: anything else is unparseable.

    Only those two can be printed there, so a read that lost Đ's bar ("D", "CD") or picked up
    a ruling stub at the cell's edge ("Đ)") still names exactly one of them. The caller
    (`FieldSink.take_mark`) takes it only when the glyph count in the cell agrees.
    """
    text = unconfuse(raw).strip(_EDGE_JUNK).replace(" ", "")
    key = search_key(text)
    if key in ("d", "cd") and text.isalpha():
        return Parsed("Đ" if key == "d" else "CĐ")
    return Parsed(None, NOT_PARSED)


def parse_int(raw: str) -> Parsed:
    text = raw.replace(" ", "")
    if not _INT.match(text):
        return Parsed(None, NOT_PARSED)
    return Parsed(int(text))


def first_int(raw: str) -> Parsed:
    """The first integer in a line such as "Nghỉ học: 3 ngày"."""
    match = re.search(r"\d{1,3}", raw)
    return Parsed(int(match.group())) if match else Parsed(None, NOT_PARSED)


def parse_school_year(raw: str) -> Parsed:
    match = _YEAR_PAIR.search(raw)
    if not match:
        return Parsed(None, NOT_PARSED)
    start, end = int(match.group(1)), int(match.group(2))
    if end != start + 1 or not 1990 <= start <= 2100:
        return Parsed(f"{start}-{end}", "SCHOOL_YEAR_INVALID")
    return Parsed(f"{start}-{end}")


def parse_date(raw: str) -> Parsed:
    match = _DATE_WORDS.search(raw) or _DATE_NUMERIC.search(raw)
    if not match:
        return Parsed(None, NOT_PARSED)
    day, month, year = (int(g) for g in match.groups())
    if not FIRST_YEAR <= year <= dt.date.today().year:  # a legacy page's date: never ahead
        return Parsed(None, "DATE_INVALID")
    try:
        return Parsed(dt.date(year, month, day).isoformat())
    except ValueError:
        return Parsed(None, "DATE_INVALID")


FIRST_YEAR = 1900  # no date a booklet prints is earlier


def parse_class(raw: str) -> Parsed:
    """A class «7B6»; the first dot of the leaders after it («7B6.») is no part of it."""
    text = raw.replace(" ", "").upper().rstrip(".…:;,_·")
    match = _CLASS.match(text)
    return Parsed(text) if match else Parsed(None, NOT_PARSED)


def class_parser(grades: Iterable[int]) -> Callable[[str], Parsed]:
    """A class of one of the booklet's grades: a THCS booklet has no class «1C», so a read of
    one («1C» for «7C») is a misread the other reads outvote, not a value."""
    leading = {str(g) for g in grades}

    def parse(raw: str) -> Parsed:
        parsed = parse_class(raw)
        return (
            parsed if not parsed.ok or str(parsed.value)[0] in leading else Parsed(None, NOT_PARSED)
        )

    return parse


_TRAILING_LEADER = re.compile(r"(?:\s*(?:\.{2,}|…|_+|·+|[:,;]))+$")
_TRAILING_DOTS = re.compile(r"[\s.…_·:,;]+$")
_LEADING_MARKS = re.compile(r"^[\W_]+")
_NAME = re.compile(r"[^\W\d_]+(?:[\s'’-]+[^\W\d_]+)*")  # letters; spaces, apostrophes, hyphens


def _trim(raw: str) -> str:
    """Drop dotted leaders after a value (a sentence's own final period stays) and a speck
    read as an opening quote no closing one answers («'Tiếp thu bài …»)."""
    text = _TRAILING_LEADER.sub("", normalize_text(unconfuse(raw))).strip()
    if text[:1] in _SINGLE_QUOTES and not any(ch in _SINGLE_QUOTES for ch in text[1:]):
        text = text[1:].lstrip()
    return text


_SINGLE_QUOTES = frozenset("'‘’`´")


_LOAN_LETTERS = set("fz")  # no Vietnamese word spells them (j, w: Cư Jút, Đắk Wil)
_VOWELS = set("aeiouy")
_VI_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323", "\u0302", "\u0306", "\u031b"}


def foreign_letters(text: str) -> bool:
    """Letters no Vietnamese text has (Ÿ, ø …), a mark on a consonant («ñam»), or f or z
    in a word with Vietnamese marks («Học fốt»: a loanword never carries a tone): an OCR
    misread, never a value to keep."""
    for word in unicodedata.normalize("NFD", text).split():
        marked, base = False, ""
        for ch in word:
            if unicodedata.combining(ch):
                if ch not in _VI_MARKS or base.lower() not in _VOWELS:
                    return True
                marked = True
            elif ch.isalpha() and not ("a" <= ch.lower() <= "z" or ch in "đĐ"):
                return True
            else:
                base = ch
        if marked and set(word.lower()) & _LOAN_LETTERS:
            return True
    return False


def parse_name(raw: str) -> Parsed:
    # marks before a name (a quote, the label's colon) are specks, never part of a name
    text = _LEADING_MARKS.sub("", _TRAILING_DOTS.sub("", normalize_text(unconfuse(raw))))
    if not text or not _NAME.fullmatch(text) or foreign_letters(text):
        return Parsed(None, NOT_PARSED)
    return Parsed(title_case_name(text))


def parse_text(raw: str) -> Parsed:
    text = _trim(raw)
    if not text:
        return Parsed(None, NOT_PARSED)
    if not any(ch.isalnum() for ch in text):  # stray marks where the value is blank
        return Parsed(None)
    text = _opening_case_slip(text)
    return Parsed(text, "FOREIGN_LETTERS" if foreign_letters(text) else None)


def _opening_case_slip(text: str) -> str:
    """A text in sentence case («Học sinh tiên tiến», «Ấp 11, xã …») whose first word was read
    in capitals that carry a mark («HỌC», «ẤP»: a monospace small letter taken for its
    capital), with that word as a sentence opens. Acronyms carry no marks, and a text that
    goes on in capitals («SỞ GD&ĐT …») is left as read."""
    words = text.split(" ")
    following = next((w for w in words[1:] if any(ch.isalpha() for ch in w)), None)
    if following is None or not following.islower() or not _marked_capitals(words[0]):
        return text
    return " ".join([words[0].capitalize(), *words[1:]])


def parse_school_name(raw: str) -> Parsed:
    """A school's name: «Trường» and the school's kind (SCHOOL_KINDS) are words from a closed
    list, so a read a glyph away from them («Irường», «Tiếu học», «THỂS») is that word; the
    proper name after them is taken as read."""
    parsed = parse_text(_TRAILING_DOTS.sub("", raw))  # no school's name ends in a period
    if not parsed.ok or not isinstance(parsed.value, str):
        return parsed
    words = parsed.value.split()
    if len(words) > 2 and _label_tail(words[0]) and _near(words[1], _SCHOOL):
        words = words[1:]  # «ng: Trường …», «g Trường …»: the label's tail or a speck
    start = 1 if words and _near(words[0], _SCHOOL) else 0
    kind = _school_kind(words[start:])
    text = " ".join(words)
    if kind is not None:
        name, taken = kind
        head = [_SCHOOL] if start else []
        text = " ".join([*head, name, *_case_slips(words[start + taken :])])
    return Parsed(text, parsed.problem)


def _case_slips(words: list[str]) -> list[str]:
    """A proper name in mixed case («Lý Tự Trọng») with one word read in capitals that carry
    a mark («LÝ»): that word in the name's case. Acronyms never carry marks (THCS, ĐH), and a
    name printed all in capitals has no word in mixed case to follow."""
    if not any(w[:1].isupper() and w[1:].islower() for w in words):
        return words
    return [w.capitalize() if _marked_capitals(w) else w for w in words]


def _marked_capitals(word: str) -> bool:
    letters = unicodedata.normalize("NFD", word)
    return len(word) > 1 and word.isupper() and any(unicodedata.combining(c) for c in letters)


def _label_tail(word: str) -> bool:
    """A word of three glyphs at most, none a capital: no school's name opens with one."""
    return len(word) <= 3 and not any(ch.isupper() for ch in word)


def school_name_doubtful(name: str) -> bool:
    """A name no school has: a word opening with a mark («Chu Văn .Vn»: a glyph broken by a
    speck), a sign no name holds (names have & - ' ( ) . ,), or a lower-case word before it
    («g Tiểu học …»: a speck read as a letter). Reads like these still count in the vote (they
    are disagreement); a value like this is flagged."""
    return _STRAY_MARK.search(name) is not None or name[:1].islower()


_STRAY_MARK = re.compile(r"(?:^|\s)[.,;:]\S|[^\w\s&'().,-]|_")


_SCHOOL = "Trường"


def _near(word: str, canonical: str) -> bool:
    """One word a glyph slip from a closed-list word (exact for short ones, acronyms); an H
    read as two I's («TIICS») is one slip."""
    key, want = vocab_key(word).replace(" ", ""), vocab_key(canonical).replace(" ", "")
    slips = min(Levenshtein.distance(k, want) for k in (key, key.replace("ii", "h")))
    return slips <= (1 if len(want) >= 4 else 0)


def _school_kind(words: Sequence[str]) -> tuple[str, int] | None:
    """The school kind the words open with and how many words it took; the longest wins."""
    for kind in sorted(SCHOOL_KINDS, key=lambda k: -len(k.split())):
        parts = kind.split()
        if len(words) > len(parts) and all(map(_near, words, parts)):
            return kind, len(parts)
    return None


def vocab_key(text: str) -> str:
    """Accent- and punctuation-insensitive key for closed-vocabulary lookups. The engine's
    look-alike Ð (eth) is the Đ it stands for, so a `vie` read "Ð" meets the `eng` read "D"."""
    key = search_key(unconfuse(text))
    return " ".join(re.sub(r"[^\w\s]", " ", key).split())


def vocab_index(entries: Mapping[str, str] | Iterable[str]) -> dict[str, str]:
    """printed form -> canonical, keyed accent- and punctuation-insensitively.

    Two entries whose keys collide (e.g. "Đ" and a "D" for something else) would be told
    apart only by accents, which the ASCII read family cannot see: refused outright.
    """
    pairs = entries.items() if isinstance(entries, Mapping) else ((e, e) for e in entries)
    index: dict[str, str] = {}
    compact: dict[str, str] = {}  # keys without spaces, which the `eng` read may lose
    for printed, canonical in pairs:
        key = vocab_key(printed)
        if index.setdefault(key, canonical) != canonical:
            raise ValueError(f"{printed!r} folds to {key!r}, already {index[key]!r}")
        if compact.setdefault(key.replace(" ", ""), canonical) != canonical:
            raise ValueError(f"{printed!r} without spaces is {compact[key.replace(' ', '')]!r}")
    return index


def vocab_alphabet(index: Mapping[str, str]) -> str:
    """The ASCII letters (both cases) a vocabulary's printed forms fold to (Đ -> D, ố -> o):
    the whitelist of the `eng` read family for its cells. Its reads map back through the same
    index, so a lone "D" is the entry printed "Đ"; `vocab_index` guarantees no collision."""
    letters = sorted({ch for key in index for ch in key if "a" <= ch <= "z"})
    if not letters or any(not ("a" <= ch <= "z" or ch == " ") for key in index for ch in key):
        raise ValueError("a letter alphabet needs a vocabulary of plain letters")
    return "".join(letters).upper() + "".join(letters)


def match_vocab(raw: str, index: Mapping[str, str]) -> Parsed:
    """Closed vocabulary: exact accent-insensitive match, or one OCR slip away from exactly one entry.

    The vocabularies are unambiguous without accents, so lost tone marks are safe to restore.
    """
    key = vocab_key(raw)
    if not key:
        return Parsed(None, NOT_PARSED)
    if key in index:
        return Parsed(index[key])
    # The `eng` read of a vocabulary's letters has no space to read ("Hoanthanhtot"):
    # `vocab_index` guarantees no two entries meet without their spaces.
    compact = key.replace(" ", "")
    joined = [v for k, v in index.items() if k.replace(" ", "") == compact]
    if joined:
        return Parsed(joined[0])
    distances = sorted((Levenshtein.distance(key, k), k) for k in index)
    best, runner_up = distances[0], distances[1] if len(distances) > 1 else (99, "")
    if len(key) >= 4 and best[0] == 1 and runner_up[0] >= 3:
        return Parsed(index[best[1]])
    return Parsed(None, OUT_OF_VOCAB)


def parse_gender(raw: str) -> Parsed:
    return match_vocab(raw, {"nam": "Nam", "nu": "Nữ"})


def vocab_parser(index: Mapping[str, str]) -> Callable[[str], Parsed]:
    return lambda raw: match_vocab(raw, index)


def vocab_or_text(index: Mapping[str, str]) -> Callable[[str], Parsed]:
    """Free text that is usually one of a few canonical phrases (awards)."""

    def parse(raw: str) -> Parsed:
        matched = match_vocab(raw, index)
        return matched if matched.ok else parse_text(raw)

    return parse


def vocab_or_name(index: Mapping[str, str]) -> Callable[[str], Parsed]:
    """An ethnic group: an entry of the list, or a spelling the list lacks («Ê-đê») if it
    reads as a name; a read with a digit in a word («Thá1» for «Thái») is no value."""

    def parse(raw: str) -> Parsed:
        matched = match_vocab(raw, index)
        return matched if matched.ok else parse_name(raw)

    return parse


def score_0_10(raw: str) -> Parsed:
    parsed = parse_int(raw)
    if parsed.ok and not 0 <= int(parsed.value) <= 10:  # type: ignore[call-overload]
        return Parsed(None, NOT_PARSED)
    return parsed
