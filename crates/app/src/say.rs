//! The terminal (the CLI, and the TUI before and after its screen) speaks
//! from the same catalogue as the screen
//! (`crate::i18n`): German under a German locale, English otherwise. An
//! error is printed as what happened, then on its own line what to do next
//! (in the command line's terms). `--json` output stays language-neutral:
//! English texts and stable fields.

use std::io;
use std::path::Path;

use keydesk_core::CoreError;

use crate::i18n::{Face, Lang, Text};
use crate::tui::problem::{plain, FileOp, Part, Problem};

/// A refusal of the CLI itself, with its exit code, in the catalogue's words.
#[derive(Debug)]
pub(crate) struct Refusal {
    pub code: u8,
    pub problem: Problem,
    /// The command printed its own document already (`--json`): print nothing more.
    pub quiet: bool,
}

impl Refusal {
    /// Refuse with exit code `code`: `text` with `parts`.
    pub(crate) fn new(code: u8, text: Text, parts: Vec<Part>) -> Self {
        Self {
            code,
            problem: Problem::new(text, parts),
            quiet: false,
        }
    }

    /// The same, printing nothing more (the command printed its JSON already).
    #[must_use]
    pub(crate) fn quiet(mut self, quiet: bool) -> Self {
        self.quiet = quiet;
        self
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Language-neutral (scripts, --json): English.
        f.write_str(&self.problem.show_one_line(Lang::En))
    }
}

impl std::error::Error for Refusal {}

/// What the CLI was doing when the error under it happened: said before
/// that error, in the catalogue's words.
#[derive(Debug)]
pub(crate) struct Doing {
    what: Problem,
    source: anyhow::Error,
}

impl std::fmt::Display for Doing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.what.show_one_line(Lang::En))
    }
}

impl std::error::Error for Doing {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// A file the CLI could not read or write: which, why, what to do.
#[derive(Debug)]
pub(crate) struct FileFailed(pub Problem);

impl std::fmt::Display for FileFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0.show_one_line(Lang::En))
    }
}

impl std::error::Error for FileFailed {}

/// `map_err` for a file operation on `path`.
pub(crate) fn file(op: FileOp, path: &Path) -> impl FnOnce(io::Error) -> anyhow::Error + '_ {
    move |e| FileFailed(Problem::file(op, &path.display().to_string(), &e)).into()
}

/// `map_err` for opening the inventory at `path`.
pub(crate) fn opening_inventory(
    at: &keydesk_core::DbLocation,
) -> impl FnOnce(CoreError) -> anyhow::Error + '_ {
    move |e| {
        Doing {
            what: Problem::new(Text::CliOpenInventory, vec![plain(at)]),
            source: e.into(),
        }
        .into()
    }
}

/// `source`, said after what the CLI was doing: `text` with `parts`.
pub(crate) fn doing(text: Text, parts: Vec<Part>, source: anyhow::Error) -> anyhow::Error {
    Doing {
        what: Problem::new(text, parts),
        source,
    }
    .into()
}

/// An error as the technician reads it on the terminal: what happened
/// (with what the CLI was doing first), and what to do next on a line of
/// its own.
pub(crate) fn error_text(err: &anyhow::Error, lang: Lang) -> String {
    let mut what: Vec<String> = Vec::new();
    let mut next = None;
    for e in err.chain() {
        let problem = if let Some(d) = e.downcast_ref::<Doing>() {
            what.push(d.what.split(lang, Face::Cli).0);
            continue;
        } else if let Some(r) = e.downcast_ref::<Refusal>() {
            r.problem.clone()
        } else if let Some(f) = e.downcast_ref::<FileFailed>() {
            f.0.clone()
        } else if let Some(c) = e.downcast_ref::<CoreError>() {
            Problem::from_core(c)
        } else {
            // Words the catalogue does not hold (an operating system
            // message under a context, a parser's detail): as they are.
            what.push(e.to_string());
            continue;
        };
        let (w, n) = problem.split(lang, Face::Cli);
        what.push(w);
        next = n;
        break;
    }
    let mut text = format!("keydesk: {}", what.join(": "));
    if let Some(n) = next {
        text.push_str(&format!("\n  {}: {n}", lang.t(Text::CliNext)));
    }
    text
}
