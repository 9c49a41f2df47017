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
mod tests {
    use super::*;
    use crate::i18n::Text;
    use crate::tui::detail::Detail;
    use crate::tui::home::Focus;
    use crate::tui::model::{DetailView, Hit, HitKind, InvState, Target, Unfinished, Verified};
    use crate::tui::wizard::{Flow, Wizard};

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
            state: InvState::InStock,
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
        app.update(Msg::Plugged(vec![row(23_456_780), row(23_456_781)]));
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
            vec![Cmd::Replug(23_456_781)]
        );
        assert_eq!(
            app.update(key(KeyCode::Enter)),
            vec![Cmd::Open(Target::Key(23_456_781))]
        );
        app.update(key(KeyCode::Char('V')));
        let w = app.screen::<Wizard>().expect("revoke wizard");
        assert_eq!((w.flow, w.serial), (Flow::Revoke, 23_456_781));
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
        assert_eq!(wizard(&app), Some((Flow::Lost, 18_000_042)));
    }

    fn alt(c: char) -> Msg {
        Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT))
    }

    /// The open wizard's workflow and key.
    fn wizard(app: &App) -> Option<(Flow, u32)> {
        app.screen::<Wizard>().map(|w| (w.flow, w.serial))
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
        app.update(Msg::Plugged(vec![row(23_456_780)]));
        app.update(alt('E'));
        assert_eq!(wizard(&app), Some((Flow::Enrol, 23_456_780)));
        assert_eq!(app.home().query, "m");
        app.update(key(KeyCode::Esc));
        // Two keys and none chosen: never a guess.
        app.update(Msg::Plugged(vec![row(23_456_780), row(23_456_781)]));
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
        assert_eq!(wizard(&app), Some((Flow::Reset, 23_456_781)));
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
            serial: Some(1),
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
}
