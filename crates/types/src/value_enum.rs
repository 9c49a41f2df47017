//! `clap::ValueEnum` for the closed sets (feature `clap`), so the binary
//! parses them at the edge and lists them in `--help`. Types with an open
//! text form ([`crate::Serial`], [`crate::PersonnelNo`], [`crate::AssetTag`],
//! [`crate::Slot`]) need nothing here: clap's `value_parser!` takes their
//! `FromStr` and shows its [`crate::ParseError`] message.

use clap::builder::PossibleValue;
use clap::ValueEnum;

use crate::{
    Algorithm, ExportKind, ImportKind, KeyState, OperatorRole, PinPolicy, RevokeReason, TouchPolicy,
};

impl ValueEnum for RevokeReason {
    fn value_variants<'a>() -> &'a [Self] {
        &Self::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.name()).alias(self.german_name()))
    }
}

impl ValueEnum for ImportKind {
    fn value_variants<'a>() -> &'a [Self] {
        &Self::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.as_str()))
    }
}

/// The command line offers the auditors' reports; the staff and notebook
/// lists are exported for round trips through the importers only.
impl ValueEnum for ExportKind {
    fn value_variants<'a>() -> &'a [Self] {
        &Self::AUDIT
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Self::AUDIT
            .contains(self)
            .then(|| PossibleValue::new(self.as_str()))
    }
}

impl ValueEnum for OperatorRole {
    fn value_variants<'a>() -> &'a [Self] {
        &Self::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.as_str()))
    }
}

impl ValueEnum for KeyState {
    fn value_variants<'a>() -> &'a [Self] {
        &Self::ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.as_str()))
    }
}

macro_rules! piv_value_enum {
    ($($name:ident),+) => {$(
        impl ValueEnum for $name {
            fn value_variants<'a>() -> &'a [Self] {
                Self::ALL
            }

            fn to_possible_value(&self) -> Option<PossibleValue> {
                Some(PossibleValue::new(self.as_str()))
            }
        }
    )+};
}

piv_value_enum!(Algorithm, PinPolicy, TouchPolicy);

#[cfg(test)]
mod tests {
    use clap::Parser;

    use crate::{ExportKind, RevokeReason, Serial, Slot};

    #[derive(Debug, Parser)]
    struct Args {
        #[arg(long, value_enum, ignore_case = true)]
        reason: Option<RevokeReason>,
        #[arg(long, value_enum)]
        export: Option<ExportKind>,
        #[arg(long)]
        serial: Option<Serial>,
        #[arg(long)]
        slot: Option<Slot>,
    }

    fn parse(args: &[&str]) -> Result<Args, clap::Error> {
        Args::try_parse_from(std::iter::once("t").chain(args.iter().copied()))
    }

    #[test]
    fn closed_sets_take_their_names_and_aliases() {
        let a = parse(&["--reason", "Gestohlen", "--export", "revoked"]).unwrap();
        assert_eq!(a.reason, Some(RevokeReason::Stolen));
        assert_eq!(a.export, Some(ExportKind::Revoked));
        let e = parse(&["--reason", "vanished"]).unwrap_err().to_string();
        assert!(e.contains("lost, stolen, left, defective"), "{e}");
        assert!(parse(&["--export", "staff"]).is_err(), "not offered");
    }

    #[test]
    fn open_types_parse_through_from_str_with_our_message() {
        let a = parse(&["--serial", "23456789", "--slot", "9c"]).unwrap();
        assert_eq!(a.serial.map(Serial::get), Some(23_456_789));
        assert_eq!(a.slot, Some(Slot::Signature));
        let e = parse(&["--serial", "0"]).unwrap_err().to_string();
        assert!(e.contains("serial 0 is not a key serial"), "{e}");
        let e = parse(&["--slot", "9z"]).unwrap_err().to_string();
        assert!(e.contains("not a PIV slot"), "{e}");
    }
}
