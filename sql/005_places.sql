-- The unit names (communes, districts, cities, provinces) the registry's residences use, kept
-- when an extract is loaded: an address unit one OCR slip from one of them, and unknown
-- itself, goes to review (validation/places.py). Names only accumulate: a name a residence
-- once used is a real place.
CREATE TABLE IF NOT EXISTS hocba.registry_place_name (name text PRIMARY KEY);
GRANT SELECT, INSERT ON hocba.registry_place_name TO hocba_app;
GRANT SELECT ON hocba.registry_place_name TO hocba_review;
