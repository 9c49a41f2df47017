//! An import file's problems in the technician's words: one table text per
//! [`ImportProblem`] variant, and per [`ParseError`] (a value in the file
//! that is not a serial, personnel number or asset tag). The English texts
//! read as the store's own.

use keydesk_core::error::{ImportIssue, ImportProblem};
use keydesk_types::{ImportKind, ParseError};

use super::{plain, Part, Problem};
use crate::i18n::Text;

/// Import problems listed before "… and N more".
const IMPORT_LINES: usize = 20;

/// The import file's problems, one per line, the first twenty of them.
pub(super) fn import_lines(issues: &[ImportIssue]) -> Part {
    let mut lines: Vec<Problem> = issues
        .iter()
        .take(IMPORT_LINES)
        .map(|i| {
            let what = Part::Sentences(vec![Problem::from_import(&i.problem)]);
            if i.line == 0 {
                Problem::new(Text::ErrImportWhole, vec![what])
            } else {
                Problem::new(Text::ErrImportLine, vec![plain(i.line), what])
            }
        })
        .collect();
    if issues.len() > IMPORT_LINES {
        lines.push(Problem::new(
            Text::ErrImportMore,
            vec![plain(issues.len() - IMPORT_LINES)],
        ));
    }
    Part::Lines(lines)
}

/// The word for what identifies a record of a list.
fn id_word(kind: ImportKind) -> Part {
    Part::Word(match kind {
        ImportKind::Staff => Text::IdPersonnelNo,
        ImportKind::Notebooks => Text::IdAssetTag,
        ImportKind::Stock => Text::IdSerial,
    })
}

impl Problem {
    /// What is wrong with an import file or one of its lines. Every variant
    /// has its own text: a variant added to [`ImportProblem`] does not
    /// compile here until it has one.
    #[must_use]
    pub fn from_import(p: &ImportProblem) -> Self {
        let new = Self::new;
        match p {
            ImportProblem::ExcelWorkbook => new(Text::ImpExcelWorkbook, vec![]),
            ImportProblem::BomNotUtf8 => new(Text::ImpBomNotUtf8, vec![]),
            ImportProblem::NotUtf16 => new(Text::ImpNotUtf16, vec![]),
            ImportProblem::NulBytes => new(Text::ImpNulBytes, vec![]),
            ImportProblem::UndefinedByte { byte } => {
                new(Text::ImpUndefinedByte, vec![plain(format!("{byte:02X}"))])
            }
            ImportProblem::TextAfterQuote => new(Text::ImpTextAfterQuote, vec![]),
            ImportProblem::UnclosedQuote => new(Text::ImpUnclosedQuote, vec![]),
            ImportProblem::Empty => new(Text::ImpEmpty, vec![]),
            ImportProblem::UnreadableHeader { detail } => {
                new(Text::ImpUnreadableHeader, vec![plain(detail)])
            }
            ImportProblem::UnreadableRow { detail } => {
                new(Text::ImpUnreadableRow, vec![plain(detail)])
            }
            ImportProblem::MissingColumn {
                column,
                accepted,
                header,
            } => new(
                Text::ImpMissingColumn,
                vec![
                    plain(column),
                    plain(accepted.join(", ")),
                    plain(header.join(", ")),
                ],
            ),
            ImportProblem::AmbiguousColumn {
                first,
                second,
                column,
            } => new(
                Text::ImpAmbiguousColumn,
                vec![plain(first), plain(second), plain(column)],
            ),
            ImportProblem::FieldCount {
                found,
                expected,
                delimiter,
            } => new(
                Text::ImpFieldCount,
                vec![plain(found), plain(expected), plain(delimiter)],
            ),
            ImportProblem::Duplicate {
                kind,
                id,
                first_line,
            } => new(
                Text::ImpDuplicate,
                vec![id_word(*kind), plain(id), plain(first_line)],
            ),
            ImportProblem::Value(e) => Self::from_parse(e),
            ImportProblem::NoName { personnel_no } => {
                new(Text::ImpNoName, vec![plain(personnel_no)])
            }
            ImportProblem::NotYesNo { value } => new(Text::ImpNotYesNo, vec![plain(value)]),
            ImportProblem::UnknownHolder { personnel_no } => {
                new(Text::ImpUnknownHolder, vec![plain(personnel_no)])
            }
            ImportProblem::UnknownSite { code } => new(Text::ImpUnknownSite, vec![plain(code)]),
        }
    }

    /// A text that is not a valid value (as `keydesk-types` refused it).
    #[must_use]
    pub fn from_parse(e: &ParseError) -> Self {
        let new = Self::new;
        let quoted = |input: &str| plain(format!("{input:?}"));
        match e {
            ParseError::NotASerial { input } => new(Text::ParseNotASerial, vec![plain(input)]),
            ParseError::ZeroSerial => new(Text::ParseZeroSerial, vec![]),
            ParseError::BadIdentifier { what, input } => {
                let what = match *what {
                    "personnel number" => Part::Word(Text::IdPersonnelNo),
                    "asset tag" => Part::Word(Text::IdAssetTag),
                    other => plain(other),
                };
                new(Text::ParseBadIdentifier, vec![plain(input), what])
            }
            ParseError::NotAKeyState { input } => new(Text::ParseNotAKeyState, vec![plain(input)]),
            ParseError::NotARevokeReason { input } => {
                new(Text::ParseNotARevokeReason, vec![quoted(input)])
            }
            ParseError::NotASlot { input } => new(Text::ParseNotASlot, vec![quoted(input)]),
            ParseError::NotAnAlgorithm { input } => {
                new(Text::ParseNotAnAlgorithm, vec![quoted(input)])
            }
            ParseError::NotAPinPolicy { input } => {
                new(Text::ParseNotAPinPolicy, vec![quoted(input)])
            }
            ParseError::NotATouchPolicy { input } => {
                new(Text::ParseNotATouchPolicy, vec![quoted(input)])
            }
            ParseError::NotAnImportKind { input } => {
                new(Text::ParseNotAnImportKind, vec![quoted(input)])
            }
            ParseError::NotAnExportKind { input } => {
                new(Text::ParseNotAnExportKind, vec![quoted(input)])
            }
            ParseError::NotASiteCode { input } => new(Text::ParseNotASiteCode, vec![plain(input)]),
        }
    }
}
