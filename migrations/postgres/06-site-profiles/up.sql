-- A site's enrolment profile, as SQLite's 05-site-profiles: the TOML text
-- of a keydesk profile, NULL when the site has none.
ALTER TABLE sites ADD COLUMN profile TEXT COLLATE "C";
