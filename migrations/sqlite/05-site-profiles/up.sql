-- A site's enrolment profile, kept centrally: the TOML text of a keydesk
-- profile (checked by keydesk-core before it is written; never a secret).
-- NULL: the site has none, its counters use their profile file or the
-- built-in defaults.
ALTER TABLE sites ADD COLUMN profile TEXT;
