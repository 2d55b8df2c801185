"""Place names in addresses against those the population registry's residences use.

A district or commune name one OCR slip from a name the registry knows, and unknown itself,
is most likely that name misread: «huyện Nghỉ Lộc» for Nghi Lộc, «Đắk MII» for Đắk Mil. Every
read can share such a slip, so no OCR check sees it. A name far from every known one is left
alone: the registry extract does not hold every place a pupil may be born in.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache

from domain.record import TranscriptRecord
from domain.text import search_key
from validation.idnumber import PROVINCE_CODES
from validation.lexicon import Lexicon
from validation.report import Finding

# Administrative units a place name follows ("xã Sơn Thủy, huyện Đô Lương, tỉnh Nghệ An"),
# found by their accent-free key; hamlets only as spelt (an unmarked «To» may be a name, Tô).
_UNITS = ("xã", "phường", "thị trấn", "huyện", "quận", "thị xã", "thành phố", "tp", "tp.", "tỉnh")
_UNIT_BY_KEY = {search_key(u): u for u in _UNITS}
_HAMLETS = ("thôn", "xóm", "ấp", "bản", "tổ", "khóm", "khu phố")
_FIELDS = {"place_of_birth": "nơi sinh", "residence": "nơi ở"}


def units(address: str | None) -> list[tuple[str, str]]:
    """An address's administrative units, in order: (unit word(s), name) as printed (NFC)."""
    if not address:
        return []
    return [unit for part in address.split(",") if (unit := _unit(part))]


def unit_names(address: str | None) -> list[str]:
    return [name for _, name in units(address)]


@lru_cache(maxsize=65536)  # a registry's residences repeat their communes and districts
def _unit(part: str) -> tuple[str, str] | None:
    words = unicodedata.normalize("NFC", part).split()
    for n in (2, 1):  # "thị xã" before "xã"
        head = " ".join(words[:n])
        if len(words) > n and (search_key(head) in _UNIT_BY_KEY or head.casefold() in _HAMLETS):
            return head, " ".join(words[n:])
    return None


def registry_place_names(residences: Iterable[str | None]) -> set[str]:
    """Every unit name the residences use (what the registry store keeps at load time)."""
    return {name for address in residences for name in unit_names(address)}


def known_places(registry_names: Iterable[str]) -> Lexicon:
    """The unit names the registry uses, and the provinces."""
    return Lexicon([*registry_names, *PROVINCE_CODES.values()])


def place_findings(record: TranscriptRecord, known: Lexicon) -> Iterator[Finding]:
    """PLACE_NAME_NEAR_KNOWN for each address unit one slip from a name the registry uses,
    or whose unit word is misspelt («Xa» for xã: the word's marks were lost)."""
    for field, label in _FIELDS.items():
        for word, name in units(getattr(record.student, field)):
            canonical = _UNIT_BY_KEY.get(search_key(word), word.casefold())
            if word.casefold() != canonical:
                doubt = f"Đơn vị «{word}» trong {label} khác cách viết «{canonical}»"
            elif (close := known.near(name)) is not None:
                doubt = (
                    f"Địa danh «{name}» trong {label} không có trong dữ liệu dân cư nhưng gần "
                    f"«{close}»"
                )
            else:
                continue
            message = f"{doubt}: có thể bị đọc sai, cần đối chiếu với ảnh quét."
            yield Finding(record.document_id, f"student.{field}", "PLACE_NAME_NEAR_KNOWN", message)
