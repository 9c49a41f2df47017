//! Two stores on one file at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

#[test]
fn a_second_store_reads_and_exports_while_the_first_writes() {
    let db = Db::new();
    let mut writer = db.open();
    writer
        .add_staff(&ctx(), &staff("4711", "Müller", "Jörg"), "")
        .unwrap();
    let auditor = db.open();
    let reader = std::thread::spawn(move || {
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
    let mut other = db.open();
    other
        .add_key(&ctx(), &NewKey::unknown(serial(1000)), "")
        .unwrap();
    assert_eq!(writer.verify().unwrap(), 402);
}
