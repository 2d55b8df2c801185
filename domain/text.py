"""Vietnamese text normalization (domain.md §5): NFC, one tone-placement style, search keys."""

from __future__ import annotations

import re
import unicodedata

_TONES = "\u0300\u0301\u0303\u0309\u0323"  # huyền, sắc, ngã, hỏi, nặng
_SPACES = re.compile(r"\s+")
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


def search_key(text: str) -> str:
    """Accent-insensitive, lower-case, single-spaced key for candidate retrieval only."""
    return _SPACES.sub(" ", strip_accents(nfc(text)).lower()).strip()


def title_case_name(text: str) -> str:
    """Vietnamese title case for names: "NGUYỄN THỊ ÁNH" -> "Nguyễn Thị Ánh"."""
    words = normalize_text(text).lower().split(" ")
    return " ".join(w[:1].upper() + w[1:] for w in words if w)
