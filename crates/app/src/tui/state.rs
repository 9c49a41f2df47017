//! The TUI's state and its update function: messages in, state changed,
//! commands out. No I/O here; commands are run by the worker (see `runtime`).
//!
//! The screens are on a [`Stack`]: home at the bottom, what was opened from
//! it above (a detail view, the audit screen, the bulk reset, a wizard), the
//! recovery screen on top when the journal holds unfinished work. Keys go to
//! the top screen after the app's own (quit, help, language, demo plugging,
//! F3/F4 where the top screen takes them); a worker answer goes to the
//! topmost screen that wants it, or to every one for the plugged keys, the
//! clock, touch prompts and failures.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::audit::Audit;
use super::bulk::Bulk;
use super::home::Home;
use super::model::{Cmd, KeyRow, Msg, Policy};
use super::problem::Problem;
use super::recovery::Recovery;
use super::screen::{for_every_screen, Ctx, FKeys, Outcome, Screen};
use super::stack::Stack;
use crate::i18n::Lang;

/// The whole state of the TUI.
#[derive(Debug)]
pub struct App {
    pub lang: Lang,
    /// The local offset for times on screen, read once at start-up (before
    /// the worker thread exists); tests set UTC.
    pub offset: time::UtcOffset,
    pub demo: bool,
    pub policy: Policy,
    pub plugged: Vec<KeyRow>,
    pub stack: Stack,
    pub error: Option<Problem>,
    pub help: bool,
    pub quit: bool,
    /// The site this counter works for and the profile in force (shown in
    /// the header); `None` before a desk is open.
    pub counter: Option<keydesk_core::CounterStatus>,
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
            stack: Stack::new(Home::new()),
            error: None,
            help: false,
            quit: false,
            counter: None,
        }
    }

    /// What every screen reads besides itself.
    #[must_use]
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            lang: self.lang,
            offset: self.offset,
            plugged: &self.plugged,
            policy: self.policy,
            demo: self.demo,
        }
    }

    /// The context and the stack, borrowed apart.
    fn parts(&mut self) -> (Ctx<'_>, &mut Stack) {
        let ctx = Ctx {
            lang: self.lang,
            offset: self.offset,
            plugged: &self.plugged,
            policy: self.policy,
            demo: self.demo,
        };
        (ctx, &mut self.stack)
    }

    #[must_use]
    pub fn home(&self) -> &Home {
        self.stack.home()
    }

    pub fn home_mut(&mut self) -> &mut Home {
        self.stack.home_mut()
    }

    /// The topmost screen of type `T`, if one is open.
    #[must_use]
    pub fn screen<T: Screen>(&self) -> Option<&T> {
        self.stack.find()
    }

    /// The topmost screen of type `T`, to change.
    pub fn screen_mut<T: Screen>(&mut self) -> Option<&mut T> {
        self.stack.find_mut()
    }

    /// Open `screen` on top; the commands it starts with.
    pub fn open(&mut self, screen: Box<dyn Screen>) -> Vec<Cmd> {
        let top = self.stack.len() - 1;
        self.apply(top, Outcome::Push(screen))
    }

    /// Carry out what the screen at `i` asked for; the commands for the worker.
    fn apply(&mut self, i: usize, outcome: Outcome) -> Vec<Cmd> {
        let opened = match outcome {
            Outcome::Stay(cmds) => return cmds,
            Outcome::Close(cmds) => {
                // Dropping a wizard wipes a PIN letter still held.
                self.stack.remove(i);
                return cmds;
            }
            Outcome::Tell(problem) => {
                self.error = Some(problem);
                return Vec::new();
            }
            Outcome::Push(screen) => {
                self.stack.insert(i + 1, screen);
                i + 1
            }
            Outcome::Swap(screen) => self.stack.replace(i, screen),
        };
        let (ctx, stack) = self.parts();
        stack
            .get_mut(opened)
            .map_or_else(Vec::new, |s| s.opened(&ctx))
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
            Msg::Unfinished(entries) => {
                if entries.is_empty() {
                    return Vec::new();
                }
                // On top of everything: unfinished work comes first.
                self.open(Box::new(Recovery::new(entries)))
            }
            Msg::Plugged(rows) => {
                self.plugged.clone_from(&rows);
                self.route(&Msg::Plugged(rows))
            }
            Msg::Failed(problem) => {
                let cmds = self.route(&Msg::Failed(problem.clone()));
                self.error = Some(problem);
                cmds
            }
            msg => {
                let (cmds, taken) = self.deliver(&msg);
                if let (Msg::WizardFailed(problem), false) = (msg, taken) {
                    // No wizard to show it: the footer does.
                    self.error = Some(problem);
                }
                cmds
            }
        }
    }

    fn route(&mut self, msg: &Msg) -> Vec<Cmd> {
        self.deliver(msg).0
    }

    /// Hand `msg` to the screens that want it, top down: to every one of
    /// them, or to the first only. The commands, and whether any took it.
    fn deliver(&mut self, msg: &Msg) -> (Vec<Cmd>, bool) {
        let every = for_every_screen(msg);
        let mut cmds = Vec::new();
        let mut taken = false;
        // Top down; a screen closing or opening one above itself leaves the
        // positions below it as they were.
        for i in (0..self.stack.len()).rev() {
            let (ctx, stack) = self.parts();
            let Some(screen) = stack.get_mut(i) else {
                continue;
            };
            if !screen.wants(msg) {
                continue;
            }
            let outcome = screen.on_msg(msg, &ctx);
            cmds.extend(self.apply(i, outcome));
            taken = true;
            if !every {
                break;
            }
        }
        (cmds, taken)
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
        let top = self.stack.len() - 1;
        let tools = self.stack.top().fkeys() == FKeys::All;
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
            KeyCode::F(3) if tools => {
                return self.apply(top, Outcome::Push(Box::new(Audit::new())))
            }
            KeyCode::F(4) if tools => return self.apply(top, Outcome::Push(Box::new(Bulk::new()))),
            _ => {}
        }
        let (ctx, stack) = self.parts();
        let outcome = match stack.get_mut(top) {
            Some(screen) => screen.on_key(key, &ctx),
            None => Outcome::stay(),
        };
        self.apply(top, outcome)
    }
}

#[cfg(test)]
mod tests;
