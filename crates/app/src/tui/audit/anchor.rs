//! A verified audit trail on the audit screen: the events checked, then
//! the anchor (`<event>:<hash>` of the newest event) alone on its line for
//! the auditor to write down with the date, and the time of that event.

use super::Audit;
use crate::i18n::{Lang, Text};
use crate::tui::clock::on_screen;
use crate::tui::model::Verified;

impl Audit {
    /// The chain verified: the count, then the anchor to write down (the
    /// newest event's time at `offset`, in `lang`).
    pub fn verified(&mut self, v: &Verified, lang: Lang, offset: time::UtcOffset) {
        self.log.push((Text::AuditOk, v.events.to_string()));
        match &v.anchor {
            Some(anchor) => {
                self.log
                    .push((Text::AuditAnchorNote, on_screen(&v.at, offset, lang)));
                self.log.push((Text::AuditAnchor, anchor.clone()));
            }
            None => self.log.push((Text::AuditNoAnchor, String::new())),
        }
        self.stop();
    }
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::tui::audit::view::log_line;
    use crate::tui::model::Cmd;
    use crate::tui::screen::{Ctx, Screen};

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn a_verified_trail_logs_the_anchor_to_write_down_in_local_time() {
        let mut a = Audit::new();
        let ctx = Ctx::test(&[]);
        assert_eq!(a.on_key(key(KeyCode::Enter), &ctx).cmds(), [Cmd::Verify]);
        let anchor = format!("12:{}", "ab".repeat(32));
        let cet = time::UtcOffset::from_hms(1, 0, 0).expect("offset");
        let v = Verified {
            events: 12,
            anchor: Some(anchor.clone()),
            at: "2026-11-23T23:30:00Z".into(),
        };
        a.verified(&v, Lang::De, cet);
        assert!(!a.busy);
        assert_eq!(
            a.log,
            vec![
                (Text::AuditOk, "12".into()),
                (Text::AuditAnchorNote, "24.11.2026 00:30".into()),
                (Text::AuditAnchor, anchor.clone()),
            ]
        );
        // F2 later: the texts switch, the time stays as it was logged.
        let shown: Vec<String> = a
            .log
            .iter()
            .map(|(x, arg)| log_line(Lang::En.t(*x), arg).to_string())
            .collect();
        assert_eq!(
            shown[1],
            "Write this anchor down with today's date (newest event 24.11.2026 00:30):"
        );
        assert_eq!(shown[2], format!("  {anchor}"), "alone, to copy");

        let mut empty = Audit::new();
        empty.on_key(key(KeyCode::Enter), &ctx);
        let none = Verified {
            events: 0,
            anchor: None,
            at: String::new(),
        };
        empty.verified(&none, Lang::En, time::UtcOffset::UTC);
        assert_eq!(
            empty.log.last(),
            Some(&(Text::AuditNoAnchor, String::new()))
        );
        assert_eq!(
            log_line(Lang::En.t(Text::AuditNoAnchor), "").to_string(),
            Lang::En.t(Text::AuditNoAnchor)
        );
    }
}
