-- Operators are PostgreSQL roles: three group roles keydesk grants rights
-- to; `keydesk operator grant ROLE USER` makes a login role a member. The
-- audit trail's "who" on a server is the authenticated database user.
-- Roles belong to the whole cluster: created once, kept if they exist. The
-- role that migrates needs CREATEROLE (or superuser) for this step.
DO $$
BEGIN
    -- Two databases of one cluster may be migrated at once: the role
    -- another migration created a moment ago is no error.
    BEGIN
        CREATE ROLE keydesk_auditor NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    BEGIN
        CREATE ROLE keydesk_technician NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    BEGIN
        CREATE ROLE keydesk_admin NOLOGIN;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO keydesk_auditor, keydesk_technician, keydesk_admin',
                   current_schema());
    -- Auditors read and export.
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA %I TO keydesk_auditor', current_schema());
    -- Technicians run the workflows: they add and change, never delete
    -- (search terms and claims are the exception: they are replaced).
    EXECUTE format('GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA %I TO keydesk_technician',
                   current_schema());
    EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO keydesk_technician',
                   current_schema());
    -- Administrators may do everything, and grant the other two roles.
    EXECUTE format('GRANT ALL ON ALL TABLES IN SCHEMA %I TO keydesk_admin', current_schema());
    EXECUTE format('GRANT ALL ON ALL SEQUENCES IN SCHEMA %I TO keydesk_admin', current_schema());
    -- Tables later migrations add get the same rights.
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT ON TABLES TO keydesk_auditor',
                   current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE ON TABLES TO keydesk_technician',
                   current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO keydesk_technician',
                   current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT ALL ON TABLES TO keydesk_admin',
                   current_schema());
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT ALL ON SEQUENCES TO keydesk_admin',
                   current_schema());
END
$$;
GRANT DELETE ON search_index, claims TO keydesk_technician;
DO $$
BEGIN
    GRANT keydesk_technician, keydesk_auditor TO keydesk_admin WITH ADMIN OPTION;
EXCEPTION WHEN unique_violation THEN NULL;
END
$$;
