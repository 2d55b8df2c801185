"""Drawing primitives of a printed form page: fonts, text, dotted leaders, ruled tables, ink.

A `Sheet` is one A4 page at 300 dpi with a cursor (`y`) that the page layouts in render.py move
down; signatures and seals take their randomness from the sheet's seeded generator.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageFont

from synth.layouts import PrintVariant

A4_MM = (210.0, 297.0)
MASTER_DPI = 300
INK = (22, 22, 24)
PEN = (28, 42, 120)  # ballpoint blue of signatures
SEAL = (205, 32, 40)
GRID = (40, 40, 40)

Cell = tuple[str, str]  # (text, font kind: "label" | "bold" | "value" | "small")


def page_size(dpi: int = MASTER_DPI) -> tuple[int, int]:
    """A4 portrait in pixels at `dpi` (2480 x 3508 at 300 dpi)."""
    return round(A4_MM[0] / 25.4 * dpi), round(A4_MM[1] / 25.4 * dpi)


@lru_cache(maxsize=64)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)


class Sheet:
    """One page being drawn: fonts of the variant, a cursor, helpers for text, leaders, tables."""

    def __init__(self, variant: PrintVariant, rng: random.Random, spacing: float = 1.0) -> None:
        self.v = variant
        self.rng = rng
        self.img = Image.new("RGB", page_size(), "white")
        self.draw = ImageDraw.Draw(self.img)
        left, top, right, bottom = variant.margins
        self.left, self.right = left, self.img.width - right
        self.bottom = self.img.height - bottom
        self.y = top
        f = variant.fonts
        self.fonts = {
            "label": _font(f.label, f.label_px),
            "bold": _font(f.label_bold, f.label_px),
            "value": _font(f.value, f.value_px),
            "small": _font(f.label, round(f.label_px * 0.8)),
            "heading": _font(f.label_bold, f.heading_px),
            "subheading": _font(f.label_bold, round(f.heading_px * 0.7)),
        }
        self.line_h = round(f.label_px * variant.line_spacing * spacing)
        self.printed: list[str] = []  # every string drawn, in order (tests check it against truth)

    def width(self, text: str, kind: str) -> float:
        return self.fonts[kind].getlength(text)

    def text(
        self, x: float, y: float, text: str, kind: str = "label", fill: tuple[int, int, int] = INK
    ) -> float:
        """Draw at baseline-ish top `y`; returns the x after the text."""
        self.draw.text((x, y), text, font=self.fonts[kind], fill=fill)
        self.printed.append(text)
        return x + self.width(text, kind)

    def centered(self, text: str, kind: str, cx: float | None = None) -> None:
        cx = (self.left + self.right) / 2 if cx is None else cx
        self.text(cx - self.width(text, kind) / 2, self.y, text, kind)

    def leader(self, x0: float, x1: float, y: float) -> None:
        dot_y = y + self.fonts["label"].size * 0.95
        for x in range(int(x0) + 6, int(x1) - 4, 14):
            self.draw.point([(x, dot_y), (x + 1, dot_y)], fill=INK)

    def field(self, x: float, x_end: float, label: str, value: str | None) -> float:
        """Print "Label: value"; with leaders the dots run under/after the value to `x_end`."""
        x = self.text(x, self.y, f"{label}:", "label")
        value_x = x + 18
        end = value_x
        if value:
            end = self.text(value_x, self.y - 2, value, "value")
        if self.v.leaders:
            self.leader(end if value else x, x_end, self.y)
        return end

    def newline(self, lines: float = 1.0) -> None:
        self.y += round(self.line_h * lines)

    def wrap(self, text: str, kind: str, width: float) -> list[str]:
        lines: list[str] = []
        current = ""
        for word in text.split():
            candidate = f"{current} {word}".strip()
            if current and self.width(candidate, kind) > width:
                lines.append(current)
                current = word
            else:
                current = candidate
        return [*lines, current] if current else lines

    def section(self, title: str) -> None:
        self.centered(title.upper() if self.v.section_upper else title, "subheading")
        self.newline(1.3)

    def table(
        self,
        widths: Sequence[float],
        header: Sequence[str],
        rows: Sequence[Sequence[Cell]],
        left_aligned: frozenset[int] = frozenset({0}),
    ) -> list[tuple[int, int, int, int]]:
        """Ruled grid; returns the box of every body cell in row order (for signatures)."""
        pad = 12
        xs: list[float] = [self.left]
        for w in widths:
            xs.append(xs[-1] + w)
        size = self.fonts["label"].size
        lh = round(size * 1.25)
        head = [self.wrap(h, "bold", w - 2 * pad) for h, w in zip(header, widths, strict=True)]
        self._row(xs, [[(line, "bold") for line in h] for h in head], lh, frozenset())
        boxes: list[tuple[int, int, int, int]] = []
        for row in rows:
            wrapped = [
                [(line, kind) for line in self.wrap(text, kind, w - 2 * pad) or [""]]
                for (text, kind), w in zip(row, widths, strict=True)
            ]
            boxes.extend(self._row(xs, wrapped, lh, left_aligned))
        return boxes

    def _row(
        self, xs: list[float], cells: list[list[Cell]], lh: int, left_aligned: frozenset[int]
    ) -> list[tuple[int, int, int, int]]:
        rows_of_text = max(1, *(len(c) for c in cells))
        height = max(round(self.line_h * 1.05), rows_of_text * lh + 2 * 14)
        top = self.y
        boxes = []
        for i, lines in enumerate(cells):
            x0, x1 = xs[i], xs[i + 1]
            ty = top + (height - len(lines) * lh) / 2 - 4
            for text, kind in lines:
                tx = x0 + 14
                if i not in left_aligned:
                    tx = (x0 + x1 - self.width(text, kind)) / 2
                self.text(tx, ty, text, kind)
                ty += lh
            self.draw.rectangle([x0, top, x1, top + height], outline=GRID, width=3)
            boxes.append((round(x0), top, round(x1), top + height))
        self.y = top + height
        return boxes

    def scribble(self, cx: float, cy: float, w: float, h: float) -> None:
        """A hand signature: a run of cursive loops in ballpoint blue, then a flourish."""
        loops = self.rng.randint(3, 6)
        phase, slant = self.rng.uniform(0, math.pi), self.rng.uniform(0.2, 0.5)
        points = []
        for i in range(loops * 12 + 1):
            t = i / 12  # one loop per unit of t
            size = 0.55 + 0.45 * math.sin(math.pi * t / loops)
            x = cx - w / 2 + w * t / loops + w / loops * 0.45 * math.cos(2 * math.pi * t + phase)
            y = cy - h / 2 * size * math.sin(2 * math.pi * t + phase)
            points.append((x + slant * (cy - y), y))
        self.draw.line(points, fill=PEN, width=4, joint="curve")
        end = points[-1]
        flourish = (end[0] + w * 0.3, end[1] - h * self.rng.uniform(0.3, 0.8))
        self.draw.line([end, flourish], fill=PEN, width=4)
        self.draw.line(
            [(cx - w * 0.55, cy + h * 0.55), (cx + w * 0.4, cy + h * self.rng.uniform(0.3, 0.7))],
            fill=PEN,
            width=3,
        )

    def seal(self, cx: float, cy: float, text: str) -> None:
        """A red round seal multiplied over the page, so text under it stays visible."""
        mask = _seal_mask(text, self.v.fonts.label_bold)
        angle = self.rng.uniform(-25, 25)
        mask = mask.rotate(angle, resample=Image.Resampling.BILINEAR)
        box = (round(cx - mask.width / 2), round(cy - mask.height / 2))
        region = self.img.crop((*box, box[0] + mask.width, box[1] + mask.height))
        ink = Image.composite(
            Image.new("RGB", mask.size, SEAL), Image.new("RGB", mask.size, "white"), mask
        )
        self.img.paste(ImageChops.multiply(region, ink), box)


@lru_cache(maxsize=32)
def _seal_mask(text: str, font_path: str) -> Image.Image:
    size = 380
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    c = size / 2
    draw.ellipse([8, 8, size - 8, size - 8], outline=210, width=9)
    draw.ellipse([70, 70, size - 70, size - 70], outline=210, width=5)
    star = [
        (c + r * math.sin(i * math.pi / 5), c - r * math.cos(i * math.pi / 5))
        for i, r in zip(range(10), [46, 18] * 5, strict=True)
    ]
    draw.polygon(star, fill=210)
    font = _font(font_path, 30)
    chars = text.upper()[:40]
    for i, ch in enumerate(chars):
        angle = -150 + 300 * i / max(1, len(chars) - 1)
        glyph = Image.new("L", (44, 44), 0)
        ImageDraw.Draw(glyph).text((22, 22), ch, font=font, fill=210, anchor="mm")
        glyph = glyph.rotate(-angle, resample=Image.Resampling.BILINEAR)
        rad = math.radians(angle)
        x, y = c + 150 * math.sin(rad), c - 150 * math.cos(rad)
        mask.paste(glyph, (round(x - 22), round(y - 22)), glyph)
    return mask
