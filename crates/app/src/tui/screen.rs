//! What every screen of the TUI is (home, detail, wizard, audit, bulk reset,
//! recovery): one [`Screen`] trait, what a key or a message does to the
//! screen stack ([`Outcome`]) and what a screen reads besides its own state
//! ([`Ctx`]). Modelled on gitui's component trait and popup stack: the app
//! keeps the screens on a stack, gives keys to the top one and messages to
//! the ones that want them, and draws the top one.

use std::any::Any;
use std::fmt::Debug;

use crossterm::event::KeyEvent;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::model::{Cmd, KeyRow, Msg, Policy};
use super::problem::Problem;
use crate::i18n::{Lang, Text};

/// What a screen reads besides its own state: owned by the app, the same
/// for every screen.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub lang: Lang,
    /// The local offset for stored (UTC) times on screen.
    pub offset: time::UtcOffset,
    /// The keys plugged in now.
    pub plugged: &'a [KeyRow],
    pub policy: Policy,
    pub demo: bool,
}

#[cfg(test)]
impl<'a> Ctx<'a> {
    /// English, UTC, the default policy, the demo, with `plugged` plugged in.
    pub fn test(plugged: &'a [KeyRow]) -> Self {
        Self {
            lang: Lang::En,
            offset: time::UtcOffset::UTC,
            plugged,
            policy: Policy::default(),
            demo: true,
        }
    }
}

/// What a key or a message did, for the stack and the worker.
#[derive(Debug)]
pub enum Outcome {
    /// Stay on this screen; send these commands to the worker.
    Stay(Vec<Cmd>),
    /// Leave this screen (it is dropped, wiping what it held); send these
    /// commands to the worker.
    Close(Vec<Cmd>),
    /// Open another screen just above this one.
    Push(Box<dyn Screen>),
    /// Leave this screen for another in its place (a detail view starting
    /// a wizard).
    Swap(Box<dyn Screen>),
    /// Stay, and show this problem in the footer (it says what to do).
    Tell(Problem),
}

impl Outcome {
    /// Nothing happens.
    #[must_use]
    pub fn stay() -> Self {
        Self::Stay(Vec::new())
    }

    /// The screen closes, sending nothing.
    #[must_use]
    pub fn close() -> Self {
        Self::Close(Vec::new())
    }

    /// The commands for the worker (none when a screen opens or a problem shows).
    #[must_use]
    pub fn cmds(&self) -> &[Cmd] {
        match self {
            Self::Stay(cmds) | Self::Close(cmds) => cmds,
            Self::Push(_) | Self::Swap(_) | Self::Tell(_) => &[],
        }
    }

    /// Whether the screen closes.
    #[must_use]
    pub fn closes(&self) -> bool {
        matches!(self, Self::Close(_) | Self::Swap(_))
    }
}

impl From<Vec<Cmd>> for Outcome {
    fn from(cmds: Vec<Cmd>) -> Self {
        Self::Stay(cmds)
    }
}

/// Which of the app's function keys work while a screen is on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FKeys {
    /// F1 help, F2 language and, in the demo, F5/F6 plug and unplug.
    Common,
    /// Those, and F3 (audit) and F4 (bulk reset): the screens between jobs.
    All,
}

/// Lets the stack find a screen of a known type (tests, and the app's view
/// of the home screen) without each screen writing it out.
pub trait AsAny: Any {
    fn as_any(&self) -> &dyn Any;
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

impl<T: Any> AsAny for T {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// One screen on the stack.
pub trait Screen: AsAny + Debug {
    /// A key press (never a release), while this screen is on top.
    fn on_key(&mut self, key: KeyEvent, ctx: &Ctx<'_>) -> Outcome;

    /// Whether this screen takes `msg` (a worker answer or the clock). The
    /// keys plugged in, the clock, touch prompts and failures go to every
    /// screen that wants them; any other message to the topmost one only.
    fn wants(&self, msg: &Msg) -> bool {
        let _ = msg;
        false
    }

    /// A message this screen [wants](Screen::wants).
    fn on_msg(&mut self, msg: &Msg, ctx: &Ctx<'_>) -> Outcome {
        let _ = (msg, ctx);
        Outcome::stay()
    }

    /// The screen was put on the stack: the commands it starts with.
    fn opened(&mut self, ctx: &Ctx<'_>) -> Vec<Cmd> {
        let _ = ctx;
        Vec::new()
    }

    /// Draw into `area`. Pure: reads the state only.
    fn render(&self, ctx: &Ctx<'_>, area: Rect, buf: &mut Buffer);

    /// The two footer lines of keys while this screen is on top.
    fn footer(&self, ctx: &Ctx<'_>) -> [Option<Text>; 2];

    /// Which function keys the app handles while this screen is on top.
    fn fkeys(&self) -> FKeys {
        FKeys::Common
    }

    /// Whether the screen fills its area, so that the ones beneath need not
    /// be drawn (a screen that does not is drawn over them).
    fn covers(&self) -> bool {
        true
    }
}

/// Whether `msg` goes to every screen that wants it, not only the topmost.
#[must_use]
pub fn for_every_screen(msg: &Msg) -> bool {
    matches!(
        msg,
        Msg::Plugged(_) | Msg::Tick(_) | Msg::Touch { .. } | Msg::Failed(_)
    )
}
