//! Store errors in the technician's words: one table text per variant; an
//! import error lists the file's bad lines, each translated, under a
//! translated heading (`import.rs`).

use keydesk_core::error::{AnchorFault, AuditProblem, StoreError};

use super::import::import_lines;
use super::{plain, Part, Problem};
use crate::i18n::Text;
use crate::tui::model::Label;

impl Problem {
    /// A store error. Every variant has its own text: a variant added to
    /// [`StoreError`] does not compile here until it has one.
    #[must_use]
    pub fn from_store(e: &StoreError) -> Self {
        let new = Self::new;
        match e {
            StoreError::Sqlite(d) => new(Text::ErrDatabase, vec![plain(d)]),
            StoreError::Migration(d) => new(Text::ErrMigration, vec![plain(d)]),
            StoreError::Postgres(d) if d.unreachable => {
                new(Text::ErrServerUnreachable, vec![plain(&d.message)])
            }
            StoreError::Postgres(d) => new(Text::ErrServer, vec![plain(&d.message)]),
            StoreError::NotPermitted {
                user,
                roles,
                detail,
            } => new(
                Text::ErrNotPermitted,
                vec![plain(user), plain(roles), plain(detail)],
            ),
            StoreError::SiteNotPermitted {
                user,
                site,
                granted,
            } => new(
                Text::ErrSiteNotPermitted,
                vec![plain(user), plain(granted), plain(site)],
            ),
            StoreError::ScopeNotForRole { role } => {
                new(Text::ErrScopeNotForRole, vec![plain(role)])
            }
            StoreError::ScopeMissing { user } => new(Text::ErrScopeMissing, vec![plain(user)]),
            StoreError::OnlyOnServer { what } => new(Text::ErrOnlyOnServer, vec![plain(what)]),
            StoreError::KeyClaimed {
                serial,
                workstation,
                operator,
                since,
            } => new(
                Text::ErrKeyClaimed,
                vec![
                    plain(serial),
                    plain(workstation),
                    plain(operator),
                    plain(since),
                ],
            ),
            StoreError::SchemaOutdated { found, wanted } => {
                new(Text::ErrSchemaOutdated, vec![plain(found), plain(wanted)])
            }
            StoreError::SchemaNewer { found, wanted } => {
                new(Text::ErrSchemaNewer, vec![plain(found), plain(wanted)])
            }
            StoreError::Io(d) => new(Text::ErrStoreFile, vec![plain(d)]),
            StoreError::Csv(d) => new(Text::ErrCsv, vec![plain(d)]),
            StoreError::IllegalTransition {
                serial,
                current,
                wanted,
            } => new(
                Text::ErrWrongState,
                vec![
                    plain(serial),
                    Part::Word(current.text()),
                    Part::Word(wanted.text()),
                ],
            ),
            StoreError::UnknownKey(s) => new(Text::ErrUnknownKey, vec![plain(s)]),
            StoreError::DuplicateKey(s) => new(Text::ErrDuplicateKey, vec![plain(s)]),
            StoreError::UnknownStaff(p) => new(Text::ErrUnknownStaff, vec![plain(p)]),
            StoreError::DuplicateStaff(p) => new(Text::ErrDuplicateStaff, vec![plain(p)]),
            StoreError::UnknownNotebook(t) => new(Text::ErrUnknownNotebook, vec![plain(t)]),
            StoreError::DuplicateNotebook(t) => new(Text::ErrDuplicateNotebook, vec![plain(t)]),
            StoreError::UnknownSite(c) => new(Text::ErrUnknownSite, vec![plain(c)]),
            StoreError::DuplicateSite(c) => new(Text::ErrDuplicateSite, vec![plain(c)]),
            StoreError::UnknownJournal(id) => new(Text::ErrUnknownJournal, vec![plain(id)]),
            StoreError::JournalClosed(id) => new(Text::ErrJournalClosed, vec![plain(id)]),
            StoreError::Invalid(detail) => new(Text::ErrInvalid, vec![plain(detail)]),
            StoreError::Import(issues) => new(Text::ErrImport, vec![import_lines(issues)]),
            StoreError::AuditBroken { id, problem } => new(
                Text::ErrAuditBroken,
                vec![plain(id), Part::Sentences(vec![Self::from_audit(problem)])],
            ),
            StoreError::Corrupt(detail) => new(Text::ErrCorrupt, vec![plain(detail)]),
            StoreError::CopyTargetNotEmpty { what } => {
                new(Text::ErrCopyTargetNotEmpty, vec![plain(what)])
            }
            StoreError::BadAnchor { input, fault } => new(
                Text::ErrBadAnchor,
                vec![
                    plain(input.escape_debug()),
                    Part::Sentences(vec![Self::from_anchor_fault(*fault)]),
                ],
            ),
        }
    }

    /// What is wrong with an audit event.
    #[must_use]
    pub fn from_audit(p: &AuditProblem) -> Self {
        let new = Self::new;
        match p {
            AuditProblem::Edited => new(Text::AuditEdited, vec![]),
            AuditProblem::Deleted { from, to } if from == to => {
                new(Text::AuditDeletedOne, vec![plain(from)])
            }
            AuditProblem::Deleted { from, to } => {
                new(Text::AuditDeleted, vec![plain(from), plain(to)])
            }
            AuditProblem::Inserted => new(Text::AuditInserted, vec![]),
            AuditProblem::Truncated { expected_last } => {
                new(Text::AuditTruncated, vec![plain(expected_last)])
            }
            AuditProblem::AnchorMismatch { anchored, found } => new(
                Text::AuditAnchorMismatch,
                vec![plain(found), plain(anchored)],
            ),
            AuditProblem::AnchorMissing => new(Text::AuditAnchorMissing, vec![]),
        }
    }

    /// What is wrong with a string given as an audit anchor.
    #[must_use]
    pub fn from_anchor_fault(f: AnchorFault) -> Self {
        let new = Self::new;
        match f {
            AnchorFault::NoSeparator => new(Text::AnchorNoSeparator, vec![]),
            AnchorFault::BadEvent => new(Text::AnchorBadEvent, vec![]),
            AnchorFault::BadHash => new(Text::AnchorBadHash, vec![]),
        }
    }
}
