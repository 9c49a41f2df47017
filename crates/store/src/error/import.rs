//! What is wrong in an import file, typed: each problem carries its data
//! (the column, the value, the line a duplicate was first seen on), so that
//! the faces can say it in the technician's language. `Display` is the
//! English text, for logs and scripts.

use keydesk_types::{ImportKind, ParseError, PersonnelNo};

/// One problem in an import file, with the line it was found on (1-based,
/// counting physical lines of the file, header = line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportIssue {
    /// Line in the file (0 when the problem concerns the whole file).
    pub line: u64,
    /// What is wrong.
    pub problem: ImportProblem,
}

impl std::fmt::Display for ImportIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.problem)
        } else {
            write!(f, "line {}: {}", self.line, self.problem)
        }
    }
}

/// What is wrong with an import file or one of its lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportProblem {
    /// The file is an Excel workbook (xlsx or xls), not a CSV file.
    ExcelWorkbook,
    /// The file starts with a UTF-8 byte order mark but is not UTF-8.
    BomNotUtf8,
    /// The file starts with a UTF-16 byte order mark but is not UTF-16.
    NotUtf16,
    /// The file holds NUL bytes: not text (UTF-16 without a byte order mark?).
    NulBytes,
    /// A byte that neither UTF-8 nor Windows-1252 has.
    UndefinedByte {
        /// The byte.
        byte: u8,
    },
    /// Text right after a closing quote (a quote inside a field not doubled).
    TextAfterQuote,
    /// A quote opened on this line is never closed.
    UnclosedQuote,
    /// The file holds nothing, not even a header.
    Empty,
    /// The CSV reader could not read the header line; its own words.
    UnreadableHeader {
        /// The CSV reader's message.
        detail: String,
    },
    /// The CSV reader could not read a row; its own words.
    UnreadableRow {
        /// The CSV reader's message.
        detail: String,
    },
    /// A column the list needs is not in the header.
    MissingColumn {
        /// The column's first accepted name (its name in keydesk's lists).
        column: &'static str,
        /// Every name the column is accepted under.
        accepted: &'static [&'static str],
        /// The header as the file has it.
        header: Vec<String>,
    },
    /// Two header names mean the same column.
    AmbiguousColumn {
        /// The first of them, as in the file.
        first: String,
        /// The second, as in the file.
        second: String,
        /// The column both mean (its first accepted name).
        column: &'static str,
    },
    /// A row has fewer fields than the header, or more that are filled.
    FieldCount {
        /// Fields in the row.
        found: usize,
        /// Fields in the header.
        expected: usize,
        /// The file's delimiter.
        delimiter: char,
    },
    /// A record appears twice in the file.
    Duplicate {
        /// The list, which says what the id is (personnel number, asset tag, serial).
        kind: ImportKind,
        /// The id as read.
        id: String,
        /// The line it was first seen on.
        first_line: u64,
    },
    /// A value does not parse (serial, personnel number, asset tag).
    Value(ParseError),
    /// A staff member without a name.
    NoName {
        /// Whose name is missing.
        personnel_no: PersonnelNo,
    },
    /// The active column holds something that is not yes or no.
    NotYesNo {
        /// The value as in the file.
        value: String,
    },
    /// A notebook names a holder who is not in the inventory.
    UnknownHolder {
        /// The holder's personnel number.
        personnel_no: String,
    },
    /// The row names a site the inventory does not have.
    UnknownSite {
        /// The site code, upper case.
        code: String,
    },
}

/// What the id of a list is, in the English text.
fn id_name(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Staff => "personnel number",
        ImportKind::Notebooks => "asset tag",
        ImportKind::Stock => "serial",
    }
}

impl std::fmt::Display for ImportProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ExcelWorkbook => write!(
                f,
                "this is an Excel workbook, not a CSV file; in Excel use \"Save as\" and choose \"CSV UTF-8\" or \"CSV (Trennzeichen-getrennt)\""
            ),
            Self::BomNotUtf8 => write!(
                f,
                "the file says it is UTF-8 (it starts with a BOM) but contains bytes that are not UTF-8; save it again as \"CSV UTF-8\""
            ),
            Self::NotUtf16 => write!(
                f,
                "the file says it is UTF-16 but is not; save it again as \"CSV UTF-8\""
            ),
            Self::NulBytes => write!(
                f,
                "the file contains NUL bytes: it is not a text file in UTF-8 or Windows-1252 (UTF-16 without BOM?); save it again as \"CSV UTF-8\""
            ),
            Self::UndefinedByte { byte } => write!(
                f,
                "byte 0x{byte:02X} is neither UTF-8 nor Windows-1252; save the file again as \"CSV UTF-8\""
            ),
            Self::TextAfterQuote => write!(
                f,
                "text follows a closing quote; a quote inside a quoted field must be doubled (\"\")"
            ),
            Self::UnclosedQuote => write!(
                f,
                "a quote (\") opened on this line is never closed; every quoted field needs a closing quote"
            ),
            Self::Empty => write!(f, "the file is empty"),
            Self::UnreadableHeader { detail } => write!(f, "{detail}"),
            Self::UnreadableRow { detail } => write!(f, "unreadable row: {detail}"),
            Self::MissingColumn {
                column,
                accepted,
                header,
            } => write!(
                f,
                "required column \"{column}\" is missing (accepted names: {}); the header has: {}",
                accepted.join(", "),
                header.join(", ")
            ),
            Self::AmbiguousColumn {
                first,
                second,
                column,
            } => write!(
                f,
                "columns \"{first}\" and \"{second}\" both mean {column}; keep one of them"
            ),
            Self::FieldCount {
                found,
                expected,
                delimiter,
            } => write!(
                f,
                "{found} fields, but the header has {expected}; a field containing \"{delimiter}\" must be quoted"
            ),
            Self::Duplicate {
                kind,
                id,
                first_line,
            } => write!(
                f,
                "{} {id} appears twice (first on line {first_line})",
                id_name(*kind)
            ),
            Self::Value(e) => write!(f, "{e}"),
            Self::NoName { personnel_no } => {
                write!(f, "personnel number {personnel_no} has no name")
            }
            Self::NotYesNo { value } => write!(
                f,
                "\"{value}\" is not a yes/no value for the active column (ja/nein, 1/0)"
            ),
            Self::UnknownHolder { personnel_no } => write!(
                f,
                "no staff member with personnel number {personnel_no}; import the staff list or add the person first"
            ),
            Self::UnknownSite { code } => write!(
                f,
                "no site with code {code}; add the site first (keydesk site add) or correct the site column"
            ),
        }
    }
}

impl From<ParseError> for ImportProblem {
    fn from(e: ParseError) -> Self {
        Self::Value(e)
    }
}

pub(super) fn format_import_errors(issues: &[ImportIssue]) -> String {
    let mut out = String::new();
    for (i, issue) in issues.iter().take(20).enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&issue.to_string());
    }
    if issues.len() > 20 {
        out.push_str(&format!("\n... and {} more problems", issues.len() - 20));
    }
    out.push_str("\nnothing was imported; fix the file and import again");
    out
}
