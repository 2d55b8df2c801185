"""Vectorised scoring of (student, registry row) pairs for registry linking (domain.md §5).

One definition of the score serves both a single booklet and a batch of 100,000: every pair of
a batch is scored at once with rapidfuzz.process.cpdist and numpy, and per-name work (search
keys, tone-style canonicalisation) is done once per distinct name, since names repeat a lot.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein
from rapidfuzz.process import cpdist

from domain.text import normalize_text, search_key

HARD_MISMATCH_CAP = 80.0  # best possible score of a row with vetoing evidence (`_vetoed`)
PARENT_MISMATCH = 75.0  # a parent's name this dissimilar is another person (OCR slips stay above)

# weights of the evidence (points out of 100 when every field is known on both sides)
W_NAME, W_GIVEN, W_DOB, W_GENDER, W_PARENT, W_PROVINCE = 40, 10, 25, 5, 7, 6
MARK_WEIGHT = 0.3  # a tone or hat difference weighs this much of a letter difference
W_DOB_PARTIAL = 8  # one of day/month/year differs: an OCR digit error or another person

# Student-side columns of a pairs frame (registry-side columns keep their contract names).
STUDENT_COLUMNS = ("s_full_name", "s_gender", "s_dob", "s_father", "s_mother", "s_province")

_ISO = r"^\d{4}-\d{2}-\d{2}$"


def score_pairs(pairs: pd.DataFrame) -> np.ndarray:
    """0-100 per row: evidence earned over evidence available (blank fields don't count).

    `pairs` holds STUDENT_COLUMNS beside the registry columns. Some evidence vetoes a link
    whatever the sum says (`_vetoed`): the score is capped below the link threshold, so the
    row may be shown to a steward but is never linked automatically.
    """
    if pairs.empty:
        return np.zeros(0)
    name_s, name_r = _texts(pairs["s_full_name"]), _texts(pairs["full_name"])
    earned = W_NAME * name_similarity_many(name_s, name_r) / 100 + _given_points(name_s, name_r)
    possible = np.full(len(pairs), float(W_NAME + W_GIVEN))
    gender = _equal(_texts(pairs["s_gender"]), _texts(pairs["gender"]))
    father = _parent_points(pairs["s_father"], pairs["father_name"])
    mother = _parent_points(pairs["s_mother"], pairs["mother_name"])
    province = _equal(_texts(pairs["s_province"]), _codes(pairs["birth_registration_place"], 3))
    parts = (
        (_dob_points(_texts(pairs["s_dob"]), _texts(pairs["date_of_birth"])), W_DOB),
        (gender * W_GENDER, W_GENDER),
        (father, W_PARENT),
        (mother, W_PARENT),
        (province * W_PROVINCE, W_PROVINCE),
    )
    for points, weight in parts:
        known = ~np.isnan(points)
        earned = earned + np.where(known, points, 0.0)
        possible = possible + np.where(known, weight, 0.0)
    score = 100.0 * earned / possible
    parents = (
        _parent_evidence(pairs["s_father"], pairs["father_name"], father),
        _parent_evidence(pairs["s_mother"], pairs["mother_name"], mother),
    )
    vetoed = _vetoed(name_s, name_r, gender, parents, province)
    return np.where(vetoed, np.minimum(score, HARD_MISMATCH_CAP), score)


def _vetoed(
    name_s: pd.Series,
    name_r: pd.Series,
    gender: np.ndarray,
    parents: tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
    province: np.ndarray,
) -> np.ndarray:
    """Rows that must never be linked automatically, however high their sum.

    - another gender, or another given name (twins differ there);
    - a parent known on both sides who is someone else (a namesake born the same day);
    - a full name that differs at all (a tone-mark look-alike, a typo, a lost mark) unless a
      parent's name is the same: without that, a missing pupil's look-alike would link;
    - a full name more than one letter from ours, marks apart, whatever the parents: a typo or
      an OCR slip is one letter, another middle name is another person («Phạm Đăng Nghĩa» /
      «Phạm Anh Nghĩa», born the same day to a father of the same common name);
    - nothing independent of name, birth date and gender: neither a parent's name nor the
      registration province agrees. In a 2M-person extract two people share all three often
      enough (a missing pupil's namesake born the same day).
    """
    other_given = (_mapped(name_s, _given_key) != _mapped(name_r, _given_key)).to_numpy()
    (father_other, father_same), (mother_other, mother_same) = parents
    confirmed = father_same | mother_same
    same_name = (_mapped(name_s, _canonical) == _mapped(name_r, _canonical)).to_numpy()
    corroborated = confirmed | (province == 1.0)
    keys_s, keys_r = _mapped(name_s, _search_key).tolist(), _mapped(name_r, _search_key).tolist()
    letters_apart = np.asarray(cpdist(keys_s, keys_r, scorer=Levenshtein.distance, workers=-1))
    return (
        (gender == 0.0) | other_given | father_other | mother_other
        | (~same_name & ~confirmed) | ~corroborated | (letters_apart > 1)
    )  # fmt: skip


def _parent_evidence(
    ours: pd.Series, theirs: pd.Series, points: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(clearly someone else, the same name) per pair; both False where a side is blank.

    Someone else: another given name, or little alike. Parents' names come from the same
    pools as everyone's ("Nguyễn Bảo Hoa" / "Nguyễn Bảo Hòa"), so only an equal name confirms.
    """
    a, b = _texts(ours), _texts(theirs)
    known = ((a != "") & (b != "")).to_numpy()
    other_given = (_mapped(a, _given_key) != _mapped(b, _given_key)).to_numpy()
    with np.errstate(invalid="ignore"):
        unlike = points / W_PARENT * 100 < PARENT_MISMATCH
    same = (_mapped(a, _canonical) == _mapped(b, _canonical)).to_numpy()
    return known & (other_given | unlike), known & same


def name_similarity_many(a: pd.Series, b: pd.Series) -> np.ndarray:
    """0-100 per pair: letter changes cost fully, diacritic-only changes cost MARK_WEIGHT.

    rapidfuzz on NFC, tone-style-canonical text gives the whole difference; the accent-stripped
    ratio tells how much of it is letters. A name with no marks at all (an ASCII export) is
    compared on letters only: losing every mark is one event, not many errors.
    """
    bare = _ratios(_mapped(a, _search_key), _mapped(b, _search_key))
    exact = _ratios(_mapped(a, _canonical), _mapped(b, _canonical))
    unmarked = _mapped(a, str.isascii).to_numpy(bool) | _mapped(b, str.isascii).to_numpy(bool)
    marked = bare - MARK_WEIGHT * np.maximum(0.0, bare - exact)
    return np.where(unmarked, bare, marked).astype(float)


def _given_points(a: pd.Series, b: pd.Series) -> np.ndarray:
    """The given name (tên, last syllable) separates twins: exact 10, same letters 5, else 0."""
    same = (_mapped(a, _given_canonical) == _mapped(b, _given_canonical)).to_numpy()
    same_key = (_mapped(a, _given_key) == _mapped(b, _given_key)).to_numpy()
    return np.where(same, W_GIVEN, np.where(same_key, W_GIVEN / 2, 0.0))


def _dob_points(a: pd.Series, b: pd.Series) -> np.ndarray:
    """Full match, or two of year/month/day equal (a digit slip), else 0; NaN when unknown."""
    known = (a != "") & (b != "")
    iso = a.str.match(_ISO) & b.str.match(_ISO)
    same_parts = sum(
        (a.str.slice(i, j) == b.str.slice(i, j)).astype(int) for i, j in ((0, 4), (5, 7), (8, 10))
    )
    points = np.where(a == b, W_DOB, np.where(iso & (same_parts == 2), W_DOB_PARTIAL, 0.0))
    return np.where(known, points, np.nan)


def _parent_points(a: pd.Series, b: pd.Series) -> np.ndarray:
    sa, sb = _texts(a), _texts(b)
    known = ((sa != "") & (sb != "")).to_numpy()
    points = W_PARENT * name_similarity_many(sa, sb) / 100
    return np.where(known, points, np.nan)


def _equal(a: pd.Series, b: pd.Series) -> np.ndarray:
    """1.0 equal, 0.0 different, NaN when either side is blank."""
    known = ((a != "") & (b != "")).to_numpy()
    return np.where(known, (a == b).to_numpy().astype(float), np.nan)


# --- text helpers ----------------------------------------------------------------------------


def _ratios(a: pd.Series, b: pd.Series) -> np.ndarray:
    """fuzz.ratio of each pair, in C over plain lists (iterating a Series is slow)."""
    return np.asarray(cpdist(a.tolist(), b.tolist(), scorer=fuzz.ratio, workers=-1), dtype=float)


# Names repeat across a batch and across calls (full name, given name, parents): a name is
# normalised once per process. Bounded, so a long-running worker does not grow without end.
@lru_cache(maxsize=1 << 20)
def _search_key(text: str) -> str:
    return search_key(text)


def _mapped(values: pd.Series, fn: Callable[[str], object]) -> pd.Series:
    """fn over each distinct value once (names repeat across a batch)."""
    table = {v: fn(v) for v in values.unique()}
    return values.map(table)


@lru_cache(maxsize=1 << 20)
def _canonical(name: str) -> str:
    return normalize_text(name).lower()


def _given_canonical(name: str) -> str:
    return _canonical(name).rpartition(" ")[2]


def _given_key(name: str) -> str:
    return _search_key(name.rpartition(" ")[2])


def _texts(values: pd.Series) -> pd.Series:
    """A column as stripped text, "" for blanks (pandas gives NaN/None for empty cells)."""
    return pd.Series([text_or_blank(v) for v in values.tolist()], index=values.index, dtype=object)


def text_or_blank(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def code_text(value: object, width: int) -> str:
    """A code column as text with its leading zeros, even if a CSV reader made it a number."""
    if isinstance(value, float) and not math.isnan(value) and value.is_integer():
        value = int(value)
    text = text_or_blank(value)
    return text.zfill(width) if text.isdigit() else text


def _codes(values: pd.Series, width: int) -> pd.Series:
    return pd.Series(
        [code_text(v, width) for v in values.tolist()], index=values.index, dtype=object
    )
