//! The names the journal stores: which workflow an entry belongs to
//! ([`Workflow`]) and which steps of it were begun ([`Step`], with a
//! [`Phase`] where a workflow marks the phases itself: a [`Mark`]).
//!
//! The workflows write these names and recovery reads them back, possibly
//! from a database an older or newer keydesk wrote. Each name is spelled
//! once, in `name()`, and never changes with the Rust identifier; a stored
//! name this version does not know reads back as [`UnknownName`], which
//! recovery reports instead of passing over.

use std::fmt;

/// A journalled workflow: what an entry's `workflow` column names. The
/// workflows built from these (return, replace, lost, bulk reset) journal
/// through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Workflow {
    /// Enrolment of a key for a staff member.
    Enrol,
    /// Reset of a key's PIV and/or FIDO2 application.
    Reset,
}

impl Workflow {
    /// The name stored in the journal.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Enrol => "enrol",
            Self::Reset => "reset",
        }
    }

    /// The workflow a stored name stands for.
    ///
    /// # Errors
    /// [`UnknownName`] for a name this version does not know.
    pub fn from_name(name: &str) -> Result<Self, UnknownName> {
        match name {
            "enrol" => Ok(Self::Enrol),
            "reset" => Ok(Self::Reset),
            other => Err(UnknownName(other.to_owned())),
        }
    }
}

impl fmt::Display for Workflow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a step may change on the key, for recovery to put back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Application {
    Piv,
    Fido,
    Otp,
}

/// One journalled step of a workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// Enrolment: the PIV application still has its factory management key and PIN.
    PivFactoryCheck,
    /// Enrolment: PIN and PUK retry counters.
    PivRetries,
    /// Enrolment: the new PIV PIN.
    PivPin,
    /// Enrolment: the new PUK.
    PivPuk,
    /// Enrolment: a random PIN-protected management key.
    PivManagementKey,
    /// Enrolment: the key pair in the profile's slot.
    PivGenerate,
    /// Enrolment: the slot's attestation, verified.
    PivAttest,
    /// Enrolment: the CSR and the self-signed certificate in the slot.
    PivCertificate,
    /// Enrolment: the FIDO2 PIN.
    FidoPin,
    /// Enrolment: the FIDO2 minimum PIN length and forced PIN change.
    FidoPolicy,
    /// Enrolment: the OTP interface over USB on or off.
    OtpUsb,
    /// Enrolment: the enrolment and the issue written to the inventory.
    Store,
    /// Reset: the FIDO2 application.
    FidoReset,
    /// Reset: the PIV application.
    PivReset,
}

impl Step {
    /// The name stored in the journal.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::PivFactoryCheck => "piv.factory_check",
            Self::PivRetries => "piv.retries",
            Self::PivPin => "piv.pin",
            Self::PivPuk => "piv.puk",
            Self::PivManagementKey => "piv.management_key",
            Self::PivGenerate => "piv.generate",
            Self::PivAttest => "piv.attest",
            Self::PivCertificate => "piv.certificate",
            Self::FidoPin => "fido.pin",
            Self::FidoPolicy => "fido.policy",
            Self::OtpUsb => "otp.usb",
            Self::Store => "store",
            Self::FidoReset => "fido.reset",
            Self::PivReset => "piv.reset",
        }
    }

    /// The step a stored name stands for.
    ///
    /// # Errors
    /// [`UnknownName`] for a name this version does not know.
    pub fn from_name(name: &str) -> Result<Self, UnknownName> {
        Ok(match name {
            "piv.factory_check" => Self::PivFactoryCheck,
            "piv.retries" => Self::PivRetries,
            "piv.pin" => Self::PivPin,
            "piv.puk" => Self::PivPuk,
            "piv.management_key" => Self::PivManagementKey,
            "piv.generate" => Self::PivGenerate,
            "piv.attest" => Self::PivAttest,
            "piv.certificate" => Self::PivCertificate,
            "fido.pin" => Self::FidoPin,
            "fido.policy" => Self::FidoPolicy,
            "otp.usb" => Self::OtpUsb,
            "store" => Self::Store,
            "fido.reset" => Self::FidoReset,
            "piv.reset" => Self::PivReset,
            other => return Err(UnknownName(other.to_owned())),
        })
    }

    /// The application on the key this step may change once begun; `None`
    /// for a step that only reads the key (the factory check) or writes
    /// only the inventory.
    #[must_use]
    pub fn changes(self) -> Option<Application> {
        match self {
            Self::PivFactoryCheck | Self::Store => None,
            Self::PivRetries
            | Self::PivPin
            | Self::PivPuk
            | Self::PivManagementKey
            | Self::PivGenerate
            | Self::PivAttest
            | Self::PivCertificate
            | Self::PivReset => Some(Application::Piv),
            Self::FidoPin | Self::FidoPolicy | Self::FidoReset => Some(Application::Fido),
            Self::OtpUsb => Some(Application::Otp),
        }
    }

    /// This step at `phase`.
    #[must_use]
    pub fn at(self, phase: Phase) -> Mark {
        Mark {
            step: self,
            phase: Some(phase),
        }
    }
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a step stands: the suffix of a journal record (`piv.pin:begin`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    Begin,
    Done,
    Failed,
}

impl Phase {
    /// The name stored in the journal, after the step's and a colon.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Begin => "begin",
            Self::Done => "done",
            Self::Failed => "failed",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        match name {
            "begin" => Some(Self::Begin),
            "done" => Some(Self::Done),
            "failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// A step, with the phase where the workflow marks it: an entry of a run's
/// list of begun steps and the name of a journal record. Stored as
/// `step` or `step:phase`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mark {
    pub step: Step,
    pub phase: Option<Phase>,
}

impl From<Step> for Mark {
    fn from(step: Step) -> Self {
        Self { step, phase: None }
    }
}

impl Mark {
    /// The mark a stored name stands for.
    ///
    /// # Errors
    /// [`UnknownName`] for a step or phase this version does not know.
    pub fn from_name(name: &str) -> Result<Self, UnknownName> {
        let unknown = || UnknownName(name.to_owned());
        match name.split_once(':') {
            None => Ok(Step::from_name(name).map_err(|_| unknown())?.into()),
            Some((step, phase)) => {
                let step = Step::from_name(step).map_err(|_| unknown())?;
                let phase = Phase::from_name(phase).ok_or_else(unknown)?;
                Ok(step.at(phase))
            }
        }
    }
}

impl fmt::Display for Mark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.step.name())?;
        if let Some(phase) = self.phase {
            write!(f, ":{}", phase.name())?;
        }
        Ok(())
    }
}

/// A stored workflow or step name this version does not know (written by
/// another version, or edited by hand), kept as it was stored.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnknownName(pub String);

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Databases in use hold these names: changing one strands their open
    /// entries, so each is pinned here, not derived from the code.
    #[test]
    fn stored_names_are_the_ones_existing_journals_hold() {
        let workflows = [(Workflow::Enrol, "enrol"), (Workflow::Reset, "reset")];
        for (w, name) in workflows {
            assert_eq!(w.name(), name);
            assert_eq!(Workflow::from_name(name), Ok(w));
        }
        let steps = [
            (Step::PivFactoryCheck, "piv.factory_check"),
            (Step::PivRetries, "piv.retries"),
            (Step::PivPin, "piv.pin"),
            (Step::PivPuk, "piv.puk"),
            (Step::PivManagementKey, "piv.management_key"),
            (Step::PivGenerate, "piv.generate"),
            (Step::PivAttest, "piv.attest"),
            (Step::PivCertificate, "piv.certificate"),
            (Step::FidoPin, "fido.pin"),
            (Step::FidoPolicy, "fido.policy"),
            (Step::OtpUsb, "otp.usb"),
            (Step::Store, "store"),
            (Step::FidoReset, "fido.reset"),
            (Step::PivReset, "piv.reset"),
        ];
        for (s, name) in steps {
            assert_eq!(s.name(), name);
            assert_eq!(Step::from_name(name), Ok(s));
            assert_eq!(Mark::from_name(name), Ok(s.into()));
        }
        for (mark, name) in [
            (Step::FidoReset.at(Phase::Begin), "fido.reset:begin"),
            (Step::PivReset.at(Phase::Done), "piv.reset:done"),
            (Step::PivPin.at(Phase::Failed), "piv.pin:failed"),
        ] {
            assert_eq!(mark.to_string(), name);
            assert_eq!(Mark::from_name(name), Ok(mark));
        }
    }

    #[test]
    fn unknown_names_read_back_as_they_were_stored() {
        for name in ["revoke", "Enrol", ""] {
            assert_eq!(Workflow::from_name(name), Err(UnknownName(name.into())));
        }
        for name in [
            "piv.renamed",
            "piv.pin:halfway",
            "fido.reset:",
            ":done",
            "piv",
        ] {
            assert_eq!(Mark::from_name(name), Err(UnknownName(name.into())));
        }
    }
}
