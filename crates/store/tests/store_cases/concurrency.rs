//! Two stores on one file at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

#[test]
fn a_second_store_reads_and_exports_while_the_first_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kd.sqlite");
    let mut writer = Store::open(&path).unwrap();
    writer
        .add_staff(&ctx(), &staff("4711", "Müller", "Jörg"), "")
        .unwrap();
    let p2 = path.clone();
    let reader = std::thread::spawn(move || {
        let auditor = Store::open(&p2).unwrap();
        let mut last = 0;
        for _ in 0..50 {
            let mut out = Vec::new();
            let n = auditor.export_history(&mut out, Dialect::Rfc4180).unwrap();
            assert!(n >= last, "history never shrinks");
            last = n;
            auditor.verify().unwrap();
            auditor.search("mul", 20).unwrap();
        }
        last
    });
    for n in 1..=300 {
        writer
            .add_key(&ctx(), &NewKey::unknown(serial(n)), "delivery")
            .unwrap();
        if n % 3 == 0 {
            writer
                .issue(&ctx(), serial(n), &pno("4711"), None, None, "")
                .unwrap();
        }
    }
    let seen = reader.join().unwrap();
    assert!(seen >= 1);
    assert_eq!(writer.verify().unwrap(), 401);
    // A second writer waits for the lock instead of failing.
    let mut other = Store::open(&path).unwrap();
    other
        .add_key(&ctx(), &NewKey::unknown(serial(1000)), "")
        .unwrap();
    assert_eq!(writer.verify().unwrap(), 402);
}
