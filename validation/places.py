"""Place names in addresses against those the population registry's residences use.

A district or commune name one OCR slip from a name the registry knows, and unknown itself,
is most likely that name misread: «huyện Nghỉ Lộc» for Nghi Lộc, «Đắk MII» for Đắk Mil. Every
read can share such a slip, so no OCR check sees it. A name far from every known one is left
alone: the registry extract does not hold every place a pupil may be born in.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache

from domain.record import Student, TranscriptRecord
from domain.text import search_key
from validation.idnumber import PROVINCE_CODES
from validation.lexicon import Lexicon
from validation.report import Finding, is_blocking

# Administrative units a place name follows ("xã Sơn Thủy, huyện Đô Lương, tỉnh Nghệ An"),
# found by their accent-free key; hamlets as spelt, or by their key when a number follows
# («Thon 3» is thôn 3 with its marks lost; an unmarked «To» before a name may be Tô).
_UNITS = ("xã", "phường", "thị trấn", "huyện", "quận", "thị xã", "thành phố", "tp", "tp.", "tỉnh")
_UNIT_BY_KEY = {search_key(u): u for u in _UNITS}
_HAMLETS = ("thôn", "xóm", "ấp", "bản", "tổ", "khóm", "khu phố")
_HAMLET_BY_KEY = {search_key(h): h for h in _HAMLETS}
_HAMLET_NUMBER = re.compile(r"\d+[A-Za-z]?")
_FIELDS = {"place_of_birth": "nơi sinh", "residence": "nơi ở"}
ADDRESS_PATHS = frozenset(f"student.{field}" for field in _FIELDS)
PLACE_MATCHES_REGISTRY = "PLACE_MATCHES_REGISTRY"
_PLACE_DOUBTS = frozenset({"READS_DISAGREE", "PLACE_NAME_NEAR_KNOWN"})


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
        head, name = " ".join(words[:n]), " ".join(words[n:])
        if name and (search_key(head) in _UNIT_BY_KEY or _is_hamlet(head, name)):
            return head, name
    return None


def _is_hamlet(head: str, name: str) -> bool:
    return head.casefold() in _HAMLETS or (
        search_key(head) in _HAMLET_BY_KEY and _HAMLET_NUMBER.fullmatch(name) is not None
    )


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
            canonical = _canonical_unit(word)
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


def settle_split_places(
    document_id: str,
    student: Student,
    known: Lexicon,
    reads: Mapping[str, Sequence[str]],
    findings: Sequence[Finding],
) -> tuple[Student, list[Finding]]:
    """An address whose reads split («huyện Kim Bồi» / «huyện Kim Bôi») takes the one read
    that is wholly made of units the registry's residences name, when exactly one is: the
    split becomes an info note (PLACE_MATCHES_REGISTRY). A name one upright stroke from a
    known one counts as that name (`settle_stroke_twins`): «Xã Tân Thành, huyện Đắk MII» is
    the fitting read beside «Xã Tần Thành, huyện Đắk MII». Every part of that read must be a
    unit with its unit word spelt right, and every read must show the same digits (a hamlet
    «Thôn 19» read «Thôn 18» is not told apart by a list of names). `reads`: the parsed reads
    per field path."""
    settled: dict[str, str] = {}
    for field in _FIELDS:
        path = f"student.{field}"
        doubts = {f.code for f in findings if f.field == path and is_blocking(f)}
        texts = set(reads.get(path, ()))
        if "READS_DISAGREE" not in doubts or not doubts <= _PLACE_DOUBTS:
            continue
        if len({_digits(t) for t in texts}) != 1:
            continue
        fits = {twinned for t in texts if _all_known(twinned := _twinned(t, known), known)}
        if len(fits) == 1:
            settled[field] = fits.pop()
    if not settled:
        return student, list(findings)
    paths = {f"student.{field}" for field in settled}
    kept = [f for f in findings if not (f.field in paths and f.code in _PLACE_DOUBTS)]
    notes = [
        Finding(
            document_id,
            f"student.{field}",
            PLACE_MATCHES_REGISTRY,
            f"Các lần đọc {_FIELDS[field]} khác nhau; đã lấy lần đọc mà mọi địa danh đều có trong"
            " dữ liệu dân cư"
            + ("" if value in reads.get(f"student.{field}", ()) else _STROKES_ALIKE)
            + ". Các lần đọc vẫn được lưu để đối chiếu.",
            "info",
            "rule",
        )
        for field, value in settled.items()
    ]
    return student.model_copy(update=settled), kept + notes


_STROKES_ALIKE = " (chữ I, l, i in giống nhau được coi là một nét sổ đứng)"


def _twinned(address: str, known: Lexicon) -> str:
    """The address with each unknown unit name that is a known one's stroke twin as known."""
    return ",".join(part for part, _ in _twin_parts(address, known))


def _twin_parts(address: str, known: Lexicon) -> list[tuple[str, tuple[str, str] | None]]:
    return [_with_twin(unicodedata.normalize("NFC", p), known) for p in address.split(",")]


def settle_stroke_twins(
    document_id: str, student: Student, known: Lexicon, findings: Sequence[Finding]
) -> tuple[Student, list[Finding]]:
    """An address with no other doubt whose unknown place name is a known one with an upright
    stroke read as another («Đắk MII» for Đắk Mil: a sans «l» is an «I», an «i» that lost its
    dot one too) takes the known spelling, with an info note (PLACE_MATCHES_REGISTRY): every
    read shares such a slip, and only a list of names tells the strokes apart."""
    settled: dict[str, str] = {}
    notes = []
    for field, label in _FIELDS.items():
        path, address = f"student.{field}", getattr(student, field)
        if not address or any(f.field == path and is_blocking(f) for f in findings):
            continue
        parts = _twin_parts(address, known)
        twins = [pair for _, pair in parts if pair]
        if not twins:
            continue
        settled[field] = ",".join(part for part, _ in parts)
        shown = "; ".join(f"«{read}» là «{twin}»" for read, twin in twins)
        message = (
            f"Địa danh trong {label} chỉ khác địa danh có trong dữ liệu dân cư ở nét sổ đứng"
            f" (chữ I, l, i in giống nhau): {shown}."
        )
        notes.append(Finding(document_id, path, PLACE_MATCHES_REGISTRY, message, "info", "rule"))
    if not settled:
        return student, list(findings)
    return student.model_copy(update=settled), [*findings, *notes]


def _with_twin(part: str, known: Lexicon) -> tuple[str, tuple[str, str] | None]:
    """The address part with its unit name's stroke twin, and (read, twin) when it has one."""
    unit = _unit(part)
    twin = known.stroke_twin(unit[1]) if unit else None
    if unit is None or twin is None:
        return part, None
    lead = part[: len(part) - len(part.lstrip())]  # the space after the comma
    return f"{lead}{unit[0]} {twin}", (unit[1], twin)


def _all_known(address: str, known: Lexicon) -> bool:
    """Every comma-separated part is a unit, its word spelt right and its name known."""
    for part in address.split(","):
        unit = _unit(part)
        if unit is None:
            return False
        word, name = unit
        if _canonical_unit(word) != word.casefold():
            return False
        if name.casefold() not in known.words:
            return False
    return True


def _canonical_unit(word: str) -> str:
    """How a unit word is spelt («xã» for a read «Xa», «thôn» for «Thon»)."""
    key = search_key(word)
    return _UNIT_BY_KEY.get(key) or _HAMLET_BY_KEY.get(key, word.casefold())


def _digits(text: str) -> str:
    return " ".join(re.findall(r"\d+", text))
