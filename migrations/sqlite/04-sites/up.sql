-- Sites: the offices ("AMT12", "Amt 12 – Bürgeramt") that staff, notebooks
-- and keys belong to and counters work for. The code is a keydesk-types
-- SiteCode (upper case, checked before it is written).
CREATE TABLE sites (
    id    INTEGER PRIMARY KEY,
    code  TEXT NOT NULL UNIQUE,
    name  TEXT NOT NULL DEFAULT ''
);
-- NULL: not (yet) assigned to a site, as every row from before sites.
ALTER TABLE staff ADD COLUMN site_id INTEGER REFERENCES sites(id);
ALTER TABLE notebooks ADD COLUMN site_id INTEGER REFERENCES sites(id);
ALTER TABLE keys ADD COLUMN site_id INTEGER REFERENCES sites(id);
-- The site code of the counter that wrote the event; NULL when it worked
-- for no site (and for every event from before sites). The audit hash
-- covers it when it is set (see keydesk-store's audit.rs).
ALTER TABLE events ADD COLUMN site TEXT;
