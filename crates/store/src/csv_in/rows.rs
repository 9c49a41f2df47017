//! CSV rows as they come from the file (separate from the database structs),
//! the header names accepted for each column (German and English), and the
//! conversion of a row into a database record.

use keydesk_types::ImportKind;

use crate::error::{ImportIssue, ImportProblem};
use crate::model::{AssetTag, NewKey, NewNotebook, NewStaff, PersonnelNo, Serial, SiteCode};
use crate::search::fold;

/// A column a list may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Col {
    PersonnelNo,
    Surname,
    GivenName,
    Department,
    Email,
    Active,
    AssetTag,
    Hostname,
    Model,
    SerialNo,
    FormFactor,
    Firmware,
    Batch,
    Site,
}

/// Header spellings, compared after folding and dropping everything that is
/// not a letter or digit ("E-Mail" → "email", "Personal-Nr." → "personalnr").
const PERSONNEL: &[&str] = &[
    "personalnummer",
    "personalnr",
    "persnr",
    "pnr",
    "personnelnumber",
    "personnelno",
    "employeeid",
    "employeenumber",
    "staffid",
    "holder",
    "inhaber",
    "inhaberpersonalnummer",
    "holderpersonnelnumber",
];
const SURNAME: &[&str] = &[
    "name",
    "nachname",
    "familienname",
    "surname",
    "lastname",
    "familyname",
];
const GIVEN: &[&str] = &["vorname", "givenname", "firstname"];
// "Dienststelle", "Amt" and "Office" name the site (below), not the
// department, since sites came.
const DEPARTMENT: &[&str] = &[
    "abteilung",
    "organisationseinheit",
    "orgeinheit",
    "department",
    "unit",
];
/// The site (office) a row belongs to: its code, as `keydesk site list` shows.
const SITE: &[&str] = &["dienststelle", "amt", "office", "site", "standort"];
const EMAIL: &[&str] = &[
    "email",
    "mail",
    "emailadresse",
    "mailadresse",
    "emailaddress",
];
const ACTIVE: &[&str] = &["aktiv", "active", "status"];
const ASSET: &[&str] = &[
    "inventarnummer",
    "inventarnr",
    "invnr",
    "assettag",
    "asset",
    "inventorynumber",
    "anlagennummer",
];
const HOST: &[&str] = &[
    "hostname",
    "host",
    "rechnername",
    "computername",
    "geratename",
    "devicename",
];
const MODEL: &[&str] = &["modell", "model", "typ", "type", "produkt", "product"];
const SERIAL: &[&str] = &[
    "seriennummer",
    "seriennr",
    "serial",
    "serialnumber",
    "serialno",
    "sn",
    "snr",
];
const FORM: &[&str] = &["formfaktor", "formfactor", "bauform"];
const FIRMWARE: &[&str] = &["firmware", "firmwareversion", "fw"];
const BATCH: &[&str] = &[
    "lieferung",
    "charge",
    "lieferungcharge",
    "lieferschein",
    "batch",
    "delivery",
    "lot",
];

/// The audit subject prefix of the records a list writes
/// (`staff:4711`, `notebook:INV-1`, `key:23456780`).
pub(crate) fn subject(kind: ImportKind) -> &'static str {
    match kind {
        ImportKind::Staff => "staff",
        ImportKind::Notebooks => "notebook",
        ImportKind::Stock => "key",
    }
}

/// The columns of a list: which, under which spellings, and whether required.
fn columns(kind: ImportKind) -> &'static [(Col, &'static [&'static str], bool)] {
    match kind {
        ImportKind::Staff => &[
            (Col::PersonnelNo, PERSONNEL, true),
            (Col::Surname, SURNAME, true),
            (Col::GivenName, GIVEN, false),
            (Col::Department, DEPARTMENT, false),
            (Col::Email, EMAIL, false),
            (Col::Active, ACTIVE, false),
            (Col::Site, SITE, false),
        ],
        ImportKind::Notebooks => &[
            (Col::AssetTag, ASSET, true),
            (Col::Hostname, HOST, false),
            (Col::Model, MODEL, false),
            (Col::SerialNo, SERIAL, false),
            (Col::PersonnelNo, PERSONNEL, false),
            (Col::Site, SITE, false),
        ],
        ImportKind::Stock => &[
            (Col::SerialNo, SERIAL, true),
            (Col::Model, MODEL, false),
            (Col::FormFactor, FORM, false),
            (Col::Firmware, FIRMWARE, false),
            (Col::Batch, BATCH, false),
            (Col::Site, SITE, false),
        ],
    }
}

/// Undo the apostrophe our exports (and careful humans) put before a cell
/// that would otherwise be a formula, so export → import round trips.
fn unneutralise(v: &str) -> &str {
    match v.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@']) => rest,
        _ => v,
    }
}

fn normalise(h: &str) -> String {
    fold(h)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// Where each known column is in the file.
#[derive(Debug)]
pub(crate) struct HeaderMap {
    cols: Vec<(Col, usize)>,
    pub width: usize,
}

impl HeaderMap {
    /// Map the header record; unknown columns are ignored.
    pub(crate) fn new(
        kind: ImportKind,
        header: &csv::StringRecord,
    ) -> Result<Self, Vec<ImportIssue>> {
        let names: Vec<String> = header.iter().map(normalise).collect();
        let mut cols = Vec::new();
        let mut issues = Vec::new();
        for &(col, spellings, required) in columns(kind) {
            let found: Vec<usize> = names
                .iter()
                .enumerate()
                .filter(|(_, n)| spellings.contains(&n.as_str()))
                .map(|(i, _)| i)
                .collect();
            match found.as_slice() {
                [] if required => issues.push(ImportIssue {
                    line: 1,
                    problem: ImportProblem::MissingColumn {
                        column: spellings[0],
                        accepted: spellings,
                        header: header.iter().map(str::to_owned).collect(),
                    },
                }),
                [] => {}
                [i] => cols.push((col, *i)),
                [a, b, ..] => issues.push(ImportIssue {
                    line: 1,
                    problem: ImportProblem::AmbiguousColumn {
                        first: header.get(*a).unwrap_or_default().to_owned(),
                        second: header.get(*b).unwrap_or_default().to_owned(),
                        column: spellings[0],
                    },
                }),
            }
        }
        if issues.is_empty() {
            Ok(Self {
                cols,
                width: header.len(),
            })
        } else {
            Err(issues)
        }
    }

    /// Whether the file has this column.
    pub(crate) fn has(&self, col: Col) -> bool {
        self.cols.iter().any(|(c, _)| *c == col)
    }

    fn get<'r>(&self, rec: &'r csv::StringRecord, col: Col) -> &'r str {
        let v = self
            .cols
            .iter()
            .find(|(c, _)| *c == col)
            .and_then(|(_, i)| rec.get(*i))
            .map_or("", str::trim);
        unneutralise(v)
    }
}

/// One row of a staff list, as text.
#[derive(Debug, Clone)]
pub(crate) struct StaffRow {
    pub personnel_no: String,
    pub surname: String,
    pub given_name: String,
    pub department: String,
    pub email: String,
    pub active: String,
    pub site: String,
}

/// One row of a notebook list, as text.
#[derive(Debug, Clone)]
pub(crate) struct NotebookRow {
    pub asset_tag: String,
    pub hostname: String,
    pub model: String,
    pub serial_no: String,
    pub personnel_no: String,
    pub site: String,
}

/// One row of a supplier serial list, as text.
#[derive(Debug, Clone)]
pub(crate) struct KeyRow {
    pub serial: String,
    pub model: String,
    pub form_factor: String,
    pub firmware: String,
    pub batch: String,
    pub site: String,
}

impl StaffRow {
    pub(crate) fn read(h: &HeaderMap, r: &csv::StringRecord) -> Self {
        Self {
            personnel_no: h.get(r, Col::PersonnelNo).to_owned(),
            surname: h.get(r, Col::Surname).to_owned(),
            given_name: h.get(r, Col::GivenName).to_owned(),
            department: h.get(r, Col::Department).to_owned(),
            email: h.get(r, Col::Email).to_owned(),
            active: h.get(r, Col::Active).to_owned(),
            site: h.get(r, Col::Site).to_owned(),
        }
    }

    pub(crate) fn to_record(&self) -> Result<NewStaff, ImportProblem> {
        let personnel_no = PersonnelNo::parse(&self.personnel_no)?;
        if self.surname.is_empty() {
            return Err(ImportProblem::NoName { personnel_no });
        }
        Ok(NewStaff {
            personnel_no,
            surname: self.surname.clone(),
            given_name: self.given_name.clone(),
            department: self.department.clone(),
            email: self.email.clone(),
            active: parse_active(&self.active)?,
            site: parse_site(&self.site)?,
        })
    }
}

/// An empty site cell: no site.
fn parse_site(s: &str) -> Result<Option<SiteCode>, ImportProblem> {
    if s.is_empty() {
        Ok(None)
    } else {
        Ok(Some(SiteCode::parse(s)?))
    }
}

fn parse_active(s: &str) -> Result<bool, ImportProblem> {
    match fold(s).as_str() {
        "" | "1" | "ja" | "j" | "x" | "yes" | "y" | "true" | "wahr" | "aktiv" | "active" => {
            Ok(true)
        }
        "0" | "nein" | "n" | "no" | "false" | "falsch" | "inaktiv" | "inactive"
        | "ausgeschieden" => Ok(false),
        _ => Err(ImportProblem::NotYesNo {
            value: s.to_owned(),
        }),
    }
}

impl NotebookRow {
    pub(crate) fn read(h: &HeaderMap, r: &csv::StringRecord) -> Self {
        Self {
            asset_tag: h.get(r, Col::AssetTag).to_owned(),
            hostname: h.get(r, Col::Hostname).to_owned(),
            model: h.get(r, Col::Model).to_owned(),
            serial_no: h.get(r, Col::SerialNo).to_owned(),
            personnel_no: h.get(r, Col::PersonnelNo).to_owned(),
            site: h.get(r, Col::Site).to_owned(),
        }
    }

    pub(crate) fn to_record(&self) -> Result<NewNotebook, ImportProblem> {
        let staff = if self.personnel_no.is_empty() {
            None
        } else {
            Some(PersonnelNo::parse(&self.personnel_no)?)
        };
        Ok(NewNotebook {
            asset_tag: AssetTag::parse(&self.asset_tag)?,
            hostname: self.hostname.clone(),
            model: self.model.clone(),
            serial_no: self.serial_no.clone(),
            staff,
            site: parse_site(&self.site)?,
        })
    }
}

impl KeyRow {
    pub(crate) fn read(h: &HeaderMap, r: &csv::StringRecord) -> Self {
        Self {
            serial: h.get(r, Col::SerialNo).to_owned(),
            model: h.get(r, Col::Model).to_owned(),
            form_factor: h.get(r, Col::FormFactor).to_owned(),
            firmware: h.get(r, Col::Firmware).to_owned(),
            batch: h.get(r, Col::Batch).to_owned(),
            site: h.get(r, Col::Site).to_owned(),
        }
    }

    pub(crate) fn to_record(&self) -> Result<NewKey, ImportProblem> {
        Ok(NewKey {
            serial: self.serial.parse::<Serial>()?,
            model: self.model.clone(),
            form_factor: self.form_factor.clone(),
            firmware: self.firmware.clone(),
            batch: self.batch.clone(),
            site: parse_site(&self.site)?,
        })
    }
}
