//! Helpers for the wizard tests: keys, a context with plugged keys, and the
//! wizard fed as the app feeds it (keys to it on top, the messages it wants).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Flow, Wizard};
use crate::tui::model::{Cmd, Hit, HitKind, KeyRow, KeyState, Msg, Serial};
use crate::tui::screen::{Ctx, Outcome, Screen};
pub use crate::tui::testing::s;

pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn rows() -> Vec<KeyRow> {
    [(23_456_780, "5.7.1"), (23_456_781, "5.4.3")]
        .into_iter()
        .map(|(serial, fw)| KeyRow {
            serial: s(serial),
            model: "YubiKey 5 NFC".into(),
            firmware: fw.into(),
            state: Some(KeyState::InStock),
            holder: None,
        })
        .collect()
}

pub fn ctx(rows: &[KeyRow]) -> Ctx<'_> {
    Ctx::test(rows)
}

/// A wizard as the app opens it (it sees the keys plugged in).
pub fn open(flow: Flow, serial: Serial, ctx: &Ctx<'_>) -> Wizard {
    let mut w = Wizard::new(flow, serial);
    let cmds = w.opened(ctx);
    assert!(cmds.is_empty(), "a wizard starts without work");
    w
}

impl Wizard {
    /// One message as the app delivers it: what it does to the stack and
    /// the worker (nothing for a message the wizard does not want).
    pub fn deliver(&mut self, msg: &Msg, ctx: &Ctx<'_>) -> Outcome {
        match msg {
            Msg::Key(k) => self.on_key(*k, ctx),
            m if self.wants(m) => self.on_msg(m, ctx),
            _ => Outcome::stay(),
        }
    }

    /// One message; the commands it sends.
    pub fn update(&mut self, msg: &Msg, ctx: &Ctx<'_>) -> Vec<Cmd> {
        self.deliver(msg, ctx).cmds().to_vec()
    }
}

/// Feed keys; collect every command.
pub fn press(w: &mut Wizard, ctx: &Ctx<'_>, codes: &[KeyCode]) -> Vec<Cmd> {
    codes.iter().flat_map(|c| w.update(&key(*c), ctx)).collect()
}

/// Feed keys; whether the last one closes the wizard.
pub fn closes(w: &mut Wizard, ctx: &Ctx<'_>, codes: &[KeyCode]) -> bool {
    let mut closed = false;
    for c in codes {
        closed = w.deliver(&key(*c), ctx).closes();
    }
    closed
}

/// Type a string.
pub fn type_str(w: &mut Wizard, ctx: &Ctx<'_>, s: &str) -> Vec<Cmd> {
    let codes: Vec<KeyCode> = s.chars().map(KeyCode::Char).collect();
    press(w, ctx, &codes)
}

pub fn hit(kind: HitKind, id: i64, label: &str) -> Hit {
    Hit {
        kind,
        ref_id: id,
        label: label.into(),
    }
}
