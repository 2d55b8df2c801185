"""Place names in addresses against those the population registry's residences use.

A district or commune name one OCR slip from a name the registry knows, and unknown itself,
is most likely that name misread: «huyện Nghỉ Lộc» for Nghi Lộc, «Đắk MII» for Đắk Mil. Every
read can share such a slip, so no OCR check sees it. A name far from every known one is left
alone: the registry extract does not hold every place a pupil may be born in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from domain.record import TranscriptRecord
from domain.text import search_key
from validation.idnumber import PROVINCE_CODES
from validation.report import Finding

# Administrative units a place name follows ("xã Sơn Thủy, huyện Đô Lương, tỉnh Nghệ An");
# hamlets (thôn, xóm, ấp, tổ) are numbered or generic and left out.
_UNIT = re.compile(r"^(?:xã|phường|thị trấn|huyện|quận|thị xã|thành phố|tp\.?|tỉnh)\s+", re.I)
_FIELDS = {"place_of_birth": "nơi sinh", "residence": "nơi ở"}


def unit_names(address: str | None) -> list[str]:
    """The names of an address's administrative units, in order, as printed (NFC)."""
    if not address:
        return []
    return [name for part in address.split(",") if (name := _unit_name(part))]


@lru_cache(maxsize=65536)  # a registry's residences repeat their communes and districts
def _unit_name(part: str) -> str | None:
    text = unicodedata.normalize("NFC", " ".join(part.split()))
    match = _UNIT.match(text)
    return text[match.end() :] if match and match.end() < len(text) else None


def registry_place_names(residences: Iterable[str | None]) -> set[str]:
    """Every unit name the residences use (what the registry store keeps at load time)."""
    return {name for address in residences for name in unit_names(address)}


class KnownPlaces:
    """The unit names the registry uses, and the provinces, for near-miss lookups."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = {n.casefold(): n for n in (*names, *PROVINCE_CODES.values())}
        self.by_key: dict[str, set[str]] = {}
        for folded in self.names:
            self.by_key.setdefault(search_key(folded), set()).add(folded)

    def near(self, name: str) -> str | None:
        """A known name an unknown `name` is one slip from, or only marks away; None when the
        name is known or none is that near. Numbered units (Phường 15) are not judged, and a
        slip only in names of four letters or more (short names are all one slip apart)."""
        folded = name.casefold()
        if folded in self.names or any(c.isdigit() for c in folded):
            return None
        near = sorted(self.by_key.get(search_key(folded), ()))
        if len(folded) >= 4:
            slips = process.extract(
                folded, self.names.keys(), scorer=Levenshtein.distance, score_cutoff=1, limit=None
            )
            near += sorted(k for k, _, _ in slips)
        return self.names[near[0]] if near else None


def place_findings(record: TranscriptRecord, known: KnownPlaces) -> Iterator[Finding]:
    """PLACE_NAME_NEAR_KNOWN for each address unit one slip from a name the registry uses."""
    for name, label in _FIELDS.items():
        for unit in unit_names(getattr(record.student, name)):
            if (close := known.near(unit)) is not None:
                message = (
                    f"Địa danh «{unit}» trong {label} không có trong dữ liệu dân cư nhưng gần "
                    f"«{close}»: có thể bị đọc sai, cần đối chiếu với ảnh quét."
                )
                yield Finding(
                    record.document_id, f"student.{name}", "PLACE_NAME_NEAR_KNOWN", message
                )
