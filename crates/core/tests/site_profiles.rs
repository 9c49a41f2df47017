//! Which enrolment profile a counter uses: a profile file wins, else the
//! profile the inventory keeps for the counter's site, else the built-in
//! defaults; a file for another site is refused. Setting a site's profile
//! checks it first; a delivery goes to the counter's site.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use keydesk_core::{CoreError, DbLocation, Desk, ErrorKind, ImportKind, Keys, ProfileSource};
use keydesk_types::{Serial, SiteCode};

fn code(s: &str) -> SiteCode {
    SiteCode::parse(s).unwrap()
}

/// An inventory file with sites AMT12 and AMT20.
struct Office {
    dir: tempfile::TempDir,
    db: DbLocation,
}

impl Office {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = DbLocation::File(dir.path().join("kd.sqlite"));
        let mut admin = Desk::open(&db, None, Keys::System).unwrap();
        admin
            .add_site(&code("AMT12"), "Amt 12 – Bürgeramt")
            .unwrap();
        admin.add_site(&code("AMT20"), "Amt 20 – Kasse").unwrap();
        Self { dir, db }
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// A counter as the app opens one: `--profile`, then `--site`.
    fn counter(&self, profile: Option<&Path>, site: Option<&str>) -> Result<Desk, CoreError> {
        let mut desk = Desk::open(&self.db, profile, Keys::System)?;
        desk.work_for(site.map(code))?;
        Ok(desk)
    }

    fn admin(&self) -> Desk {
        Desk::open(&self.db, None, Keys::System).unwrap()
    }
}

const AMT12_PROFILE: &str = "name = \"Amt 12 VPN\"\n[piv]\npin_length = 8\n";

#[test]
fn a_counter_takes_its_sites_profile_from_the_inventory_unless_a_file_is_given() {
    let office = Office::new();
    // Nothing stored yet: the built-in defaults, at the site.
    let plain = office.counter(None, Some("amt12")).unwrap();
    assert_eq!(plain.profile_source(), &ProfileSource::BuiltIn);
    assert_eq!(plain.profile().piv.pin_length, 6);
    drop(plain);
    let set = office
        .admin()
        .set_site_profile(&code("AMT12"), AMT12_PROFILE, "amt12.toml")
        .unwrap();
    assert!(set.changed);
    assert_eq!(set.sha256.as_deref().map(str::len), Some(64));

    let at12 = office.counter(None, Some("AMT12")).unwrap();
    assert_eq!(at12.profile_source(), &ProfileSource::Site(code("AMT12")));
    assert_eq!(at12.profile().piv.pin_length, 8);
    assert_eq!(at12.profile().name, "Amt 12 VPN");
    let status = at12.counter_status().unwrap();
    let site = status.site.unwrap();
    assert_eq!(
        (site.code.as_str(), site.name.as_str()),
        ("AMT12", "Amt 12 – Bürgeramt")
    );
    assert_eq!(status.profile_name, "Amt 12 VPN");
    assert_eq!(status.profile_source, ProfileSource::Site(code("AMT12")));
    drop(at12);

    // Another site without a stored profile, and no site at all: defaults.
    let at20 = office.counter(None, Some("AMT20")).unwrap();
    assert_eq!(at20.profile_source(), &ProfileSource::BuiltIn);
    assert_eq!(at20.profile().piv.pin_length, 6);
    drop(at20);
    let nowhere = office.counter(None, None).unwrap();
    assert_eq!(nowhere.counter_status().unwrap().site, None);
    assert_eq!(nowhere.profile_source(), &ProfileSource::BuiltIn);
    drop(nowhere);

    // A file given explicitly wins over the stored profile.
    let file = office.file("own.toml", "name = \"own\"\n[piv]\npin_length = 7\n");
    let own = office.counter(Some(&file), Some("AMT12")).unwrap();
    assert_eq!(own.profile_source(), &ProfileSource::File(file.clone()));
    assert_eq!(own.profile().piv.pin_length, 7);
    assert_eq!(own.site(), Some(&code("AMT12")));
}

#[test]
fn a_profile_file_for_another_site_is_refused_naming_both() {
    let office = Office::new();
    let file = office.file("amt20.toml", "name = \"Amt 20\"\nsite = \"AMT20\"\n");
    let err = office.counter(Some(&file), Some("AMT12")).unwrap_err();
    assert!(
        matches!(&err, CoreError::ProfileOtherSite { profile_site, site, .. }
            if *profile_site == code("AMT20") && *site == code("AMT12")),
        "{err}"
    );
    assert_eq!(err.kind(), ErrorKind::Usage);
    let text = err.to_string();
    assert!(
        text.contains("amt20.toml") && text.contains("AMT12"),
        "{text}"
    );
    // Without --site the file's own site is the counter's, as before.
    let own = office.counter(Some(&file), None).unwrap();
    assert_eq!(own.site(), Some(&code("AMT20")));
    // And with --site naming that same site it is fine.
    assert!(office.counter(Some(&file), Some("amt20")).is_ok());
}

#[test]
fn a_sites_profile_is_checked_before_it_is_kept_and_can_be_cleared() {
    let office = Office::new();
    let mut admin = office.admin();
    let before = admin.verify_audit().unwrap();
    for (text, says) in [
        ("[piv]\npin_lenght = 8\n", "pin_lenght"),
        ("[piv]\npin_length = 4\n", "6 to 8"),
        ("site = \"AMT20\"\n", "AMT20"),
        ("[attestation]\nextra_roots = [\"roots.pem\"]\n", "absolute"),
    ] {
        let err = admin
            .set_site_profile(&code("AMT12"), text, "bad.toml")
            .unwrap_err();
        assert!(
            matches!(&err, CoreError::Profile { path, .. } if path == "bad.toml"),
            "{err}"
        );
        assert!(err.to_string().contains(says), "{err}");
    }
    let unknown = admin
        .set_site_profile(&code("AMT99"), AMT12_PROFILE, "p.toml")
        .unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::NotFound, "{unknown}");
    assert_eq!(admin.verify_audit().unwrap(), before, "nothing written");
    assert_eq!(admin.site_profile(&code("AMT12")).unwrap(), None);

    let named = "name = \"Amt 12\"\nsite = \"amt12\"\n";
    assert!(
        admin
            .set_site_profile(&code("AMT12"), named, "p.toml")
            .unwrap()
            .changed
    );
    let again = admin
        .set_site_profile(&code("AMT12"), named, "p.toml")
        .unwrap();
    assert!(!again.changed, "the same profile again changes nothing");
    assert_eq!(
        admin.site_profile(&code("AMT12")).unwrap().as_deref(),
        Some(named)
    );
    assert_eq!(admin.verify_audit().unwrap(), before + 1);
    let cleared = admin.clear_site_profile(&code("AMT12")).unwrap();
    assert!(cleared.changed && cleared.sha256.is_none());
    assert_eq!(admin.site_profile(&code("AMT12")).unwrap(), None);
    drop(admin);
    let counter = office.counter(None, Some("AMT12")).unwrap();
    assert_eq!(counter.profile_source(), &ProfileSource::BuiltIn);
}

#[test]
fn the_root_files_a_stored_profile_names_are_trusted_and_a_missing_one_stops_the_counter() {
    let office = Office::new();
    let root = office.file("office-root.pem", keydesk_sim::card::TEST_ROOT_CA);
    let text = format!(
        "name = \"Amt 12\"\n[attestation]\nextra_roots = [\"{}\"]\n",
        root.display()
    );
    office
        .admin()
        .set_site_profile(&code("AMT12"), &text, "p.toml")
        .unwrap();
    let counter = office.counter(None, Some("AMT12")).unwrap();
    let sources: Vec<String> = counter
        .trusted_roots()
        .into_iter()
        .map(|r| r.source)
        .collect();
    assert_eq!(sources.len(), 2, "{sources:?}");
    assert_eq!(sources[1], root.display().to_string());
    drop(counter);
    std::fs::remove_file(&root).unwrap();
    let err = office.counter(None, Some("AMT12")).unwrap_err();
    assert!(err.to_string().contains("office-root.pem"), "{err}");
}

#[test]
fn a_delivery_imported_at_a_counter_goes_to_its_site() {
    let office = Office::new();
    let mut counter = office.counter(None, Some("AMT12")).unwrap();
    let file =
        "Seriennummer;Modell;Dienststelle\n23456780;YubiKey 5 NFC;\n23456781;YubiKey 5 NFC;AMT20\n";
    let report = counter
        .import(ImportKind::Stock, file.as_bytes(), "lieferung.csv", false)
        .unwrap();
    assert_eq!(report.added, 2);
    let site_of = |n: u32| {
        counter
            .key(Serial::new(n).unwrap())
            .unwrap()
            .unwrap()
            .data
            .site
    };
    assert_eq!(site_of(23_456_780), Some(code("AMT12")));
    assert_eq!(site_of(23_456_781), Some(code("AMT20")));
    let before = counter.verify_audit().unwrap();
    let bad = "Seriennummer;Site\n23456782;\n23456783;AMT99\n";
    let err = counter
        .import(ImportKind::Stock, bad.as_bytes(), "bad.csv", false)
        .unwrap_err();
    assert!(err.to_string().contains("AMT99"), "{err}");
    assert_eq!(counter.verify_audit().unwrap(), before, "nothing written");
    assert!(counter
        .key(Serial::new(23_456_782).unwrap())
        .unwrap()
        .is_none());
}
