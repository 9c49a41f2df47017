//! The home screen, at the bottom of the stack: the keys plugged in right
//! now and search as you type over staff, notebooks and serials. Letters on
//! a chosen key (Alt+letter anywhere, the search box too) start wizards,
//! Enter opens the details of what the cursor is on.

mod view;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::choice::Choice;
use super::detail::Detail;
use super::model::{Cmd, Hit, HitKind, Msg, Serial, Target};
use super::problem::Problem;
use super::screen::{Ctx, FKeys, Outcome, Screen};
use super::wizard::{Flow, Wizard};
use crate::i18n::Text;

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

/// State of the home screen (the plugged keys are the app's, in [`Ctx`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Home {
    /// The cursor in the keys panel (an index into the plugged keys).
    pub key_sel: usize,
    pub query: String,
    /// The hits for `query` and the one under the cursor.
    pub hits: Choice<Hit>,
    pub focus: Focus,
}

impl Default for Home {
    fn default() -> Self {
        Self::new()
    }
}

impl Home {
    #[must_use]
    pub fn new() -> Self {
        Self {
            key_sel: 0,
            query: String::new(),
            hits: Choice::default(),
            focus: Focus::Search,
        }
    }

    /// The key serial the cursor is on (plugged key or key hit), if any.
    #[must_use]
    pub fn selected_serial(&self, ctx: &Ctx<'_>) -> Option<Serial> {
        match self.focus {
            Focus::Keys => ctx.plugged.get(self.key_sel).map(|k| k.serial),
            Focus::Hits => self.hits.selected().and_then(Hit::key_serial),
            Focus::Search => None,
        }
    }

    fn open_selected(&self, ctx: &Ctx<'_>) -> Vec<Cmd> {
        let target = match self.focus {
            Focus::Keys => ctx.plugged.get(self.key_sel).map(|k| Target::Key(k.serial)),
            Focus::Hits | Focus::Search => self.hits.selected().and_then(|h| match h.kind {
                HitKind::Staff => Some(Target::Staff(h.ref_id)),
                HitKind::Notebook => Some(Target::Notebook(h.ref_id)),
                HitKind::Key => h.key_serial().map(Target::Key),
            }),
        };
        target.map(Cmd::Open).into_iter().collect()
    }

    /// The key an action started from the home screen works on: the one
    /// under the cursor in the keys or hits panel; with the search box
    /// focused, the one key plugged in. Several plugged keys and no choice
    /// made, or none at all, is a message that says what to do: never a guess.
    fn action_target(&self, ctx: &Ctx<'_>) -> Result<Serial, Problem> {
        if self.focus != Focus::Search {
            return self
                .selected_serial(ctx)
                .ok_or_else(|| Problem::new(Text::ErrNoKeyChosen, vec![]));
        }
        match ctx.plugged {
            [one] => Ok(one.serial),
            [] => Err(Problem::new(Text::ErrNoKeyPlugged, vec![])),
            _ => Err(Problem::new(Text::ErrSeveralKeysChoose, vec![])),
        }
    }

    fn set_query(&mut self, query: String) -> Vec<Cmd> {
        if query == self.query {
            return Vec::new();
        }
        self.query = query;
        self.hits.first();
        if self.query.trim().is_empty() {
            self.hits.clear();
            Vec::new()
        } else {
            vec![Cmd::Search(self.query.clone())]
        }
    }

    /// Up, Down and Tab between and within the panels.
    fn on_move_key(&mut self, code: KeyCode, ctx: &Ctx<'_>) {
        match (self.focus, code) {
            (_, KeyCode::Tab) => {
                self.focus = match self.focus {
                    Focus::Search if !ctx.plugged.is_empty() => Focus::Keys,
                    Focus::Search | Focus::Keys if !self.hits.is_empty() => Focus::Hits,
                    _ => Focus::Search,
                };
            }
            (Focus::Keys, KeyCode::Up) => self.key_sel = self.key_sel.saturating_sub(1),
            (Focus::Keys, KeyCode::Down) if self.key_sel + 1 < ctx.plugged.len() => {
                self.key_sel += 1;
            }
            (Focus::Hits, KeyCode::Up) if self.hits.index() == 0 => self.focus = Focus::Search,
            (Focus::Search | Focus::Hits, KeyCode::Up) => self.hits.up(),
            (Focus::Search, KeyCode::Down) if !self.hits.is_empty() => self.focus = Focus::Hits,
            (Focus::Hits, KeyCode::Down) => self.hits.down(),
            _ => {}
        }
    }
}

fn start(flow: Flow, serial: Serial) -> Outcome {
    Outcome::Push(Box::new(Wizard::new(flow, serial)))
}

impl Screen for Home {
    fn on_key(&mut self, key: KeyEvent, ctx: &Ctx<'_>) -> Outcome {
        // Alt+letter starts an action wherever the cursor is, the search box too.
        if key.modifiers.contains(KeyModifiers::ALT) {
            if let KeyCode::Char(c) = key.code {
                if let Some(flow) = Flow::from_letter(c) {
                    return match self.action_target(ctx) {
                        Ok(serial) => start(flow, serial),
                        Err(p) => Outcome::Tell(p),
                    };
                }
            }
        }
        match (self.focus, key.code) {
            (_, KeyCode::Tab | KeyCode::Up | KeyCode::Down) => {
                self.on_move_key(key.code, ctx);
                Outcome::stay()
            }
            (_, KeyCode::Enter) => self.open_selected(ctx).into(),
            (_, KeyCode::F(7)) if ctx.demo => self
                .selected_serial(ctx)
                .map(Cmd::Replug)
                .into_iter()
                .collect::<Vec<_>>()
                .into(),
            (Focus::Keys | Focus::Hits, KeyCode::Char(c)) if Flow::from_letter(c).is_some() => {
                match (Flow::from_letter(c), self.selected_serial(ctx)) {
                    (Some(flow), Some(serial)) => start(flow, serial),
                    _ => Outcome::stay(),
                }
            }
            (Focus::Keys | Focus::Hits, KeyCode::Esc) => {
                self.focus = Focus::Search;
                Outcome::stay()
            }
            (_, KeyCode::Esc) => self.set_query(String::new()).into(),
            (_, KeyCode::Backspace) => {
                self.focus = Focus::Search;
                let mut q = self.query.clone();
                q.pop();
                self.set_query(q).into()
            }
            (_, KeyCode::Char(c))
                if !key
                    .modifiers
                    .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT) =>
            {
                self.focus = Focus::Search;
                let mut q = self.query.clone();
                q.push(c);
                self.set_query(q).into()
            }
            _ => Outcome::stay(),
        }
    }

    fn wants(&self, msg: &Msg) -> bool {
        match msg {
            Msg::Plugged(_) | Msg::Detail(_) => true,
            // Stale results (for a query no longer typed) are dropped.
            Msg::SearchResults { query, .. } => *query == self.query,
            _ => false,
        }
    }

    fn on_msg(&mut self, msg: &Msg, _ctx: &Ctx<'_>) -> Outcome {
        match msg {
            Msg::Plugged(rows) => {
                self.key_sel = self.key_sel.min(rows.len().saturating_sub(1));
                Outcome::stay()
            }
            Msg::SearchResults { hits, .. } => {
                self.hits.set(hits.clone());
                Outcome::stay()
            }
            Msg::Detail(d) => Outcome::Push(Box::new(Detail::new(d.clone()))),
            _ => Outcome::stay(),
        }
    }

    fn render(&self, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer) {
        view::render(self, ctx, area, buf);
    }

    fn footer(&self, _ctx: &Ctx<'_>) -> [Option<Text>; 2] {
        // In the search box letters type: there the actions are Alt+letter.
        let actions = if self.focus == Focus::Search {
            Text::FooterActionsAlt
        } else {
            Text::FooterActions
        };
        [Some(actions), Some(Text::FooterHome)]
    }

    fn fkeys(&self) -> FKeys {
        FKeys::All
    }
}

#[cfg(test)]
mod tests;
