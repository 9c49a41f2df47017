//! The TUI's state and its update function: messages in, state changed,
//! commands out. No I/O here; commands are run by the worker (see `worker`).

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::i18n::{Lang, Text};

/// Where a key is in its life, as far as the screen needs to know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvState {
    InStock,
    Issued,
    Suspended,
    Lost,
    Revoked,
    Returned,
    Reset,
    Retired,
    /// Plugged in but not in the inventory.
    Unknown,
}

impl InvState {
    /// The text naming this state.
    #[must_use]
    pub fn text(self) -> Text {
        match self {
            Self::InStock => Text::StateInStock,
            Self::Issued => Text::StateIssued,
            Self::Suspended => Text::StateSuspended,
            Self::Lost => Text::StateLost,
            Self::Revoked => Text::StateRevoked,
            Self::Returned => Text::StateReturned,
            Self::Reset => Text::StateReset,
            Self::Retired => Text::StateRetired,
            Self::Unknown => Text::StateUnknown,
        }
    }
}

/// One key plugged in now, joined with what the inventory knows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRow {
    pub serial: String,
    pub model: String,
    pub firmware: String,
    pub state: InvState,
    pub holder: Option<String>,
}

/// What a search hit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HitKind {
    Staff,
    Notebook,
    Key,
}

/// One search result line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub kind: HitKind,
    /// Staff/notebook row id or key serial, for opening the detail view.
    pub ref_id: i64,
    pub label: String,
}

/// Messages into the update function: user input and answers from the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    /// The keys plugged in now (after any plug or unplug).
    Plugged(Vec<KeyRow>),
    /// Results for a query; stale ones (query no longer current) are dropped.
    SearchResults {
        query: String,
        hits: Vec<Hit>,
    },
    /// Something failed; the text already says what to do.
    Failed(String),
}

/// Work for the worker thread.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cmd {
    Search(String),
    /// Demo: plug in another virtual key.
    PlugVirtual,
    /// Demo: unplug the last plugged virtual key.
    UnplugVirtual,
}

/// The whole state of the TUI.
#[derive(Debug, Clone)]
pub struct App {
    pub lang: Lang,
    pub demo: bool,
    pub plugged: Vec<KeyRow>,
    pub query: String,
    pub hits: Vec<Hit>,
    pub selected: usize,
    pub error: Option<String>,
    pub help: bool,
    pub quit: bool,
}

impl App {
    #[must_use]
    pub fn new(lang: Lang, demo: bool) -> Self {
        Self {
            lang,
            demo,
            plugged: Vec::new(),
            query: String::new(),
            hits: Vec::new(),
            selected: 0,
            error: None,
            help: false,
            quit: false,
        }
    }

    /// Apply one message; return the commands it asks for.
    pub fn update(&mut self, msg: Msg) -> Vec<Cmd> {
        match msg {
            Msg::Key(key) if key.kind != KeyEventKind::Release => self.on_key(key),
            Msg::Key(_) => Vec::new(),
            Msg::Plugged(rows) => {
                self.plugged = rows;
                Vec::new()
            }
            Msg::SearchResults { query, hits } => {
                if query == self.query {
                    self.hits = hits;
                    self.selected = self.selected.min(self.hits.len().saturating_sub(1));
                }
                Vec::new()
            }
            Msg::Failed(text) => {
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
                Vec::new()
            }
            KeyCode::F(2) => {
                self.lang = self.lang.toggled();
                Vec::new()
            }
            KeyCode::F(5) if self.demo => vec![Cmd::PlugVirtual],
            KeyCode::F(6) if self.demo => vec![Cmd::UnplugVirtual],
            KeyCode::Up => {
                self.selected = self.selected.saturating_sub(1);
                Vec::new()
            }
            KeyCode::Down => {
                if self.selected + 1 < self.hits.len() {
                    self.selected += 1;
                }
                Vec::new()
            }
            KeyCode::Esc => self.set_query(String::new()),
            KeyCode::Backspace => {
                let mut q = self.query.clone();
                q.pop();
                self.set_query(q)
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
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

    fn key(code: KeyCode) -> Msg {
        Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
    }

    fn hit(label: &str) -> Hit {
        Hit {
            kind: HitKind::Staff,
            ref_id: 1,
            label: label.into(),
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
            hits: vec![hit("stale")],
        });
        assert!(
            app.hits.is_empty(),
            "results for an old query must not show"
        );
        app.update(Msg::SearchResults {
            query: "mu".into(),
            hits: vec![hit("Müller"), hit("Mußmann")],
        });
        assert_eq!(app.hits.len(), 2);
        app.update(key(KeyCode::Down));
        app.update(key(KeyCode::Down));
        assert_eq!(app.selected, 1, "selection stops at the last hit");
        assert_eq!(app.update(key(KeyCode::Esc)), Vec::<Cmd>::new());
        assert!(app.query.is_empty() && app.hits.is_empty());
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
