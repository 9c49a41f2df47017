//! The store suite on PostgreSQL: each test gets its own database on one
//! throwaway server per test process (keydesk-testpg: initdb as the
//! postgres user, loopback only, fsync off), migrated as `keydesk db
//! migrate` does.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod backend {
    use keydesk_store::{DbLocation, Store};
    use keydesk_testpg::Server;

    /// Whom the trail names for a change made as `actor`: on a server, the
    /// authenticated database user (these tests log in as the superuser).
    pub fn who(_actor: &str) -> String {
        "postgres".to_owned()
    }

    /// A fresh, empty inventory.
    pub fn fresh() -> Store {
        Db::new().open()
    }

    /// A database of its own on the shared test server.
    pub struct Db {
        url: String,
    }

    impl Db {
        pub fn new() -> Self {
            let server = Server::shared().expect("a PostgreSQL test server (make deps)");
            let url = server.fresh_database().unwrap();
            let at = DbLocation::Server(url.clone());
            let (before, after) = Store::migrate(&at).unwrap();
            assert_eq!(before, 0);
            assert!(after >= 1);
            Self { url }
        }

        pub fn location(&self) -> DbLocation {
            DbLocation::Server(self.url.clone())
        }

        /// The database's name on the shared server.
        pub fn name(&self) -> String {
            self.url.rsplit('/').next().unwrap().to_owned()
        }

        pub fn open(&self) -> Store {
            Store::open_at(&self.location()).unwrap()
        }

        /// A raw connection as the database owner (a tamperer with psql).
        pub fn raw(&self) -> Raw {
            Raw(postgres::Client::connect(&self.url, postgres::NoTls).unwrap())
        }
    }

    /// Plain SQL on the database behind the store's back.
    pub struct Raw(postgres::Client);

    impl Raw {
        /// Run statements; the server's message on failure.
        pub fn exec(&mut self, sql: &str) -> Result<(), String> {
            self.0
                .batch_execute(sql)
                .map_err(|e| match e.as_db_error() {
                    Some(db) => db.message().to_owned(),
                    None => e.to_string(),
                })
        }

        /// Rows of a query whose columns are all text (or NULL).
        pub fn rows(&mut self, sql: &str) -> Vec<Vec<Option<String>>> {
            self.0
                .query(sql, &[])
                .unwrap()
                .iter()
                .map(|r| {
                    (0..r.len())
                        .map(|i| r.get::<_, Option<String>>(i))
                        .collect()
                })
                .collect()
        }

        /// Drop the append-only triggers, as a tamperer would first.
        pub fn drop_triggers(&mut self) {
            self.exec(
                "DROP TRIGGER events_no_update ON events; DROP TRIGGER events_no_delete ON events;",
            )
            .unwrap();
        }
    }
}

mod store_cases;

/// A counter never changes a shared schema itself: on a database that was
/// not migrated (or is behind) it refuses to start and names the command.
#[test]
fn an_unmigrated_server_database_is_refused_with_the_command_to_run() {
    let server = keydesk_testpg::Server::shared().unwrap();
    let url = server.fresh_database().unwrap();
    let at = keydesk_store::DbLocation::Server(url);
    let err = keydesk_store::Store::open_at(&at).unwrap_err();
    assert!(
        matches!(
            err,
            keydesk_store::StoreError::SchemaOutdated { found: 0, wanted } if wanted >= 1
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("keydesk db migrate"), "{err}");
    // After the migration the same database opens.
    keydesk_store::Store::migrate(&at).unwrap();
    let s = keydesk_store::Store::open_at(&at).unwrap();
    assert!(s.is_server());
}

/// The server unreachable: a clear error that says so, not a hang.
#[test]
fn an_unreachable_server_is_reported_as_unreachable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let at = keydesk_store::DbLocation::Server(format!(
        "postgresql://nobody@127.0.0.1:{port}/keydesk?connect_timeout=2"
    ));
    match keydesk_store::Store::open_at(&at) {
        Err(keydesk_store::StoreError::Postgres(e)) => assert!(e.unreachable, "{e:?}"),
        other => panic!("expected an unreachable server, got {other:?}"),
    }
}

/// Two counters on one shared inventory: a claimed key is refused at once
/// to the second with who and since when; a counter whose session ends
/// (killed, network gone) leaves its claim to be taken.
#[test]
fn a_key_is_claimed_by_one_counter_at_a_time_and_freed_when_it_goes() {
    use keydesk_store::{Ctx, NewKey, Serial, StoreError};
    let db = backend::Db::new();
    let at = |who: &str, ws: &str| {
        let mut c = Ctx::new(who, ws, time::macros::datetime!(2026-12-03 09:00:00 UTC));
        c.owner = format!("{ws}:1:1");
        c
    };
    let (anna, bernd) = (at("anna", "counter-a"), at("bernd", "counter-b"));
    let s = Serial::new(4242).unwrap();
    let mut a = db.open();
    let mut b = db.open();
    a.add_key(&anna, &NewKey::unknown(s), "delivery").unwrap();
    a.claim(&anna, s).unwrap();
    a.claim(&anna, s).unwrap(); // the same claim, not a second one
    assert_eq!(a.claimed_elsewhere(s).unwrap(), None, "its own claim");
    let holder = b.claimed_elsewhere(s).unwrap().expect("claimed by a");
    assert_eq!(
        (holder.workstation.as_str(), holder.operator.as_str()),
        ("counter-a", "postgres")
    );
    let events = b.verify().unwrap();
    match b.claim(&bernd, s) {
        Err(StoreError::KeyClaimed {
            serial,
            workstation,
            operator,
            since,
        }) => {
            assert_eq!(
                (serial, workstation.as_str(), operator.as_str()),
                (s, "counter-a", "postgres")
            );
            assert_eq!(since, "2026-12-03T09:00:00Z");
        }
        other => panic!("expected the key to be claimed, got {other:?}"),
    }
    assert_eq!(
        b.verify().unwrap(),
        events,
        "a refused claim writes nothing"
    );
    a.release(s).unwrap();
    a.release(s).unwrap(); // nothing held: nothing to do
    b.claim(&bernd, s).unwrap();
    assert_eq!(
        a.claimed_elsewhere(s).unwrap().unwrap().workstation,
        "counter-b"
    );
    // Counter b goes away without releasing: the server drops its lock.
    drop(b);
    let mut freed = false;
    for _ in 0..50 {
        if a.claimed_elsewhere(s).unwrap().is_none() {
            freed = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert!(freed, "the claim of a closed session is free");
    a.claim(&anna, s).unwrap();
}

/// A change to a key another counter works on (a revocation at the service
/// desk while a counter enrols it) is refused with who holds it; the
/// claiming counter itself may change it.
#[test]
fn a_claimed_key_changes_only_at_the_counter_that_holds_it() {
    use keydesk_store::{Ctx, KeyState, NewKey, Serial, StoreError};
    let db = backend::Db::new();
    let ctx = |ws: &str| Ctx::new("tech", ws, time::macros::datetime!(2026-12-03 09:00:00 UTC));
    let s = Serial::new(777).unwrap();
    let mut counter = db.open();
    let mut desk = db.open();
    counter
        .add_key(&ctx("counter-a"), &NewKey::unknown(s), "delivery")
        .unwrap();
    counter.claim(&ctx("counter-a"), s).unwrap();
    let err = desk
        .transition(&ctx("service-desk"), s, KeyState::Retired, "broken")
        .unwrap_err();
    assert!(
        matches!(err, StoreError::KeyClaimed { ref workstation, .. } if workstation == "counter-a"),
        "{err:?}"
    );
    assert_eq!(desk.get_key(s).unwrap().unwrap().state, KeyState::InStock);
    counter
        .transition(&ctx("counter-a"), s, KeyState::Retired, "broken")
        .unwrap();
    counter.release(s).unwrap();
    assert_eq!(desk.get_key(s).unwrap().unwrap().state, KeyState::Retired);
}

/// Operators are database roles: the audit trail names the authenticated
/// user, an auditor reads but cannot change (and is told which role it
/// has), an admin grants roles.
#[test]
fn operators_are_database_roles_and_the_trail_names_the_database_user() {
    use keydesk_store::{Ctx, Dialect, NewKey, Operator, Serial, StoreError};
    use keydesk_types::{OperatorRole, SiteScope};
    let server = keydesk_testpg::Server::shared().unwrap();
    let db = backend::Db::new();
    let name = db.name();
    let n = std::process::id();
    let (anna, otto, emma, bob) = (
        format!("anna_{n}"),
        format!("otto_{n}"),
        format!("emma_{n}"),
        format!("bob_{n}"),
    );
    for u in [&anna, &otto, &emma, &bob] {
        server.create_login_role(u, "pw").unwrap();
    }
    let ctx = Ctx::new(
        "whoever",
        "counter-1",
        time::macros::datetime!(2026-12-03 09:00:00 UTC),
    );
    let mut owner = db.open();
    owner
        .grant_operator(&ctx, OperatorRole::Technician, &anna, Some(&SiteScope::All))
        .unwrap();
    owner
        .grant_operator(&ctx, OperatorRole::Auditor, &otto, None)
        .unwrap();
    owner
        .grant_operator(&ctx, OperatorRole::Admin, &emma, None)
        .unwrap();
    let listed = owner.operators().unwrap();
    assert!(
        listed.contains(&Operator {
            user: anna.clone(),
            role: OperatorRole::Technician,
            sites: SiteScope::All,
        }),
        "{listed:?}"
    );
    assert!(
        listed.contains(&Operator {
            user: otto.clone(),
            role: OperatorRole::Auditor,
            sites: SiteScope::All,
        }),
        "{listed:?}"
    );
    let as_user = |u: &str| {
        keydesk_store::Store::open_at(&keydesk_store::DbLocation::Server(
            server.url_as(u, "pw", &name),
        ))
        .unwrap()
    };

    let mut tech = as_user(&anna);
    let s = Serial::new(5150).unwrap();
    tech.add_key(&ctx, &NewKey::unknown(s), "delivery").unwrap();
    let events = tech.events_for_key(s).unwrap();
    assert_eq!(
        events[0].actor, anna,
        "the database user, not the name the client gave"
    );

    let mut auditor = as_user(&otto);
    let count = auditor.verify().unwrap();
    let mut out = Vec::new();
    auditor.export_history(&mut out, Dialect::Rfc4180).unwrap();
    match auditor.add_key(
        &ctx,
        &NewKey::unknown(Serial::new(5151).unwrap()),
        "delivery",
    ) {
        Err(StoreError::NotPermitted { user, roles, .. }) => {
            assert_eq!((user.as_str(), roles.as_str()), (otto.as_str(), "auditor"));
        }
        other => panic!("an auditor cannot add keys, got {other:?}"),
    }
    assert_eq!(auditor.verify().unwrap(), count, "a refusal writes nothing");
    let refused = auditor
        .grant_operator(&ctx, OperatorRole::Admin, &otto, None)
        .unwrap_err();
    assert!(
        matches!(
            refused,
            StoreError::NotPermitted { .. } | StoreError::Postgres(_)
        ),
        "{refused:?}"
    );

    let mut admin = as_user(&emma);
    admin
        .grant_operator(&ctx, OperatorRole::Technician, &bob, Some(&SiteScope::All))
        .unwrap();
    let granted = admin
        .key_history(s)
        .map(|_| ())
        .and_then(|()| admin.operators())
        .unwrap();
    assert!(
        granted.contains(&Operator {
            user: bob.clone(),
            role: OperatorRole::Technician,
            sites: SiteScope::All,
        }),
        "{granted:?}"
    );
    assert_eq!(admin.verify().unwrap(), count + 1, "the grant is audited");
}

/// A counter whose session broke takes its claims again when it
/// reconnects, so its work never goes on unclaimed; a key another counter
/// took meanwhile is refused with who has it now.
#[test]
fn claims_are_taken_again_after_a_reconnect_or_refused_if_taken_meanwhile() {
    use keydesk_store::{Ctx, NewKey, Serial, StoreError};
    let server = keydesk_testpg::Server::shared().unwrap();
    let db = backend::Db::new();
    let ctx = |ws: &str| Ctx::new("tech", ws, time::macros::datetime!(2026-12-03 09:00:00 UTC));
    let (s, t) = (Serial::new(9001).unwrap(), Serial::new(9002).unwrap());
    let mut a = db.open();
    let mut b = db.open();
    a.add_key(&ctx("counter-a"), &NewKey::unknown(s), "delivery")
        .unwrap();
    a.add_key(&ctx("counter-a"), &NewKey::unknown(t), "delivery")
        .unwrap();
    let cut = |serial: Serial| {
        let key = 0x6B64_0000_0000_0000_i64 | i64::from(serial.get());
        server
            .sql(
                "postgres",
                &format!(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' \
                     AND ((classid::bigint << 32) | objid::bigint) = {key}"
                ),
            )
            .unwrap();
    };
    // The first answer after a cut that is not the broken session's own
    // error (which the client may or may not have noticed by itself yet).
    let after_cut = |store: &mut keydesk_store::Store, serial| {
        let mut answer = store.get_key(serial);
        for _ in 0..5 {
            match &answer {
                Err(e) if e.is_unreachable() => answer = store.get_key(serial),
                _ => break,
            }
        }
        answer
    };
    // Cut, then a's next transaction reconnects and holds s again.
    a.claim(&ctx("counter-a"), s).unwrap();
    cut(s);
    after_cut(&mut a, s).unwrap();
    assert_eq!(
        b.claimed_elsewhere(s).unwrap().unwrap().workstation,
        "counter-a"
    );
    // Cut, b takes t first: a's reconnect says who has it.
    a.release(s).unwrap();
    a.claim(&ctx("counter-a"), t).unwrap();
    cut(t);
    b.claim(&ctx("counter-b"), t).unwrap();
    match after_cut(&mut a, t) {
        Err(StoreError::KeyClaimed { workstation, .. }) => assert_eq!(workstation, "counter-b"),
        other => panic!("expected t to be claimed by counter-b, got {other:?}"),
    }
}

/// Technicians work on the sites they are granted: keydesk refuses another
/// site naming it, and row-level security hides that site's keys, their
/// history and its staff from the role even through psql.
#[test]
fn a_technician_of_one_site_cannot_see_or_change_another_sites_keys() {
    use keydesk_store::{Ctx, KeyState, NewKey, Operator, Serial, SiteCode, StoreError};
    use keydesk_types::{OperatorRole, SiteScope};
    let server = keydesk_testpg::Server::shared().unwrap();
    let db = backend::Db::new();
    let name = db.name();
    let n = std::process::id();
    let tina = format!("tina_{n}");
    server.create_login_role(&tina, "pw").unwrap();
    let at = time::macros::datetime!(2026-12-04 09:00:00 UTC);
    let (a, b) = (
        SiteCode::parse("AMT12").unwrap(),
        SiteCode::parse("AMT20").unwrap(),
    );
    let ctx = |site: &SiteCode| Ctx::new("owner", "counter-1", at).with_site(Some(site.clone()));
    let mut owner = db.open();
    owner.add_site(&ctx(&a), &a, "Bürgeramt", "").unwrap();
    owner.add_site(&ctx(&a), &b, "Ordnungsamt", "").unwrap();
    let key = |serial: u32, site: Option<&SiteCode>| NewKey {
        site: site.cloned(),
        ..NewKey::unknown(Serial::new(serial).unwrap())
    };
    owner
        .add_key(&ctx(&a), &key(7001, Some(&a)), "delivery")
        .unwrap();
    owner
        .add_key(&ctx(&b), &key(7002, Some(&b)), "delivery")
        .unwrap();
    owner
        .add_key(&ctx(&a), &key(7003, None), "delivery")
        .unwrap();

    // Granting: a technician needs sites, the others take none, an unknown
    // site grants nothing.
    let refused = owner.grant_operator(&ctx(&a), OperatorRole::Technician, &tina, None);
    assert!(
        matches!(refused, Err(StoreError::ScopeMissing { .. })),
        "{refused:?}"
    );
    let refused = owner.grant_operator(
        &ctx(&a),
        OperatorRole::Auditor,
        &tina,
        Some(&SiteScope::All),
    );
    assert!(
        matches!(refused, Err(StoreError::ScopeNotForRole { .. })),
        "{refused:?}"
    );
    let nowhere = SiteScope::Sites(vec![SiteCode::parse("AMT99").unwrap()]);
    let refused = owner.grant_operator(&ctx(&a), OperatorRole::Technician, &tina, Some(&nowhere));
    assert!(
        matches!(&refused, Err(StoreError::UnknownSite(c)) if c == "AMT99"),
        "{refused:?}"
    );
    assert!(
        !owner.operators().unwrap().iter().any(|o| o.user == tina),
        "a refused grant grants nothing"
    );
    let only_a = SiteScope::Sites(vec![a.clone()]);
    owner
        .grant_operator(&ctx(&a), OperatorRole::Technician, &tina, Some(&only_a))
        .unwrap();
    assert!(owner.operators().unwrap().contains(&Operator {
        user: tina.clone(),
        role: OperatorRole::Technician,
        sites: only_a.clone(),
    }));

    // Through psql, as the role itself: site B is not there.
    let psql = |sql: &str| {
        let out = server.psql(&name, &tina, sql).unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).trim().to_owned(),
            String::from_utf8_lossy(&out.stderr).trim().to_owned(),
        )
    };
    assert_eq!(
        psql("SELECT serial FROM keys ORDER BY serial").1,
        "7001\n7003"
    );
    assert_eq!(
        psql("SELECT count(*) FROM events WHERE serial = 7002").1,
        "0"
    );
    assert_eq!(
        psql("SELECT count(*) FROM events WHERE serial = 7001").1,
        "1"
    );
    assert_eq!(
        psql("SELECT count(*) FROM search_index WHERE kind = 'key' AND ref_id = 7002").1,
        "0"
    );
    let (_, updated, _) =
        psql("UPDATE keys SET notes = 'mine now' WHERE serial = 7002 RETURNING serial");
    assert_eq!(updated, "UPDATE 0", "nothing of site B can be changed");
    let (ok, _, err) = psql(
        "UPDATE keys SET site_id = (SELECT id FROM sites WHERE code = 'AMT20') WHERE serial = 7001",
    );
    assert!(!ok && err.contains("row-level security"), "{err}");
    let (ok, _, err) = psql(
        "INSERT INTO operator_sites (operator, site_id) SELECT session_user, id FROM sites WHERE code = 'AMT20'",
    );
    assert!(!ok && err.contains("permission denied"), "{err}");
    assert_eq!(
        owner
            .get_key(Serial::new(7002).unwrap())
            .unwrap()
            .unwrap()
            .notes,
        "",
        "site B's key is unchanged"
    );

    // Through keydesk: refusals name the missing site, nothing changes.
    let mut tech = keydesk_store::Store::open_at(&keydesk_store::DbLocation::Server(
        server.url_as(&tina, "pw", &name),
    ))
    .unwrap();
    let count = owner.verify().unwrap();
    assert_eq!(
        tech.session_scope().unwrap(),
        Some((tina.clone(), only_a.clone()))
    );
    tech.check_site_permitted(&a).unwrap();
    let refused = tech.check_site_permitted(&b).unwrap_err();
    assert!(
        matches!(&refused, StoreError::SiteNotPermitted { user, site, granted }
            if user == &tina && site == "AMT20" && granted == "AMT12"),
        "{refused:?}"
    );
    assert!(refused.to_string().contains("--site AMT20"), "{refused}");
    assert!(tech.get_key(Serial::new(7002).unwrap()).unwrap().is_none());
    let refused = tech
        .transition(&ctx(&a), Serial::new(7002).unwrap(), KeyState::Retired, "")
        .unwrap_err();
    assert!(
        matches!(&refused, StoreError::SiteNotPermitted { site, .. } if site == "AMT20"),
        "{refused:?}"
    );
    let refused = tech
        .add_key(&ctx(&b), &key(7004, Some(&b)), "delivery")
        .unwrap_err();
    assert!(
        matches!(refused, StoreError::NotPermitted { .. }),
        "{refused:?}"
    );
    // An unknown serial stays unknown (no site to name).
    let unknown = tech
        .transition(&ctx(&a), Serial::new(7999).unwrap(), KeyState::Retired, "")
        .unwrap_err();
    assert!(matches!(unknown, StoreError::UnknownKey(_)), "{unknown:?}");
    // The chain is the auditors': a technician sees only part of it.
    assert!(matches!(
        tech.verify(),
        Err(StoreError::NotPermitted { .. })
    ));
    // Its own site's work goes on, in the one chain.
    tech.transition(
        &ctx(&a),
        Serial::new(7001).unwrap(),
        KeyState::Retired,
        "broken",
    )
    .unwrap();
    assert_eq!(owner.verify().unwrap(), count + 1, "refusals wrote nothing");
}
