-- hocba sector database: the lifecycle of issued documents (issue 6).
-- An issued document never changes. A correction is a revocation (with a reason and who) plus
-- a new issue that names the revoked one in `replaces`. The record rows an unrevoked document
-- shows (booklet, year and subject rows) cannot change or disappear either.

ALTER TABLE hocba.issued_document
    ADD COLUMN record_sha256 char(64) CHECK (record_sha256 ~ '^[0-9a-f]{64}$'),
    ADD COLUMN revoked_by text;

-- One successor per revoked document; verification looks documents up by file and record hash.
CREATE UNIQUE INDEX issued_document_successor ON hocba.issued_document (replaces)
    WHERE replaces IS NOT NULL;
CREATE INDEX issued_document_pdf_sha256 ON hocba.issued_document (pdf_sha256);
CREATE INDEX issued_document_record_sha256 ON hocba.issued_document (record_sha256);

-- Same rules as 001, plus the new columns: record_sha256 is fixed at issue, revoked_by is set
-- once together with the revocation.
CREATE OR REPLACE FUNCTION hocba.guard_issued_document() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'UPDATE' THEN
        RAISE EXCEPTION 'issued documents are immutable (%); revoke instead', TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF (NEW.doc_id, NEW.document_id, NEW.pdf_sha256, NEW.object_key, NEW.signer, NEW.signed_at,
        NEW.replaces, NEW.pipeline_version, NEW.record_sha256)
       IS DISTINCT FROM
       (OLD.doc_id, OLD.document_id, OLD.pdf_sha256, OLD.object_key, OLD.signer, OLD.signed_at,
        OLD.replaces, OLD.pipeline_version, OLD.record_sha256)
       OR (OLD.booklet_id IS NOT NULL AND NEW.booklet_id IS DISTINCT FROM OLD.booklet_id)
       OR (OLD.status = 'revoked'
           AND (NEW.status, NEW.revoked_reason, NEW.revoked_at, NEW.revoked_by)
           IS DISTINCT FROM (OLD.status, OLD.revoked_reason, OLD.revoked_at, OLD.revoked_by))
       OR (OLD.status = 'issued' AND NEW.status = 'issued'
           AND (NEW.revoked_reason IS NOT NULL OR NEW.revoked_at IS NOT NULL
                OR NEW.revoked_by IS NOT NULL))
    THEN
        RAISE EXCEPTION 'issued document % is immutable; only revocation is allowed', OLD.doc_id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;

-- A new issue starts as 'issued', and may only replace a document that is already revoked.
CREATE FUNCTION hocba.check_new_issue() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> 'issued' OR NEW.revoked_at IS NOT NULL OR NEW.revoked_reason IS NOT NULL
       OR NEW.revoked_by IS NOT NULL THEN
        RAISE EXCEPTION 'a new document % must start as issued', NEW.doc_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF NEW.replaces IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM hocba.issued_document
        WHERE doc_id = NEW.replaces AND status = 'revoked'
    ) THEN
        RAISE EXCEPTION 'document % may only replace a revoked document', NEW.doc_id
            USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER issued_document_new_issue
    BEFORE INSERT ON hocba.issued_document
    FOR EACH ROW EXECUTE FUNCTION hocba.check_new_issue();

-- Record rows behind an unrevoked issued document: no change, no delete (idempotent rewrites of
-- identical values pass, so re-running a load stays harmless).
CREATE FUNCTION hocba.guard_issued_record() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    guarded boolean;
BEGIN
    IF TG_OP = 'UPDATE' AND NEW IS NOT DISTINCT FROM OLD THEN
        RETURN NEW;
    END IF;
    SELECT EXISTS (
        SELECT 1 FROM hocba.issued_document i JOIN hocba.booklet b ON b.document_id = i.document_id
        WHERE b.booklet_id = OLD.booklet_id AND i.status = 'issued'
    ) INTO guarded;
    IF guarded THEN
        RAISE EXCEPTION 'record rows of booklet % belong to an issued document (%)',
            OLD.booklet_id, TG_OP
            USING ERRCODE = 'integrity_constraint_violation',
                  HINT = 'revoke the issued document first, then load the corrected record';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER booklet_issued_immutable
    BEFORE UPDATE OR DELETE ON hocba.booklet
    FOR EACH ROW EXECUTE FUNCTION hocba.guard_issued_record();
CREATE TRIGGER year_result_issued_immutable
    BEFORE UPDATE OR DELETE ON hocba.year_result
    FOR EACH ROW EXECUTE FUNCTION hocba.guard_issued_record();
CREATE TRIGGER subject_result_issued_immutable
    BEFORE UPDATE OR DELETE ON hocba.subject_result
    FOR EACH ROW EXECUTE FUNCTION hocba.guard_issued_record();

-- Grants: the application may only attach the booklet and revoke; never rewrite or delete.
REVOKE UPDATE, DELETE, TRUNCATE ON hocba.issued_document FROM hocba_app;
GRANT UPDATE (booklet_id, status, revoked_reason, revoked_at, revoked_by)
    ON hocba.issued_document TO hocba_app;
REVOKE DELETE, TRUNCATE ON hocba.booklet, hocba.student FROM hocba_app;
