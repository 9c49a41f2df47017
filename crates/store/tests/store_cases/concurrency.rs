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

/// The ids of the exported history, in file order.
fn exported_ids(s: &Store) -> Vec<i64> {
    let csv = csv_text(|w| s.export_history(w, Dialect::Rfc4180));
    let mut r = ::csv::Reader::from_reader(csv.as_bytes());
    r.records()
        .map(|rec| rec.unwrap()[0].parse().unwrap())
        .collect()
}

#[test]
fn concurrent_writers_leave_one_gapless_audit_chain() {
    const THREADS: u32 = 16;
    const KEYS: u32 = 25; // each added, then retired: 50 events per thread
    let db = Db::new();
    drop(db.open()); // migrated before the writers race
    let start = std::sync::Arc::new(std::sync::Barrier::new(THREADS as usize));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let mut s = db.open();
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                for k in 0..KEYS {
                    let n = 1 + t * 1000 + k;
                    s.add_key(&ctx(), &NewKey::unknown(serial(n)), "delivery")
                        .unwrap();
                    s.transition(&ctx(), serial(n), KeyState::Retired, "broken")
                        .unwrap();
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let total = u64::from(THREADS * KEYS * 2);
    let s = db.open();
    assert_eq!(s.verify().unwrap(), total, "one chain holding every event");
    let ids = exported_ids(&s);
    let expected: Vec<i64> = (1..=i64::try_from(total).unwrap()).collect();
    assert_eq!(ids, expected, "ids 1..=n without gaps");
    let head = s.audit_head().unwrap().unwrap();
    assert_eq!(head.anchor.event(), *expected.last().unwrap());
    s.verify_anchored(&head.anchor).unwrap();
    let counts = s.count_by_state().unwrap();
    let retired = counts
        .iter()
        .find(|(st, _)| *st == KeyState::Retired)
        .map_or(0, |(_, n)| *n);
    assert_eq!(retired, u64::from(THREADS * KEYS));
}

#[test]
fn concurrent_state_changes_on_one_key_have_exactly_one_winner() {
    const THREADS: usize = 8;
    let db = Db::new();
    {
        let mut s = db.open();
        s.add_staff(&ctx(), &staff("4711", "Müller", "Jörg"), "hr")
            .unwrap();
        s.add_key(&ctx(), &NewKey::unknown(serial(100)), "delivery")
            .unwrap();
        s.issue(&ctx(), serial(100), &pno("4711"), None, None, "new hire")
            .unwrap();
    }
    let before = db.open().verify().unwrap();
    let start = std::sync::Arc::new(std::sync::Barrier::new(THREADS));
    // Neither of these two may follow the other: whoever comes second
    // finds a state it cannot leave that way.
    let wanted = |i: usize| {
        if i % 2 == 0 {
            KeyState::Revoked
        } else {
            KeyState::Returned
        }
    };
    let workers: Vec<_> = (0..THREADS)
        .map(|i| {
            let mut s = db.open();
            let start = start.clone();
            std::thread::spawn(move || {
                start.wait();
                s.transition(&ctx(), serial(100), wanted(i), "race")
            })
        })
        .collect();
    let results: Vec<_> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    let winners: Vec<usize> = (0..THREADS).filter(|&i| results[i].is_ok()).collect();
    assert_eq!(winners.len(), 1, "exactly one wins: {results:?}");
    let won = wanted(winners[0]);
    for (i, r) in results.iter().enumerate() {
        match r {
            Ok(()) => {}
            Err(StoreError::IllegalTransition {
                serial: k,
                current,
                wanted: w,
            }) => {
                assert_eq!(*k, serial(100));
                assert_eq!(*current, won, "the loser names the winner's state");
                assert_eq!(*w, wanted(i));
            }
            Err(e) => panic!("thread {i}: {e}"),
        }
    }
    let s = db.open();
    assert_eq!(s.get_key(serial(100)).unwrap().unwrap().state, won);
    assert_eq!(
        s.verify().unwrap(),
        before + 1,
        "one event for the one move"
    );
    let moves = s
        .events_for_key(serial(100))
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "key.transition")
        .count();
    assert_eq!(moves, 1);
}
