//! Errors as the technician reads them: every core, device and store error,
//! every file error, every line of a recovery's account and the TUI's own
//! refusals map to texts of the i18n table, German or English, switchable
//! while shown. A [`Problem`] holds the text's name and the values for its
//! slots, not a finished sentence, so that F2 translates an error already
//! on screen.
//!
//! Details only the error itself knows (the operating system's message, a
//! device's status word, the line number and values of an import file)
//! are kept as they are, inside a translated sentence that says what to do
//! next.

mod account;
#[cfg(test)]
mod account_tests;
mod device;
mod device_detail;
#[cfg(test)]
mod device_detail_tests;
#[cfg(test)]
mod file_tests;
mod import;
#[cfg(test)]
mod import_tests;
mod store;
#[cfg(test)]
mod tests;

use std::io;

use keydesk_core::error::StoreError;
use keydesk_core::error::{Done, Next};
use keydesk_core::{CoreError, RevokeReason};

use crate::i18n::{Face, Lang, Text};

/// One value put into a text's `{}` slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A value shown as it is (a serial, a path, an error's detail).
    Plain(String),
    /// A word from the table (a key state), shown in the screen's language.
    Word(Text),
    /// Other problems, one after another on the same line.
    Sentences(Vec<Problem>),
    /// Other problems, one per line.
    Lines(Vec<Problem>),
}

/// An error (or a note) to show. There is no variant for untranslated text:
/// whatever reaches the screen names a text of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A table text whose `{}` slots take the parts in order.
    Known(Text, Vec<Part>),
}

/// What was being done with a file when it failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileOp {
    Read,
    Write,
}

pub(crate) fn plain(x: impl ToString) -> Part {
    Part::Plain(x.to_string())
}

impl From<CoreError> for Problem {
    fn from(e: CoreError) -> Self {
        Self::from_core(&e)
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Self {
        Self::from_store(&e)
    }
}

/// Tests only: some error whose words do not matter to the test.
#[cfg(test)]
impl From<&str> for Problem {
    fn from(detail: &str) -> Self {
        Self::new(Text::ErrUnexpected, vec![plain(detail)])
    }
}

impl Problem {
    /// Whether part of the work already happened and stands: the whole
    /// workflow cannot simply be run again (its text says what to do instead).
    #[must_use]
    pub fn partly_done(&self) -> bool {
        matches!(self, Self::Known(Text::ErrPartly, _))
    }

    /// The text `text` with `parts` in its slots.
    #[must_use]
    pub fn new(text: Text, parts: Vec<Part>) -> Self {
        Self::Known(text, parts)
    }

    /// The table text.
    #[must_use]
    pub fn text(&self) -> Text {
        let Self::Known(text, _) = self;
        *text
    }

    /// The values for the text's slots.
    #[must_use]
    pub fn parts(&self) -> &[Part] {
        let Self::Known(_, parts) = self;
        parts
    }

    /// The problem in `lang`; it may span several lines.
    #[must_use]
    pub fn show(&self, lang: Lang) -> String {
        self.render(lang, false)
    }

    /// The problem in `lang` on one line (footer, log): line breaks become
    /// spaces, listed lines are separated by semicolons.
    #[must_use]
    pub fn show_one_line(&self, lang: Lang) -> String {
        self.render(lang, true)
    }

    /// The problem in `lang` as what happened and, apart, what to do next
    /// where it is read (the command line names commands, the screen keys).
    #[must_use]
    pub fn split(&self, lang: Lang, face: Face) -> (String, Option<String>) {
        let text = self.text();
        let what = lang.what(text);
        let n = what.matches("{}").count().min(self.parts().len());
        let (mine, theirs) = self.parts().split_at(n);
        let next = lang.next(text, face).map(|t| fill(t, theirs, lang, false));
        (fill(what, mine, lang, false), next)
    }

    fn render(&self, lang: Lang, one_line: bool) -> String {
        let out = fill(lang.t(self.text()), self.parts(), lang, one_line);
        if one_line {
            out.replace('\n', " ")
        } else {
            out
        }
    }

    /// A file at `path` could not be read or written: which file, why in
    /// words the technician can act on, and the system's own message.
    #[must_use]
    pub fn file(op: FileOp, path: &str, e: &io::Error) -> Self {
        use io::ErrorKind as K;
        let text = match (e.kind(), op) {
            (K::NotFound, FileOp::Read) => Text::ErrFileNotFound,
            (K::NotFound | K::NotADirectory, FileOp::Write) => Text::ErrFileNoFolder,
            (K::PermissionDenied, FileOp::Read) => Text::ErrFileReadDenied,
            (K::PermissionDenied | K::ReadOnlyFilesystem, FileOp::Write) => {
                Text::ErrFileWriteDenied
            }
            (K::AlreadyExists, _) => Text::ErrFileExists,
            (K::IsADirectory, _) => Text::ErrFileIsFolder,
            (K::StorageFull | K::QuotaExceeded | K::FileTooLarge, FileOp::Write) => {
                Text::ErrFileFull
            }
            (_, FileOp::Read) => Text::ErrFileRead,
            (_, FileOp::Write) => Text::ErrFileWrite,
        };
        Self::new(text, vec![plain(path), plain(e)])
    }

    /// A core error; a [`CoreError::Partly`] says what already happened,
    /// what failed then and what to do now, each in the screen's language.
    #[must_use]
    pub fn from_core(e: &CoreError) -> Self {
        let new = Self::new;
        match e {
            CoreError::Device(d) => Self::from_device(d),
            CoreError::Store(s) => Self::from_store(s),
            CoreError::Profile { path, reason } => {
                new(Text::ErrProfile, vec![plain(path), plain(reason)])
            }
            CoreError::SiteProfile { site, reason } => {
                new(Text::ErrSiteProfile, vec![plain(site), plain(reason)])
            }
            CoreError::ProfileOtherSite {
                profile,
                profile_site,
                site,
            } => new(
                Text::ErrProfileOtherSite,
                vec![plain(profile), plain(profile_site), plain(site)],
            ),
            CoreError::Usage(detail) => new(Text::ErrUsage, vec![plain(detail)]),
            CoreError::Unfinished { serial } => new(Text::ErrUnfinished, vec![plain(serial)]),
            CoreError::NotTraining { db } => new(Text::ErrNotTraining, vec![plain(db)]),
            CoreError::ServerLost {
                serial,
                kept,
                source,
            } => new(
                Text::ErrServerLost,
                vec![
                    Part::Sentences(vec![Self::from_store(source)]),
                    plain(serial),
                    plain(kept),
                ],
            ),
            CoreError::Partly { .. } => {
                let (mut done, mut next) = (Vec::new(), Vec::new());
                let mut layer = e;
                while let CoreError::Partly {
                    done: d,
                    next: n,
                    source,
                } = layer
                {
                    done.push(Self::from_done(d));
                    next.push(Self::from_next(n));
                    layer = source;
                }
                // The innermost step is to be put right first.
                next.reverse();
                new(
                    Text::ErrPartly,
                    vec![
                        Part::Sentences(done),
                        Part::Sentences(vec![Self::from_core(layer)]),
                        Part::Sentences(next),
                    ],
                )
            }
        }
    }

    /// What already happened before a later part failed.
    #[must_use]
    pub fn from_done(d: &Done) -> Self {
        let new = Self::new;
        match d {
            Done::Returned { serial } => new(Text::DoneReturned, vec![plain(serial)]),
            Done::Revoked { serial, reason } => new(
                Text::DoneRevoked,
                vec![plain(serial), Part::Word(reason_text(*reason))],
            ),
            Done::LostRevoked { serial } => new(Text::DoneLostRevoked, vec![plain(serial)]),
            Done::NotRolledBack { serial, account } => new(
                Text::DoneNotRolledBack,
                vec![
                    plain(serial),
                    Part::Sentences(account.iter().map(Self::from_account).collect()),
                ],
            ),
            Done::RollbackFailed { serial, why } => new(
                Text::DoneRollbackFailed,
                vec![plain(serial), Part::Sentences(vec![Self::from_core(why)])],
            ),
        }
    }

    /// What the technician does after a partly done workflow (in the TUI's
    /// terms: its keys and its reconciliation at start-up, not CLI commands).
    #[must_use]
    pub fn from_next(n: &Next) -> Self {
        let new = Self::new;
        match n {
            Next::ResetLater { serial } => new(Text::NextResetLater, vec![plain(serial)]),
            Next::EnrolNew { serial, staff } => {
                new(Text::NextEnrolNew, vec![plain(serial), plain(staff)])
            }
            Next::EnrolTemporary { serial, staff } => {
                new(Text::NextEnrolTemporary, vec![plain(serial), plain(staff)])
            }
            Next::Recover { serial } => new(Text::NextRecover, vec![plain(serial)]),
        }
    }
}

fn reason_text(r: RevokeReason) -> Text {
    match r {
        RevokeReason::Lost => Text::ReasonLost,
        RevokeReason::Stolen => Text::ReasonStolen,
        RevokeReason::Left => Text::ReasonLeft,
        RevokeReason::Defective => Text::ReasonDefective,
    }
}

/// `template` with `parts` in its `{}` slots, in `lang`.
fn fill(template: &str, parts: &[Part], lang: Lang, one_line: bool) -> String {
    let join = |ps: &[Problem], sep: &str| {
        ps.iter()
            .map(|p| p.render(lang, one_line))
            .collect::<Vec<_>>()
            .join(sep)
    };
    let mut out = String::new();
    let mut rest = template;
    for p in parts {
        let Some((head, tail)) = rest.split_once("{}") else {
            break;
        };
        out.push_str(head);
        match p {
            Part::Plain(s) => out.push_str(s),
            Part::Word(t) => out.push_str(lang.t(*t)),
            Part::Sentences(ps) => out.push_str(&join(ps, " ")),
            Part::Lines(ps) => out.push_str(&join(ps, if one_line { "; " } else { "\n" })),
        }
        rest = tail;
    }
    out.push_str(rest);
    out
}
