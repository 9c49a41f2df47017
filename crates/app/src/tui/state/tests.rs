//! The app and its screen stack: keys to the top screen, worker answers to
//! the screens that want them, screens opened above the one that asked,
//! the app's own function keys, and what is drawn.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Widget;

use super::App;
use crate::i18n::{Lang, Text};
use crate::tui::audit::Audit;
use crate::tui::bulk::Bulk;
use crate::tui::detail::Detail;
use crate::tui::model::{
    Cmd, DetailView, HitKind, KeyRow, KeyState, Msg, Serial, Target, Unfinished, Verified,
};
use crate::tui::recovery::Recovery;
use crate::tui::screen::{Ctx, Outcome, Screen};
use crate::tui::testing::s;
use crate::tui::wizard::testing::{hit, key};
use crate::tui::wizard::{Flow, Step, Wizard};

fn row(serial: Serial) -> KeyRow {
    KeyRow {
        serial,
        model: "YubiKey 5 NFC".into(),
        firmware: "5.7.1".into(),
        state: Some(KeyState::InStock),
        holder: None,
    }
}

fn key_details(serial: Serial) -> DetailView {
    DetailView {
        kind: HitKind::Key,
        serial: Some(serial),
        title: serial.to_string(),
        state: None,
        facts: vec![],
        history: vec![],
    }
}

/// The screen as text, one line per row.
fn screen_text(app: &App) -> String {
    let area = Rect::new(0, 0, 80, 24);
    let mut buf = Buffer::empty(area);
    app.render(area, &mut buf);
    (0..area.height)
        .map(|y| {
            (0..area.width)
                .map(|x| buf[(x, y)].symbol().to_owned())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn wizard_results_route_to_the_wizard_and_detail_letters_start_one() {
    let mut app = App::new(Lang::En, true);
    app.update(Msg::Detail(DetailView {
        kind: HitKind::Key,
        serial: Some(s(23_456_780)),
        title: "23456780".into(),
        state: None,
        facts: vec![],
        history: vec![],
    }));
    assert!(app.screen::<Detail>().is_some());
    app.update(key(KeyCode::Char('e')));
    assert!(app.screen::<Detail>().is_none());
    assert_eq!(
        app.update(key(KeyCode::Char('m'))),
        vec![Cmd::Search("m".into())]
    );
    app.update(Msg::SearchResults {
        query: "m".into(),
        hits: vec![hit(HitKind::Staff, 1, "Müller")],
    });
    assert!(app.home().hits.is_empty(), "home search untouched");
    assert_eq!(app.screen::<Wizard>().map(|w| w.hits.len()), Some(1));
}

#[test]
fn unfinished_work_is_shown_first_and_audit_opens_with_f3() {
    let mut app = App::new(Lang::En, false);
    app.update(Msg::Unfinished(vec![Unfinished {
        serial: Some(s(1)),
        workflow: "reset".into(),
        step: "fido.reset".into(),
        since: "x".into(),
    }]));
    assert!(app.update(key(KeyCode::F(3))).is_empty());
    assert!(app.screen::<Audit>().is_none(), "recovery comes first");
    assert_eq!(app.update(key(KeyCode::Enter)), vec![Cmd::Recover]);
    app.update(Msg::Recovered(vec![]));
    app.update(key(KeyCode::Esc));
    assert!(app.screen::<Recovery>().is_none());
    app.update(key(KeyCode::F(3)));
    assert_eq!(app.update(key(KeyCode::Enter)), vec![Cmd::Verify]);
    app.update(Msg::Verified(Ok(Verified {
        events: 7,
        anchor: Some(format!("7:{}", "ab".repeat(32))),
        at: "2026-11-23T09:00:00Z".into(),
    })));
    assert_eq!(app.screen::<Audit>().map(|a| a.busy), Some(false));
    let last = app.screen::<Audit>().and_then(|a| a.log.last().cloned());
    assert_eq!(
        last,
        Some((Text::AuditAnchor, format!("7:{}", "ab".repeat(32)))),
        "the anchor to write down comes last"
    );
}

#[test]
fn function_keys_help_language_and_demo_plugging() {
    let mut app = App::new(Lang::De, true);
    app.update(key(KeyCode::F(2)));
    assert_eq!(app.lang, Lang::En);
    app.update(key(KeyCode::F(1)));
    assert!(app.help);
    assert_eq!(
        app.update(key(KeyCode::Char('x'))),
        Vec::<Cmd>::new(),
        "a key closes help, not search"
    );
    assert!(!app.help && app.home().query.is_empty());
    assert_eq!(app.update(key(KeyCode::F(5))), vec![Cmd::PlugVirtual]);
    assert_eq!(app.update(key(KeyCode::F(6))), vec![Cmd::UnplugVirtual]);
    let mut real = App::new(Lang::De, false);
    assert!(
        real.update(key(KeyCode::F(5))).is_empty(),
        "no virtual keys outside the demo"
    );
    real.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert!(real.quit);
}

#[test]
fn details_that_arrive_under_a_wizard_wait_beneath_it() {
    let mut app = App::new(Lang::En, false);
    app.update(Msg::Plugged(vec![row(s(23_456_780))]));
    app.update(key(KeyCode::Tab));
    assert_eq!(
        app.update(key(KeyCode::Enter)),
        vec![Cmd::Open(Target::Key(s(23_456_780)))]
    );
    // A letter before the answer is back: the wizard opens first...
    app.update(key(KeyCode::Char('r')));
    app.update(Msg::Detail(key_details(s(23_456_780))));
    assert!(
        app.stack.top().as_any().is::<Wizard>(),
        "the wizard keeps the keys"
    );
    assert!(app.screen::<Detail>().is_some());
    // ...and leaving it shows the details the technician asked for.
    app.update(key(KeyCode::Esc));
    assert!(app.stack.top().as_any().is::<Detail>());
    // Newer details take the place of the ones on screen.
    app.update(Msg::Detail(key_details(s(18_000_042))));
    assert_eq!(app.stack.len(), 2);
    assert_eq!(
        app.screen::<Detail>().and_then(|d| d.view.serial),
        Some(s(18_000_042))
    );
}

#[test]
fn an_answer_goes_to_the_topmost_screen_that_wants_it_and_plugged_keys_to_all() {
    let mut app = App::new(Lang::En, false);
    app.update(Msg::Plugged(vec![row(s(23_456_780))]));
    assert_eq!(
        app.update(key(KeyCode::Char('m'))),
        vec![Cmd::Search("m".into())]
    );
    // Alt+L from the search box: the one key plugged in is the lost one.
    app.update(Msg::Key(KeyEvent::new(
        KeyCode::Char('l'),
        KeyModifiers::ALT,
    )));
    assert_eq!(
        app.screen::<Wizard>().map(|w| (w.flow, w.step())),
        Some((Flow::Lost, Step::NewKey))
    );
    app.update(key(KeyCode::Enter));
    assert_eq!(
        app.screen::<Wizard>().and_then(|w| w.hint),
        Some(Text::HintPlugAnother),
        "no other key to lend yet"
    );
    // A second key: home's panel and the wizard's list both see it.
    app.update(Msg::Plugged(vec![row(s(23_456_780)), row(s(23_456_781))]));
    app.update(key(KeyCode::Enter));
    assert_eq!(
        app.screen::<Wizard>().and_then(|w| w.new_key),
        Some(s(23_456_781))
    );
    // Results for home's query go home even with a wizard on top.
    app.update(Msg::SearchResults {
        query: "m".into(),
        hits: vec![hit(HitKind::Staff, 1, "Müller")],
    });
    assert_eq!(app.home().hits.len(), 1);
    // Home's panel cursor follows the keys when one is pulled.
    app.update(Msg::Plugged(vec![]));
    assert_eq!(app.home().key_sel, 0);
}

#[test]
fn f3_and_f4_open_the_tools_between_jobs_only() {
    let mut app = App::new(Lang::En, false);
    assert_eq!(app.update(key(KeyCode::F(4))), vec![Cmd::ListWaiting]);
    assert!(app.stack.top().as_any().is::<Bulk>());
    assert!(
        app.update(key(KeyCode::F(3))).is_empty() && app.screen::<Audit>().is_none(),
        "one tool at a time"
    );
    app.update(key(KeyCode::Esc));
    // Over details, the audit screen opens above them and Esc goes back there.
    app.update(Msg::Detail(key_details(s(23_456_780))));
    app.update(key(KeyCode::F(3)));
    assert!(app.stack.top().as_any().is::<Audit>());
    app.update(key(KeyCode::Esc));
    assert!(app.stack.top().as_any().is::<Detail>());
    // In a wizard F3 is not the audit.
    app.update(key(KeyCode::Char('r')));
    app.update(key(KeyCode::F(3)));
    assert!(app.stack.top().as_any().is::<Wizard>());
    assert_eq!(app.stack.len(), 2, "home and the wizard");
}

/// A screen that draws one line over what is beneath it.
#[derive(Debug)]
struct Note;

impl Screen for Note {
    fn on_key(&mut self, _key: KeyEvent, _ctx: &Ctx<'_>) -> Outcome {
        Outcome::close()
    }

    fn render(&self, _ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
        Line::from("NOTE ON TOP").render(area, buf);
    }

    fn footer(&self, _ctx: &Ctx<'_>) -> [Option<Text>; 2] {
        [Some(Text::FooterRecovery), None]
    }

    fn covers(&self) -> bool {
        false
    }
}

#[test]
fn a_screen_that_does_not_cover_its_area_is_drawn_over_the_one_beneath() {
    let mut app = App::new(Lang::En, false);
    app.open(Box::new(Recovery::new(Vec::new())));
    app.open(Box::new(Note));
    let text = screen_text(&app);
    assert!(text.contains("NOTE ON TOP"), "{text}");
    assert!(text.contains(Lang::En.t(Text::RecoveryIntro)), "{text}");
    assert!(
        !text.contains(Lang::En.t(Text::PluggedKeys)),
        "home is covered by recovery: {text}"
    );
    assert!(text.contains(Lang::En.t(Text::FooterRecovery)));
    app.update(key(KeyCode::Char('x')));
    assert!(app.stack.top().as_any().is::<Recovery>(), "the note closed");
}
