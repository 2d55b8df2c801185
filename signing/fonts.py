"""Where the DejaVu TrueType fonts live (full Vietnamese coverage, embeddable under PDF/A).

Looked up once per process: HOCBA_FONT_DIR first, then the usual Debian/Ubuntu and other
system locations. A missing font is a deployment problem, so it raises ConfigError.

fpdf2 parses and subsets every font for every document; on the full DejaVu files (~3,400
glyphs) that was a third of the render time. The renderer therefore uses copies reduced to the
Latin/Vietnamese repertoire, made once per machine in a cache folder (HOCBA_FONT_CACHE, else
a per-user folder in the temp dir).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from domain.errors import ConfigError

FONT_DIR_ENV = "HOCBA_FONT_DIR"
FONT_CACHE_ENV = "HOCBA_FONT_CACHE"
_SUBSET_VERSION = "vi1"  # bump when the ranges change: cached files are keyed by it
# Latin + IPA/modifiers + combining marks + Latin Extended Additional (Vietnamese) + punctuation,
# currency (₫), letterlike symbols (№) and arrows
VIETNAMESE_RANGES = (
    (0x0020, 0x02FF),
    (0x0300, 0x036F),
    (0x1E00, 0x1EFF),
    (0x2000, 0x206F),
    (0x20A0, 0x20CF),
    (0x2100, 0x214F),
    (0x2190, 0x21FF),
)
_SYSTEM_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
    "/usr/local/share/fonts",
    "/Library/Fonts",
)
# style -> file name; serif for the body (reads like the printed Ministry forms)
SERIF_FILES = {
    "": "DejaVuSerif.ttf",
    "B": "DejaVuSerif-Bold.ttf",
    "I": "DejaVuSerif-Italic.ttf",
}


@dataclass(frozen=True)
class FontSet:
    family: str
    files: dict[str, Path]  # fpdf2 style ("", "B", "I") -> TTF path


def _search_dirs() -> list[Path]:
    dirs = [Path(p) for p in _SYSTEM_DIRS]
    override = os.environ.get(FONT_DIR_ENV)
    if override:
        dirs.insert(0, Path(override))
    return dirs


def find_font(file_name: str) -> Path:
    """The first existing path of a font file in the search directories."""
    for directory in _search_dirs():
        candidate = directory / file_name
        if candidate.is_file():
            return candidate
    raise ConfigError(
        f"Font {file_name} not found",
        hint=f"install fonts-dejavu-core (apt-get) or set {FONT_DIR_ENV} to a folder holding it",
    )


@lru_cache(maxsize=1)
def serif_fonts() -> FontSet:
    """DejaVu Serif regular/bold/italic (full files), resolved once per process."""
    return FontSet("DejaVuSerif", {style: find_font(name) for style, name in SERIF_FILES.items()})


@lru_cache(maxsize=1)
def vietnamese_serif_fonts() -> FontSet:
    """DejaVu Serif reduced to VIETNAMESE_RANGES, built on first use and cached on disk."""
    full = serif_fonts()
    return FontSet(full.family, {style: _subset(path) for style, path in full.files.items()})


def _cache_dir() -> Path:
    override = os.environ.get(FONT_CACHE_ENV)
    if override:
        return Path(override)
    return Path(tempfile.gettempdir()) / f"hocba-fonts-{os.getuid()}"


def _subset(source: Path) -> Path:
    stat = source.stat()
    key = f"{source.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{_SUBSET_VERSION}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    target = _cache_dir() / f"{source.stem}-{_SUBSET_VERSION}-{digest}.ttf"
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    _write_subset(source, target)
    return target


def _write_subset(source: Path, target: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(source, recalcTimestamp=False)
    options = subset.Options()
    options.name_IDs = ["*"]  # keep the names (and the licence text) of the original
    options.notdef_outline = True
    options.layout_features = ["*"]
    options.drop_tables += ["FFTM"]  # FontForge timestamp: fontTools cannot subset it
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[c for lo, hi in VIETNAMESE_RANGES for c in range(lo, hi + 1)])
    subsetter.subset(font)
    # write aside, then rename: concurrent workers never read a half-written font
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    font.save(partial)
    os.replace(partial, target)
