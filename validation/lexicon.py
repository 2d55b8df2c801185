"""Words a value should be one of: a word that is not, but is one OCR slip from one, is doubted."""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from domain.text import search_key

# Glyphs that are one upright stroke in many typefaces (a sans «I» and «l» are the same shape)
_STROKE = str.maketrans({"i": "l", "|": "l"})


class Lexicon:
    """Known words (place names, surnames), for near-miss lookups."""

    def __init__(self, words: Iterable[str], *, min_slip_length: int = 4) -> None:
        self.words = {w.casefold(): w for w in words}
        self.min_slip_length = min_slip_length
        self._strokes: dict[str, set[str]] | None = None  # built on first use
        self.by_key: dict[str, set[str]] = {}
        for folded in self.words:
            self.by_key.setdefault(search_key(folded), set()).add(folded)

    def near(self, word: str) -> str | None:
        """A known word an unknown `word` is one slip from, or only marks away; None when the
        word is known or none is that near. Words with digits («Phường 15») are not judged,
        and a slip only in words of `min_slip_length` letters or more (short words are all
        one slip apart)."""
        folded = word.casefold()
        if folded in self.words or any(c.isdigit() for c in folded):
            return None
        near = sorted(self.by_key.get(search_key(folded), ()))
        if len(folded) >= self.min_slip_length:
            slips = process.extract(
                folded, self.words.keys(), scorer=Levenshtein.distance, score_cutoff=1, limit=None
            )
            near += sorted(k for k, _, _ in slips)
        return self.words[near[0]] if near else None

    def stroke_twin(self, word: str) -> str | None:
        """The one known word an unknown `word` equals once upright strokes (I, l, i, |) are
        taken as one glyph («Đắk MII» for Đắk Mil); None when the word is known or has digits
        (a hamlet «1» is not an «I»), or when no known word or more than one is that twin."""
        folded = word.casefold()
        if folded in self.words or any(c.isdigit() for c in folded):
            return None
        twins = self._by_strokes().get(folded.translate(_STROKE), set())
        return self.words[next(iter(twins))] if len(twins) == 1 else None

    def _by_strokes(self) -> dict[str, set[str]]:
        if self._strokes is None:
            self._strokes = {}
            for folded in self.words:
                self._strokes.setdefault(folded.translate(_STROKE), set()).add(folded)
        return self._strokes
