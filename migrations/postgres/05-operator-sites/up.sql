-- Technicians work on their sites only. keydesk says so before it acts
-- (crates/store/src/operators.rs); row-level security is the second line,
-- so that a technician of one office can neither read nor change another
-- office's staff, notebooks, keys or their history, not even with psql.
-- Administrators and auditors see everything; the owner of the tables (the
-- role that migrates) is not subject to these policies.

-- The sites a login role may work on as a technician; site_id NULL: all.
CREATE TABLE operator_sites (
    operator  TEXT COLLATE "C" NOT NULL,
    site_id   BIGINT REFERENCES sites(id),
    UNIQUE NULLS NOT DISTINCT (operator, site_id)
);
-- Technicians read their scope (the policies below do, as them); only
-- administrators change it (keydesk operator grant).
REVOKE ALL ON operator_sites FROM keydesk_technician, keydesk_auditor;
GRANT SELECT ON operator_sites TO keydesk_technician, keydesk_auditor;
GRANT ALL ON operator_sites TO keydesk_admin;
-- Technicians granted before sites were scoped keep what they had.
INSERT INTO operator_sites (operator, site_id)
SELECT m.rolname, NULL FROM pg_auth_members a
JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
WHERE g.rolname = 'keydesk_technician' AND m.rolname <> 'keydesk_admin';

-- Whether the session's technician may see a row of this site. A row
-- without a site (an inventory from before sites) belongs to no office and
-- is visible to every technician.
-- (Parameters are written $1: in an SQL function a column of the same
-- name would win over a parameter's name.)
CREATE FUNCTION keydesk_site_visible(row_site BIGINT) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT $1 IS NULL OR EXISTS (
        SELECT 1 FROM operator_sites o
        WHERE o.operator = session_user AND (o.site_id IS NULL OR o.site_id = $1))
$$;
-- The same for an event, which records its site by code.
CREATE FUNCTION keydesk_site_code_visible(row_site_code TEXT) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT $1 IS NULL OR EXISTS (
        SELECT 1 FROM operator_sites o LEFT JOIN sites s ON s.id = o.site_id
        WHERE o.operator = session_user AND (o.site_id IS NULL OR s.code = $1))
$$;

-- The site of a key or of a staff member that the session cannot see, so
-- that a refusal can say which site is missing ("key 123 belongs to site
-- AMT12, which you are not granted") instead of "unknown serial". It tells
-- the code of the site and nothing else; it runs with the rights of the
-- owner (SECURITY DEFINER), with a fixed search path.
CREATE FUNCTION keydesk_site_of_key(key_serial BIGINT) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT s.code::text FROM keys k JOIN sites s ON s.id = k.site_id WHERE k.serial = $1
$$;
CREATE FUNCTION keydesk_site_of_staff(number TEXT) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER AS $$
    SELECT s.code::text FROM staff p JOIN sites s ON s.id = p.site_id WHERE p.personnel_no = $1
$$;
ALTER FUNCTION keydesk_site_of_key(BIGINT) SET search_path FROM CURRENT;
ALTER FUNCTION keydesk_site_of_staff(TEXT) SET search_path FROM CURRENT;
REVOKE ALL ON FUNCTION keydesk_site_of_key(BIGINT), keydesk_site_of_staff(TEXT) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION keydesk_site_of_key(BIGINT), keydesk_site_of_staff(TEXT)
    TO keydesk_technician, keydesk_auditor, keydesk_admin;

-- The policies: everything for administrators and auditors (their table
-- rights limit what they may do), the granted sites for technicians.
ALTER TABLE staff ENABLE ROW LEVEL SECURITY;
ALTER TABLE notebooks ENABLE ROW LEVEL SECURITY;
ALTER TABLE keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE assignments ENABLE ROW LEVEL SECURITY;
ALTER TABLE enrolments ENABLE ROW LEVEL SECURITY;
ALTER TABLE events ENABLE ROW LEVEL SECURITY;
ALTER TABLE search_index ENABLE ROW LEVEL SECURITY;

CREATE POLICY staff_all ON staff TO keydesk_admin, keydesk_auditor USING (true) WITH CHECK (true);
CREATE POLICY notebooks_all ON notebooks TO keydesk_admin, keydesk_auditor USING (true) WITH CHECK (true);
CREATE POLICY keys_all ON keys TO keydesk_admin, keydesk_auditor USING (true) WITH CHECK (true);
CREATE POLICY assignments_all ON assignments TO keydesk_admin, keydesk_auditor USING (true) WITH CHECK (true);
CREATE POLICY enrolments_all ON enrolments TO keydesk_admin, keydesk_auditor USING (true) WITH CHECK (true);
CREATE POLICY events_all ON events TO keydesk_admin, keydesk_auditor USING (true) WITH CHECK (true);
CREATE POLICY search_all ON search_index TO keydesk_admin, keydesk_auditor USING (true) WITH CHECK (true);

CREATE POLICY staff_site ON staff TO keydesk_technician
    USING (keydesk_site_visible(site_id)) WITH CHECK (keydesk_site_visible(site_id));
CREATE POLICY notebooks_site ON notebooks TO keydesk_technician
    USING (keydesk_site_visible(site_id)) WITH CHECK (keydesk_site_visible(site_id));
CREATE POLICY keys_site ON keys TO keydesk_technician
    USING (keydesk_site_visible(site_id)) WITH CHECK (keydesk_site_visible(site_id));
-- Assignments and enrolments follow their key (whose own policy applies
-- inside the subquery).
CREATE POLICY assignments_site ON assignments TO keydesk_technician
    USING (EXISTS (SELECT 1 FROM keys k WHERE k.serial = assignments.serial))
    WITH CHECK (EXISTS (SELECT 1 FROM keys k WHERE k.serial = assignments.serial));
CREATE POLICY enrolments_site ON enrolments TO keydesk_technician
    USING (EXISTS (SELECT 1 FROM keys k WHERE k.serial = enrolments.serial))
    WITH CHECK (EXISTS (SELECT 1 FROM keys k WHERE k.serial = enrolments.serial));
-- A technician appends events of any site it works at (the counter's
-- site, checked by keydesk) and reads those of its sites.
CREATE POLICY events_site ON events TO keydesk_technician
    USING (keydesk_site_code_visible(site)) WITH CHECK (keydesk_site_code_visible(site));
-- Search entries follow what they point to.
CREATE POLICY search_site ON search_index TO keydesk_technician
    USING (CASE kind
        WHEN 'key' THEN EXISTS (SELECT 1 FROM keys k WHERE k.serial = search_index.ref_id)
        WHEN 'staff' THEN EXISTS (SELECT 1 FROM staff p WHERE p.id = search_index.ref_id)
        ELSE EXISTS (SELECT 1 FROM notebooks n WHERE n.id = search_index.ref_id) END)
    WITH CHECK (true);
