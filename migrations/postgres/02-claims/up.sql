-- Which counter is working on a key right now (shared inventories only).
-- The row says who and since when, for the message another counter shows;
-- whether that counter is still alive is the session-level advisory lock
-- taken with it, which the server drops when the counter's session ends
-- (also when the counter is killed or its network goes away).
CREATE TABLE claims (
    serial       BIGINT PRIMARY KEY,
    owner        TEXT COLLATE "C" NOT NULL,
    workstation  TEXT COLLATE "C" NOT NULL,
    actor        TEXT COLLATE "C" NOT NULL,
    since        TEXT COLLATE "C" NOT NULL
);
