-- What an inventory is for. A training (demo) inventory is marked when it is
-- created empty for virtual keys; keydesk opens virtual keys only on such an
-- inventory, so a simulated key can never enter a real one.
CREATE TABLE inventory_meta (
    name   TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
