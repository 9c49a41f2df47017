//! The home screen through the app: typing searches, the cursor between
//! the panels, letters and Alt+letters starting wizards on the right key.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::Focus;
use crate::i18n::{Lang, Text};
use crate::tui::model::{Cmd, HitKind, KeyRow, KeyState, Msg, Serial, Target};
use crate::tui::state::App;
use crate::tui::testing::s;
use crate::tui::wizard::testing::{hit, key};
use crate::tui::wizard::{Flow, Wizard};

fn row(serial: Serial) -> KeyRow {
    KeyRow {
        serial,
        model: "YubiKey 5 NFC".into(),
        firmware: "5.7.1".into(),
        state: Some(KeyState::InStock),
        holder: None,
    }
}

fn alt(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT))
}

/// The open wizard's workflow and key.
fn wizard(app: &App) -> Option<(Flow, Serial)> {
    app.screen::<Wizard>().map(|w| (w.flow, w.serial))
}

#[test]
fn typing_searches_each_keystroke_and_drops_stale_results() {
    let mut app = App::new(Lang::En, false);
    assert_eq!(
        app.update(key(KeyCode::Char('m'))),
        vec![Cmd::Search("m".into())]
    );
    assert_eq!(
        app.update(key(KeyCode::Char('u'))),
        vec![Cmd::Search("mu".into())]
    );
    app.update(Msg::SearchResults {
        query: "m".into(),
        hits: vec![hit(HitKind::Staff, 1, "stale")],
    });
    assert!(
        app.home().hits.is_empty(),
        "results for an old query must not show"
    );
    app.update(Msg::SearchResults {
        query: "mu".into(),
        hits: vec![
            hit(HitKind::Staff, 1, "Müller"),
            hit(HitKind::Staff, 2, "Mußmann"),
        ],
    });
    assert_eq!(app.home().hits.len(), 2);
    app.update(key(KeyCode::Down));
    assert_eq!(app.home().focus, Focus::Hits);
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Down));
    assert_eq!(
        app.home().hits.index(),
        1,
        "selection stops at the last hit"
    );
    assert_eq!(
        app.update(key(KeyCode::Enter)),
        vec![Cmd::Open(Target::Staff(2))]
    );
    app.update(key(KeyCode::Esc));
    assert_eq!(app.update(key(KeyCode::Esc)), Vec::<Cmd>::new());
    assert!(app.home().query.is_empty() && app.home().hits.is_empty());
}

#[test]
fn letters_on_a_selected_key_start_wizards_and_otherwise_search() {
    let mut app = App::new(Lang::De, true);
    app.update(Msg::Plugged(vec![row(s(23_456_780)), row(s(23_456_781))]));
    assert_eq!(
        app.update(key(KeyCode::Char('e'))),
        vec![Cmd::Search("e".into())]
    );
    assert!(
        app.screen::<Wizard>().is_none(),
        "in the search box a letter is a letter"
    );
    app.update(key(KeyCode::Esc));
    app.update(key(KeyCode::Tab));
    assert_eq!(app.home().focus, Focus::Keys);
    app.update(key(KeyCode::Down));
    assert_eq!(
        app.update(key(KeyCode::F(7))),
        vec![Cmd::Replug(s(23_456_781))]
    );
    assert_eq!(
        app.update(key(KeyCode::Enter)),
        vec![Cmd::Open(Target::Key(s(23_456_781)))]
    );
    app.update(key(KeyCode::Char('V')));
    let w = app.screen::<Wizard>().expect("revoke wizard");
    assert_eq!((w.flow, w.serial), (Flow::Revoke, s(23_456_781)));
    app.update(key(KeyCode::Esc));
    assert!(
        app.screen::<Wizard>().is_none(),
        "Esc on the first step leaves the wizard"
    );
    // A key hit works like a plugged key; staff hits do not start wizards.
    app.update(key(KeyCode::Char('1')));
    app.update(Msg::SearchResults {
        query: "1".into(),
        hits: vec![
            hit(HitKind::Staff, 4, "x"),
            hit(HitKind::Key, 18_000_042, "18000042"),
        ],
    });
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Char('l')));
    assert!(app.screen::<Wizard>().is_none());
    app.update(key(KeyCode::Down));
    app.update(key(KeyCode::Char('l')));
    assert_eq!(wizard(&app), Some((Flow::Lost, s(18_000_042))));
}

#[test]
fn alt_letters_start_actions_from_the_search_box_without_typing() {
    let mut app = App::new(Lang::En, false);
    app.update(key(KeyCode::Char('m')));
    assert_eq!(app.home().focus, Focus::Search);
    // No key plugged: say so, start nothing, keep the query.
    assert!(app.update(alt('e')).is_empty());
    assert!(app.screen::<Wizard>().is_none());
    assert_eq!(
        app.error.as_ref().map(|p| p.text()),
        Some(Text::ErrNoKeyPlugged)
    );
    assert_eq!(app.home().query, "m", "Alt+E does not type");
    // One key: it is the one.
    app.update(Msg::Plugged(vec![row(s(23_456_780))]));
    app.update(alt('E'));
    assert_eq!(wizard(&app), Some((Flow::Enrol, s(23_456_780))));
    assert_eq!(app.home().query, "m");
    app.update(key(KeyCode::Esc));
    // Two keys and none chosen: never a guess.
    app.update(Msg::Plugged(vec![row(s(23_456_780)), row(s(23_456_781))]));
    app.update(alt('r'));
    assert!(app.screen::<Wizard>().is_none());
    assert_eq!(
        app.error.as_ref().map(|p| p.text()),
        Some(Text::ErrSeveralKeysChoose)
    );
    // Chosen in the keys panel, Alt+letter and the plain letter both work.
    app.update(key(KeyCode::Tab));
    app.update(key(KeyCode::Down));
    app.update(alt('r'));
    assert_eq!(wizard(&app), Some((Flow::Reset, s(23_456_781))));
}
