"""Vietnamese text normalization (domain.md §5): NFC, one tone-placement style, search keys."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_SPACES = re.compile(r"\s+")
_HATS = frozenset("\u0302\u0306")  # circumflex, breve
_STACKED_TONES = frozenset("\u0301\u0303\u0309\u0323")  # acute, tilde, hook, dot below
# "oa", "oe", "uy" at the end of a syllable with the tone on the second vowel (new style, "hoà")
_NEW_STYLE = re.compile(
    r"(?<![qQ])([oOuU])([aAeEyY])([" + _TONES + r"])(?![^\W\d_]|[\u0302\u0306\u031b])"
)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean(text: str) -> str:
    """NFC, single spaces, trimmed."""
    return _SPACES.sub(" ", nfc(text)).strip()


def canonical_tone_style(text: str) -> str:
    """Move the tone of open "oa/oe/uy" syllables to the first vowel (hoà -> hòa, thuỷ -> thủy).

    Old-style placement is what the Ministry's forms print ("Hóa học", "Hòa Bình").
    """
    decomposed = unicodedata.normalize("NFD", text)
    # NFD puts hats/horns before tones, so the tone follows the base vowel directly here.
    moved = _NEW_STYLE.sub(lambda m: m.group(1) + m.group(3) + m.group(2), decomposed)
    return unicodedata.normalize("NFC", moved)


def normalize_text(text: str) -> str:
    """What every stored string goes through: NFC, spaces, canonical tone placement."""
    return canonical_tone_style(clean(text))


def strip_accents(text: str) -> str:
    """Remove every diacritic; đ/Đ do not decompose in NFD and are mapped explicitly."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.replace("đ", "d").replace("Đ", "D")


def without_marks(text: str) -> str:
    """The text with its combining marks removed but đ kept: a read can lose or gain a mark,
    and the bar of «đ» is part of the letter, not a mark."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def mark_count(text: str) -> int:
    """How many diacritic marks (tones, hats, breves, horns) a text carries."""
    return sum(1 for ch in unicodedata.normalize("NFD", text) if unicodedata.combining(ch))


def fullest_marks(guess: object, values: Sequence[object]) -> object:
    """The best guess among spellings of one text that differ in marks only: the one with the
    most tone marks stacked over a hat or breve, when only one has that many; else the guess.
    Tesseract loses such a stacked tone (a Times-like «Nắm» read «Năm», italic «Nguyễn» read
    «Nguyên») far more often than it invents one; graves apart, which it invents beside a
    hat («Quân» read «Quần» on three printings) and was never seen to lose. Other marks are
    not counted: a lone letter's marks are invented as often as lost («Đinh» read «Định»,
    «Hưng» «Hững»). Replayed on the flagged fields of two runs (140 booklets, every
    printing), it changed 144 guesses, all to the printed text. A guess only: the field
    stays flagged."""
    if not isinstance(guess, str):
        return guess
    letters = without_marks(guess).casefold()
    same = {v for v in values if isinstance(v, str) and without_marks(v).casefold() == letters}
    most = max((_stacked_tones(v) for v in same), default=0)
    fullest = [v for v in same if _stacked_tones(v) == most]
    return fullest[0] if len(fullest) == 1 and most > _stacked_tones(guess) else guess


def _stacked_tones(text: str) -> int:
    """Tone marks other than the grave over a letter that also carries a hat or breve (ắ ễ ậ)."""
    count = 0
    for char in unicodedata.normalize("NFC", text):
        marks = unicodedata.normalize("NFD", char)[1:]
        if set(marks) & _HATS:
            count += len(set(marks) & _STACKED_TONES)
    return count


def search_key(text: str) -> str:
    """Accent-insensitive, lower-case, single-spaced key for candidate retrieval only."""
    return _SPACES.sub(" ", strip_accents(nfc(text)).lower()).strip()


def title_case_name(text: str) -> str:
    """Vietnamese title case for names: "NGUYỄN THỊ ÁNH" -> "Nguyễn Thị Ánh"."""
    words = normalize_text(text).lower().split(" ")
    return " ".join(w[:1].upper() + w[1:] for w in words if w)


# A Vietnamese syllable as written (domain.md §5): an optional onset, one to three vowels and
# an optional final consonant. Tone marks are taken off first; hats, breves and horns stay.
_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
    r"[aăâeêioôơuưy]{1,3}(?:ch|ng|nh|[cmnpt])?"
)


def is_syllable(word: str) -> bool:
    """Whether the word can be a Vietnamese syllable: «Hiếu», «Nguyễn», «Khuyến» can, «Htếu»,
    «Ngyễn», «Hoàng1» cannot. Names of other peoples («H'Hen», «Ksor») are not syllables."""
    decomposed = unicodedata.normalize("NFD", word.casefold())
    toneless = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return _SYLLABLE.fullmatch(toneless) is not None
