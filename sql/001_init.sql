-- hocba sector database, schema v1.
-- Applied once by pipelines.repository.apply_migrations (tracked in hocba.schema_migrations).
-- Every table is keyed by natural ids (batch id, file name, document id, content hash) so
-- that re-running a batch upserts the same rows instead of adding new ones.

DO $$
BEGIN
    -- The application role exists before grants; its password is set outside SQL files.
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hocba_app') THEN
        CREATE ROLE hocba_app NOLOGIN;
    END IF;
END
$$;

-- ---------------------------------------------------------------- pipeline bookkeeping

CREATE TABLE hocba.batch (
    batch_id         text PRIMARY KEY,
    source           text NOT NULL,
    started_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    pipeline_version text NOT NULL,
    params           jsonb NOT NULL DEFAULT '{}'::jsonb
);

CREATE TABLE hocba.input_file (
    batch_id     text NOT NULL REFERENCES hocba.batch (batch_id),
    file_name    text NOT NULL,
    sha256       char(64) NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size_bytes   bigint NOT NULL CHECK (size_bytes >= 0),
    object_key   text,
    fate         text NOT NULL
                 CHECK (fate IN ('accepted', 'quarantined', 'duplicate', 'skipped')),
    reason       text,
    duplicate_of text,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (batch_id, file_name),
    CHECK (fate <> 'duplicate' OR duplicate_of IS NOT NULL),
    CHECK (fate <> 'quarantined' OR reason IS NOT NULL)
);
-- Dedup across batches looks up earlier accepted files by content hash.
CREATE INDEX input_file_accepted_sha256 ON hocba.input_file (sha256, received_at)
    WHERE fate = 'accepted';

CREATE TABLE hocba.extraction (
    document_id      text PRIMARY KEY,
    source_sha256    char(64) NOT NULL UNIQUE,
    batch_id         text NOT NULL REFERENCES hocba.batch (batch_id),
    family           text NOT NULL CHECK (family IN ('THCS-2011', 'TH-2014')),
    record           jsonb NOT NULL,
    readings         jsonb NOT NULL DEFAULT '[]'::jsonb,
    review_status    text NOT NULL
                     CHECK (review_status IN ('auto_approved', 'needs_review', 'rejected')),
    pipeline_version text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX extraction_batch ON hocba.extraction (batch_id);

CREATE TABLE hocba.review_queue (
    document_id text PRIMARY KEY REFERENCES hocba.extraction (document_id),
    batch_id    text NOT NULL REFERENCES hocba.batch (batch_id),
    status      text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'claimed', 'approved', 'rejected', 'published')),
    reasons     text[] NOT NULL DEFAULT '{}',
    is_audit    boolean NOT NULL DEFAULT false,
    priority    integer NOT NULL DEFAULT 0,
    school_name text,
    school_year text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    claimed_by  text,
    claimed_at  timestamptz,
    decided_by  text,
    decided_at  timestamptz
);
-- Work list: next pending item by priority (higher first), then age.
CREATE INDEX review_queue_worklist ON hocba.review_queue (status, priority DESC, created_at);

-- ---------------------------------------------------------------- population registry extract

CREATE TABLE hocba.registry_person (
    personal_id              char(12) PRIMARY KEY CHECK (personal_id ~ '^[0-9]{12}$'),
    full_name                text NOT NULL,
    gender                   text CHECK (gender IN ('Nam', 'Nữ')),
    date_of_birth            date,
    birth_registration_place char(3) CHECK (birth_registration_place ~ '^[0-9]{3}$'),
    father_name              text,
    mother_name              text,
    residence                text,
    name_key                 text NOT NULL,  -- domain.text.search_key(full_name)
    given_key                text NOT NULL,  -- last syllable of name_key (tên)
    birth_year               integer
);
-- Candidate retrieval: full accent-free name + birth year, or given name + birth year when
-- OCR damaged the surname or middle name.
CREATE INDEX registry_person_name_year ON hocba.registry_person (name_key, birth_year);
CREATE INDEX registry_person_given_year ON hocba.registry_person (given_key, birth_year);

-- ---------------------------------------------------------------- sector database

CREATE TABLE hocba.student (
    student_id     bigserial PRIMARY KEY,
    personal_id    char(12) NOT NULL UNIQUE CHECK (personal_id ~ '^[0-9]{12}$'),
    full_name      text,
    gender         text CHECK (gender IN ('Nam', 'Nữ')),
    date_of_birth  date,
    place_of_birth text,
    ethnicity      text,
    nationality    text,
    residence      text,
    father_name    text,
    mother_name    text,
    guardian_name  text,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    updated_by     text NOT NULL
);

CREATE TABLE hocba.booklet (
    booklet_id    bigserial PRIMARY KEY,
    document_id   text NOT NULL UNIQUE,
    student_id    bigint NOT NULL REFERENCES hocba.student (student_id),
    family        text NOT NULL CHECK (family IN ('THCS-2011', 'TH-2014')),
    source_file   text NOT NULL,
    source_sha256 char(64) NOT NULL UNIQUE,
    page_count    integer NOT NULL CHECK (page_count >= 1),
    record        jsonb NOT NULL,
    loaded_at     timestamptz NOT NULL DEFAULT now(),
    loaded_by     text NOT NULL
);
CREATE INDEX booklet_student ON hocba.booklet (student_id);

CREATE TABLE hocba.year_result (
    booklet_id       bigint NOT NULL REFERENCES hocba.booklet (booklet_id),
    page             integer NOT NULL CHECK (page >= 1),
    school_year      text CHECK (school_year ~ '^[0-9]{4}-[0-9]{4}$'),
    grade            smallint CHECK (grade BETWEEN 1 AND 9),
    class_name       text,
    school_name      text,
    regulation       text,
    avg_hk1          numeric(3, 1) CHECK (avg_hk1 BETWEEN 0 AND 10),
    avg_hk2          numeric(3, 1) CHECK (avg_hk2 BETWEEN 0 AND 10),
    avg_year         numeric(3, 1) CHECK (avg_year BETWEEN 0 AND 10),
    conduct_hk1      text,
    conduct_hk2      text,
    conduct_year     text,
    academic_hk1     text,
    academic_hk2     text,
    academic_year    text,
    absences         integer CHECK (absences >= 0),
    decision         text,
    awards           text,
    homeroom_comment text,
    competencies     jsonb,
    qualities        jsonb,
    source_sha256    char(64) NOT NULL,
    source_page      integer NOT NULL,
    PRIMARY KEY (booklet_id, page)
);

CREATE TABLE hocba.subject_result (
    booklet_id   bigint NOT NULL,
    page         integer NOT NULL,
    subject      text NOT NULL,
    score_hk1    numeric(3, 1) CHECK (score_hk1 BETWEEN 0 AND 10),
    score_hk2    numeric(3, 1) CHECK (score_hk2 BETWEEN 0 AND 10),
    score_year   numeric(3, 1) CHECK (score_year BETWEEN 0 AND 10),
    score_retest numeric(3, 1) CHECK (score_retest BETWEEN 0 AND 10),
    mark_hk1     text CHECK (mark_hk1 IN ('Đ', 'CĐ')),
    mark_hk2     text CHECK (mark_hk2 IN ('Đ', 'CĐ')),
    mark_year    text CHECK (mark_year IN ('Đ', 'CĐ')),
    mark_retest  text CHECK (mark_retest IN ('Đ', 'CĐ')),
    level        text CHECK (level IN ('Hoàn thành tốt', 'Hoàn thành', 'Chưa hoàn thành')),
    test_score   smallint CHECK (test_score BETWEEN 0 AND 10),
    comment      text,
    PRIMARY KEY (booklet_id, page, subject),
    FOREIGN KEY (booklet_id, page) REFERENCES hocba.year_result (booklet_id, page)
        ON DELETE CASCADE
);

CREATE TABLE hocba.issued_document (
    doc_id           text PRIMARY KEY,
    booklet_id       bigint REFERENCES hocba.booklet (booklet_id),  -- set when loaded
    document_id      text NOT NULL,
    pdf_sha256       char(64) NOT NULL CHECK (pdf_sha256 ~ '^[0-9a-f]{64}$'),
    object_key       text NOT NULL,
    signer           text NOT NULL,
    signed_at        timestamptz NOT NULL DEFAULT now(),
    status           text NOT NULL DEFAULT 'issued' CHECK (status IN ('issued', 'revoked')),
    revoked_reason   text,
    revoked_at       timestamptz,
    replaces         text REFERENCES hocba.issued_document (doc_id),
    pipeline_version text NOT NULL,
    CHECK (status = 'issued' OR (revoked_reason IS NOT NULL AND revoked_at IS NOT NULL))
);
CREATE INDEX issued_document_document ON hocba.issued_document (document_id);

-- Issued documents are immutable: the only changes allowed are issued -> revoked (with a
-- reason) and attaching the booklet once the record is loaded.
CREATE FUNCTION hocba.guard_issued_document() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' THEN
        RAISE EXCEPTION 'issued documents are immutable (%); revoke instead', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (NEW.doc_id, NEW.document_id, NEW.pdf_sha256, NEW.object_key, NEW.signer, NEW.signed_at,
        NEW.replaces, NEW.pipeline_version)
       IS DISTINCT FROM
       (OLD.doc_id, OLD.document_id, OLD.pdf_sha256, OLD.object_key, OLD.signer, OLD.signed_at,
        OLD.replaces, OLD.pipeline_version)
       OR (OLD.booklet_id IS NOT NULL AND NEW.booklet_id IS DISTINCT FROM OLD.booklet_id)
       OR (OLD.status = 'revoked' AND (NEW.status, NEW.revoked_reason, NEW.revoked_at)
           IS DISTINCT FROM (OLD.status, OLD.revoked_reason, OLD.revoked_at))
       OR (OLD.status = 'issued' AND NEW.status = 'issued'
           AND (NEW.revoked_reason IS NOT NULL OR NEW.revoked_at IS NOT NULL))
    THEN
        RAISE EXCEPTION 'issued document % is immutable; only revocation is allowed', OLD.doc_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER issued_document_immutable
    BEFORE UPDATE OR DELETE ON hocba.issued_document
    FOR EACH ROW EXECUTE FUNCTION hocba.guard_issued_document();
CREATE TRIGGER issued_document_no_truncate
    BEFORE TRUNCATE ON hocba.issued_document
    FOR EACH STATEMENT EXECUTE FUNCTION hocba.guard_issued_document();

-- ---------------------------------------------------------------- privileges (least privilege)

REVOKE ALL ON SCHEMA hocba FROM PUBLIC;
GRANT USAGE ON SCHEMA hocba TO hocba_app;
GRANT SELECT, INSERT, UPDATE ON
    hocba.batch, hocba.input_file, hocba.extraction, hocba.review_queue, hocba.registry_person,
    hocba.student, hocba.booklet, hocba.year_result, hocba.subject_result, hocba.issued_document
    TO hocba_app;
-- A corrected record replaces its page and subject rows; nothing else is ever deleted.
GRANT DELETE ON hocba.year_result, hocba.subject_result TO hocba_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA hocba TO hocba_app;
GRANT SELECT ON hocba.schema_migrations TO hocba_app;
