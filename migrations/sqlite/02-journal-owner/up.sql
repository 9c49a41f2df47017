-- Which process runs a journalled operation ("workstation:pid:start"), so that
-- recovery can tell an operation still running at another counter process
-- from one that a crash interrupted.
ALTER TABLE journal ADD COLUMN owner TEXT NOT NULL DEFAULT '';
