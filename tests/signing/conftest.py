"""Hand-built records of both v1 families and a session-wide dev PKI for the signing tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from domain.record import (
    IdentityLink,
    RatedItem,
    Review,
    Source,
    Student,
    SubjectResult,
    TermTriple,
    TranscriptRecord,
    YearPage,
)
from signing.pdfsig import build_nss_trust_db
from signing.pki import DevPki, ensure_dev_pki
from signing.render import IssueInfo
from signing.services import serve_test_pki
from signing.sign import Level, SealOptions
from signing.signers import SignerConfig
from signing.testpki import TestPki

SHA = "ab" * 32


def _student(name: str, gender: str, dob: str) -> Student:
    return Student(
        full_name=name,
        gender=gender,  # type: ignore[arg-type]
        date_of_birth=dob,
        place_of_birth="Xã Phước Lợi, huyện Bến Lức, tỉnh Long An",
        ethnicity="Kinh",
        nationality="Việt Nam",
        residence="Ấp 3, xã Phước Lợi, huyện Bến Lức, tỉnh Long An",
        father_name="Nguyễn Văn Hưởng",
        mother_name="Trần Thị Ngọc Hằng",
        personal_id="080310001234" if gender == "Nữ" else None,
    )


def _thcs_year(page: int, grade: int, year: str, hoa_hoc: bool) -> YearPage:
    scored = [("Toán", 8.3, 8.7), ("Vật lí", 7.5, 8.0), ("Sinh học", 8.0, 8.4)]
    if hoa_hoc:
        scored.append(("Hóa học", 7.9, 8.6))
    scored += [("Ngữ văn", 7.0, 7.6), ("Lịch sử", 8.5, 8.1), ("Địa lí", 7.8, 8.2)]
    scored += [("Ngoại ngữ", 9.0, 9.2), ("Giáo dục công dân", 8.8, 9.0), ("Công nghệ", 8.1, 8.5)]
    subjects = [
        SubjectResult(name=n, hk1=a, hk2=b, year=round((a + 2 * b) / 3, 1)) for n, a, b in scored
    ]
    subjects += [SubjectResult(name=n, hk1="Đ", hk2="Đ", year="Đ") for n in ("Thể dục", "Âm nhạc")]
    subjects.append(SubjectResult(name="Mĩ thuật", hk1="Đ", hk2="CĐ", year="Đ"))
    means = [round(sum(v) / len(v), 1) for v in zip(*[(a, b) for _, a, b in scored], strict=True)]
    return YearPage(
        page=page,
        school_year=year,
        grade=grade,
        class_name=f"{grade}A3",
        school_name="Trường THCS Phước Lợi",
        regulation="TT58",
        subjects=subjects,
        average_all=TermTriple(
            hk1=means[0], hk2=means[1], year=round((means[0] + 2 * means[1]) / 3, 1)
        ),
        conduct=TermTriple(hk1="Tốt", hk2="Tốt", year="Tốt"),
        academic=TermTriple(hk1="Khá", hk2="Giỏi", year="Giỏi"),
        absences=2,
        decision="Được lên lớp" if grade < 9 else "Hoàn thành chương trình THCS",
        awards="Học sinh giỏi",
        homeroom_comment="Chăm ngoan, học tốt, tích cực tham gia phong trào của lớp.",
    )


def _th_year(page: int, grade: int, year: str) -> YearPage:
    names = ["Tiếng Việt", "Toán", "Đạo đức", "Tự nhiên và Xã hội", "Âm nhạc", "Mĩ thuật"]
    names += ["Thủ công", "Thể dục", "Ngoại ngữ"]
    scored = {"Tiếng Việt": 9, "Toán": 10, "Ngoại ngữ": 8}
    subjects = [
        SubjectResult(
            name=n,
            level="Hoàn thành tốt" if n in scored else "Hoàn thành",
            test_score=scored.get(n),
            comment="Đọc to, rõ ràng; viết đúng chính tả." if n == "Tiếng Việt" else None,
        )
        for n in names
    ]
    comps = ("Tự phục vụ, tự quản", "Hợp tác", "Tự học và giải quyết vấn đề")
    quals = (
        "Chăm học, chăm làm",
        "Tự tin, trách nhiệm",
        "Trung thực, kỉ luật",
        "Đoàn kết, yêu thương",
    )
    return YearPage(
        page=page,
        school_year=year,
        grade=grade,
        class_name=f"{grade}B",
        school_name="Trường Tiểu học Ánh Dương",
        regulation="TT22-2016",
        subjects=subjects,
        competencies=[
            RatedItem(name=c, level="Tốt", comment="Biết hợp tác với bạn.") for c in comps
        ],
        qualities=[RatedItem(name=q, level="Đạt") for q in quals],
        absences=1,
        decision="Hoàn thành chương trình lớp học",
        awards="Học sinh hoàn thành xuất sắc các nội dung học tập và rèn luyện",
    )


def build_thcs_record() -> TranscriptRecord:
    years = [
        _thcs_year(i + 2, g, f"{2014 + i}-{2015 + i}", g >= 8) for i, g in enumerate(range(6, 10))
    ]
    return TranscriptRecord(
        document_id="LA-THCS-2014-000123",
        source=Source(file="thcs_000123.tif", sha256=SHA, page_count=5),
        family="THCS-2011",
        student=_student("Lê Hoàng Phúc", "Nam", "2003-02-17"),
        years=years,
        identity_link=IdentityLink(status="linked", personal_id="080203004567", score=0.97),
        review=Review(status="auto_approved"),
    )


def build_th_record() -> TranscriptRecord:
    years = [_th_year(i + 2, g, f"{2016 + i}-{2017 + i}") for i, g in enumerate(range(1, 4))]
    return TranscriptRecord(
        document_id="LA-TH-2016-004711",
        source=Source(file="th_004711.pdf", sha256=SHA, page_count=4),
        family="TH-2014",
        student=_student("Nguyễn Thị Ánh Tuyết", "Nữ", "2010-09-05"),
        years=years,
        review=Review(status="auto_approved"),
    )


@pytest.fixture(scope="session")
def thcs_record() -> TranscriptRecord:
    return build_thcs_record()


@pytest.fixture(scope="session")
def th_record() -> TranscriptRecord:
    return build_th_record()


def issue_info(doc_id: str) -> IssueInfo:
    return IssueInfo(
        doc_id=doc_id,
        issuer_unit="Sở Giáo dục và Đào tạo Long An",
        converted_by="hocba 0.1.0",
        issued_on=dt.date(2026, 3, 14),
        verify_url=f"https://hocba.example.gov.vn/xac-thuc/{doc_id}",
    )


@pytest.fixture(scope="session")
def dev_pki(tmp_path_factory: pytest.TempPathFactory) -> DevPki:
    return ensure_dev_pki(tmp_path_factory.mktemp("pki") / "dev")


@pytest.fixture(scope="session")
def pki_dir(dev_pki: DevPki) -> Path:
    return dev_pki.root_cert_pem.parent


# --- a served test PKI (OCSP, CRL, TSA on loopback) -------------------------------------------


@dataclass(frozen=True)
class ServedPki:
    pki: TestPki
    dir: Path  # root.pem, intermediate.pem, seal.pem, seal.p12, seal.p12.password
    nss: Path  # NSS db trusting the test root, for pdfsig

    @property
    def root_pem(self) -> Path:
        return self.dir / "root.pem"

    @property
    def tsa_url(self) -> str:
        return f"{self.pki.base_url}/tsa"

    def options(self, level: Level) -> SealOptions:
        return SealOptions(level=level, tsa_url=self.tsa_url, trust_roots=(self.root_pem,))

    def p12_config(self) -> SignerConfig:
        return SignerConfig(key_file=self.dir / "seal.p12", secret_file=self.dir / "seal.pw")


def write_pki_files(pki: TestPki, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "root.pem").write_bytes(pki.root.cert_pem())
    (directory / "intermediate.pem").write_bytes(pki.intermediate.cert_pem())
    (directory / "seal.pem").write_bytes(pki.seal.cert_pem())
    (directory / "seal.p12").write_bytes(pki.pkcs12(pki.seal, b"test-pw"))
    (directory / "seal.pw").write_bytes(b"test-pw\n")
    return directory


@pytest.fixture(scope="session")
def served_pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedPki]:
    with serve_test_pki() as pki:
        directory = write_pki_files(pki, tmp_path_factory.mktemp("testpki"))
        nss = build_nss_trust_db(directory / "nss", directory / "root.pem")
        yield ServedPki(pki, directory, nss)
