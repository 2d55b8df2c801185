"""Handwritten values: booklets filled in by a teacher's pen instead of school software.

Before the software era (and for late corrections) values were written by hand into the
printed frame. `HandSheet` draws every value string (font kind "value") glyph by glyph with
what a hand does and a printer never does: an uneven baseline, glyph sizes and angles that
wander, a slant, strokes of uneven weight, ballpoint ink. The printed frame is unchanged.
"""

from __future__ import annotations

import random
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from synth.layouts import PrintVariant
from synth.sheet import PEN, Sheet

# Oblique and italic faces with full Vietnamese coverage (fonts-dejavu-extra, fonts-noto-core).
HAND_FONTS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Oblique.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Italic.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Oblique.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Italic.ttf",
)


@lru_cache(maxsize=64)
def _hand_font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, layout_engine=ImageFont.Layout.BASIC)


class HandSheet(Sheet):
    """A sheet whose values are written by hand; one writer (font, slant, size) per page."""

    def __init__(self, variant: PrintVariant, rng: random.Random, spacing: float = 1.0) -> None:
        super().__init__(variant, rng, spacing)
        # the writer's own generator, seeded from the sheet's without drawing from it: the
        # frame (names, occupations, signatures) stays what the printed booklet shows
        hand = random.Random(str(rng.getstate()[1][:8]))
        self.hand_rng = hand
        self.hand_font = hand.choice(HAND_FONTS)
        self.hand_px = round(variant.fonts.value_px * hand.uniform(1.0, 1.25))
        self.slant = hand.uniform(-4.0, 14.0)  # degrees; most hands lean right
        self.heavy = hand.random() < 0.4  # a pen that writes a heavier line

    def text(
        self,
        x: float,
        y: float,
        text: str,
        kind: str = "label",
        fill: tuple[int, int, int] = (22, 22, 24),
    ) -> float:
        if kind != "value" or not text.strip():
            return super().text(x, y, text, kind, fill)
        self.printed.append(text)
        return self._write(x, y, text)

    def _write(self, x: float, y: float, text: str) -> float:
        """Glyph by glyph: each one resized, turned and lifted a little, then pasted in ink."""
        rng = self.hand_rng
        drift = 0.0
        for ch in text:
            size = max(12, round(self.hand_px * rng.uniform(0.85, 1.15)))
            font = _hand_font(self.hand_font, size)
            advance = font.getlength(ch)
            if ch.strip():
                drift = max(-6.0, min(6.0, drift + rng.uniform(-2.5, 2.5)))
                glyph = _glyph(ch, font, self.slant + rng.uniform(-6, 6), self.heavy)
                top = round(y - 6 + drift + (self.hand_px - size) * 0.8)
                ink = Image.new("RGB", glyph.size, PEN)
                # the glyph sits at (size/2, size/3) inside its mask
                self.img.paste(ink, (round(x) - size // 2, top - size // 3), glyph)
            x += advance * rng.uniform(0.95, 1.15)
        return x


def _glyph(ch: str, font: ImageFont.FreeTypeFont, angle: float, bolder: bool) -> Image.Image:
    """A glyph mask with a margin, leaning right by `angle`; sometimes a heavier stroke."""
    size = int(font.size * 2)
    mask = Image.new("L", (size, size), 0)
    ImageDraw.Draw(mask).text((font.size // 2, font.size // 3), ch, font=font, fill=235)
    if bolder:
        mask = mask.filter(ImageFilter.MaxFilter(3))
    return mask.rotate(-angle, resample=Image.Resampling.BILINEAR, center=(size / 2, size * 0.6))
