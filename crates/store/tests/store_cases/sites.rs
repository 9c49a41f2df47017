//! Sites: added and listed, named by staff, notebooks and keys (also from
//! CSV), and recorded on every event a counter of a site writes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use keydesk_store::{CopyStep, DbLocation, ImportIssue, ImportProblem, SiteCode};

fn code(s: &str) -> SiteCode {
    SiteCode::parse(s).unwrap()
}

fn at_site(site: &str) -> Ctx {
    ctx().with_site(Some(code(site)))
}

fn opts() -> ImportOptions {
    ImportOptions {
        dry_run: false,
        source: "sites.csv".into(),
    }
}

/// A store with sites AMT12 and AMT20.
fn with_sites() -> Store {
    let mut s = fresh();
    s.add_site(&ctx(), &code("amt12"), "Amt 12 – Bürgeramt", "setup")
        .unwrap();
    s.add_site(&ctx(), &code("AMT20"), " Amt 20 – Kasse ", "setup")
        .unwrap();
    s
}

#[test]
fn sites_are_added_listed_by_code_and_a_duplicate_is_refused() {
    let mut s = with_sites();
    let list = s.sites().unwrap();
    let listed: Vec<(&str, &str)> = list
        .iter()
        .map(|t| (t.code.as_str(), t.name.as_str()))
        .collect();
    assert_eq!(
        listed,
        [("AMT12", "Amt 12 – Bürgeramt"), ("AMT20", "Amt 20 – Kasse")]
    );
    assert_eq!(
        s.get_site(&code("Amt12")).unwrap().unwrap().name,
        "Amt 12 – Bürgeramt"
    );
    assert!(s.get_site(&code("AMT99")).unwrap().is_none());
    let before = s.verify().unwrap();
    assert!(matches!(
        s.add_site(&ctx(), &code("amt12"), "again", "setup"),
        Err(StoreError::DuplicateSite(c)) if c == "AMT12"
    ));
    assert_eq!(s.verify().unwrap(), before, "nothing written");
}

#[test]
fn records_carry_their_site_and_an_unknown_site_is_refused() {
    let mut s = with_sites();
    let mut erika = staff("4711", "Muster", "Erika");
    erika.site = Some(code("AMT12"));
    s.add_staff(&ctx(), &erika, "hr").unwrap();
    assert_eq!(
        s.get_staff(&pno("4711")).unwrap().unwrap().data.site,
        Some(code("AMT12"))
    );
    let mut nb = notebook("INV-1", "nb-1", Some("4711"));
    nb.site = Some(code("AMT20"));
    s.add_notebook(&ctx(), &nb, "asset").unwrap();
    assert_eq!(
        s.get_notebook(&AssetTag::parse("INV-1").unwrap())
            .unwrap()
            .unwrap()
            .data
            .site,
        Some(code("AMT20"))
    );
    let mut key = NewKey::unknown(serial(100));
    key.site = Some(code("AMT12"));
    s.add_key(&ctx(), &key, "delivery").unwrap();
    assert_eq!(
        s.get_key(serial(100)).unwrap().unwrap().data.site,
        Some(code("AMT12"))
    );
    let mut lost = staff("5000", "Weiß", "Anna");
    lost.site = Some(code("AMT99"));
    assert!(matches!(
        s.add_staff(&ctx(), &lost, "hr"),
        Err(StoreError::UnknownSite(c)) if c == "AMT99"
    ));
    assert!(s.get_staff(&pno("5000")).unwrap().is_none());
}

#[test]
fn import_reads_the_site_column_and_refuses_an_unknown_site_by_line() {
    let mut s = with_sites();
    let file = "Personalnummer;Name;Dienststelle\n4711;Muster;amt12\n4712;Weiß;\n";
    let r = s.import_staff(&ctx(), file.as_bytes(), &opts()).unwrap();
    assert_eq!(r.added, 2);
    assert_eq!(
        s.get_staff(&pno("4711")).unwrap().unwrap().data.site,
        Some(code("AMT12"))
    );
    assert_eq!(s.get_staff(&pno("4712")).unwrap().unwrap().data.site, None);
    // A list without a site column keeps the sites the records have.
    let again = "Personalnummer;Name\n4711;Muster-Neu\n";
    s.import_staff(&ctx(), again.as_bytes(), &opts()).unwrap();
    let moved = "Personalnummer;Name;Site\n4712;Weiß;AMT20\n";
    let r = s.import_staff(&ctx(), moved.as_bytes(), &opts()).unwrap();
    let fields: Vec<(&str, &str)> = r.changes[0]
        .fields
        .iter()
        .map(|f| (f.old.as_str(), f.new.as_str()))
        .collect();
    assert_eq!(fields, [("", "AMT20")], "the change list names the site");
    let kept = s.get_staff(&pno("4711")).unwrap().unwrap().data;
    assert_eq!(
        (kept.surname.as_str(), kept.site),
        ("Muster-Neu", Some(code("AMT12")))
    );
    // Stock deliveries and notebooks under their other spellings.
    let stock = "Seriennummer;Standort\n23456780;AMT20\n";
    s.import_keys(&ctx(), stock.as_bytes(), &opts()).unwrap();
    assert_eq!(
        s.get_key(serial(23_456_780)).unwrap().unwrap().data.site,
        Some(code("AMT20"))
    );
    let nbs = "Inventarnummer;Office\nINV-7;Amt12\n";
    s.import_notebooks(&ctx(), nbs.as_bytes(), &opts()).unwrap();
    assert_eq!(
        s.get_notebook(&AssetTag::parse("INV-7").unwrap())
            .unwrap()
            .unwrap()
            .data
            .site,
        Some(code("AMT12"))
    );
    // An unknown site: the line is named and nothing is written.
    let before = s.verify().unwrap();
    let bad = "Personalnummer;Name;Amt\n6000;Neu;AMT12\n6001;Neu;AMT99\n";
    match s.import_staff(&ctx(), bad.as_bytes(), &opts()) {
        Err(StoreError::Import(issues)) => assert_eq!(
            issues,
            [ImportIssue {
                line: 3,
                problem: ImportProblem::UnknownSite {
                    code: "AMT99".into()
                }
            }]
        ),
        other => panic!("should be refused: {other:?}"),
    }
    assert!(s.get_staff(&pno("6000")).unwrap().is_none());
    assert_eq!(s.verify().unwrap(), before);
    // A site code that is no code at all is a value problem of its line.
    let bad = "Personalnummer;Name;Site\n6000;Neu;Amt 12\n";
    match s.import_staff(&ctx(), bad.as_bytes(), &opts()) {
        Err(StoreError::Import(issues)) => assert_eq!(issues[0].line, 2),
        other => panic!("should be refused: {other:?}"),
    }
}

#[test]
fn exports_carry_the_site_and_import_again() {
    let mut s = with_sites();
    let file = "Personalnummer;Name;Dienststelle\n4711;Muster;AMT12\n";
    s.import_staff(&ctx(), file.as_bytes(), &opts()).unwrap();
    let out = csv_text(|w| s.export_staff(w, Dialect::Rfc4180));
    assert!(out.starts_with("personnel_no,surname,given_name,department,email,active,site\r\n"));
    assert!(out.contains(",AMT12\r\n"), "{out}");
    let mut other = with_sites();
    other.import_staff(&ctx(), out.as_bytes(), &opts()).unwrap();
    assert_eq!(
        other.get_staff(&pno("4711")).unwrap().unwrap().data.site,
        Some(code("AMT12"))
    );
}

#[test]
fn events_carry_the_counters_site_and_old_events_still_verify() {
    // Events without a site first (as before sites), then with one.
    let mut s = fresh();
    s.add_key(&ctx(), &NewKey::unknown(serial(100)), "delivery")
        .unwrap();
    let old = s.audit_head().unwrap().unwrap().anchor;
    s.add_site(&ctx(), &code("AMT12"), "Amt 12", "setup")
        .unwrap();
    s.add_key(&at_site("AMT12"), &NewKey::unknown(serial(101)), "delivery")
        .unwrap();
    s.transition(&at_site("amt12"), serial(100), KeyState::Retired, "old")
        .unwrap();
    assert_eq!(s.verify().unwrap(), 4);
    assert_eq!(s.verify_anchored(&old).unwrap(), 4);
    let h100 = s.key_history(serial(100)).unwrap();
    let sites: Vec<Option<&str>> = h100
        .events
        .iter()
        .map(|e| e.site.as_ref().map(SiteCode::as_str))
        .collect();
    assert_eq!(sites, [None, Some("AMT12")]);
    let h101 = s.key_history(serial(101)).unwrap();
    assert_eq!(h101.events[0].site, Some(code("AMT12")));
    let history = csv_text(|w| s.export_history(w, Dialect::Rfc4180));
    assert!(history.lines().next().unwrap().ends_with(",hash,site"));
}

#[test]
fn a_copy_keeps_sites_and_the_sites_on_records_and_events() {
    let mut s = with_sites();
    let mut key = NewKey::unknown(serial(100));
    key.site = Some(code("AMT20"));
    s.add_key(&at_site("AMT12"), &key, "delivery").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let to = DbLocation::File(dir.path().join("copy.sqlite"));
    let report = s.copy_into(&to, &mut |_, _, _| {}).unwrap();
    assert_eq!(report.rows_of(CopyStep::Sites), 2);
    let copy = Store::open_at(&to).unwrap();
    assert_eq!(copy.sites().unwrap(), s.sites().unwrap());
    assert_eq!(
        copy.get_key(serial(100)).unwrap(),
        s.get_key(serial(100)).unwrap()
    );
    assert_eq!(
        copy.key_history(serial(100)).unwrap().events[0].site,
        Some(code("AMT12"))
    );
    let head = s.audit_head().unwrap().unwrap().anchor;
    assert_eq!(copy.verify_anchored(&head).unwrap(), 3);
}

const PROFILE: &str = "name = \"Amt 12\"\nsite = \"AMT12\"\n[piv]\npin_length = 8\n";

#[test]
fn a_sites_profile_is_stored_replaced_and_cleared_and_the_trail_has_its_hash_only() {
    let mut s = with_sites();
    assert_eq!(s.site_profile(&code("AMT12")).unwrap(), None);
    let before = s.verify().unwrap();
    assert!(s
        .set_site_profile(&ctx(), &code("amt12"), Some(PROFILE), "site profile")
        .unwrap());
    assert_eq!(
        s.site_profile(&code("AMT12")).unwrap().as_deref(),
        Some(PROFILE)
    );
    let hash = keydesk_store::profile_sha256(PROFILE);
    assert_eq!(hash.len(), 64);
    let listed: Vec<Option<String>> = s
        .sites()
        .unwrap()
        .into_iter()
        .map(|t| t.profile_sha256)
        .collect();
    assert_eq!(listed, [Some(hash.clone()), None], "AMT20 has none");
    // The same profile again changes nothing and writes no event.
    assert!(!s
        .set_site_profile(&ctx(), &code("AMT12"), Some(PROFILE), "again")
        .unwrap());
    assert_eq!(s.verify().unwrap(), before + 1);
    let newer = "name = \"Amt 12 neu\"\n";
    assert!(s
        .set_site_profile(&ctx(), &code("AMT12"), Some(newer), "new rules")
        .unwrap());
    assert!(s
        .set_site_profile(&ctx(), &code("AMT12"), None, "central again")
        .unwrap());
    assert_eq!(s.site_profile(&code("AMT12")).unwrap(), None);
    assert_eq!(
        s.get_site(&code("AMT12")).unwrap().unwrap().profile_sha256,
        None
    );
    assert_eq!(s.verify().unwrap(), before + 3);
    // The trail names each profile by its hash, never by its text.
    let history = csv_text(|w| s.export_history(w, Dialect::Rfc4180));
    let rows: Vec<&str> = history
        .lines()
        .filter(|l| l.contains("site.profile"))
        .collect();
    assert_eq!(rows.len(), 3, "{history}");
    assert!(rows[0].contains(&hash), "{}", rows[0]);
    assert!(rows[1].contains(&hash) && rows[1].contains(&keydesk_store::profile_sha256(newer)));
    assert!(rows.iter().all(|r| r.contains("site:AMT12")));
    assert!(
        !history.contains("pin_length"),
        "no profile text: {history}"
    );
    assert!(
        !history.contains("Amt 12 neu"),
        "no profile text: {history}"
    );
}

#[test]
fn a_profile_for_an_unknown_site_is_refused_and_nothing_is_written() {
    let mut s = with_sites();
    let before = s.verify().unwrap();
    assert!(matches!(
        s.set_site_profile(&ctx(), &code("AMT99"), Some(PROFILE), "x"),
        Err(StoreError::UnknownSite(c)) if c == "AMT99"
    ));
    assert!(matches!(
        s.site_profile(&code("AMT99")),
        Err(StoreError::UnknownSite(c)) if c == "AMT99"
    ));
    assert_eq!(s.verify().unwrap(), before);
}

#[test]
fn a_copy_keeps_the_sites_profiles() {
    let mut s = with_sites();
    s.set_site_profile(&ctx(), &code("AMT20"), Some(PROFILE), "setup")
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let to = DbLocation::File(dir.path().join("copy.sqlite"));
    s.copy_into(&to, &mut |_, _, _| {}).unwrap();
    let copy = Store::open_at(&to).unwrap();
    assert_eq!(
        copy.site_profile(&code("AMT20")).unwrap().as_deref(),
        Some(PROFILE)
    );
    assert_eq!(copy.site_profile(&code("AMT12")).unwrap(), None);
    assert_eq!(copy.sites().unwrap(), s.sites().unwrap());
}

#[test]
fn a_delivery_goes_to_the_counters_site_unless_a_row_names_one() {
    let mut s = with_sites();
    // Key 300 is in the inventory already, at AMT20.
    let mut known = NewKey::unknown(serial(300));
    known.site = Some(code("AMT20"));
    s.add_key(&ctx(), &known, "delivery").unwrap();
    let at_amt12 = at_site("AMT12");
    // No site column: new keys go to the counter's site, a known key keeps its own.
    let plain = "Seriennummer;Modell\n23456780;YubiKey 5 NFC\n300;YubiKey 5 NFC\n";
    s.import_keys(&at_amt12, plain.as_bytes(), &opts()).unwrap();
    let site_of = |s: &Store, n: u32| s.get_key(serial(n)).unwrap().unwrap().data.site;
    assert_eq!(site_of(&s, 23_456_780), Some(code("AMT12")));
    assert_eq!(site_of(&s, 300), Some(code("AMT20")));
    // A site column: a named site is kept, an empty cell is the counter's site.
    let mixed = "Seriennummer;Dienststelle\n23456781;AMT20\n23456782;\n";
    s.import_keys(&at_amt12, mixed.as_bytes(), &opts()).unwrap();
    assert_eq!(site_of(&s, 23_456_781), Some(code("AMT20")));
    assert_eq!(site_of(&s, 23_456_782), Some(code("AMT12")));
    // A counter of no site leaves new keys without one, as before sites.
    s.import_keys(&ctx(), "Seriennummer\n23456783\n".as_bytes(), &opts())
        .unwrap();
    assert_eq!(site_of(&s, 23_456_783), None);
    // An unknown site: its line is named and nothing is written.
    let before = s.verify().unwrap();
    let bad = "Seriennummer;Site\n23456784;\n23456785;AMT99\n";
    match s.import_keys(&at_amt12, bad.as_bytes(), &opts()) {
        Err(StoreError::Import(issues)) => assert_eq!(
            issues,
            [ImportIssue {
                line: 3,
                problem: ImportProblem::UnknownSite {
                    code: "AMT99".into()
                }
            }]
        ),
        other => panic!("should be refused: {other:?}"),
    }
    assert!(s.get_key(serial(23_456_784)).unwrap().is_none());
    assert_eq!(s.verify().unwrap(), before);
}
