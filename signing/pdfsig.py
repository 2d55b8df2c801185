"""Independent checks outside pyHanko: poppler's pdfsig (signatures) and pikepdf (PDF/A shape).

Every external tool call lives here, with explicit arguments and a mandatory timeout.
veraPDF cannot be installed on these machines, so PDF/A-3b is checked structurally.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

import pikepdf

from domain.errors import ConfigError, SigningError

_VALID = "Signature Validation: Signature is Valid."
_TRUSTED = "Certificate Validation: Certificate is Trusted."
_WHOLE = "Total document signed"
_SIG_HEADER = re.compile(r"^Signature #\d+:", re.MULTILINE)


@dataclass(frozen=True)
class PdfsigResult:
    ok: bool  # at least one signature and every signature reported valid
    signatures: int
    output: str
    trusted: bool = False  # every certificate trusted by the NSS db used
    whole_document: bool = False  # the last signature covers the whole file


def run_pdfsig(path: Path, *, timeout: float = 30, nssdir: Path | None = None) -> PdfsigResult:
    """Run `pdfsig` on a file. Without `nssdir` a dev root is reported untrusted (expected).

    With `nssdir` OCSP stays enabled: poppler 22 reports "Unknown issue with Certificate" for
    every chain when -no-ocsp is combined with a custom trust db. Dev certificates carry no
    OCSP URL, so nothing is fetched; the timeout bounds production certificates that do.
    """
    args = [_tool("pdfsig", "poppler-utils")]
    if nssdir is None:
        args.append("-no-ocsp")
    else:
        args += ["-nssdir", f"sql:{nssdir}"]
    proc = _run([*args, str(path)], timeout)
    output = proc.stdout + proc.stderr
    count = len(_SIG_HEADER.findall(output))
    valid = output.count(_VALID)
    return PdfsigResult(
        ok=count > 0 and valid == count,
        signatures=count,
        output=output,
        trusted=count > 0 and output.count(_TRUSTED) == count,
        whole_document=_last_block(output).count(f"- {_WHOLE}\n") == 1,
    )


def _last_block(output: str) -> str:
    headers = list(_SIG_HEADER.finditer(output))
    return output[headers[-1].start() :] if headers else ""


def build_nss_trust_db(directory: Path, root_cert_pem: Path, *, timeout: float = 30) -> Path:
    """An NSS database (cert9.db) trusting `root_cert_pem`, for `run_pdfsig(nssdir=...)`.

    Needs `certutil` from the Debian package libnss3-tools.
    """
    certutil = _tool("certutil", "libnss3-tools")
    directory.mkdir(parents=True, exist_ok=True)
    db = f"sql:{directory}"
    if not (directory / "cert9.db").exists():
        _run([certutil, "-N", "-d", db, "--empty-password"], timeout)
    trust = "CT,C,C"  # trusted CA for TLS clients, e-mail and object signing
    _run(
        [certutil, "-A", "-d", db, "-n", "hocba-dev-root", "-t", trust, "-i", str(root_cert_pem)],
        timeout,
    )
    return directory


def run_pdfsig_bytes(
    pdf: bytes, *, timeout: float = 30, nssdir: Path | None = None
) -> PdfsigResult:
    """`run_pdfsig` on in-memory bytes (through a private temporary file)."""
    with tempfile.TemporaryDirectory(prefix="hocba-pdfsig-") as tmp:
        path = Path(tmp) / "document.pdf"
        path.write_bytes(pdf)
        return run_pdfsig(path, timeout=timeout, nssdir=nssdir)


def _tool(name: str, package: str) -> str:
    found = shutil.which(name)
    if not found:
        raise ConfigError(f"{name} not found on PATH", hint=f"install the {package} package")
    return found


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    try:
        proc = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        raise SigningError(
            f"{Path(args[0]).name} timed out after {timeout} s",
            hint="retry; if it persists the file may be malformed",
        ) from exc
    # pdfsig exits non-zero for unsigned or broken files: its report says why, keep it
    if proc.returncode != 0 and Path(args[0]).name != "pdfsig":
        raise SigningError(f"{Path(args[0]).name} failed: {proc.stderr.strip()[:300]}")
    return proc


# --- PDF/A-3b structure ------------------------------------------------------------------------


def check_pdfa_structure(pdf: bytes) -> list[str]:
    """Problems that keep the file from being PDF/A-3b ([] = structurally fine)."""
    try:
        with pikepdf.open(BytesIO(pdf)) as doc:
            return (
                _xmp_problems(doc) + _intent_problems(doc) + _font_problems(doc) + _af_problems(doc)
            )
    except pikepdf.PdfError as exc:
        return [f"not a readable PDF: {exc}"]


def _xmp_problems(doc: pikepdf.Pdf) -> list[str]:
    if "/Metadata" not in doc.Root:
        return ["no XMP metadata stream in the catalog"]
    meta = doc.open_metadata()
    problems = []
    if meta.get("pdfaid:part") != "3":
        problems.append(f"XMP pdfaid:part is {meta.get('pdfaid:part')!r}, expected '3'")
    if meta.get("pdfaid:conformance") != "B":
        problems.append(f"XMP pdfaid:conformance is {meta.get('pdfaid:conformance')!r}, not 'B'")
    return problems


def _intent_problems(doc: pikepdf.Pdf) -> list[str]:
    intents = doc.Root.get("/OutputIntents")
    if not intents:
        return ["no OutputIntents in the catalog"]
    pdfa = [i for i in intents if i.get("/S") == "/GTS_PDFA1"]
    if not pdfa:
        return ["no GTS_PDFA1 output intent"]
    if "/DestOutputProfile" not in pdfa[0]:
        return ["the PDF/A output intent has no ICC profile"]
    return []


def _font_problems(doc: pikepdf.Pdf) -> list[str]:
    problems = []
    for number, page in enumerate(doc.pages, start=1):
        fonts: Any = page.Resources.get("/Font", pikepdf.Dictionary())
        for key, font in fonts.items():
            if not _font_embedded(font):
                problems.append(f"page {number}: font {key} ({font.get('/BaseFont')}) not embedded")
    return problems


def _font_embedded(font: Any) -> bool:
    descendants = font.get("/DescendantFonts")
    target = descendants[0] if descendants else font
    descriptor = target.get("/FontDescriptor")
    if descriptor is None:
        return False
    return any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))


def _af_problems(doc: pikepdf.Pdf) -> list[str]:
    from signing.render import ATTACHMENT_NAME

    specs = doc.Root.get("/AF")
    if not specs:
        return ["the catalog has no /AF (associated files) array"]
    names = {str(s.get("/UF", s.get("/F", ""))): s for s in specs}
    spec = names.get(ATTACHMENT_NAME)
    if spec is None:
        return [f"{ATTACHMENT_NAME} is not among the associated files"]
    problems = []
    if spec.get("/AFRelationship") != "/Data":
        problems.append(f"{ATTACHMENT_NAME} AFRelationship is {spec.get('/AFRelationship')}")
    embedded: Any = spec.get("/EF", pikepdf.Dictionary())
    stream = embedded.get("/F")
    if stream is None or stream.get("/Subtype") != "/application/json":
        subtype = None if stream is None else stream.get("/Subtype")
        problems.append(f"{ATTACHMENT_NAME} MIME subtype is {subtype}, expected application/json")
    return problems
