"""The interchange record (contract v1, shared/contract/transcript.schema.json) as pydantic models.

Every package speaks this model. `TranscriptRecord.to_contract()` gives the JSON document the
contract describes; internal extras (crop boxes, raw OCR text) live beside it in `FieldReading`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_ID: Literal["hocba.transcript/v1"] = "hocba.transcript/v1"

# Columns of the population-registry extract (shared/contract/README.md), in contract order.
REGISTRY_COLUMNS: tuple[str, ...] = (
    "personal_id",
    "full_name",
    "gender",
    "date_of_birth",
    "birth_registration_place",
    "father_name",
    "mother_name",
    "residence",
)

Family = Literal["THCS-2011", "TH-2014"]
Regulation = Literal["TT58", "TT58+TT26", "TT30", "TT22-2016"]
Gender = Literal["Nam", "Nữ"]
Score = float | str  # THCS: a number 0-10 with one decimal, or "Đ" / "CĐ"
Severity = Literal["info", "warning", "error"]
LinkStatus = Literal["linked", "ambiguous", "not_found", "conflict"]
ReviewStatus = Literal["auto_approved", "needs_review", "rejected"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Source(_Model):
    file: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    page_count: int = Field(ge=1)


class Student(_Model):
    full_name: str | None = None
    gender: Gender | None = None
    date_of_birth: str | None = None  # ISO YYYY-MM-DD
    place_of_birth: str | None = None
    ethnicity: str | None = None
    nationality: str | None = None
    residence: str | None = None
    father_name: str | None = None
    mother_name: str | None = None
    guardian_name: str | None = None
    personal_id: str | None = None


class SubjectResult(_Model):
    name: str
    hk1: Score | None = None
    hk2: Score | None = None
    year: Score | None = None
    retest: Score | None = None
    level: Literal["Hoàn thành tốt", "Hoàn thành", "Chưa hoàn thành"] | None = None
    test_score: int | None = Field(default=None, ge=0, le=10)
    comment: str | None = None


class TermTriple(_Model):
    """A value per semester and for the whole year (averages, conduct, academic rank)."""

    hk1: float | str | None = None
    hk2: float | str | None = None
    year: float | str | None = None


class RatedItem(_Model):
    name: str
    level: Literal["Tốt", "Đạt", "Cần cố gắng", "Chưa đạt"] | None = None
    comment: str | None = None


class YearPage(_Model):
    page: int = Field(ge=1)
    school_year: str | None = None
    grade: int | None = Field(default=None, ge=1, le=9)
    class_name: str | None = None
    school_name: str | None = None
    regulation: Regulation | None = None
    subjects: list[SubjectResult] = Field(default_factory=list)
    average_all: TermTriple | None = None
    conduct: TermTriple | None = None
    academic: TermTriple | None = None
    competencies: list[RatedItem] | None = None
    qualities: list[RatedItem] | None = None
    absences: int | None = Field(default=None, ge=0)
    decision: str | None = None
    awards: str | None = None
    homeroom_comment: str | None = None


class IdentityLink(_Model):
    status: LinkStatus = "not_found"
    personal_id: str | None = None
    score: float | None = None
    candidates: list[str] = Field(default_factory=list)


class Flag(_Model):
    field: str
    code: str
    message: str
    severity: Severity = "error"


class Review(_Model):
    status: ReviewStatus = "needs_review"
    flags: list[Flag] = Field(default_factory=list)


class TranscriptRecord(_Model):
    schema_: Literal["hocba.transcript/v1"] = Field(default=SCHEMA_ID, alias="schema")
    document_id: str
    source: Source
    family: Family
    student: Student = Field(default_factory=Student)
    years: list[YearPage] = Field(default_factory=list)
    identity_link: IdentityLink = Field(default_factory=IdentityLink)
    review: Review = Field(default_factory=Review)

    model_config = ConfigDict(extra="forbid", validate_assignment=True, populate_by_name=True)

    def to_contract(self) -> dict[str, object]:
        """The JSON-ready contract document (aliases applied, nulls kept)."""
        return self.model_dump(mode="json", by_alias=True)

    @classmethod
    def from_contract(cls, doc: dict[str, object]) -> TranscriptRecord:
        return cls.model_validate(doc)


class FieldReading(_Model):
    """How one field was read: kept for review (crop, raw text, confidence), not exported."""

    path: str  # JSON path inside the record, e.g. years[0].subjects[2].year
    page: int  # 1-based page in the source file
    box: tuple[int, int, int, int] | None = None  # x, y, w, h on the normalized page image
    raw: str = ""
    confidence: float | None = None  # 0-100, Tesseract's word-confidence minimum
