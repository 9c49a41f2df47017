//! Times on screen: the store keeps RFC 3339 UTC, the technician reads local
//! time ("23.11.2026 10:15" in German, "2026-11-23 10:15" in English).
//!
//! The local offset is read once at start-up, before the worker thread is
//! spawned (the `time` crate refuses to read it in a multithreaded process),
//! and kept in the `App`; tests inject UTC so that snapshots stay stable.

use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, UtcOffset};

use crate::i18n::Lang;

/// The local offset now, or UTC when it cannot be read safely.
#[must_use]
pub fn local_offset() -> UtcOffset {
    UtcOffset::current_local_offset().unwrap_or(UtcOffset::UTC)
}

/// A stored RFC 3339 time as the technician reads it; text that is not a
/// time is shown as it is.
#[must_use]
pub fn on_screen(ts: &str, offset: UtcOffset, lang: Lang) -> String {
    let Ok(t) = OffsetDateTime::parse(ts, &Rfc3339) else {
        return ts.to_owned();
    };
    let t = t.to_offset(offset);
    let (y, m, d) = (t.year(), u8::from(t.month()), t.day());
    let (h, min) = (t.hour(), t.minute());
    match lang {
        Lang::De => format!("{d:02}.{m:02}.{y} {h:02}:{min:02}"),
        Lang::En => format!("{y}-{m:02}-{d:02} {h:02}:{min:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_from_the_store_is_shown_in_local_time_per_language() {
        let cet = UtcOffset::from_hms(1, 0, 0).expect("offset");
        assert_eq!(
            on_screen("2026-11-23T09:15:00Z", cet, Lang::De),
            "23.11.2026 10:15"
        );
        assert_eq!(
            on_screen("2026-11-23T09:15:00Z", cet, Lang::En),
            "2026-11-23 10:15"
        );
        assert_eq!(
            on_screen("2026-11-23T23:30:00Z", cet, Lang::De),
            "24.11.2026 00:30",
            "the date moves with the offset"
        );
        assert_eq!(
            on_screen("2026-11-23T09:15:00.123+00:00", UtcOffset::UTC, Lang::En),
            "2026-11-23 09:15"
        );
        assert_eq!(on_screen("gestern", cet, Lang::De), "gestern");
    }
}
