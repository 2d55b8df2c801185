"""Import rules of docs/architecture.md, enforced by an AST walk over the source tree.

dags -> pipelines -> {ocr, validation, signing} -> domain; synth -> domain only; review ->
{pipelines, validation} -> domain. Nothing imports dags, review or tests. Production code never
imports synth at module level (three dev entry points may, inside functions). Heavy third-party
dependencies each live in one place.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGES = ("dags", "pipelines", "ocr", "validation", "signing", "domain", "synth", "review")
FIRST_PARTY = frozenset((*PACKAGES, "tests"))
PRODUCTION = ("pipelines", "ocr", "validation", "signing", "domain")

# First-party packages each package may import (itself always allowed).
ALLOWED: dict[str, frozenset[str]] = {
    "dags": frozenset({"pipelines", "domain"}),
    "pipelines": frozenset({"ocr", "validation", "signing", "domain"}),
    "ocr": frozenset({"domain"}),
    "validation": frozenset({"domain"}),
    "signing": frozenset({"domain"}),
    "domain": frozenset(),
    "synth": frozenset({"domain"}),
    "review": frozenset({"pipelines", "validation", "domain"}),
}
# Dev entry points that may import synth, but only inside a function.
SYNTH_IN_FUNCTIONS = frozenset(
    {"pipelines/cli.py", "pipelines/demo.py", "pipelines/bench.py", "pipelines/bench_checks.py"}
)
# Third-party top-level module -> where it may be imported (file or folder prefix).
HEAVY: dict[str, tuple[str, ...]] = {
    "great_expectations": ("validation/gx_suite.py",),
    "pyhanko": ("signing/",),
    "pyhanko_certvalidator": ("signing/",),
    "airflow": ("dags/",),
}


@dataclass(frozen=True)
class Import:
    file: str  # path relative to the repo, with forward slashes
    line: int
    module: str  # dotted name as resolved (relative imports made absolute)
    in_function: bool

    @property
    def top(self) -> str:
        return self.module.split(".")[0]

    def __str__(self) -> str:
        where = "inside a function" if self.in_function else "at module level"
        return f"{self.file}:{self.line} imports {self.module} ({where})"


def _source_files() -> list[Path]:
    return sorted(
        p for pkg in PACKAGES for p in (REPO / pkg).rglob("*.py") if ".venv" not in p.parts
    )


def _absolute(node: ast.ImportFrom, rel: Path) -> str:
    if node.level == 0:
        return node.module or ""
    package = list(rel.parent.parts)
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _walk(node: ast.AST, rel: Path, in_function: bool) -> Iterator[Import]:
    for child in ast.iter_child_nodes(node):
        nested = in_function or isinstance(
            child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
        )
        if isinstance(child, ast.Import):
            for alias in child.names:
                yield Import(rel.as_posix(), child.lineno, alias.name, in_function)
        elif isinstance(child, ast.ImportFrom):
            yield Import(rel.as_posix(), child.lineno, _absolute(child, rel), in_function)
        yield from _walk(child, rel, nested)


def _imports() -> list[Import]:
    found: list[Import] = []
    for path in _source_files():
        rel = path.relative_to(REPO)
        found.extend(_walk(ast.parse(path.read_text(encoding="utf-8"), str(rel)), rel, False))
    return found


@pytest.fixture(scope="module")
def imports() -> list[Import]:
    found = _imports()
    assert len(found) > 100, "the walk found almost no imports: is REPO right?"
    return found


def _package(imp: Import) -> str:
    return imp.file.split("/")[0]


def test_walk_sees_known_edges(imports: list[Import]) -> None:
    """Guards the walker itself: edges known to exist must be found."""
    edges = {(_package(i), i.top, i.in_function) for i in imports}
    assert ("pipelines", "ocr", False) in edges
    assert ("dags", "pipelines", True) in edges
    assert ("synth", "domain", False) in edges
    assert any(i.file == "pipelines/cli.py" and i.top == "synth" and i.in_function for i in imports)


def test_layers_point_down(imports: list[Import]) -> None:
    bad = [
        str(i)
        for i in imports
        if i.top in FIRST_PARTY
        and i.top != _package(i)
        and i.top not in ALLOWED[_package(i)]
        and not (i.top == "synth" and i.file in SYNTH_IN_FUNCTIONS and i.in_function)
    ]
    assert not bad, "imports against the layer order:\n" + "\n".join(bad)


def test_nothing_imports_dags_review_or_tests(imports: list[Import]) -> None:
    bad = [str(i) for i in imports if i.top in ("dags", "review", "tests") and i.top != _package(i)]
    assert not bad, "\n".join(bad)


def test_production_never_imports_synth_at_module_level(imports: list[Import]) -> None:
    bad = [
        str(i)
        for i in imports
        if _package(i) in PRODUCTION
        and i.top == "synth"
        and not (i.in_function and i.file in SYNTH_IN_FUNCTIONS)
    ]
    assert not bad, "production code must not depend on synth:\n" + "\n".join(bad)


@pytest.mark.parametrize("module", sorted(HEAVY))
def test_heavy_dependency_lives_in_one_place(imports: list[Import], module: str) -> None:
    places = HEAVY[module]
    bad = [str(i) for i in imports if i.top == module and not i.file.startswith(places)]
    assert not bad, f"{module} may only be imported in {places}:\n" + "\n".join(bad)


def test_relative_imports_resolve() -> None:
    tree = ast.parse("from .fields import parse_score\nfrom .. import domain\n")
    nodes = [n for n in tree.body if isinstance(n, ast.ImportFrom)]
    assert _absolute(nodes[0], Path("ocr/extract.py")) == "ocr.fields"
    assert _absolute(nodes[1], Path("ocr/sub/x.py")) == "ocr"
