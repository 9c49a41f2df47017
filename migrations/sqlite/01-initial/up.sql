-- keydesk inventory schema, version 1.
-- Times are RFC 3339 UTC text ("2026-11-23T08:00:00Z"), so they sort as text.
-- search_index.folded holds the search form of a name (lower case, umlauts
-- and "ue"/"ae"/"oe" folded to the plain vowel), computed by keydesk-store.

CREATE TABLE staff (
    id            INTEGER PRIMARY KEY,
    personnel_no  TEXT NOT NULL UNIQUE,
    surname       TEXT NOT NULL,
    given_name    TEXT NOT NULL DEFAULT '',
    department    TEXT NOT NULL DEFAULT '',
    email         TEXT NOT NULL DEFAULT '',
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE notebooks (
    id            INTEGER PRIMARY KEY,
    asset_tag     TEXT NOT NULL UNIQUE,
    hostname      TEXT NOT NULL DEFAULT '',
    model         TEXT NOT NULL DEFAULT '',
    serial_no     TEXT NOT NULL DEFAULT '',
    staff_id      INTEGER REFERENCES staff(id)
);
CREATE INDEX notebooks_staff ON notebooks(staff_id) WHERE staff_id IS NOT NULL;

CREATE TABLE keys (
    serial        INTEGER PRIMARY KEY CHECK (serial > 0 AND serial <= 4294967295),
    model         TEXT NOT NULL DEFAULT '',
    form_factor   TEXT NOT NULL DEFAULT '',
    firmware      TEXT NOT NULL DEFAULT '',
    aaguid        TEXT NOT NULL DEFAULT '',
    batch         TEXT NOT NULL DEFAULT '',
    state         TEXT NOT NULL DEFAULT 'in_stock' CHECK (state IN
                  ('in_stock', 'issued', 'suspended', 'lost', 'revoked',
                   'returned', 'reset', 'retired')),
    state_since   TEXT NOT NULL,
    notes         TEXT NOT NULL DEFAULT ''
);
CREATE INDEX keys_state ON keys(state, serial);

-- Who holds a key and in which notebook it is used; closed rows keep the past.
CREATE TABLE assignments (
    id            INTEGER PRIMARY KEY,
    serial        INTEGER NOT NULL REFERENCES keys(serial),
    staff_id      INTEGER NOT NULL REFERENCES staff(id),
    notebook_id   INTEGER REFERENCES notebooks(id),
    from_ts       TEXT NOT NULL,
    until_ts      TEXT,
    -- last day of a temporary loan (YYYY-MM-DD), NULL for a permanent issue
    due_date      TEXT
);
CREATE INDEX assignments_serial ON assignments(serial, from_ts);
CREATE INDEX assignments_staff ON assignments(staff_id, from_ts);
CREATE INDEX assignments_notebook ON assignments(notebook_id, from_ts) WHERE notebook_id IS NOT NULL;
CREATE UNIQUE INDEX assignments_open ON assignments(serial) WHERE until_ts IS NULL;
CREATE INDEX assignments_due ON assignments(due_date) WHERE until_ts IS NULL AND due_date IS NOT NULL;

-- Facts recorded at enrolment. Never secrets: no PIN, PUK, management key, OTP secret.
CREATE TABLE enrolments (
    id                 INTEGER PRIMARY KEY,
    serial             INTEGER NOT NULL REFERENCES keys(serial),
    at                 TEXT NOT NULL,
    firmware           TEXT NOT NULL DEFAULT '',
    aaguid             TEXT NOT NULL DEFAULT '',
    slot               TEXT NOT NULL DEFAULT '',
    pubkey_sha256      TEXT NOT NULL DEFAULT '',
    attestation_json   TEXT NOT NULL DEFAULT '{}',
    certificate_pem    TEXT,
    certificate_der    BLOB
);
CREATE INDEX enrolments_serial ON enrolments(serial, at);

-- Append-only, hash-chained audit trail.
CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    actor         TEXT NOT NULL,
    workstation   TEXT NOT NULL,
    action        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    serial        INTEGER,
    before_json   TEXT,
    after_json    TEXT,
    reason        TEXT NOT NULL DEFAULT '',
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX events_serial ON events(serial, id) WHERE serial IS NOT NULL;
CREATE INDEX events_subject ON events(subject, id);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

-- The newest event (id and hash), written in the same transaction as the
-- event itself, so cutting events off the end of the chain is noticed.
CREATE TABLE audit_head (
    one           INTEGER PRIMARY KEY CHECK (one = 1),
    last_id       INTEGER NOT NULL,
    last_hash     TEXT NOT NULL
);
INSERT INTO audit_head (one, last_id, last_hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Device operations in flight (crash-safe workflows in keydesk-core).
CREATE TABLE journal (
    id            INTEGER PRIMARY KEY,
    serial        INTEGER,
    workflow      TEXT NOT NULL,
    step          TEXT NOT NULL,
    intent_json   TEXT NOT NULL,
    result_json   TEXT,
    state         TEXT NOT NULL DEFAULT 'open' CHECK (state IN
                  ('open', 'done', 'failed', 'abandoned')),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX journal_open ON journal(id) WHERE state = 'open';

-- Search as you type: one row per searchable term (a staff member has
-- "surname given", "given surname" and the personnel number, and so on).
-- AUTOINCREMENT: ids are never reused, which the FTS sync below relies on.
CREATE TABLE search_index (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL CHECK (kind IN ('staff', 'notebook', 'key')),
    ref_id        INTEGER NOT NULL,
    label         TEXT NOT NULL,
    folded        TEXT NOT NULL,
    -- 0: a term as it starts; 1: an inner suffix of a key serial (so that
    -- a substring of a serial is a prefix of some row, found by the B-tree
    -- instead of trigrams, which are poor at digits)
    rank          INTEGER NOT NULL DEFAULT 0 CHECK (rank IN (0, 1))
);
CREATE INDEX search_index_ref ON search_index(kind, ref_id);
CREATE INDEX search_index_folded ON search_index(rank, folded);

-- Substring search: FTS5 trigram index over search_index.folded of staff
-- and notebooks (keys use their suffix rows instead).
CREATE VIRTUAL TABLE search_fts USING fts5(
    folded, content='search_index', content_rowid='id', tokenize='trigram'
);

-- FTS5 flushes its buffer at every statement that touches it, so writing it
-- row by row in a 100,000-row import costs minutes. keydesk-store applies
-- search_index changes to search_fts set-wise before each commit instead:
-- rows with id > synced_upto are new (ids only grow: AUTOINCREMENT), and
-- rows deleted that the FTS index already holds wait in search_fts_pending.
CREATE TABLE search_fts_state (
    one           INTEGER PRIMARY KEY CHECK (one = 1),
    synced_upto   INTEGER NOT NULL
);
INSERT INTO search_fts_state (one, synced_upto) VALUES (1, 0);
CREATE TABLE search_fts_pending (
    rid           INTEGER PRIMARY KEY,
    folded        TEXT NOT NULL
);
