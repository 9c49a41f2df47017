//! The recovery screen, shown first when the journal holds unfinished
//! operations: what was interrupted, then the core's account of what it
//! finished, rolled back or still needs from the technician.

use crossterm::event::{KeyCode, KeyEvent};
use keydesk_core::Workflow;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Widget, Wrap};

use super::model::{Cmd, Msg, Recovered, Serial, Unfinished};
use super::screen::{Ctx, Outcome, Screen};
use crate::i18n::{Lang, Text};

/// State of the recovery screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recovery {
    pub entries: Vec<Unfinished>,
    pub reports: Option<Vec<Recovered>>,
    pub busy: bool,
}

impl Recovery {
    #[must_use]
    pub fn new(entries: Vec<Unfinished>) -> Self {
        Self {
            entries,
            reports: None,
            busy: false,
        }
    }

    /// The account arrived.
    pub fn recovered(&mut self, reports: Vec<Recovered>) {
        self.busy = false;
        self.reports = Some(reports);
    }
}

impl Screen for Recovery {
    /// Enter runs recovery (again), Esc goes on to work; neither while it runs.
    fn on_key(&mut self, key: KeyEvent, _ctx: &Ctx<'_>) -> Outcome {
        match key.code {
            KeyCode::Enter if !self.busy => {
                self.busy = true;
                vec![Cmd::Recover].into()
            }
            KeyCode::Esc if !self.busy => Outcome::close(),
            _ => Outcome::stay(),
        }
    }

    fn wants(&self, msg: &Msg) -> bool {
        matches!(msg, Msg::Recovered(_) | Msg::Failed(_))
    }

    fn on_msg(&mut self, msg: &Msg, _ctx: &Ctx<'_>) -> Outcome {
        match msg {
            Msg::Recovered(reports) => self.recovered(reports.clone()),
            // Shown in the footer; Enter tries again.
            Msg::Failed(_) => self.busy = false,
            _ => {}
        }
        Outcome::stay()
    }

    fn render(&self, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
        render(self, ctx.lang, ctx.offset, area, buf);
    }

    fn footer(&self, _ctx: &Ctx<'_>) -> [Option<Text>; 2] {
        [Some(Text::FooterRecovery), Some(Text::FooterGlobal)]
    }
}

fn serial_text(s: Option<Serial>) -> String {
    s.map_or_else(|| "–".to_owned(), |s| s.to_string())
}

/// The journal's name of a workflow in the screen's language (a name this
/// screen does not know is shown as the journal has it).
fn workflow_text(lang: Lang, name: &str) -> &str {
    match Workflow::from_name(name) {
        Ok(Workflow::Enrol) => lang.t(Text::FlowEnrol),
        Ok(Workflow::Reset) => lang.t(Text::FlowReset),
        Err(_) => name,
    }
}

/// Draw the recovery screen.
pub fn render(r: &Recovery, lang: Lang, offset: time::UtcOffset, area: Rect, buf: &mut Buffer) {
    let t = |x| lang.t(x);
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut lines = vec![Line::from(Span::styled(t(Text::RecoveryIntro), bold))];
    for e in &r.entries {
        lines.push(Line::from(format!(
            "• {} {} – {} {} ({} {})",
            t(Text::ColSerial),
            serial_text(e.serial),
            workflow_text(lang, &e.workflow),
            e.step,
            t(Text::Since),
            super::clock::on_screen(&e.since, offset, lang)
        )));
    }
    lines.push(Line::from(""));
    match &r.reports {
        None if r.busy => lines.push(Line::from(t(Text::Working))),
        None => lines.push(Line::from(t(Text::RecoveryAsk))),
        Some(reports) => {
            for rep in reports {
                lines.push(Line::from(Span::styled(
                    format!(
                        "{} {} – {}: {}",
                        t(Text::ColSerial),
                        serial_text(rep.serial),
                        workflow_text(lang, &rep.workflow),
                        t(rep.outcome)
                    ),
                    bold,
                )));
                lines.extend(
                    rep.account
                        .iter()
                        .map(|a| Line::from(format!("  {}", a.show(lang)))),
                );
            }
            lines.push(Line::from(""));
            lines.push(Line::from(t(Text::RecoveryAfter)));
        }
    }
    Paragraph::new(lines)
        .wrap(Wrap { trim: false })
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(t(Text::RecoveryTitle)),
        )
        .render(area, buf);
}

#[cfg(test)]
mod tests {
    use crossterm::event::KeyModifiers;
    use keydesk_core::Account;

    use super::super::problem::Problem;
    use super::*;
    use crate::tui::testing::s;

    #[test]
    fn recovery_runs_once_at_a_time_and_then_lets_the_technician_go_on() {
        let ctx = Ctx::test(&[]);
        let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
        let mut r = Recovery::new(vec![Unfinished {
            serial: Some(s(23_456_780)),
            workflow: "enrol".into(),
            step: "piv.generate".into(),
            since: "2026-11-23T09:00:00Z".into(),
        }]);
        assert_eq!(r.on_key(key(KeyCode::Enter), &ctx).cmds(), [Cmd::Recover]);
        assert!(r.on_key(key(KeyCode::Enter), &ctx).cmds().is_empty());
        let out = r.on_key(key(KeyCode::Esc), &ctx);
        assert!(out.cmds().is_empty() && !out.closes(), "not while it runs");
        r.recovered(vec![Recovered {
            serial: Some(s(23_456_780)),
            workflow: "enrol".into(),
            outcome: Text::OutcomeRolledBack,
            account: vec![Problem::from_account(&Account::StaysInStock {
                serial: keydesk_types::Serial::new(23_456_780).expect("serial"),
            })],
        }]);
        assert!(r.on_key(key(KeyCode::Esc), &ctx).closes());
    }
}
