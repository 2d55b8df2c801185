-- hocba review workbench (issue 5): accounts, sessions, scope, edits, four-eyes decisions and
-- the hash-chained, append-only audit log.
--
-- The web app connects as hocba_app and switches to hocba_review (SET ROLE), a role that may
-- read the work list, change drafts and decisions, and only INSERT audit rows: it can neither
-- update nor delete them, and a trigger refuses it for everyone else too.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hocba_review') THEN
        CREATE ROLE hocba_review NOLOGIN;
    END IF;
END
$$;
GRANT hocba_review TO hocba_app;

-- ---------------------------------------------------------------- scope of a queue item

-- Province and district come from the batch parameters (the backfill DAG's province/district);
-- the school from the record's last year page (review_queue.school_name) or the batch.
ALTER TABLE hocba.review_queue ADD COLUMN province text, ADD COLUMN district text;

CREATE FUNCTION hocba.review_queue_scope() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    SELECT nullif(b.params->>'province', ''), nullif(b.params->>'district', ''),
           coalesce(NEW.school_name, nullif(b.params->>'school', ''))
      INTO NEW.province, NEW.district, NEW.school_name
      FROM hocba.batch b WHERE b.batch_id = NEW.batch_id;
    RETURN NEW;
END
$$;
CREATE TRIGGER review_queue_scope BEFORE INSERT OR UPDATE OF batch_id, school_name
    ON hocba.review_queue FOR EACH ROW EXECUTE FUNCTION hocba.review_queue_scope();

UPDATE hocba.review_queue q SET batch_id = q.batch_id;  -- fill the scope of existing rows

-- Work list per scope: open items by priority (higher first), then age; keyset paging.
CREATE INDEX review_queue_scoped ON hocba.review_queue
    (province, district, status, priority DESC, created_at, document_id);
CREATE INDEX review_queue_open ON hocba.review_queue (priority DESC, created_at, document_id)
    WHERE status IN ('pending', 'claimed');

-- ---------------------------------------------------------------- accounts and sessions

CREATE TABLE hocba.review_account (
    account_id      bigserial PRIMARY KEY,
    username        text NOT NULL UNIQUE CHECK (username ~ '^[a-z0-9._-]{3,64}$'),
    display_name    text NOT NULL,
    role            text NOT NULL CHECK (role IN ('steward', 'supervisor', 'auditor', 'admin')),
    scope_level     text NOT NULL CHECK (scope_level IN ('all', 'province', 'district', 'school')),
    province        text,
    district        text,
    school          text,
    password_hash   text NOT NULL,  -- argon2id (argon2-cffi)
    active          boolean NOT NULL DEFAULT true,
    failed_logins   integer NOT NULL DEFAULT 0,
    locked_until    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((scope_level = 'all') = (province IS NULL)),
    CHECK ((scope_level IN ('district', 'school')) = (district IS NOT NULL)),
    CHECK ((scope_level = 'school') = (school IS NOT NULL))
);

CREATE TABLE hocba.review_session (
    token_sha256 char(64) PRIMARY KEY,  -- the cookie holds the token, the database its hash
    account_id   bigint NOT NULL REFERENCES hocba.review_account (account_id),
    csrf_token   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    ended_at     timestamptz
);
CREATE INDEX review_session_account ON hocba.review_session (account_id);

-- ---------------------------------------------------------------- edits and decisions

-- The steward's working copy; hocba.extraction keeps what the pipeline read.
CREATE TABLE hocba.review_draft (
    document_id   text PRIMARY KEY REFERENCES hocba.extraction (document_id),
    record        jsonb NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    updated_by    bigint NOT NULL REFERENCES hocba.review_account (account_id)
);

CREATE TABLE hocba.review_edit (
    edit_id       bigserial PRIMARY KEY,
    document_id   text NOT NULL REFERENCES hocba.extraction (document_id),
    account_id    bigint NOT NULL REFERENCES hocba.review_account (account_id),
    at            timestamptz NOT NULL DEFAULT now(),
    field         text NOT NULL,  -- JSON path in the record, or identity_link for a link choice
    before        jsonb,
    after         jsonb,
    sensitive     boolean NOT NULL  -- identity field or link choice: needs four eyes
);
CREATE INDEX review_edit_document ON hocba.review_edit (document_id, edit_id);

CREATE TABLE hocba.review_decision (
    decision_id   bigserial PRIMARY KEY,
    document_id   text NOT NULL REFERENCES hocba.extraction (document_id),
    action        text NOT NULL CHECK (action IN ('approve', 'reject')),
    reason        text,
    requested_by  bigint NOT NULL REFERENCES hocba.review_account (account_id),
    requested_at  timestamptz NOT NULL DEFAULT now(),
    status        text NOT NULL CHECK (status IN ('awaiting', 'confirmed', 'refused', 'final')),
    confirmed_by  bigint REFERENCES hocba.review_account (account_id),
    confirmed_at  timestamptz,
    edits         integer NOT NULL DEFAULT 0,  -- edits made before deciding (audit-sample error)
    is_audit      boolean NOT NULL DEFAULT false,
    CHECK (action <> 'reject' OR reason IS NOT NULL),
    CHECK (confirmed_by IS NULL OR confirmed_by <> requested_by)  -- four eyes: two people
);
CREATE UNIQUE INDEX review_decision_one_awaiting ON hocba.review_decision (document_id)
    WHERE status = 'awaiting';
CREATE INDEX review_decision_status ON hocba.review_decision (status, requested_at);

-- ---------------------------------------------------------------- audit log (append-only)

CREATE TABLE hocba.audit_log (
    seq          bigint PRIMARY KEY CHECK (seq >= 1),  -- no gaps: a missing number = a deletion
    at           timestamptz NOT NULL,
    actor        text NOT NULL,
    action       text NOT NULL,
    document_id  text,
    detail       jsonb NOT NULL DEFAULT '{}'::jsonb,
    before       jsonb,
    after        jsonb,
    prev_hash    char(64) NOT NULL,
    hash         char(64) NOT NULL UNIQUE
);
CREATE INDEX audit_log_document ON hocba.audit_log (document_id, seq);

CREATE FUNCTION hocba.guard_audit_log() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only (%)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON hocba.audit_log
    FOR EACH ROW EXECUTE FUNCTION hocba.guard_audit_log();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON hocba.audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION hocba.guard_audit_log();

-- ---------------------------------------------------------------- privileges

GRANT USAGE ON SCHEMA hocba TO hocba_review;
GRANT SELECT ON hocba.batch, hocba.registry_person, hocba.issued_document TO hocba_review;
GRANT SELECT, UPDATE ON hocba.extraction, hocba.review_queue TO hocba_review;
GRANT SELECT, INSERT, UPDATE ON hocba.review_account, hocba.review_session,
    hocba.review_decision, hocba.review_draft TO hocba_review;
GRANT SELECT, INSERT ON hocba.review_edit TO hocba_review;
GRANT SELECT, INSERT ON hocba.audit_log TO hocba_review;
GRANT USAGE, SELECT ON SEQUENCE hocba.review_account_account_id_seq,
    hocba.review_edit_edit_id_seq, hocba.review_decision_decision_id_seq TO hocba_review;
-- hocba_app is a member of hocba_review (inherits the grants above), never more on the log.
REVOKE UPDATE, DELETE, TRUNCATE ON hocba.audit_log FROM hocba_app, hocba_review;
