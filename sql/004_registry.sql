-- Registry linking at scale (validation/linking.py link_queries, pipelines/registry_store.py).
-- Besides (full name key, birth year), a candidate is found by (given-name key, birth date) and
-- by (name key without the given name, birth date): OCR or a typo in the registry damages one
-- part of a name far more often than two. Both lookups are index scans of a 2M-row registry.
CREATE INDEX IF NOT EXISTS registry_person_given_dob
    ON hocba.registry_person (given_key, date_of_birth);
CREATE INDEX IF NOT EXISTS registry_person_family_dob
    ON hocba.registry_person ((regexp_replace(name_key, ' [^ ]*$', '')), date_of_birth);
