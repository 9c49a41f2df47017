//! The TUI's state and its update function: messages in, state changed,
//! commands out. No I/O here; commands are run by the worker (see `runtime`).
//!
//! Screens stack in this order: recovery (first, when the journal holds
//! unfinished work), a wizard, the audit screen, a detail view, home.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::audit::Audit;
use super::bulk::Bulk;
use super::model::{Cmd, DetailView, Hit, HitKind, KeyRow, Msg, Policy, Target};
use super::recovery::Recovery;
use super::wizard::{Ctx, Flow, Wizard};
use crate::i18n::{Lang, Text};

/// Which home panel has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    /// Typing searches.
    Search,
    /// The plugged keys; letters start wizards.
    Keys,
    /// The search hits; letters start wizards on a key hit.
    Hits,
}

/// The whole state of the TUI.
#[derive(Debug, Clone)]
pub struct App {
    pub lang: Lang,
    /// The local offset for times on screen, read once at start-up (before
    /// the worker thread exists); tests set UTC.
    pub offset: time::UtcOffset,
    pub demo: bool,
    pub policy: Policy,
    pub plugged: Vec<KeyRow>,
    pub key_sel: usize,
    pub query: String,
    pub hits: Vec<Hit>,
    pub selected: usize,
    pub focus: Focus,
    pub wizard: Option<Box<Wizard>>,
    pub detail: Option<DetailView>,
    pub audit: Option<Audit>,
    /// The bulk reset screen (F4).
    pub bulk: Option<Bulk>,
    pub recovery: Option<Recovery>,
    pub error: Option<super::problem::Problem>,
    pub help: bool,
    pub quit: bool,
}

impl App {
    #[must_use]
    pub fn new(lang: Lang, demo: bool) -> Self {
        Self {
            lang,
            offset: super::clock::local_offset(),
            demo,
            policy: Policy::default(),
            plugged: Vec::new(),
            key_sel: 0,
            query: String::new(),
            hits: Vec::new(),
            selected: 0,
            focus: Focus::Search,
            wizard: None,
            detail: None,
            audit: None,
            bulk: None,
            recovery: None,
            error: None,
            help: false,
            quit: false,
        }
    }

    /// Route a message to the wizard; drop it when it closes.
    fn route_to_wizard(&mut self, msg: &Msg) -> Vec<Cmd> {
        let ctx = Ctx {
            plugged: &self.plugged,
            policy: self.policy,
            demo: self.demo,
        };
        let Some(w) = self.wizard.as_mut() else {
            return Vec::new();
        };
        let cmds = w.update(msg, &ctx);
        if w.closed {
            // Dropping the wizard wipes a PIN letter still held.
            self.wizard = None;
        }
        cmds
    }

    /// Apply one message; return the commands it asks for.
    pub fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::Key(key) if key.kind != KeyEventKind::Release => self.on_key(key),
            Msg::Key(_) => Vec::new(),
            Msg::Policy(p) => {
                self.policy = p;
                Vec::new()
            }
            Msg::Plugged(rows) => {
                self.plugged = rows;
                self.key_sel = self.key_sel.min(self.plugged.len().saturating_sub(1));
                self.route_to_wizard(&Msg::Plugged(self.plugged.clone()))
            }
            Msg::SearchResults { query, hits } => {
                if self.wizard.as_ref().is_some_and(|w| w.query == query) {
                    return self.route_to_wizard(&Msg::SearchResults { query, hits });
                }
                if query == self.query {
                    self.hits = hits;
                    self.selected = self.selected.min(self.hits.len().saturating_sub(1));
                }
                Vec::new()
            }
            Msg::Waiting { .. } | Msg::Batch(_) => {
                if let Some(b) = &mut self.bulk {
                    b.update(&msg);
                }
                Vec::new()
            }
            Msg::Touch { .. } if self.bulk.is_some() && self.wizard.is_none() => {
                if let Some(b) = &mut self.bulk {
                    b.update(&msg);
                }
                Vec::new()
            }
            Msg::Tick(dt) if self.wizard.is_none() => {
                if let Some(b) = &mut self.bulk {
                    b.update(&Msg::Tick(dt));
                }
                if let Some(a) = &mut self.audit {
                    a.tick(dt);
                }
                Vec::new()
            }
            Msg::RowProgress { done, total } => {
                if let Some(a) = &mut self.audit {
                    a.row_progress(done, total);
                }
                Vec::new()
            }
            Msg::Imported(summary) => {
                if let Some(a) = &mut self.audit {
                    a.imported(&summary);
                }
                Vec::new()
            }
            Msg::Tick(_)
            | Msg::Replugged(_)
            | Msg::Touch { .. }
            | Msg::Finished { .. }
            | Msg::CsrSaved { .. }
            | Msg::WizardFailed(_) => {
                if let (Msg::WizardFailed(e), None) = (&msg, &self.wizard) {
                    self.error = Some(e.clone());
                }
                self.route_to_wizard(&msg)
            }
            Msg::Detail(d) => {
                self.detail = Some(d);
                Vec::new()
            }
            Msg::Unfinished(entries) => {
                if !entries.is_empty() {
                    self.recovery = Some(Recovery::new(entries));
                }
                Vec::new()
            }
            Msg::Recovered(reports) => {
                if let Some(r) = &mut self.recovery {
                    r.recovered(reports);
                }
                Vec::new()
            }
            Msg::Progress(text, arg) => {
                let done = matches!(text, Text::ExportWrote);
                if let Some(a) = &mut self.audit {
                    a.log_line(text, arg, done);
                }
                Vec::new()
            }
            Msg::Verified(result) => {
                if let Some(a) = &mut self.audit {
                    match result {
                        Ok(v) => a.verified(&v, self.lang, self.offset),
                        Err(e) => a.log_line(Text::AuditBroken, e.show_one_line(self.lang), true),
                    }
                }
                Vec::new()
            }
            Msg::Failed(text) => {
                if let Some(b) = &mut self.bulk {
                    b.update(&Msg::Failed(text.clone()));
                }
                if let Some(a) = &mut self.audit {
                    a.log_line(Text::ErrorPrefix, text.show_one_line(self.lang), true);
                }
                if let Some(r) = &mut self.recovery {
                    r.busy = false;
                }
                self.error = Some(text);
                Vec::new()
            }
        }
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        if key.modifiers.contains(KeyModifiers::CONTROL)
            && matches!(key.code, KeyCode::Char('c' | 'q'))
        {
            self.quit = true;
            return Vec::new();
        }
        if self.help {
            // Any key closes the help overlay.
            self.help = false;
            return Vec::new();
        }
        self.error = None;
        match key.code {
            KeyCode::F(1) => {
                self.help = true;
                return Vec::new();
            }
            KeyCode::F(2) => {
                self.lang = self.lang.toggled();
                return Vec::new();
            }
            KeyCode::F(5) if self.demo => return vec![Cmd::PlugVirtual],
            KeyCode::F(6) if self.demo => return vec![Cmd::UnplugVirtual],
            _ => {}
        }
        if let Some(r) = &mut self.recovery {
            let cmds = r.on_key(key);
            if r.closed {
                self.recovery = None;
            }
            return cmds;
        }
        if self.wizard.is_some() {
            return self.route_to_wizard(&Msg::Key(key));
        }
        if let Some(a) = &mut self.audit {
            let cmds = a.on_key(key);
            if a.closed {
                self.audit = None;
            }
            return cmds;
        }
        if let Some(b) = &mut self.bulk {
            if key.code == KeyCode::F(7) && self.demo {
                // Demo: replug the key plugged in (the batch sees it gone and back).
                return self
                    .plugged
                    .first()
                    .map(|k| Cmd::Replug(k.serial))
                    .into_iter()
                    .collect();
            }
            let cmds = b.on_key(key);
            if b.closed {
                self.bulk = None;
            }
            return cmds;
        }
        if key.code == KeyCode::F(3) {
            self.audit = Some(Audit::new());
            return Vec::new();
        }
        if key.code == KeyCode::F(4) {
            self.bulk = Some(Bulk::new());
            return vec![Cmd::ListWaiting];
        }
        if let Some(d) = &self.detail {
            let serial = d.serial;
            return match key.code {
                KeyCode::Esc => {
                    self.detail = None;
                    Vec::new()
                }
                KeyCode::Char(c) => {
                    if let (Some(flow), Some(s)) = (Flow::from_letter(c), serial) {
                        self.detail = None;
                        self.start(flow, s);
                    }
                    Vec::new()
                }
                _ => Vec::new(),
            };
        }
        self.on_home_key(key)
    }

    /// The key serial the cursor is on (plugged key or key hit), if any.
    #[must_use]
    pub fn selected_serial(&self) -> Option<u32> {
        match self.focus {
            Focus::Keys => self.plugged.get(self.key_sel).map(|k| k.serial),
            Focus::Hits => self
                .hits
                .get(self.selected)
                .filter(|h| h.kind == HitKind::Key)
                .and_then(|h| u32::try_from(h.ref_id).ok()),
            Focus::Search => None,
        }
    }

    fn start(&mut self, flow: Flow, serial: u32) {
        self.wizard = Some(Box::new(Wizard::new(flow, serial)));
    }

    fn open_selected(&self) -> Vec<Cmd> {
        let target = match self.focus {
            Focus::Keys => self
                .plugged
                .get(self.key_sel)
                .map(|k| Target::Key(k.serial)),
            Focus::Hits | Focus::Search => {
                self.hits.get(self.selected).and_then(|h| match h.kind {
                    HitKind::Staff => Some(Target::Staff(h.ref_id)),
                    HitKind::Notebook => Some(Target::Notebook(h.ref_id)),
                    HitKind::Key => u32::try_from(h.ref_id).ok().map(Target::Key),
                })
            }
        };
        target.map(Cmd::Open).into_iter().collect()
    }

    fn on_home_key(&mut self, key: KeyEvent) -> Vec<Cmd> {
        match (self.focus, key.code) {
            (_, KeyCode::Tab) => {
                self.focus = match self.focus {
                    Focus::Search if !self.plugged.is_empty() => Focus::Keys,
                    Focus::Search | Focus::Keys if !self.hits.is_empty() => Focus::Hits,
                    _ => Focus::Search,
                };
                Vec::new()
            }
            (_, KeyCode::Enter) => self.open_selected(),
            (_, KeyCode::F(7)) if self.demo => self
                .selected_serial()
                .map(Cmd::Replug)
                .into_iter()
                .collect(),
            (Focus::Keys, KeyCode::Up) => {
                self.key_sel = self.key_sel.saturating_sub(1);
                Vec::new()
            }
            (Focus::Keys, KeyCode::Down) => {
                if self.key_sel + 1 < self.plugged.len() {
                    self.key_sel += 1;
                }
                Vec::new()
            }
            (Focus::Hits, KeyCode::Up) if self.selected == 0 => {
                self.focus = Focus::Search;
                Vec::new()
            }
            (Focus::Search | Focus::Hits, KeyCode::Up) => {
                self.selected = self.selected.saturating_sub(1);
                Vec::new()
            }
            (Focus::Search, KeyCode::Down) if !self.hits.is_empty() => {
                self.focus = Focus::Hits;
                Vec::new()
            }
            (Focus::Hits, KeyCode::Down) => {
                if self.selected + 1 < self.hits.len() {
                    self.selected += 1;
                }
                Vec::new()
            }
            (Focus::Keys | Focus::Hits, KeyCode::Char(c)) if Flow::from_letter(c).is_some() => {
                if let (Some(flow), Some(serial)) = (Flow::from_letter(c), self.selected_serial()) {
                    self.start(flow, serial);
                }
                Vec::new()
            }
            (Focus::Keys | Focus::Hits, KeyCode::Esc) => {
                self.focus = Focus::Search;
                Vec::new()
            }
            (_, KeyCode::Esc) => self.set_query(String::new()),
            (_, KeyCode::Backspace) => {
                self.focus = Focus::Search;
                let mut q = self.query.clone();
                q.pop();
                self.set_query(q)
            }
            (_, KeyCode::Char(c)) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                self.focus = Focus::Search;
                let mut q = self.query.clone();
                q.push(c);
                self.set_query(q)
            }
            _ => Vec::new(),
        }
    }

    fn set_query(&mut self, query: String) -> Vec<Cmd> {
        if query == self.query {
            return Vec::new();
        }
        self.query = query;
        self.selected = 0;
        if self.query.trim().is_empty() {
            self.hits.clear();
            Vec::new()
        } else {
            vec![Cmd::Search(self.query.clone())]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::model::{KeyState, Unfinished, Verified};

    fn key(code: KeyCode) -> Msg {
        Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn hit(kind: HitKind, id: i64, label: &str) -> Hit {
        Hit {
            kind,
            ref_id: id,
            label: label.into(),
        }
    }

    fn row(serial: u32) -> KeyRow {
        KeyRow {
            serial,
            model: "YubiKey 5 NFC".into(),
            firmware: "5.7.1".into(),
            state: Some(KeyState::InStock),
            holder: None,
        }
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
            app.hits.is_empty(),
            "results for an old query must not show"
        );
        app.update(Msg::SearchResults {
            query: "mu".into(),
            hits: vec![
                hit(HitKind::Staff, 1, "Müller"),
                hit(HitKind::Staff, 2, "Mußmann"),
            ],
        });
        assert_eq!(app.hits.len(), 2);
        app.update(key(KeyCode::Down));
        assert_eq!(app.focus, Focus::Hits);
        app.update(key(KeyCode::Down));
        app.update(key(KeyCode::Down));
        assert_eq!(app.selected, 1, "selection stops at the last hit");
        assert_eq!(
            app.update(key(KeyCode::Enter)),
            vec![Cmd::Open(Target::Staff(2))]
        );
        app.update(key(KeyCode::Esc));
        assert_eq!(app.update(key(KeyCode::Esc)), Vec::<Cmd>::new());
        assert!(app.query.is_empty() && app.hits.is_empty());
    }

    #[test]
    fn letters_on_a_selected_key_start_wizards_and_otherwise_search() {
        let mut app = App::new(Lang::De, true);
        app.update(Msg::Plugged(vec![row(23_456_780), row(23_456_781)]));
        assert_eq!(
            app.update(key(KeyCode::Char('e'))),
            vec![Cmd::Search("e".into())]
        );
        assert!(
            app.wizard.is_none(),
            "in the search box a letter is a letter"
        );
        app.update(key(KeyCode::Esc));
        app.update(key(KeyCode::Tab));
        assert_eq!(app.focus, Focus::Keys);
        app.update(key(KeyCode::Down));
        assert_eq!(
            app.update(key(KeyCode::F(7))),
            vec![Cmd::Replug(23_456_781)]
        );
        assert_eq!(
            app.update(key(KeyCode::Enter)),
            vec![Cmd::Open(Target::Key(23_456_781))]
        );
        app.update(key(KeyCode::Char('V')));
        let w = app.wizard.as_ref().expect("revoke wizard");
        assert_eq!((w.flow, w.serial), (Flow::Revoke, 23_456_781));
        app.update(key(KeyCode::Esc));
        assert!(
            app.wizard.is_none(),
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
        assert!(app.wizard.is_none());
        app.update(key(KeyCode::Down));
        app.update(key(KeyCode::Char('l')));
        assert_eq!(
            app.wizard.as_ref().map(|w| (w.flow, w.serial)),
            Some((Flow::Lost, 18_000_042))
        );
    }

    #[test]
    fn wizard_results_route_to_the_wizard_and_detail_letters_start_one() {
        let mut app = App::new(Lang::En, true);
        app.update(Msg::Detail(DetailView {
            kind: HitKind::Key,
            serial: Some(23_456_780),
            title: "23456780".into(),
            state: None,
            facts: vec![],
            history: vec![],
        }));
        app.update(key(KeyCode::Char('e')));
        assert!(app.detail.is_none());
        assert_eq!(
            app.update(key(KeyCode::Char('m'))),
            vec![Cmd::Search("m".into())]
        );
        app.update(Msg::SearchResults {
            query: "m".into(),
            hits: vec![hit(HitKind::Staff, 1, "Müller")],
        });
        assert!(app.hits.is_empty(), "home search untouched");
        assert_eq!(app.wizard.as_ref().map(|w| w.hits.len()), Some(1));
    }

    #[test]
    fn unfinished_work_is_shown_first_and_audit_opens_with_f3() {
        let mut app = App::new(Lang::En, false);
        app.update(Msg::Unfinished(vec![Unfinished {
            serial: Some(1),
            workflow: "reset".into(),
            step: "fido.reset".into(),
            since: "x".into(),
        }]));
        assert!(app.update(key(KeyCode::F(3))).is_empty());
        assert!(app.audit.is_none(), "recovery comes first");
        assert_eq!(app.update(key(KeyCode::Enter)), vec![Cmd::Recover]);
        app.update(Msg::Recovered(vec![]));
        app.update(key(KeyCode::Esc));
        assert!(app.recovery.is_none());
        app.update(key(KeyCode::F(3)));
        assert_eq!(app.update(key(KeyCode::Enter)), vec![Cmd::Verify]);
        app.update(Msg::Verified(Ok(Verified {
            events: 7,
            anchor: Some(format!("7:{}", "ab".repeat(32))),
            at: "2026-11-23T09:00:00Z".into(),
        })));
        assert_eq!(app.audit.as_ref().map(|a| a.busy), Some(false));
        let last = app.audit.as_ref().and_then(|a| a.log.last().cloned());
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
        assert!(!app.help && app.query.is_empty());
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
}
