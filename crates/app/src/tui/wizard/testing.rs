//! Helpers for the wizard tests: keys, a context with plugged keys.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::{Ctx, Wizard};
use crate::tui::model::{Cmd, Hit, HitKind, KeyRow, KeyState, Msg, Policy};

pub fn key(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

pub fn rows() -> Vec<KeyRow> {
    [(23_456_780, "5.7.1"), (23_456_781, "5.4.3")]
        .into_iter()
        .map(|(serial, fw)| KeyRow {
            serial,
            model: "YubiKey 5 NFC".into(),
            firmware: fw.into(),
            state: Some(KeyState::InStock),
            holder: None,
        })
        .collect()
}

pub fn ctx(rows: &[KeyRow]) -> Ctx<'_> {
    Ctx {
        plugged: rows,
        policy: Policy::default(),
        demo: true,
    }
}

/// Feed keys; collect every command.
pub fn press(w: &mut Wizard, ctx: &Ctx<'_>, codes: &[KeyCode]) -> Vec<Cmd> {
    codes.iter().flat_map(|c| w.update(&key(*c), ctx)).collect()
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
