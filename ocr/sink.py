"""Collects every field's reading and the flags raised while reading it."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np
from rapidfuzz.distance import Levenshtein

from domain.record import FieldReading, Flag, Severity
from domain.text import fullest_marks, strip_accents, without_marks
from ocr.engine import DIGITS, Box, OcrEngine, Word
from ocr.fields import NOT_PARSED, Parsed, parse_mark, vocab_key
from ocr.glyphs import GLYPH_HEIGHT, read_glyphs
from ocr.layout import reading_order
from ocr.preprocess import binarize, has_glyphs

TEXT_MIN_CONF = 60.0
NUMBER_MIN_CONF = 75.0
JUNK_CONF = 30.0  # a page read this unsure carries no evidence either way
SETTLED_CONF = 90.0  # every read of the cell alone at least this sure, to overrule the page read
SETTLED_EDITS = 2  # ... and the page read only a glyph or two away: a slip, not another text
SMALL_HEIGHT = 26  # px of ink (a score with its comma, a capital) of a cell read shrunk
SMALL_X_HEIGHT = 17  # px: a text cell's letters (median letter height) when read shrunk
RULE_LENGTH = 90  # px: a stroke this long is ruling (no glyph has one; a frame's edge does)
LARGE_LETTER_HEIGHT = 38  # px: a text cell's letters when read enlarged (see prefetch_text)
SLIP_MIN_LETTERS = 6  # a read one glyph off backs a vocabulary entry this long or longer
# noted for the reviewer, not a reason for review
INFO_CODES = frozenset(
    {
        "TEXT_SETTLED",
        "NUMBER_SETTLED",
        "READ_BY_ONE_MODEL",
        "ROW_NAMED_BY_FORM",
        "SCHOOL_NAME_FROM_PAGES",
    }
)
READ_SEPARATOR = " / "  # between the reads of a field kept in `FieldReading.raw`


_MESSAGES = {
    "LOW_CONFIDENCE": "Không đọc chắc chắn được giá trị này (độ tin cậy {conf:.0f}%); cần đối chiếu với ảnh quét.",
    "UNPARSEABLE": "Chữ đọc được («{raw}») không đúng định dạng của trường này; cần nhập lại theo ảnh quét.",
    "OUT_OF_VOCABULARY": "Giá trị «{raw}» không thuộc danh mục cho phép; cần đối chiếu với ảnh quét.",
    "DATE_INVALID": "Ngày «{raw}» không phải ngày hợp lệ; cần đối chiếu với ảnh quét.",
    "SCHOOL_YEAR_INVALID": "Năm học «{raw}» không hợp lệ (phải là hai năm liên tiếp).",
    "FOREIGN_LETTERS": "Giá trị «{raw}» có ký tự không thuộc chữ Việt, có thể đọc sai; cần đối chiếu với ảnh quét.",
    "ROW_NOT_FOUND": "Không tìm thấy dòng «{raw}» trong bảng dù trang phải có; cần nhập theo ảnh quét.",
    "COLUMN_NOT_FOUND": "Không xác định được cột ({raw}) của bảng; cần nhập các giá trị của cột này theo ảnh quét.",
    "MISSING_FIELD": "Không tìm thấy trường bắt buộc này trên trang; cần nhập theo ảnh quét.",
    "READS_DISAGREE": "Hai lần đọc cho kết quả khác nhau («{raw}»); cần đối chiếu với ảnh quét.",
    "NUMBER_SETTLED": "Lần đọc cả dòng khác các lần đọc riêng ô; đã lấy giá trị mà cả hai mô hình cùng cho khi đọc riêng ô, ở hai cỡ chữ. Các lần đọc: «{raw}».",
    "READ_BY_ONE_MODEL": "Một mô hình đọc chữ không đọc ra giá trị nào ở ô này; đã lấy giá trị mà mô hình còn lại (mọi lần đọc) và lần đọc từng chữ số cùng cho. Các lần đọc: «{raw}».",
    "TEXT_SETTLED": "Các lần đọc không giống nhau hết; đã lấy giá trị mà mọi lần đọc có độ tin cậy cao (ít nhất ba lần) cùng cho. Các lần đọc: «{raw}».",
    "ROW_NAMED_BY_FORM": "Tên môn đọc được «{raw}» (đọc sai) là môn duy nhất mẫu in phải có mà chưa thấy; các giá trị của dòng vẫn được đọc và kiểm tra như thường.",
    "SCHOOL_NAME_FROM_PAGES": "Các lần đọc tên trường trên trang này khác nhau («{raw}»); đã lấy tên mà các lần đọc trên nhiều trang năm học khác cùng cho.",
    "SURNAME_MARKS_LOST": "Họ đọc được không phải họ thường gặp nhưng là một họ bị mất dấu («{raw}»); đã đề xuất họ có đủ dấu, cần đối chiếu với ảnh quét.",
    "CLASS_GLYPH_AMBIGUOUS": "Tên lớp «{raw}» có chữ I hoặc O sau một chữ cái, có thể là số 1 hoặc 0 bị đọc nhầm; cần đối chiếu với ảnh quét.",
    "HANDWRITTEN": "Giá trị này được viết tay; máy chưa đọc được chữ viết tay, cần nhập theo vùng ảnh quét kèm theo.",
}


def flag_message(code: str, raw: str = "", conf: float = 0.0) -> str:
    template = _MESSAGES.get(code, "Trường cần được kiểm tra lại theo ảnh quét.")
    return template.format(raw=raw, conf=conf)


def _min_conf(parsed: Parsed, numeric: bool) -> float:
    """Scores need more certainty than words; the Đ/CĐ marks of score cells count as words."""
    return NUMBER_MIN_CONF if numeric and not isinstance(parsed.value, str) else TEXT_MIN_CONF


# The OCR model behind each read family: the page read and the `vie` cell reads share one.
_MODEL = {"page": "vie", "vie": "vie", "eng": "eng"}


def _majority(
    reads: Sequence[tuple[Parsed, str, float]], families: Sequence[str]
) -> tuple[Parsed, float] | None:
    """The value most reads agree on, if reads of two families back it, no value ties it, and
    no model that backs none of its reads reads another valid value: one model can misread a
    glyph of a font in every crop (a "7" as "1"), so its reads outvoting the other model's
    are a disagreement, not a majority."""
    votes: dict[object, list[tuple[str, float]]] = {}
    valid = {parsed.value for parsed, _, _ in reads if parsed.ok}
    for (parsed, text, conf), family in zip(reads, families, strict=True):
        value = parsed.value if parsed.ok else _backed(text, valid)
        if value is not None:
            votes.setdefault(value, []).append((family, conf))
    ranked = sorted(votes.items(), key=lambda item: len(item[1]), reverse=True)
    if not ranked or len({family for family, _ in ranked[0][1]}) < 2:
        return None
    if len(ranked) > 1 and len(ranked[1][1]) == len(ranked[0][1]):
        return None
    backing = {_MODEL[family] for family, _ in ranked[0][1]}
    if any(_MODEL[family] not in backing for _, other in ranked[1:] for family, _ in other):
        return None
    return Parsed(ranked[0][0]), max(conf for _, conf in ranked[0][1])


def _side_with_glyphs(
    reads: Sequence[tuple[Parsed, str, float]], families: Sequence[str], glyphs: Parsed
) -> tuple[Parsed, float] | None:
    """When each model reads the cell one way and the two ways differ, the value of the model
    the glyph-by-glyph read agrees with: a model misreads a glyph in its context ("5,5" as
    "2,9", "7,7" as "1,7"), and the glyphs read one by one are free of that context."""
    by_model: dict[str, set[object]] = {}
    for (parsed, _, _), family in zip(reads, families, strict=True):
        if parsed.ok:
            by_model.setdefault(_MODEL[family], set()).add(parsed.value)
    sides = list(by_model.values())
    if len(sides) != 2 or any(len(side) != 1 for side in sides) or sides[0] == sides[1]:
        return None
    if not any(glyphs.value in side for side in sides):
        return None
    backing = [c for (p, _, c) in reads if p.ok and p.value == glyphs.value]
    return Parsed(glyphs.value), max(backing)


def _one_model_blind(
    reads: Sequence[tuple[Parsed, str, float]],
    families: Sequence[str],
    glyphs: Parsed,
    parser: Callable[[str], Parsed],
    needed: float,
) -> float | None:
    """A digit cell one model reads as no value at all in every crop, while the other reads
    the glyph read's value, surely, in every crop (two at least): (the lower confidence of
    those); else None. holdout2's «7,7» is «TẤN» or «+7» to `vie`, «7,7» to `eng` and glyph by
    glyph. Reads that show no value are no evidence either way, so they do not split the
    vote; a read that shows another value, even garbled (`_shows_another`), still does."""
    by_model: dict[str, list[tuple[Parsed, str, float]]] = {"vie": [], "eng": []}
    for read, family in zip(reads, families, strict=True):
        by_model[_MODEL[family]].append(read)
    for seeing, blind in (("eng", "vie"), ("vie", "eng")):
        sure = [
            c for p, _, c in by_model[seeing] if p.ok and p.value == glyphs.value and c >= needed
        ]
        if len(sure) < 2 or len(sure) < len(by_model[seeing]):
            continue
        if not any(
            p.ok or _backed(t, {glyphs.value}) is not None or _shows_another(t, glyphs, parser)
            for p, t, _ in by_model[blind]
        ):
            return min(sure)
    return None


def _shows_another(text: str, value: Parsed, parser: Callable[[str], Parsed]) -> bool:
    """Whether a read that parses to no value still shows another: once the usual glyph
    confusions are undone («S,7» is 5,7), or as two digits that lost their comma («17»)."""
    digits = f"{value.value:.1f}".replace(".", "") if isinstance(value.value, float) else ""
    for read in dict.fromkeys((text.strip(), _as_digits(text.strip()))):
        parsed = parser(read)
        if parsed.ok and parsed.value != value.value:
            return True
        if re.fullmatch(r"\d\d", read) and read != digits:
            return True
    return False


def _reads_mark(reads: Sequence[tuple[str, float]], mark: str) -> bool:
    return any(parse_mark(text).value == mark for text, _ in reads)


def _settled(
    first: Parsed, conf: float, reads: Sequence[tuple[Parsed, str, float]], needed: float
) -> bool:
    """Free text the page read (in the context of the whole line) got wrong, as three reads of
    the cell alone (strip, thresholded, soft) show unanimously and surely: the page read was
    unsure itself, or a glyph or two away (a slip, not another text). Text has no second
    model: crops, not models, are what differ."""
    if len(reads) < 3:
        return False
    value = reads[0][0].value
    if not all(p.ok and p.value == value and c >= SETTLED_CONF for p, _, c in reads):
        return False
    slip = first.ok and Levenshtein.distance(str(first.value), str(value)) <= SETTLED_EDITS
    return slip or conf < needed


def _other_marks(enlarged: tuple[Parsed, str, float], first: Parsed) -> bool:
    """Whether the enlarged read of a text (see `prefetch_text`) surely shows the page read's
    letters with other marks: the print-size reads can all lose one mark alike (a Times-like
    «Nắm» read «Năm», «Nguyễn» read «Nguyên»), so their agreement does not settle it."""
    read, _, confidence = enlarged
    if not (read.ok and first.ok) or read.value == first.value or confidence < TEXT_MIN_CONF:
        return False
    return strip_accents(str(read.value)) == strip_accents(str(first.value))


def _sure_reads_agree(
    full: Sequence[tuple[Parsed, str, float]], small: Sequence[tuple[Parsed, str, float]]
) -> tuple[Parsed, float] | None:
    """Free text whose reads split at print size: the value every sure read (at least
    SETTLED_CONF) shows, when there are three such reads, at least one at print size; else
    None. A model can lose a small mark at one size in one crop (p4's «Nắm», whose acute
    over the breve the thresholded crop at print size drops, at 69 %); the unsure read then
    gives way to the sure ones, never a sure read to another."""
    sure_full, sure_small = (
        [(p, c) for p, _, c in reads if p.ok and c >= SETTLED_CONF] for reads in (full, small)
    )
    sure = sure_full + sure_small
    if not sure_full or len(sure) < 3 or len({p.value for p, _ in sure}) != 1:
        return None
    return sure[0][0], min(c for _, c in sure)


def _text_guess(guess: Parsed, cell_reads: Sequence[tuple[Parsed, str, float]]) -> Parsed:
    """An unsure page read as the guess, unless the cell's own reads (two or more) all spell
    one other text, marks apart: a page read garbled in its line's context (p1's «bê vững
    kiến thức, vận dụng» where every read of the cell alone shows «Nắm vững kiến thức, vận
    dụng tốt.») is a worse guess than the cell's surest read. A sure page read of another
    text stays the guess: the cell's box may hold a neighbour's line."""
    spellings = {without_marks(str(p.value)).casefold() for p, _, _ in cell_reads}
    same = without_marks(str(guess.value)).casefold() in spellings
    if len(cell_reads) < 2 or len(spellings) != 1 or same:
        return guess
    return max(cell_reads, key=lambda item: item[2])[0]


def _fuller(guess: Parsed, reads: Sequence[tuple[Parsed, str, float]]) -> Parsed:
    """`fullest_marks` over a text cell's reads, as the parsed read that spells it."""
    value = fullest_marks(guess.value, [p.value for p, _, _ in reads if p.ok])
    return next((p for p, _, _ in reads if p.ok and p.value == value), guess)


def _letter_height(crop: np.ndarray) -> float:
    """The median height of a text crop's letters (marks and specks apart); 0 with none."""
    _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    _, _, stats, _ = cv2.connectedComponentsWithStats(ink)
    letters = [int(h) for *_, h, area in stats[1:] if area >= 20 and h >= 12]
    return float(np.median(letters)) if letters else 0.0


def _text_shrunk(crop: np.ndarray) -> np.ndarray | None:
    """A text crop scaled so its letters' x-height is SMALL_X_HEIGHT; None when the letters
    are that small already (the read would repeat one made)."""
    height = _letter_height(crop)
    if not height:
        return None
    scale = SMALL_X_HEIGHT / height
    if scale > 0.9:
        return None
    return cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def _text_enlarged(crop: np.ndarray) -> np.ndarray:
    """A text crop scaled up so its letters are LARGE_LETTER_HEIGHT tall (median letter
    height); as it is when they are that large already."""
    height = _letter_height(crop)
    scale = LARGE_LETTER_HEIGHT / height if height else 1.0
    if scale < 1.1:
        return crop
    return cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)


def _backed(text: str, valid: set[object]) -> object | None:
    """The value another read found that this unparsed read backs: support, never a value."""
    for backs in (_comma_lost, _digit_lost, _glyph_lost):
        value = backs(text, valid)
        if value is not None:
            return value
    return None


def _glyph_lost(text: str, valid: set[object]) -> str | None:
    """The vocabulary entry another read found, when this read is one glyph from it and from
    no other read's value: the `eng` read of "Hoàn thành tốt" with the vocabulary's letters
    often loses the «o» of «tốt» ("Hoanthanhtt"). Long entries only: one glyph turns a short
    one ("HT", "Đ") into another."""
    key = _compact(text)
    if len(key) < SLIP_MIN_LETTERS:
        return None
    near = [v for v in valid if isinstance(v, str) and Levenshtein.distance(key, _compact(v)) <= 1]
    return near[0] if len(near) == 1 else None


def _compact(text: str) -> str:
    return vocab_key(text).replace(" ", "")


def _digit_lost(text: str, valid: set[object]) -> float | None:
    """The score another read found, when this read has its shape with one digit lost to a
    non-digit glyph ("5,/" for "5,7": a model reads the stroke of a font's 7 as a slash), and
    fits no other read's score: support, never a value on its own."""
    read = text.strip()
    matches = [
        v
        for v in valid
        if isinstance(v, float) and _one_digit_lost(read, f"{v:.1f}".replace(".", ","))
    ]
    return matches[0] if len(matches) == 1 else None


def _one_digit_lost(read: str, score: str) -> bool:
    if len(read) != len(score):
        return False
    slips = [(r, s) for r, s in zip(read, score, strict=True) if r != s]
    return len(slips) == 1 and slips[0][1].isdigit() and not slips[0][0].isalnum()


def _comma_lost(text: str, valid: set[object]) -> float | None:
    """The score another read found, when this read has its two digits but lost the decimal
    comma between them ("71" for "7,1"): support for that read, never a value on its own."""
    if not re.fullmatch(r"\d\d", text.strip()):
        return None
    matches = [
        v for v in valid if isinstance(v, float) and f"{v:.1f}".replace(".", "") == text.strip()
    ]
    return matches[0] if len(matches) == 1 else None


def value_region(words: Sequence[Word]) -> Box:
    """A value's words with a margin wide enough for the marks above capitals (Ấ)."""
    height = sorted(w.h for w in words)[len(words) // 2]
    margin = int(0.4 * height)
    left, top = min(w.x for w in words), min(w.y for w in words)
    right, bottom = max(w.right for w in words), max(w.y + w.h for w in words)
    return left - margin, top - margin, right - left + 2 * margin, bottom - top + 2 * margin


def _padded(box: tuple[int, int, int, int] | None) -> tuple[int, int, int, int] | None:
    if box is None:
        return None
    x, y, w, h = box
    return x - 3, y - 3, w + 6, h + 6


def union_box(words: Sequence[Word]) -> tuple[int, int, int, int] | None:
    if not words:
        return None
    x0 = min(w.x for w in words)
    y0 = min(w.y for w in words)
    x1 = max(w.right for w in words)
    y1 = max(w.y + w.h for w in words)
    return x0, y0, x1 - x0, y1 - y0


@dataclass
class FieldSink:
    page: int
    image: np.ndarray  # the cleaned page, for re-reading crops
    engine: OcrEngine
    readings: list[FieldReading] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    second_reads: dict[tuple[int, int, int, int], list[tuple[str, float]]] = field(
        default_factory=dict
    )
    # The alphabet of each prefetched cell's `eng` read: DIGITS, or a vocabulary's letters.
    alphabets: dict[Box, str] = field(default_factory=dict)
    # Free-text cells read again as a strip: the page read must agree with that read.
    text_reads: dict[Box, tuple[str, float]] = field(default_factory=dict)
    # Digit cells read glyph by glyph (ocr.glyphs): a read that can doubt, never decide.
    glyph_reads: dict[Box, str] = field(default_factory=dict)
    _crop_cache: dict[tuple[Box, bool], tuple[np.ndarray, np.ndarray] | None] = field(
        default_factory=dict, repr=False
    )

    def read_texts(self, boxes: Sequence[tuple[int, int, int, int]]) -> list[str]:
        """Text of each box read in isolation (e.g. wrapped bold header cells), one engine call."""
        crops = [self._cropped(box) for box in boxes]
        present = [c for c in crops if c is not None]
        if not present:
            return ["" for _ in boxes]
        strip, spans = _stack(present)
        words = self.engine.read_lines(strip)
        texts = iter(_text_between(words, top, bottom)[0] for top, bottom in spans)
        return [next(texts) if c is not None else "" for c in crops]

    def read_cells(self, boxes: Sequence[Box]) -> list[list[Word]]:
        """The words of each box read in isolation, in page coordinates and reading order,
        one engine call for all (a strip of the cells' crops)."""
        crops = [(box, self._cropped(box, text=True)) for box in boxes]
        present = [(box, crop) for box, crop in crops if crop is not None]
        if not present:
            return [[] for _ in boxes]
        strip, spans = _stack([crop for _, crop in present])
        words = self.engine.read_lines(strip)
        found: dict[Box, list[Word]] = {}
        for (box, _), (top, bottom) in zip(present, spans, strict=True):
            dx, dy = box[0] + _inset(box) - _BORDER, box[1] + _inset(box) - _BORDER - top
            inside = [w for w in words if top <= w.cy < bottom]
            found[box] = [
                Word(w.text, w.conf, w.x + dx, w.y + dy, w.w, w.h) for w in reading_order(inside)
            ]
        return [found.get(box, []) for box in boxes]

    def prefetch_text(self, cells: Sequence[Box]) -> None:
        """One `vie` read of every free-text cell with ink, stacked in a strip: the page read
        of free text can be confidently wrong (a serif "d" read as "đ"), so it is taken only
        when this read of the cell alone agrees. The cell is read from its soft crop with the
        letters enlarged (`_text_enlarged`): a model can lose a small mark at print size in
        every crop alike (a Times-like «Nắm», whose acute over the breve all print-size reads
        drop), and a read at another scale and threshold does not share that blind spot."""
        crops = [
            (box, self._cropped(box, soft=True, text=True)) for box in cells if self.has_ink(box)
        ]
        present = [(box, crop) for box, crop in crops if crop is not None]
        if not present:
            return
        strip, spans = _stack([_text_enlarged(crop) for _, crop in present])
        words = self.engine.read_lines(strip)
        for (box, _), (top, bottom) in zip(present, spans, strict=True):
            inside = reading_order([w for w in words if top <= w.cy < bottom])
            text = " ".join(w.text for w in inside)
            self.text_reads[box] = (text, min((w.conf for w in inside), default=0.0))

    def prefetch(self, cells: Sequence[Box], alphabet: str | Sequence[str] = DIGITS) -> None:
        """Read many cells by stacking their crops into strips: one `vie` call for all, one
        `eng` call per alphabet (DIGITS for scores, a vocabulary's letters for rating cells;
        `alphabet` is one for all cells or one per cell). A call per cell would cost far more.
        The `eng` family reads the cells' own grey levels, the `vie` family their binarized
        ink: different pixels and models, so their mistakes are less correlated."""
        per_cell = [alphabet] * len(cells) if isinstance(alphabet, str) else list(alphabet)
        self.alphabets.update(zip(cells, per_cell, strict=True))
        boxes = [box for box in cells if self.has_ink(box)]  # blank lines derail the reader
        pairs = [(box, self._crop_pair(box)) for box in boxes]
        present = [(box, pair) for box, pair in pairs if pair is not None]
        if not present:
            return
        self._read_strip([(box, pair[0]) for box, pair in present], None)
        digits = [(box, pair[0]) for box, pair in present if self.alphabets[box] == DIGITS]
        if digits:
            reads = read_glyphs(self.engine, [ink for _, ink in digits])
            self.glyph_reads.update(zip([box for box, _ in digits], reads, strict=True))
        for chars in dict.fromkeys(self.alphabets[box] for box, _ in present):
            group = [(box, pair[1]) for box, pair in present if self.alphabets[box] == chars]
            self._read_strip(group, chars)

    def _read_strip(self, crops: Sequence[tuple[Box, np.ndarray]], alphabet: str | None) -> None:
        strip, spans = _stack([crop for _, crop in crops])
        lines = self.engine.read_lines(strip, alphabet=alphabet)
        for (box, _), (top, bottom) in zip(crops, spans, strict=True):
            self.second_reads.setdefault(box, []).append(_text_between(lines, top, bottom))

    def flag(self, path: str, code: str, raw: str = "", conf: float = 0.0) -> None:
        severity: Severity = "info" if code in INFO_CODES else "error"
        message = flag_message(code, raw, conf)
        self.flags.append(Flag(field=path, code=code, message=message, severity=severity))

    def take(
        self,
        path: str,
        words: Sequence[Word],
        parse: object,
        *,
        numeric: bool = False,
        cell: tuple[int, int, int, int] | None = None,
        min_conf: float | None = None,
        checked: bool = False,
    ) -> object:
        """Parse a field's words; record the reading; flag when unsure. Returns the value or None.

        With a table `cell`, a cell the page read left empty is checked for ink: printed marks
        the page read missed are read from the cell alone, never taken as blank. A `checked`
        value is read again on its own however sure the page read is (a lone digit, whose
        misread no other field's check would see).
        """
        parser = parse  # a callable str -> Parsed
        if not words and (cell is None or not self.has_ink(cell)):
            return None
        raw = " ".join(w.text for w in words)
        conf = min((w.conf for w in words), default=0.0)
        box = union_box(words) or cell
        parsed: Parsed = parser(raw)  # type: ignore[operator]
        problem = parsed.problem
        region = cell or _padded(box)
        needed = min_conf if min_conf is not None else _min_conf(parsed, numeric)
        if cell is not None and cell in self.second_reads:
            page_value = parsed.value
            parsed, raw, conf, problem = self._vote(parser, parsed, raw, conf, cell, needed)
            if parsed.value != page_value:  # the page read's words are not the value's
                box = self._ink_box(cell) or cell
        elif region is not None and (
            checked or not parsed.ok or conf < needed or region in self.text_reads
        ):
            parsed, raw, conf, problem = self._reread(
                parser, parsed, raw, conf, region, needed, text=not numeric
            )
        self.readings.append(
            FieldReading(path=path, page=self.page, box=box, raw=raw, confidence=conf)
        )
        needed = min_conf if min_conf is not None else _min_conf(parsed, numeric)
        if problem is None and conf < needed:
            problem = "LOW_CONFIDENCE"
        if problem:
            self.flag(path, problem, raw, conf)
        return parsed.value

    def take_line_text(self, path: str, words: Sequence[Word], parse: object) -> object:
        """A free-text value on one line outside the tables, read twice like a comment cell
        (see `prefetch_text`); a value wrapped onto more lines is taken from the page read."""
        if not words or max(w.cy for w in words) - min(w.cy for w in words) > words[0].h:
            return self.take(path, words, parse)
        region = value_region(words)
        self.prefetch_text([region])
        return self.take(path, words, parse, cell=region)

    def take_mark(
        self, path: str, words: Sequence[Word], cell: tuple[int, int, int, int]
    ) -> str | None:
        """A comment subject's cell holds Đ or CĐ (or nothing): one glyph or two. A mark is
        taken when an OCR read of it agrees with the number of glyphs printed in the cell."""
        if not words and not self.has_ink(cell):
            return None
        raw = " ".join(w.text for w in words)
        reads = [(raw, min((w.conf for w in words), default=0.0)), *self.second_reads.get(cell, [])]
        expected = {1: "Đ", 2: "CĐ"}.get(self.glyph_count(cell))
        if expected and not _reads_mark(reads, expected):
            crop = self._cropped(cell)
            if crop is not None:
                reads.append(self.engine.read_line(crop))
        agreeing = [c for t, c in reads if expected and parse_mark(t).value == expected]
        texts = READ_SEPARATOR.join(t for t, _ in reads if t)
        self.readings.append(
            FieldReading(
                path=path,
                page=self.page,
                box=cell,
                raw=texts,
                confidence=max(agreeing, default=0.0),
            )
        )
        if agreeing:
            return expected
        self.flag(path, "READS_DISAGREE" if expected else "UNPARSEABLE", texts)
        return None

    def glyph_count(self, cell: tuple[int, int, int, int]) -> int:
        """Glyphs in a cell: tall ink components, side by side (marks and dots are ignored)."""
        crop = self._cropped(cell)
        if crop is None:
            return 0
        _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
        _, _, stats, _ = cv2.connectedComponentsWithStats(ink)
        parts = [(x, w, h) for x, _, w, h, area in stats[1:] if area > 30]
        tallest = max((h for _, _, h in parts), default=0)
        columns = sorted((x, x + w) for x, w, h in parts if h >= 0.6 * tallest)
        count, right = 0, -1
        for left, end in columns:  # overlapping spans belong to one glyph
            if left > right:
                count += 1
            right = max(right, end)
        return count

    def _vote(
        self,
        parser: object,
        first: Parsed,
        raw: str,
        conf: float,
        cell: tuple[int, int, int, int],
        needed: float,
    ) -> tuple[Parsed, str, float, str | None]:
        """Strict majority of independent reads of a table cell: the page read, the cell read
        with `vie` and the one with `eng` restricted to the cell's alphabet (digits, or a
        vocabulary's letters); when they split or agree only unsurely, two single-cell reads
        join in.
        A value needs at least two votes and more than any other; a lone read must be
        confident on its own; anything else goes to a person with every read shown.
        A digit cell's glyph-by-glyph read has a veto: both models can misread a glyph in one
        context alike ("7,5" as "7,9"), and a glyph read alone is free of it. When the two
        models each read the cell their own way, it tells which (`_side_with_glyphs`); when
        it vetoes or the reads stay split, both models' reads of the cell shrunk can side with
        it (`_small_reads`)."""
        # Reads from one family (same engine and model) make correlated mistakes: a vote
        # counts only when it is backed by at least two families.
        strip = self.second_reads[cell]
        reads = [(first, raw, conf)] + [(parser(t), t, c) for t, c in strip]  # type: ignore[operator]
        families = ["page", "vie", "eng"][: len(reads)]
        decided = _majority(reads, families)
        if decided is None or decided[1] < needed:  # split, or agreed but unsure: read alone
            crop = self._cropped(cell)
            if crop is not None:
                extra = [self._read_alone(cell, eng=e) for e in (False, True)]
                reads += [(parser(t), t, c) for t, c in extra]  # type: ignore[operator]
                families += ["vie", "eng"]
                decided = _majority(reads, families)
        if (decided is None or decided[1] < needed) and (doubled := self._doubled_reads(cell)):
            reads += [(parser(t), t, c) for t, c in doubled]  # type: ignore[operator]
            families += ["vie", "vie"]
            decided = _majority(reads, families)
        glyphs = self.glyph_reads.get(cell, "")
        texts = READ_SEPARATOR.join([*(t for _, t, _ in reads), *([glyphs] if glyphs else [])])
        by_glyph: Parsed = parser(glyphs) if glyphs else Parsed(None, NOT_PARSED)  # type: ignore[operator]
        if decided is not None and not (by_glyph.ok and by_glyph.value != decided[0].value):
            if decided[1] < needed and by_glyph.ok:  # agreed, unsure: both models read it shrunk
                small = self._small_reads(cell, parser, by_glyph, needed)
                if small is not None:
                    return decided[0], READ_SEPARATOR.join([texts, small[0]]), small[1], None
            return decided[0], texts, decided[1], None
        if by_glyph.ok and decided is None:  # the models split: the glyph read tells which
            decided = _side_with_glyphs(reads, families, by_glyph)
            if decided is not None:
                return decided[0], texts, decided[1], None
        if by_glyph.ok and (small := self._small_reads(cell, parser, by_glyph, needed)):
            return by_glyph, READ_SEPARATOR.join([texts, small[0]]), small[1], None
        if decided is None and by_glyph.ok:  # one model blind: the other and the glyphs agree
            seen = _one_model_blind(reads, families, by_glyph, parser, needed)  # type: ignore[arg-type]
            if seen is not None:
                return by_glyph, texts, seen, "READ_BY_ONE_MODEL"
        if decided is None and self.alphabets.get(cell, DIGITS) != DIGITS:
            # A letter cell the reads split on (p5's lone «Đ»: `eng` with the vocabulary's
            # letters reads nothing at print size, "D" shrunk): both models read it shrunk too.
            shrunk = self._shrunk_reads(cell)
            more = reads + [(parser(t), t, c) for t, c in shrunk]  # type: ignore[operator]
            texts = READ_SEPARATOR.join([texts, *(t for t, _ in shrunk)])
            settled = _majority(more, [*families, "vie", "eng"])
            if settled is not None and settled[1] >= needed:
                return settled[0], texts, settled[1], None
        if decided is not None:  # the glyph read vetoes
            return decided[0], texts, decided[1], "READS_DISAGREE"
        values = [(p.value, t, c) for p, t, c in reads if p.ok]
        if len(values) == 1 and values[0][2] >= needed and all(not t for _, t, _ in reads[1:]):
            return Parsed(values[0][0]), values[0][1], values[0][2], None  # the only read at all
        best = max(values, key=lambda item: item[2], default=None)
        if best is None:
            return first, texts, conf, first.problem or "UNPARSEABLE"
        return Parsed(best[0]), texts, best[2], "READS_DISAGREE"

    def _read_text_alone(self, cell: Box, *, soft: bool, shrink: bool = False) -> tuple[str, float]:
        """A text cell or value read on its own as a block: wrapped lines in reading order;
        `shrink` reads it with its letters SMALL_X_HEIGHT tall (see `_sure_reads_agree`)."""
        crop = self._cropped(cell, soft=soft, text=True)
        if crop is None or (shrink and (crop := _text_shrunk(crop)) is None):
            return "", 0.0
        words = reading_order(self.engine.read_lines(crop))
        return " ".join(w.text for w in words), min((w.conf for w in words), default=0.0)

    def _read_alone(self, cell: Box, *, eng: bool, height: int | None = None) -> tuple[str, float]:
        """One cell read on its own, with the crop and alphabet its read family uses (see
        prefetch): `eng` reads with the cell's alphabet, DIGITS unless prefetched otherwise;
        `height` reads it with that many px of ink (see `_small_reads`)."""
        crop = self._cropped(cell, soft=eng)
        if crop is None:
            return "", 0.0
        if height is not None:
            crop = _shrunk(crop, height)
        if not eng:
            return self.engine.read_line(crop)
        return self.engine.read_line(crop, alphabet=self.alphabets.get(cell, DIGITS))

    def _doubled_reads(self, cell: Box) -> list[tuple[str, float]]:
        """A letter cell holding one glyph, read by `vie` with the glyph printed twice, from
        the thresholded and the soft crop; [] for any other cell. Alone on its line a letter
        has no context and reads unsurely (a monospace «Đ» at 35-67 %, or «›»); doubled it
        reads «ĐĐ» at 80-92 %. A read that is not one letter twice counts as no read."""
        if self.alphabets.get(cell, DIGITS) == DIGITS or self.glyph_count(cell) != 1:
            return []
        reads = []
        for soft in (False, True):
            crop = self._cropped(cell, soft=soft)
            glyph = None if crop is None else _ink_only(crop)
            if glyph is None:
                return []
            gap = np.full((glyph.shape[0], max(4, glyph.shape[0] // 3)), 255, np.uint8)
            doubled = cv2.copyMakeBorder(
                np.hstack([glyph, gap, glyph]), *(_BORDER,) * 4, cv2.BORDER_CONSTANT, value=255
            )
            text, conf = self.engine.read_line(doubled)
            one_twice = len(text) == 2 and text[0] == text[1]
            reads.append((text[0], conf) if one_twice else ("", 0.0))
        return reads

    def _shrunk_reads(self, cell: Box, height: int = SMALL_HEIGHT) -> list[tuple[str, float]]:
        """Both models' reads of the cell shrunk to `height` px of ink: `vie`, then `eng`."""
        return [self._read_alone(cell, eng=eng, height=height) for eng in (False, True)]

    def _small_reads(
        self, cell: Box, parser: object, glyphs: Parsed, needed: float
    ) -> tuple[str, float] | None:
        """Both models' reads of a digit cell shrunk, when both are sure and agree with the
        glyph read: (their texts, the lower confidence); else None. A model can misread a
        font's glyph at its printed size in every crop (p4's serif «7,5» is «7,9» to both
        models at 35 px of ink and «7,5» at 23-28 px), so the reads at print size can outvote
        the glyph read; two more reads at another size that side with it settle the cell.
        A lone digit is read at the glyph read's height: with no comma below, all its ink is
        digit (p4's «5» at 38 px is «h)» to `vie` at 26 px and «5» at 20)."""
        height = GLYPH_HEIGHT if self.glyph_count(cell) == 1 else SMALL_HEIGHT
        reads = self._shrunk_reads(cell, height)
        for text, confidence in reads:
            parsed: Parsed = parser(text)  # type: ignore[operator]
            if not parsed.ok or parsed.value != glyphs.value or confidence < needed:
                return None
        return READ_SEPARATOR.join(t for t, _ in reads), min(c for _, c in reads)

    def _cropped(self, box: Box, *, soft: bool = False, text: bool = False) -> np.ndarray | None:
        """The thresholded crop of a box, or with `soft` its soft one (see `_crops`)."""
        pair = self._crop_pair(box, text=text)
        return None if pair is None else pair[soft]

    def _crop_pair(self, box: Box, *, text: bool = False) -> tuple[np.ndarray, np.ndarray] | None:
        """`_crops` of a box, made once: a cell is cut out for its ink test, its strip reads
        and its reads alone (callers never write to a crop)."""
        key = (box, text)
        if key not in self._crop_cache:
            self._crop_cache[key] = _crops(self.image, box, text=text)
        return self._crop_cache[key]

    def _ink_box(self, cell: Box) -> Box | None:
        """The box of a cell's cleaned ink, with a small margin: where its value is printed."""
        x, y, w, h = cell
        pad = _inset(cell)
        crop = self.image[max(0, y + pad) : y + h - pad, max(0, x + pad) : x + w - pad]
        if crop.size == 0:
            return None
        span = _ink_span(_clean_cell(crop))
        if span is None:
            return None
        top, bottom, first, last = span
        left, upper = max(0, x + pad) + first - 4, max(0, y + pad) + top - 4
        return left, upper, last - first + 9, bottom - top + 9

    def has_ink(self, cell: tuple[int, int, int, int]) -> bool:
        crop = self._cropped(cell)
        if crop is None:
            return False
        return int((crop < 128).sum()) > 60  # more than specks: a glyph at 300 dpi is hundreds

    def is_blank(self, box: Box, text_height: float) -> bool:
        """No glyph in the box, faint ink included (a faint value or a stamp is not blank).
        Ruling is no glyph: a photo frame's corner reaches into the place after a label on
        some printings (`_ruling_near`)."""
        x, y, w, h = box
        crop = _unruled_crop(self.image, (max(0, x), max(0, y), x + w, y + h))
        return not has_glyphs(crop, (0, 0, crop.shape[1], crop.shape[0]), text_height, dark=160)

    def _reread(
        self,
        parser: object,
        first: Parsed,
        raw: str,
        conf: float,
        cell: tuple[int, int, int, int],
        needed: float,
        *,
        text: bool = False,
    ) -> tuple[Parsed, str, float, str | None]:
        """Second reads of the cell alone: for numbers `vie` then `eng` with digits; for text
        (which may wrap onto several lines) `vie` on the thresholded and on the soft crop.

        Two reads that agree, allowing for the classic glyph confusions, earn confidence. A page
        read that is junk (very low confidence) is no evidence: the cell read then stands alone,
        and a number read only once is read shrunk by both models too (a lone glyph), which
        must not disagree. An unsure page read of a number gives way to two sure cell reads
        that agree; a sure one, to them and both models' reads of the cell shrunk.
        A text read vouches for the page read only when sure, and not when as many
        sure reads show another text or the enlarged read shows other marks (`_text_split`).
        Otherwise a disagreement is flagged with the better-parsing read as the best guess.
        """
        crop = self._cropped(cell)
        if crop is None:
            return first, raw, conf, first.problem
        reads = list(self.second_reads.get(cell, []))
        if text:
            reads = [self.text_reads[cell]] if cell in self.text_reads else []
            vouched = reads and reads[0][1] >= needed and parser(reads[0][0]).value == first.value  # type: ignore[operator]
            if not vouched:
                reads += [self._read_text_alone(cell, soft=soft) for soft in (False, True)]
        elif max((c for _, c in reads), default=0.0) < needed:  # strip read unsure: read alone
            reads += [self._read_alone(cell, eng=eng) for eng in (False, True)]
        parsed = [(parser(text), text, c) for text, c in reads]  # type: ignore[operator]
        good = [(p, t, c) for p, t, c in parsed if p.ok]
        if not good:
            return first, raw, conf, first.problem
        # a text read vouches for the page read only when sure: both can invent a glyph alike
        # (a clean «9D6» read «9D6G» on the page at 74 % and enlarged at 55 %)
        agreeing = [
            c
            for p, _, c in good
            if first.ok and p.value == first.value and (not text or c >= needed)
        ]
        if agreeing and text and self._text_split(first, parsed, len(agreeing), cell, needed):
            texts = READ_SEPARATOR.join([raw, *(t for _, t, _ in parsed)])
            return _fuller(first, parsed), texts, conf, "READS_DISAGREE"
        if agreeing:
            return first, raw, max(conf, *agreeing), None
        if text and _settled(first, conf, parsed, needed):
            texts = READ_SEPARATOR.join([raw, *(t for _, t, _ in parsed)])
            return parsed[0][0], texts, min(c for _, _, c in parsed), "TEXT_SETTLED"
        if text and len(parsed) >= 3:  # split at print size: two reads at another size join
            small = [self._read_text_alone(cell, soft=soft, shrink=True) for soft in (False, True)]
            pool = [(first, raw, conf), *parsed]
            sure = _sure_reads_agree(pool, [(parser(t), t, c) for t, c in small])  # type: ignore[operator]
            if sure is not None:
                texts = READ_SEPARATOR.join(
                    [raw, *(t for _, t, _ in parsed), *(t for t, _ in small)]
                )
                return sure[0], texts, sure[1], "TEXT_SETTLED"
        page_read_is_noise = not first.ok or conf < JUNK_CONF
        if not text and page_read_is_noise and len(good) == 1:  # a lone read: two more, shrunk
            shrunk = [(parser(t), t, c) for t, c in self._shrunk_reads(cell)]  # type: ignore[operator]
            parsed += shrunk
            good += [item for item in shrunk if item[0].ok]
        best = max(good, key=lambda item: item[2])
        others_agree = all(p.value == best[0].value for p, _, _ in good)
        glyph_slip = parser(_as_digits(raw)).value == best[0].value  # type: ignore[operator]
        # two sure reads of the number alone that agree outvote an unsure page read
        cells_sure = not text and len(good) >= 2 and min(c for _, _, c in good) >= needed
        outvoted = cells_sure and conf < needed
        if others_agree and (page_read_is_noise or glyph_slip or outvoted):
            return best[0], best[1], best[2], None
        # ... and a sure one when both models, reading the cell shrunk, side with them: four
        # reads from two models at two sizes against one in its line's context (holdout6's
        # bold «5» is «3» to the page read at 81-94 %, «5» to every read of the cell alone)
        settling = None
        if cells_sure and others_agree and first.ok:
            settling = self._small_reads(cell, parser, best[0], needed)
        if settling is not None:
            texts = READ_SEPARATOR.join([raw, *(t for _, t, _ in parsed), settling[0]])
            return best[0], texts, settling[1], "NUMBER_SETTLED"
        guess = first if first.ok else best[0]
        if text:
            guess = _fuller(_text_guess(guess, good) if conf < needed else guess, parsed)
        texts = READ_SEPARATOR.join([raw, *(t for _, t, _ in parsed)])
        return guess, texts, min(conf, best[2]), "READS_DISAGREE"

    def _text_split(
        self,
        first: Parsed,
        parsed: Sequence[tuple[Parsed, str, float]],
        agreeing: int,
        cell: Box,
        needed: float,
    ) -> bool:
        """Text some cut-out reads agree on with the page read that is still a split: as many
        sure reads of another text as on the page read's side, itself included (a «4A6» read
        «4AG» on the page and in the thresholded crop, «4A6» enlarged and in the soft crop),
        or an enlarged read with other marks (`_other_marks`)."""
        against = [c for p, _, c in parsed if p.ok and p.value != first.value and c >= needed]
        enlarged = cell in self.text_reads and _other_marks(parsed[0], first)
        return len(against) > agreeing or enlarged

    def unrecognized_row(
        self, path: str, cells: Sequence[Sequence[Word]], name_col: int = 0
    ) -> None:
        """A table row with values whose name cannot be read: flagged, never dropped silently."""
        if any(cell for i, cell in enumerate(cells) if i != name_col):
            name = " ".join(w.text for w in cells[name_col]) or "?"
            self.flag(path, "ROW_NOT_FOUND", name)

    def missing(self, path: str) -> None:
        self.flag(path, "MISSING_FIELD")


def _shrunk(crop: np.ndarray, height: int) -> np.ndarray:
    """The crop scaled down so its ink is at most `height` pixels tall."""
    rows = np.flatnonzero((crop < 128).any(axis=1))
    ink = int(rows[-1] - rows[0] + 1) if rows.size else 0
    if ink <= height:
        return crop
    scale = height / ink
    return cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


_GLYPH_TO_DIGIT = str.maketrans(
    {"G": "6", "O": "0", "o": "0", "l": "1", "I": "1", "|": "1", "S": "5", "B": "8", "Z": "2"}
)


def _ink_span(crop: np.ndarray) -> tuple[int, int, int, int] | None:
    """The first and last rows, then columns, with ink (dark pixels); None with no ink."""
    ink = crop < 128
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return None
    return int(rows[0]), int(rows[-1]), int(cols[0]), int(cols[-1])


def _ink_only(crop: np.ndarray, margin: int = 2) -> np.ndarray | None:
    """The crop cut to its ink with a small white margin; None when it has no ink."""
    span = _ink_span(crop)
    if span is None:
        return None
    top, bottom, left, right = span
    return crop[
        max(0, top - margin) : bottom + margin + 1, max(0, left - margin) : right + margin + 1
    ]


def _as_digits(raw: str) -> str:
    return raw.translate(_GLYPH_TO_DIGIT)


_BORDER = 12  # white margin around a crop: Tesseract reads glyphs touching the edge badly


def _inset(box: Box) -> int:
    """Table cells lose their ruling; word boxes are kept whole."""
    return 4 if box[2] > 60 else 0


def _crops(
    image: np.ndarray, box: tuple[int, int, int, int], *, text: bool = False
) -> tuple[np.ndarray, np.ndarray] | None:
    """A cell or word cut out and cleaned for a second read: black ink on white, with ruling
    remnants at its edges and paper texture removed, in a white margin; and the soft crop,
    which keeps the glyphs' own grey levels (their anti-aliased edges) instead. `text` keeps
    specks: a Vietnamese dot below (học) is as small as paper texture. Otherwise ink inside
    a glyph's hole goes too: a typewriter's dotted zero reads «9», «Q» or «Ð» with its dot."""
    x, y, w, h = box
    pad = _inset(box)
    inner = (max(0, x + pad), max(0, y + pad), x + w - pad, y + h - pad)
    crop = _unruled_crop(image, inner) if text else image[inner[1] : inner[3], inner[0] : inner[2]]
    if crop.size == 0:
        return None
    ink = _clean_cell(crop, min_area=0 if text else 12)
    if not text:
        ink = _without_holes_ink(ink)
    near_ink = cv2.erode(ink, np.ones((3, 3), np.uint8)) < 128  # ink grown by a pixel
    soft = np.where(near_ink, crop, 255).astype(np.uint8)
    border = (_BORDER, _BORDER, _BORDER, _BORDER, cv2.BORDER_CONSTANT)
    return cv2.copyMakeBorder(ink, *border, value=255), cv2.copyMakeBorder(soft, *border, value=255)


def _unruled_crop(image: np.ndarray, corners: tuple[int, int, int, int]) -> np.ndarray:
    """The crop (left, top, right, bottom) with the ruling in and around it painted white."""
    left, top, right, bottom = corners
    crop = image[top:bottom, left:right]
    if crop.size == 0:
        return crop
    return np.where(_ruling_near(image, corners) > 0, 255, crop).astype(np.uint8)


def _ruling_near(image: np.ndarray, corners: tuple[int, int, int, int]) -> np.ndarray:
    """The ruling inside a crop (left, top, right, bottom): strokes RULE_LENGTH long or more,
    found in the crop's surroundings. A value's margin can take in a frame's corner (a photo
    box over «VŨ VĂN LONG»), which is short inside the crop and read as letters."""
    left, top, right, bottom = corners
    height, width = image.shape
    x0, y0 = max(0, left - RULE_LENGTH), max(0, top - RULE_LENGTH)
    x1, y1 = min(width, right + RULE_LENGTH), min(height, bottom + RULE_LENGTH)
    ink = binarize(image[y0:y1, x0:x1])
    rules = cv2.bitwise_or(
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, RULE_LENGTH), np.uint8)),
        cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((RULE_LENGTH, 1), np.uint8)),
    )
    rules = cv2.dilate(rules, np.ones((3, 3), np.uint8))  # and their grey edges
    return rules[top - y0 : bottom - y0, left - x0 : right - x0]


def _without_holes_ink(ink: np.ndarray) -> np.ndarray:
    """Black-on-white ink without the parts that lie in another glyph's hole (no digit and no
    rating letter has any): those that no white reachable from the crop's edge touches."""
    white = (ink >= 128).astype(np.uint8)
    padded = cv2.copyMakeBorder(white, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=1)
    _, areas = cv2.connectedComponents(padded, connectivity=4)
    outside = (areas == areas[0, 0])[1:-1, 1:-1].astype(np.uint8)  # white the edge reaches
    reached = cv2.dilate(outside, np.ones((3, 3), np.uint8))
    count, labels = cv2.connectedComponents(1 - white)
    touching = np.unique(labels[(reached > 0) & (white == 0)])
    enclosed = np.setdiff1d(np.arange(1, count), touching)
    return np.where(np.isin(labels, enclosed), 255, ink).astype(np.uint8)


def _clean_cell(crop: np.ndarray, min_area: int = 12) -> np.ndarray:
    if int(crop.min()) > 150:  # no ink at all: thresholding would turn texture into specks
        return np.full_like(crop, 255)
    _, ink = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink)
    h, w = ink.shape
    keep = np.zeros(count, dtype=bool)
    for i in range(1, count):
        x, y, cw, ch, area = stats[i]
        touches = x == 0 or y == 0 or x + cw == w or y + ch == h
        thin_rule = touches and (cw > 0.8 * w or ch > 0.8 * h or min(cw, ch) <= 3)
        keep[i] = area >= min_area and not thin_rule
    return np.where(keep[labels], 0, 255).astype(np.uint8)


def _stack(crops: Sequence[np.ndarray]) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Crops one under another, left-aligned, with white gaps; returns the strip and y-spans."""
    width = max(c.shape[1] for c in crops)
    gap = 30
    parts, spans, y = [], [], 0
    for crop in crops:
        padded = cv2.copyMakeBorder(
            crop, 0, gap, 0, width - crop.shape[1], cv2.BORDER_CONSTANT, value=255
        )
        parts.append(padded)
        spans.append((y, y + crop.shape[0]))
        y += padded.shape[0]
    return np.vstack(parts), spans


def _text_between(words: Sequence[Word], top: int, bottom: int) -> tuple[str, float]:
    inside = sorted((w for w in words if top <= w.cy < bottom), key=lambda w: w.x)
    if not inside:
        return "", 0.0
    return " ".join(w.text for w in inside), min(w.conf for w in inside)
