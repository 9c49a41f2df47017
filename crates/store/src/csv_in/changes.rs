//! The change list of an import: which fields a changed row changes, old →
//! new. Read back from the audit event the row just wrote (its `before` and
//! `after` records), so the list shows exactly what the trail records and
//! costs one indexed read per listed row, nothing for the rows beyond the cap.

use serde::Serialize;
use serde_json::Value;

use crate::error::Result;
use crate::sql::{args, Tx};

/// A field an import can change. Exhaustive on purpose: a new field should
/// fail to compile where screens name the fields, until it is named there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ImportField {
    /// Staff: surname.
    Surname,
    /// Staff: given name.
    GivenName,
    /// Staff: department.
    Department,
    /// Staff: e-mail address.
    Email,
    /// Staff: still employed (`true`/`false`).
    Active,
    /// Notebook: hostname.
    Hostname,
    /// Notebook or key: model.
    Model,
    /// Notebook: the vendor's serial number.
    SerialNo,
    /// Notebook: the holder's personnel number.
    Holder,
    /// Key: form factor.
    FormFactor,
    /// Key: firmware version.
    Firmware,
    /// Key: delivery batch.
    Batch,
    /// Staff, notebook or key: the site code.
    Site,
}

impl ImportField {
    /// Every field, in the order a change lists them.
    pub const ALL: [Self; 13] = [
        Self::Surname,
        Self::GivenName,
        Self::Department,
        Self::Email,
        Self::Active,
        Self::Hostname,
        Self::Model,
        Self::SerialNo,
        Self::Holder,
        Self::FormFactor,
        Self::Firmware,
        Self::Batch,
        Self::Site,
    ];

    /// The field's name in the records (and in JSON output).
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Surname => "surname",
            Self::GivenName => "given_name",
            Self::Department => "department",
            Self::Email => "email",
            Self::Active => "active",
            Self::Hostname => "hostname",
            Self::Model => "model",
            Self::SerialNo => "serial_no",
            // `NewNotebook::staff`, the holder's personnel number.
            Self::Holder => "staff",
            Self::FormFactor => "form_factor",
            Self::Firmware => "firmware",
            Self::Batch => "batch",
            Self::Site => "site",
        }
    }
}

/// One field of a changed row: its value before and after, as text (empty
/// when unset; `true`/`false` for [`ImportField::Active`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// Which field.
    pub field: ImportField,
    /// The value in the database now.
    pub old: String,
    /// The value from the file.
    pub new: String,
}

fn text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Compare two records as the audit trail stored them.
pub(crate) fn diff(before: &Value, after: &Value) -> Vec<FieldChange> {
    ImportField::ALL
        .iter()
        .filter_map(|&field| {
            let (old, new) = (before.get(field.as_str()), after.get(field.as_str()));
            let (old, new) = (text(old), text(new));
            (old != new).then_some(FieldChange { field, old, new })
        })
        .collect()
}

/// The fields the newest event about `subject` changed (`staff:4711`).
pub(crate) fn read_back(conn: &mut Tx<'_>, subject: &str) -> Result<Vec<FieldChange>> {
    let row: Option<(Option<String>, Option<String>)> = conn.opt(
        "SELECT before_json, after_json FROM events WHERE subject = ?1 ORDER BY id DESC LIMIT 1",
        args![subject],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    let parse = |j: Option<String>| {
        j.and_then(|s| serde_json::from_str::<Value>(&s).ok())
            .unwrap_or(Value::Null)
    };
    Ok(row.map_or_else(Vec::new, |(before, after)| {
        diff(&parse(before), &parse(after))
    }))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn diff_lists_changed_fields_in_field_order_with_text_values() {
        let before = json!({"personnel_no": "1", "surname": "A", "email": "", "active": true, "staff": null});
        let after = json!({"personnel_no": "1", "surname": "B", "email": "b@x", "active": false, "staff": "4711"});
        let d = diff(&before, &after);
        let got: Vec<(ImportField, &str, &str)> = d
            .iter()
            .map(|c| (c.field, c.old.as_str(), c.new.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (ImportField::Surname, "A", "B"),
                (ImportField::Email, "", "b@x"),
                (ImportField::Active, "true", "false"),
                (ImportField::Holder, "", "4711"),
            ]
        );
        assert!(diff(&after, &after).is_empty());
    }
}
