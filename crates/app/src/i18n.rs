//! Every text the technician sees, in German and English, in one table.
//!
//! Views and messages never hold literal user-visible strings; they name a
//! [`Text`] and ask [`Lang::t`] for it. The language comes from the system
//! locale (`LC_ALL`, `LC_MESSAGES`, `LANG`) and can be switched at run time.

/// A language keydesk speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    De,
    En,
}

impl Lang {
    /// The language the system locale asks for: German for `de*`, else English.
    #[must_use]
    pub fn from_env() -> Self {
        let var = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
        Self::from_locale(var.as_deref().unwrap_or(""))
    }

    /// Parse a POSIX locale name such as `de_DE.UTF-8`.
    #[must_use]
    pub fn from_locale(locale: &str) -> Self {
        if locale.to_ascii_lowercase().starts_with("de") {
            Self::De
        } else {
            Self::En
        }
    }

    /// The other language (for the switch key).
    #[must_use]
    pub fn toggled(self) -> Self {
        match self {
            Self::De => Self::En,
            Self::En => Self::De,
        }
    }

    /// The text in this language.
    #[must_use]
    pub fn t(self, text: Text) -> &'static str {
        self.pick(text.pair())
    }

    /// A problem's "what happened" in this language (the whole text for
    /// texts that are not problems).
    #[must_use]
    pub fn what(self, text: Text) -> &'static str {
        self.pick(text.what_pair())
    }

    /// A problem's "what to do next" where it is read, if the text has one.
    #[must_use]
    pub fn next(self, text: Text, face: Face) -> Option<&'static str> {
        text.next_pair(face).map(|p| self.pick(p))
    }

    fn pick(self, (de, en): (&'static str, &'static str)) -> &'static str {
        match self {
            Self::De => de,
            Self::En => en,
        }
    }
}

/// Where a problem's "what to do next" is read: at the counter's screen,
/// where keys and screens are named, or on the command line, where
/// commands are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Tui,
    Cli,
}

/// The table: `Name => "Deutsch", "English";` for a plain text, and for a
/// problem `Name => what happened (de, en) => what to do next (de, en)`,
/// optionally followed by `cli` and what to do next on the command line.
macro_rules! texts {
    (@next $face:ident) => { None };
    (@next $face:ident, $fde:literal, $fen:literal) => { Some(($fde, $fen)) };
    (@next $face:ident, $fde:literal, $fen:literal, $cde:literal, $cen:literal) => {
        Some(match $face {
            Face::Tui => ($fde, $fen),
            Face::Cli => ($cde, $cen),
        })
    };
    ($($name:ident => $de:literal, $en:literal
        $(=> $fde:literal, $fen:literal $(cli $cde:literal, $cen:literal)?)?;)*) => {
        /// Names of the user-visible texts.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Text { $($name,)* }

        impl Text {
            /// Every text, for completeness tests.
            pub const ALL: &'static [Text] = &[$(Text::$name,)*];

            /// The whole text; for a problem, what happened and (at the
            /// counter's screen) what to do next, joined by a colon.
            fn pair(self) -> (&'static str, &'static str) {
                match self {
                    $(Text::$name => (
                        concat!($de $(, ": ", $fde)?),
                        concat!($en $(, ": ", $fen)?),
                    ),)*
                }
            }

            /// What happened, without what to do next.
            fn what_pair(self) -> (&'static str, &'static str) {
                match self { $(Text::$name => ($de, $en),)* }
            }

            /// What to do next where the problem is read, if the text says.
            fn next_pair(self, face: Face) -> Option<(&'static str, &'static str)> {
                match self {
                    $(Text::$name => texts!(@next face $(, $fde, $fen $(, $cde, $cen)?)?),)*
                }
            }
        }
    };
}

texts! {
    AppTitle => "keydesk – Schlüsselausgabe", "keydesk – key counter";
    PluggedKeys => "Eingesteckte Schlüssel", "Keys plugged in";
    NoKeysPlugged => "Kein Schlüssel eingesteckt. Schlüssel einstecken.", "No key plugged in. Plug in a key.";
    ColSerial => "Seriennr.", "Serial";
    ColModel => "Modell", "Model";
    ColFirmware => "Firmware", "Firmware";
    ColState => "Status", "State";
    ColHolder => "Inhaber", "Holder";
    Search => "Suche (Name, Personalnr., Inventarnr., Seriennr.)", "Search (name, personnel no., asset tag, serial)";
    SearchHint => "Tippen zum Suchen", "Type to search";
    NoResults => "Keine Treffer", "No matches";
    Results => "Treffer", "Matches";
    KindStaff => "Person", "Staff";
    KindNotebook => "Notebook", "Notebook";
    KindKey => "Schlüssel", "Key";
    HelpTitle => "Tastenbelegung", "Keys";
    HelpBody => "Start: tippen = suchen · Tab wechselt Suche/Schlüssel/Treffer · ↑/↓ Auswahl\nEnter Details (Schlüssel, Person, Notebook) · Esc zurück/Suche leeren\nAm gewählten Schlüssel (aus der Suche: Alt+Buchstabe, z. B. Alt+E):\n  E Einrichten/Ausgeben   R Zurücksetzen   V Widerrufen (sperren)\n  Z Zurücknehmen          T Tauschen        L Verloren (Leihschlüssel)\nIm Assistenten: Enter weiter · Esc einen Schritt zurück\nF3 Audit, Export & Import · F4 Rückläufer im Stapel zurücksetzen
F1 Hilfe · F2 English · Strg+C Beenden",
                "Home: type to search · Tab switches search/keys/matches · ↑/↓ select\nEnter details (key, staff, notebook) · Esc back/clear search\nOn the selected key (from the search box: Alt+letter, e.g. Alt+E):\n  E enrol/issue   R reset   V revoke\n  Z return (zurück)   T replace (tauschen)   L lost (temporary key)\nIn a wizard: Enter next · Esc one step back\nF3 audit, export & import · F4 reset handed-back keys in a batch
F1 help · F2 Deutsch · Ctrl+C quit";
    HelpDemo => "Demo: F5 Schlüssel einstecken · F6 abziehen · F7 gewählten Schlüssel neu einstecken",
                "Demo: F5 plug a key · F6 unplug · F7 replug the selected key";
    FooterHome => "Tab Auswahl  Enter Details  F3 Audit  F4 Stapel  F1 Hilfe  F2 English  Strg+C",
                  "Tab select  Enter details  F3 audit  F4 batch  F1 help  F2 Deutsch  Ctrl+C quit";
    FooterActions => "E Ausgeben R Zurücksetzen V Widerrufen Z Zurücknehmen T Tauschen L Verloren",
                     "E enrol  R reset  V revoke  Z return  T replace  L lost";
    FooterActionsAlt => "Alt+ E Ausgeben R Zurücksetzen V Widerruf Z Rücknahme T Tausch L Verlust",
                        "Alt+ E enrol  R reset  V revoke  Z return  T replace  L lost";
    FooterGlobal => "F1 Hilfe  F2 English  Strg+C Ende", "F1 help  F2 Deutsch  Ctrl+C quit";
    FooterWizard => "Enter weiter  Esc zurück", "Enter next  Esc back";
    FooterAudit => "↑/↓ Auswahl  Enter ausführen  Esc zurück", "↑/↓ select  Enter run  Esc back";
    FooterDetail => "Esc zurück  F3 Audit/Export  F1 Hilfe  F2 English", "Esc back  F3 audit/export  F1 help  F2 Deutsch";
    FooterRecovery => "Enter Wiederherstellung ausführen  Esc weiter", "Enter run recovery  Esc go on";
    DemoBanner => "DEMO  F5 einstecken F6 abziehen F7 neu einstecken", "DEMO  F5 plug F6 unplug F7 replug";
    Working => "Bitte warten …", "Working …";
    StateInStock => "im Lager", "in stock";
    StateIssued => "ausgegeben", "issued";
    StateSuspended => "gesperrt", "suspended";
    StateLost => "verloren", "lost";
    StateRevoked => "widerrufen", "revoked";
    StateReturned => "zurückgegeben", "returned";
    StateReset => "zurückgesetzt", "reset";
    StateRetired => "ausgemustert", "retired";
    StateUnknown => "nicht im Bestand", "not in inventory";
    FlowEnrol => "Einrichten und ausgeben", "Enrol and issue";
    FlowReset => "Zurücksetzen", "Reset";
    FlowRevoke => "Widerrufen", "Revoke";
    FlowReturn => "Zurücknehmen", "Return";
    FlowReplace => "Tauschen", "Replace";
    FlowLost => "Verloren – Leihschlüssel", "Lost – temporary key";
    StepStaff => "Person", "Staff";
    StepNotebook => "Notebook", "Notebook";
    StepPins => "PINs", "PINs";
    StepReason => "Grund", "Reason";
    StepReturnReset => "Zurücksetzen?", "Reset?";
    StepOldFate => "Alter Schlüssel", "Old key";
    StepNewKey => "Neuer Schlüssel", "New key";
    StepConfirm => "Bestätigen", "Confirm";
    StepReplug => "Neu einstecken", "Replug";
    StepWorking => "Ausführen", "Working";
    StepDone => "Fertig", "Done";
    SoFar => "Bisher", "So far";
    SerialConfirmed => "Seriennummer getippt:", "serial typed:";
    NothingYet => "noch nichts", "nothing yet";
    NotebookOptional => "Enter ohne Treffer: kein Notebook", "Enter with no match: no notebook";
    PinOptLetter => "PIN-Brief", "PIN letter";
    PinsTyped => "eingetippt", "typed";
    PinOptLetterLong => "PIN-Brief: zufällige PINs, einmal angezeigt zum Übergeben", "PIN letter: random PINs, shown once to hand over";
    PinOptTypedLong => "Eintippen: die Person wählt ihre PIN selbst (verdeckt)", "Typed: the staff member chooses the PIN (masked)";
    PolicyLength => "Richtlinie: Länge", "Policy: length";
    PolicyDigits => "Ziffern", "digits";
    PolicyTries => "Fehlversuche, dann gesperrt", "tries, then blocked";
    PinForBoth => "Die PIN gilt für PIV (VPN) und FIDO2.", "The PIN is used for PIV (VPN) and FIDO2.";
    PinLabel => "PIN:", "PIN:";
    PinAgainLabel => "Wiederholen:", "Repeat:";
    ReasonLost => "verloren", "lost";
    ReasonStolen => "gestohlen", "stolen";
    ReasonLeft => "ausgeschieden", "left the office";
    ReasonDefective => "defekt", "defective";
    FateReturned => "zurückgegeben", "handed back";
    FateRevoked => "widerrufen", "revoked";
    ReturnResetNow => "Jetzt zurücksetzen (Schlüssel steckt) – danach im Lager", "Reset now (key plugged in) – then back in stock";
    ReturnResetLater => "Nur zurücknehmen, später zurücksetzen", "Take back only, reset later";
    WarnReset => "Achtung: PIV-Schlüssel, Zertifikat und FIDO2-Anmeldungen werden gelöscht.", "Caution: the PIV key, certificate and FIDO2 logins are erased.";
    WarnRevoke => "Achtung: der Schlüssel wird gesperrt und steht auf der Widerrufsliste.", "Caution: the key is taken out of service and listed as revoked.";
    TypeSerialToConfirm => "Zum Bestätigen die Seriennummer eintippen", "To confirm, type the serial";
    ConfirmAbout => "Bereit:", "Ready:";
    ConfirmEnter => "Enter startet. Der Schlüssel muss stecken bleiben.", "Enter starts. Leave the key plugged in.";
    ReplugNow => "Schlüssel abziehen und wieder einstecken:", "Unplug the key and plug it back in:";
    ReplugWhy => "FIDO2 erlaubt das Zurücksetzen nur kurz nach dem Einstecken; es startet von selbst, sobald der Schlüssel wieder steckt (oder Enter).", "FIDO2 allows a reset only just after plug-in; it starts by itself once the key is back (or press Enter).";
    ReplugDemo => "Demo: F7 zieht den virtuellen Schlüssel ab und steckt ihn wieder ein.", "Demo: F7 unplugs the virtual key and plugs it back in.";
    ResetWindow => "Zeitfenster für das FIDO2-Zurücksetzen", "FIDO2 reset window";
    TouchNow => "Jetzt den Schlüssel berühren (blinkt)", "Touch the key now (it blinks)";
    Failed => "Nicht gelungen:", "That did not work:";
    DoneKey => "Erledigt.", "Done.";
    LetterOnce => "PIN-Brief – nur jetzt sichtbar: ausdrucken oder abschreiben und übergeben", "PIN letter – shown only now: print or copy it and hand it over";
    LetterGone => "Mit Enter werden die PINs gelöscht und nicht wieder angezeigt.", "Enter wipes the PINs; they are not shown again.";
    KeysSearch => "Tippen sucht · ↑/↓ wählen · Enter übernehmen · Esc zurück", "Type to search · ↑/↓ pick · Enter take · Esc back";
    KeysChoice => "↑/↓ wählen · Enter weiter · Esc zurück", "↑/↓ pick · Enter next · Esc back";
    KeysPin => "Ziffern tippen · Tab Feld wechseln · Enter weiter · Esc zurück", "Type digits · Tab switch field · Enter next · Esc back";
    KeysTypeSerial => "Seriennummer tippen · Enter bestätigen · Esc zurück", "Type the serial · Enter confirm · Esc back";
    KeysReplug => "Abziehen und einstecken · Enter: schon geschehen · Esc zurück", "Unplug and replug · Enter: done already · Esc back";
    KeysRetry => "Enter erneut versuchen · Esc abbrechen", "Enter try again · Esc cancel";
    KeysClose => "Enter oder Esc schließen", "Enter or Esc close";
    KeysConfirm => "Enter starten · Esc zurück", "Enter start · Esc back";
    KeysDone => "Enter fertig", "Enter finish";
    HintPickStaff => "Erst eine Person suchen und wählen", "Search and pick a staff member first";
    HintPlugAnother => "Einen weiteren Schlüssel aus dem Lager einstecken", "Plug in another key from stock";
    HintDigitsOnly => "Nur Ziffern", "Digits only";
    HintPinTooShort => "Die PIN ist zu kurz (siehe Richtlinie)", "The PIN is too short (see the policy)";
    HintPinsDiffer => "Die PINs stimmen nicht überein; noch einmal wiederholen", "The PINs differ; repeat it again";
    HintSerialMismatch => "Die Seriennummer stimmt nicht; noch einmal tippen", "That is not the serial; type it again";
    History => "Verlauf", "History";
    FactState => "Status", "State";
    FactSince => "seit", "since";
    FactModel => "Modell", "Model";
    FactFirmware => "Firmware", "Firmware";
    FactHolder => "Inhaber", "Holder";
    FactNotebook => "Notebook", "Notebook";
    FactDue => "Leihe bis", "Loan until";
    FactEnrolment => "Einrichtung", "Enrolment";
    FactNotes => "Notizen", "Notes";
    FactSite => "Dienststelle", "Site";
    FactPersonnelNo => "Personalnr.", "Personnel no.";
    FactDepartment => "Abteilung", "Department";
    FactEmail => "E-Mail", "E-mail";
    FactKeysNow => "Schlüssel jetzt", "Keys now";
    FactHostname => "Hostname", "Hostname";
    FactUser => "Benutzer", "User";
    AuditTitle => "Audit & Export", "Audit & export";
    AuditVerify => "Audit-Kette prüfen (audit verify)", "Check the audit chain (audit verify)";
    AuditVerifyHint => "Prüft jedes Ereignis der Hash-Kette und zeigt den Anker zum Notieren", "Checks every event of the hash chain and shows the anchor to write down";
    ExportInventory => "Export: Bestand (Excel-CSV)", "Export: inventory (Excel CSV)";
    ExportHistory => "Export: Verlauf (Excel-CSV)", "Export: history (Excel CSV)";
    ExportRevoked => "Export: widerrufene Seriennummern (Excel-CSV)", "Export: revoked serials (Excel CSV)";
    ExportStaff => "Export: Personal (Excel-CSV)", "Export: staff (Excel CSV)";
    ExportNotebooks => "Export: Notebooks (Excel-CSV)", "Export: notebooks (Excel CSV)";
    ExportPath => "Datei", "File";
    ExportNeedsPath => "Bitte einen Dateinamen angeben für", "Please give a file name for";
    ExportStarted => "Export läuft:", "Exporting:";
    ExportWrote => "Export fertig, Zeilen/Datei:", "Export done, rows/file:";
    ImportStaff => "Import: Personal (CSV)", "Import: staff (CSV)";
    ImportNotebooks => "Import: Notebooks (CSV)", "Import: notebooks (CSV)";
    ImportStock => "Import: Lieferung in den Bestand (CSV)", "Import: delivery into stock (CSV)";
    ImportNeedsPath => "Bitte den Pfad der CSV-Datei angeben für", "Please give the path of the CSV file for";
    ImportChecking => "Probelauf (ändert nichts):", "Dry run (changes nothing):";
    ImportApplying => "Import wird geschrieben:", "Importing:";
    ImportWould => "Probelauf – Zeilen/neu/geändert/unverändert:", "Dry run – rows/added/changed/unchanged:";
    ImportDone => "Import fertig – Zeilen/neu/geändert/unverändert:", "Import done – rows/added/changed/unchanged:";
    ImportFormat => "Kodierung/Trennzeichen:", "Encoding/delimiter:";
    ImportConfirm => "Enter: jetzt wirklich importieren · andere Datei/Auswahl: neuer Probelauf", "Enter: import for real now · other file/choice: new dry run";
    ImportReading => "Datei wird gelesen und geprüft …", "reading and checking the file …";
    ImportAllOrNothing => "eine Transaktion: alle Zeilen oder keine", "one transaction: all rows or none";
    ImportRowsOf => "{} von {} Zeilen", "{} of {} rows";
    ReviewCounts => "{} Zeilen: {} neu, {} geändert, {} unverändert", "{} rows: {} new, {} changed, {} unchanged";
    ReviewHint => "Enter importiert genau diese Änderungen · Esc verwirft den Probelauf", "Enter imports exactly these changes · Esc discards the dry run";
    ReviewChanges => "Änderungen", "Changes";
    ReviewLine => "Zeile", "line";
    ReviewAdded => "neu", "new";
    ReviewChanged => "geändert", "changed";
    ReviewMore => "… und {} weitere (nicht aufgelistet)", "… and {} more (not listed)";
    ReviewNone => "Keine Änderungen: die Datei entspricht dem Bestand.", "No changes: the file matches the inventory.";
    ReviewDiscarded => "Probelauf verworfen, nichts importiert:", "Dry run discarded, nothing imported:";
    FooterReview => "↑/↓ Bild↑/↓ blättern  Enter importieren  Esc verwerfen", "↑/↓ PgUp/PgDn scroll  Enter import  Esc discard";
    Yes => "ja", "yes";
    No => "nein", "no";
    FieldSurname => "Name", "Surname";
    FieldGivenName => "Vorname", "Given name";
    FieldActive => "Aktiv", "Active";
    FieldSerialNo => "Seriennummer", "Serial number";
    FieldFormFactor => "Formfaktor", "Form factor";
    FieldBatch => "Lieferung/Charge", "Batch";
    FieldSite => "Dienststelle", "Site";
    CsrSaved => "CSR für die Amts-CA gespeichert:", "CSR for the office CA saved to:";
    CsrNotSaved => "CSR für die Amts-CA NICHT gespeichert (Ordner prüfen oder KEYDESK_CSR_DIR setzen):", "CSR for the office CA NOT saved (check the folder or set KEYDESK_CSR_DIR):";
    AuditLog => "Protokoll", "Log";
    AuditOk => "Audit-Kette in Ordnung, geprüfte Ereignisse:", "Audit chain intact, events checked:";
    AuditBroken => "Audit-Kette GEBROCHEN:", "Audit chain BROKEN:";
    AuditAnchorNote => "Anker mit heutigem Datum notieren (neuestes Ereignis {}):", "Write this anchor down with today's date (newest event {}):";
    // The anchor alone on its line, no label: it fits 80 columns and copies cleanly.
    AuditAnchor => "  {}", "  {}";
    AuditNoAnchor => "Noch keine Ereignisse, also noch kein Anker zum Notieren.", "No events yet, so no anchor to write down yet.";
    RecoveryTitle => "Unterbrochene Vorgänge", "Interrupted operations";
    RecoveryIntro => "Beim letzten Mal wurde ein Vorgang nicht abgeschlossen:", "An operation was not finished last time:";
    RecoveryAsk => "Schlüssel einstecken und Enter drücken: keydesk gleicht ihn mit dem Journal ab.", "Plug the key in and press Enter: keydesk reconciles it with the journal.";
    RecoveryAfter => "Enter: noch einmal abgleichen · Esc: weiter zur Arbeit", "Enter: reconcile again · Esc: go on to work";
    Since => "seit", "since";
    OutcomeNothingDone => "nichts geschehen, abgeschlossen", "nothing had happened; closed";
    OutcomeFinished => "fertiggestellt", "finished";
    OutcomeRolledBack => "zurückgerollt (Werkszustand)", "rolled back (factory state)";
    OutcomeNeedsKey => "braucht den Schlüssel", "needs the key";
    AccountUnknownOperation => "Unbekannter Vorgang „{}“: ohne Änderung abgeschlossen.", "Unknown operation “{}”: closed without any change.";
    AccountUnknownStep => "Schlüssel {}: das Journal nennt den Schritt „{}“, den diese Version nicht kennt; er wird behandelt, als wäre er geschehen.", "Key {}: the journal names the step “{}”, which this version does not know; it is treated as if it had happened.";
    AccountNotReconciled => "Der Schlüssel ließ sich nicht abgleichen (Meldung: {}).", "The key could not be reconciled (message: {}).";
    AccountPlugIn => "Schlüssel {} allein einstecken und noch einmal abgleichen: Enter auf der Seite „Unterbrochene Vorgänge“.", "Plug key {} in alone and reconcile it again: Enter on the “Interrupted operations” screen.";
    AccountEnrolComplete => "Die Einrichtung von Schlüssel {} war im Bestand schon abgeschlossen; nichts mehr zu tun.", "The enrolment of key {} was already complete in the inventory; nothing left to do.";
    AccountEnrolNotStarted => "Die Einrichtung von Schlüssel {} brach ab, bevor am Schlüssel etwas geändert wurde.", "The enrolment of key {} stopped before anything was changed on the key.";
    AccountPivReset => "Schlüssel {}: PIV auf Werkszustand zurückgesetzt (PIN, PUK, Schlüssel und Zertifikat gelöscht).", "Key {}: PIV reset to factory state (PIN, PUK, keys and certificate removed).";
    AccountOtpRestored => "Schlüssel {}: OTP-Schnittstelle wieder eingeschaltet (Werkseinstellung).", "Key {}: OTP interface switched back on (factory setting).";
    AccountFidoReset => "Schlüssel {}: FIDO2 zurückgesetzt (PIN und Anmeldungen gelöscht).", "Key {}: FIDO2 reset (PIN and logins removed).";
    AccountFidoPending => "Schlüssel {}: die FIDO2-PIN ist womöglich noch gesetzt; FIDO2 muss noch zurückgesetzt werden (Meldung: {}).", "Key {}: the FIDO2 PIN may still be set; FIDO2 still needs a reset (message: {}).";
    AccountReplug => "Schlüssel {} abziehen, allein wieder einstecken und sofort abgleichen: Enter auf der Seite „Unterbrochene Vorgänge“.", "Unplug key {}, plug it back in alone and reconcile it at once: Enter on the “Interrupted operations” screen.";
    AccountNotInInventory => "Schlüssel {} ist nicht im Bestand; erneut einrichten (E).", "Key {} is not in the inventory; enrol it again (E).";
    AccountStaysInStock => "Schlüssel {} bleibt im Lager; erneut einrichten (E).", "Key {} stays in stock; enrol it again (E).";
    AccountResetFinished => "Zurücksetzen von Schlüssel {} abgeschlossen (PIV {}, FIDO2 {}); der Schlüssel ist jetzt {}.", "The reset of key {} is finished (PIV: {}, FIDO2: {}); the key is {} now.";
    AccountPartReset => "zurückgesetzt", "reset";
    AccountPartUntouched => "unverändert", "untouched";
    ErrWrongPin => "Falsche PIN: noch {} Versuche, dann ist die PIN gesperrt", "Wrong PIN: {} tries left before the PIN is blocked"
        => "PIN prüfen und erneut versuchen.", "check the PIN and try again.";
    ErrPinBlocked => "Die PIN ist gesperrt", "The PIN is blocked"
        => "mit der PUK entsperren oder die Anwendung zurücksetzen.", "unblock it with the PUK, or reset the application.";
    ErrWrongPuk => "Falsche PUK: noch {} Versuche, dann ist die PUK gesperrt.", "Wrong PUK: {} tries left before the PUK is blocked.";
    ErrPukBlocked => "Die PUK ist gesperrt", "The PUK is blocked"
        => "nur ein Zurücksetzen der PIV-Anwendung hilft.", "only a reset of the PIV application recovers the key.";
    ErrNoKey => "Kein Schlüssel eingesteckt", "No key is plugged in"
        => "Schlüssel einstecken und erneut versuchen.", "plug in the key and try again.";
    ErrKeyNotFound => "Schlüssel {} ist nicht eingesteckt", "Key {} is not plugged in"
        => "einstecken (oder Seriennummer prüfen) und erneut versuchen.", "plug it in (or check the serial) and try again.";
    ErrKeyRemoved => "Der Schlüssel wurde während des Vorgangs abgezogen", "The key was removed during the operation"
        => "wieder einstecken und den Vorgang abgleichen lassen.", "plug it back in and let keydesk reconcile it."
        cli "wieder einstecken und „keydesk recover“ ausführen.", "plug it back in and run “keydesk recover”.";
    ErrSeveralKeys => "{} Schlüssel eingesteckt", "{} keys are plugged in"
        => "alle außer {} abziehen und erneut versuchen.", "unplug all but {} and try again.";
    ErrTouchTimeout => "Der Schlüssel wurde nicht rechtzeitig berührt", "The key was not touched in time"
        => "erneut starten und berühren, sobald er blinkt.", "start again and touch the key when it blinks.";
    ErrResetWindow => "Der FIDO2-Reset muss innerhalb von {} s nach dem Einstecken beginnen", "The FIDO2 reset must start within {} s of plugging the key in"
        => "abziehen, wieder einstecken und sofort bestätigen.", "unplug it, plug it back in and confirm at once.";
    ErrWrongState => "Schlüssel {} ist {} und kann von dort nicht in den Status „{}“ wechseln.", "Key {} is {}; it cannot become „{}“ from there.";
    ErrUnfinished => "Ein unterbrochener Vorgang an Schlüssel {} muss zuerst abgeglichen werden", "An unfinished operation on key {} must be reconciled first"
        => "keydesk neu starten, es zeigt ihn zum Abgleich an.", "restart keydesk, which shows it for reconciliation."
        cli "„keydesk recover“ ausführen.", "run “keydesk recover”.";
    ErrNoKeyPlugged => "Kein Schlüssel eingesteckt", "No key is plugged in"
        => "Schlüssel einstecken oder mit Tab einen Treffer wählen.", "plug one in, or choose a hit with Tab.";
    ErrSeveralKeysChoose => "Mehrere Schlüssel eingesteckt", "Several keys are plugged in"
        => "mit Tab den gemeinten wählen, dann die Aktion.", "choose the one you mean with Tab, then the action.";
    ErrNoKeyChosen => "Die Auswahl ist kein Schlüssel", "The selection is not a key"
        => "einen Schlüssel wählen.", "choose a key.";
    ErrNotTraining => "{} ist ein echter Bestand, virtuelle Schlüssel arbeiten nur mit einem Schulungsbestand", "{} is a real inventory, and virtual keys work only with a training inventory"
        => "keydesk demo starten oder mit --db eine neue Datei angeben.", "start keydesk demo, or give --db a new file.";
    ErrUnknownKey => "Schlüssel {} ist nicht im Bestand", "Key {} is not in the inventory"
        => "zuerst die Lieferung importieren.", "import the delivery first.";
    ErrUnknownStaff => "Keine Person mit Personalnummer {}", "No staff member with personnel number {}"
        => "Personalliste importieren oder Person anlegen.", "import the staff list or add the person first.";
    ErrUnknownNotebook => "Kein Notebook mit Inventarnummer {}", "No notebook with asset tag {}"
        => "Notebookliste importieren oder Notebook anlegen.", "import the notebook list or add it first.";
    ErrImport => "Importdatei abgelehnt, nichts geändert. Datei korrigieren und erneut importieren:\n{}", "Import file rejected, nothing changed. Fix the file and import again:\n{}";
    ErrImportLine => "Zeile {}: {}", "line {}: {}";
    ErrImportWhole => "ganze Datei: {}", "whole file: {}";
    ErrImportMore => "… und {} weitere Probleme", "… and {} more problems";
    ImpExcelWorkbook => "Das ist eine Excel-Arbeitsmappe, keine CSV-Datei; in Excel „Speichern unter“ wählen und „CSV UTF-8“ oder „CSV (Trennzeichen-getrennt)“ nehmen", "this is an Excel workbook, not a CSV file; in Excel use \"Save as\" and choose \"CSV UTF-8\" or \"CSV (Trennzeichen-getrennt)\"";
    ImpBomNotUtf8 => "Die Datei gibt sich als UTF-8 aus (sie beginnt mit einer BOM), enthält aber Bytes, die kein UTF-8 sind; erneut als „CSV UTF-8“ speichern", "the file says it is UTF-8 (it starts with a BOM) but contains bytes that are not UTF-8; save it again as \"CSV UTF-8\"";
    ImpNotUtf16 => "Die Datei gibt sich als UTF-16 aus, ist es aber nicht; erneut als „CSV UTF-8“ speichern", "the file says it is UTF-16 but is not; save it again as \"CSV UTF-8\"";
    ImpNulBytes => "Die Datei enthält NUL-Bytes: sie ist keine Textdatei in UTF-8 oder Windows-1252 (UTF-16 ohne BOM?); erneut als „CSV UTF-8“ speichern", "the file contains NUL bytes: it is not a text file in UTF-8 or Windows-1252 (UTF-16 without BOM?); save it again as \"CSV UTF-8\"";
    ImpUndefinedByte => "Byte 0x{} ist weder UTF-8 noch Windows-1252; die Datei erneut als „CSV UTF-8“ speichern", "byte 0x{} is neither UTF-8 nor Windows-1252; save the file again as \"CSV UTF-8\"";
    ImpTextAfterQuote => "Text folgt auf ein schließendes Anführungszeichen; ein Anführungszeichen innerhalb eines Felds in Anführungszeichen muss verdoppelt werden (\"\")", "text follows a closing quote; a quote inside a quoted field must be doubled (\"\")";
    ImpUnclosedQuote => "Ein in dieser Zeile geöffnetes Anführungszeichen (\") wird nie geschlossen; jedes Feld in Anführungszeichen braucht ein schließendes", "a quote (\") opened on this line is never closed; every quoted field needs a closing quote";
    ImpEmpty => "Die Datei ist leer", "the file is empty";
    ImpUnreadableHeader => "Die Kopfzeile ist nicht lesbar ({})", "{}";
    ImpUnreadableRow => "Zeile nicht lesbar: {}", "unreadable row: {}";
    ImpMissingColumn => "Pflichtspalte „{}“ fehlt (akzeptierte Namen: {}); die Kopfzeile enthält: {}", "required column \"{}\" is missing (accepted names: {}); the header has: {}";
    ImpAmbiguousColumn => "Die Spalten „{}“ und „{}“ bedeuten beide {}; nur eine davon behalten", "columns \"{}\" and \"{}\" both mean {}; keep one of them";
    ImpFieldCount => "{} Felder, aber die Kopfzeile hat {}; ein Feld, das „{}“ enthält, muss in Anführungszeichen stehen", "{} fields, but the header has {}; a field containing \"{}\" must be quoted";
    ImpDuplicate => "{} {} kommt doppelt vor (zuerst in Zeile {})", "{} {} appears twice (first on line {})";
    ImpNoName => "Personalnummer {} hat keinen Namen", "personnel number {} has no name";
    ImpNotYesNo => "„{}“ ist kein Ja/Nein-Wert für die Spalte Aktiv (ja/nein, 1/0)", "\"{}\" is not a yes/no value for the active column (ja/nein, 1/0)";
    ImpUnknownSite => "Keine Dienststelle mit Kürzel {}; zuerst die Dienststelle anlegen (keydesk site add) oder die Spalte Dienststelle korrigieren", "no site with code {}; add the site first (keydesk site add) or correct the site column";
    ImpUnknownHolder => "Keine Person mit Personalnummer {}; zuerst die Personalliste importieren oder die Person anlegen", "no staff member with personnel number {}; import the staff list or add the person first";
    IdPersonnelNo => "Personalnummer", "personnel number";
    IdAssetTag => "Inventarnummer", "asset tag";
    IdSerial => "Seriennummer", "serial";
    ParseNotASerial => "„{}“ ist keine Seriennummer eines Schlüssels (nur Ziffern, höchstens 4294967295)", "\"{}\" is not a key serial (digits only, up to 4294967295)";
    ParseZeroSerial => "0 ist keine Seriennummer eines Schlüssels", "serial 0 is not a key serial";
    ParseBadIdentifier => "„{}“ ist keine gültige {}", "\"{}\" is not a valid {}";
    ParseNotAKeyState => "„{}“ ist kein Schlüsselstatus", "\"{}\" is not a key state";
    ParseNotARevokeReason => "{} ist kein Widerrufsgrund: lost, stolen, left oder defective angeben", "{} is not a revocation reason: use lost, stolen, left or defective";
    ParseNotASlot => "{} ist kein PIV-Slot: 9a, 9c, 9d, 9e, 82 bis 95 oder f9 angeben", "{} is not a PIV slot: use 9a, 9c, 9d, 9e, 82 to 95 or f9";
    ParseNotAnAlgorithm => "{} ist kein Schlüsselalgorithmus: p256, p384, rsa2048 oder rsa3072 angeben", "{} is not a key algorithm: use p256, p384, rsa2048 or rsa3072";
    ParseNotAPinPolicy => "{} ist keine PIN-Richtlinie: default, never, once oder always angeben", "{} is not a PIN policy: use default, never, once or always";
    ParseNotATouchPolicy => "{} ist keine Berührungsrichtlinie: default, never, always oder cached angeben", "{} is not a touch policy: use default, never, always or cached";
    ParseNotAnImportKind => "{} ist keine Liste zum Importieren: staff, notebooks oder stock angeben", "{} is not a list to import: use staff, notebooks or stock";
    ParseNotAnExportKind => "{} ist kein Export: inventory, history, revoked, staff oder notebooks angeben", "{} is not an export: use inventory, history, revoked, staff or notebooks";
    ParseNotASiteCode => "„{}“ ist kein Dienststellen-Kürzel (1 bis 16 Buchstaben, Ziffern, - oder _)", "\"{}\" is not a site code (1 to 16 letters, digits, - or _)";
    ErrPinAuthBlocked => "Zu viele falsche FIDO2-PINs hintereinander", "Too many wrong FIDO2 PINs in a row"
        => "Schlüssel abziehen, wieder einstecken und erneut versuchen.", "unplug the key, plug it back in and try again.";
    ErrPinPolicy => "Die PIN entspricht nicht der Richtlinie ({})", "The PIN does not meet the policy ({})"
        => "eine andere PIN wählen.", "choose another PIN.";
    ErrMgmtKeyRejected => "Der Schlüssel lehnt den Verwaltungsschlüssel ab (er nutzt nicht den erwarteten)", "The key rejects the management key (it does not use the expected one)"
        => "Schlüssel zurücksetzen (R) und dann neu einrichten.", "reset the key (R), then enrol it again."
        cli "Schlüssel mit „keydesk reset“ zurücksetzen und dann neu einrichten.", "reset the key with “keydesk reset”, then enrol it again.";
    ErrNotFactoryFresh => "Schlüssel {} ist nicht im Werkszustand (PIN oder Verwaltungsschlüssel geändert)", "Key {} is not in factory state (PIN or management key changed)"
        => "zuerst zurücksetzen (R), dann einrichten.", "reset it (R) first, then enrol it."
        cli "zuerst mit „keydesk reset“ zurücksetzen, dann einrichten.", "reset it with “keydesk reset” first, then enrol it.";
    ErrCancelled => "Der Vorgang wurde abgebrochen", "The operation was cancelled"
        => "bei Bedarf neu starten.", "start it again if needed.";
    ErrAttestationMismatch => "Die Herstellerbescheinigung passt nicht zum Schlüssel in der Hand ({})", "The attestation does not match the key in hand ({})"
        => "diesen Schlüssel NICHT ausgeben, beiseitelegen und melden.", "do NOT issue this key; set it aside and report it.";
    ErrAttestation => "Die Herstellerbescheinigung des Schlüssels ließ sich nicht prüfen ({})", "The key's attestation could not be verified ({})"
        => "erneut versuchen; geht es wieder nicht, Schlüssel beiseitelegen und melden.", "try again; if it fails again, set the key aside and report it.";
    ErrUnsupported => "Dieser Schlüssel kann das nicht (nötig: {})", "This key cannot do that (it needs {})"
        => "einen anderen, neueren Schlüssel nehmen.", "use another, newer key.";
    ErrStatus => "Der Schlüssel hat {} mit Status {} beantwortet", "The key answered {} with status {}"
        => "abziehen, wieder einstecken und erneut versuchen; geht es wieder nicht, Schlüssel beiseitelegen und melden.", "unplug it, plug it back in and try again; if it fails again, set the key aside and report it.";
    ErrMalformed => "Der Schlüssel hat auf {} unverständlich geantwortet ({})", "The key sent a malformed answer to {} ({})"
        => "abziehen, wieder einstecken und erneut versuchen; geht es wieder nicht, Schlüssel beiseitelegen und melden.", "unplug it, plug it back in and try again; if it fails again, set the key aside and report it.";
    ErrCtap => "FIDO2-Fehler {} ({}) bei {}", "FIDO2 error {} ({}) from {}"
        => "Schlüssel abziehen, wieder einstecken und erneut versuchen.", "unplug the key, plug it back in and try again.";
    ErrPcsc => "Der Smartcard-Dienst meldet einen Fehler ({})", "The smart-card service failed ({})"
        => "prüfen, ob pcscd läuft, und erneut versuchen.", "check that pcscd is running and try again.";
    ErrHid => "Kein Zugriff auf FIDO-Geräte ({})", "No access to FIDO devices ({})"
        => "udev-Regel bzw. Gruppe für FIDO-Geräte prüfen lassen.", "have the udev rule or group for FIDO devices checked.";
    ErrTransport => "Die Verbindung zum Schlüssel ist gestört ({})", "The connection to the key failed ({})"
        => "abziehen, wieder einstecken und erneut versuchen.", "unplug it, plug it back in and try again.";
    ErrAccessDenied => "Der Schlüssel verweigert {}, weil PIN oder Verwaltungsschlüssel nicht bestätigt sind", "The key refused {} because the PIN or management key was not verified"
        => "Vorgang erneut starten; geht es wieder nicht, Schlüssel zurücksetzen (R).", "start the operation again; if it fails again, reset the key (R)."
        cli "Vorgang erneut starten; geht es wieder nicht, Schlüssel mit „keydesk reset“ zurücksetzen.", "start the operation again; if it fails again, reset the key with “keydesk reset”.";
    ErrNoSuchObject => "Der Schlüssel hat diese Anwendung, diesen Slot oder dieses Datenobjekt nicht ({})", "The key has no such application, slot or data object ({})"
        => "prüfen, ob es das richtige Modell ist, sonst einen anderen Schlüssel nehmen.", "check that it is the right model, else use another key.";
    ErrDuplicateSerial => "{} Schlüssel melden dieselbe Seriennummer {}", "{} keys report the same serial {}"
        => "alle bis auf einen abziehen und erneut versuchen.", "unplug all but one and try again.";
    ErrCardBusy => "Der Schlüssel wird von einem anderen Programm benutzt (z. B. scdaemon von gpg)", "The key is in use by another program (e.g. gpg's scdaemon)"
        => "das Programm beenden und erneut versuchen.", "close it and try again.";
    ErrCertMismatch => "Das Zertifikat gehört nicht zum Schlüssel in Slot {}", "The certificate is not for the key in slot {}"
        => "ein Zertifikat für die CSR dieses Schlüssels anfordern.", "request a certificate for this key's CSR.";
    PinPivLength => "sie muss 6 bis 8 Zeichen haben, nicht {}", "it must have 6 to 8 characters, not {}";
    PinPivTooLong => "eine PIN oder PUK hat höchstens 8 Zeichen", "a PIN/PUK has at most 8 characters";
    PinPivShorterThanProfile => "die PIV-PIN muss mindestens {} Zeichen haben", "the PIV PIN must have at least {} characters";
    PinZeroRetries => "die Zahl der Versuche muss mindestens 1 sein", "retry counts must be at least 1";
    PinFidoTooShort => "die PIN muss mindestens {} Zeichen haben", "the PIN must have at least {} characters";
    PinFidoTooLong => "die PIN darf höchstens {} Bytes lang sein", "the PIN must not be longer than {} bytes";
    PinFidoNul => "die PIN darf kein NUL-Zeichen enthalten", "the PIN must not contain a NUL character";
    PinFidoRefused => "der Schlüssel lehnt die PIN ab (zu kurz, zu lang, dieselbe wie bisher, oder zuerst ist eine PIN-Änderung nötig)", "the key refused the PIN (too short, too long, the same as before, or a PIN change is required first)";
    PinFidoNotSet => "auf diesem Schlüssel ist noch keine FIDO2-PIN gesetzt; zuerst eine setzen", "no FIDO2 PIN is set on this key yet; set one first";
    PinFidoAlreadySet => "dieser Schlüssel hat schon eine FIDO2-PIN; sie ändern statt neu setzen", "this key already has a FIDO2 PIN; change it instead";
    PinFidoChangeRequired => "der Schlüssel verlangt eine PIN-Änderung, bevor die PIN benutzt werden kann; zuerst die PIN ändern", "the key requires a PIN change before the PIN can be used; change the PIN first";
    PinMinLengthLowered => "die Mindestlänge der PIN kann nur erhöht werden (sie ist {})", "the minimum PIN length can only be raised (it is {})";
    PinFidoPinNeeded => "der Schlüssel hat eine FIDO2-PIN; sie eingeben, um die PIN-Richtlinie zu ändern", "the key has a FIDO2 PIN; enter it to change the PIN policy";
    MisSerial => "bescheinigte Seriennummer {}, der Schlüssel in der Hand hat {}", "attested serial {} but the key in hand is {}";
    MisFirmware => "bescheinigte Firmware {}, der Schlüssel meldet {}", "attested firmware {} but the key reports {}";
    MisPolicies => "bescheinigte PIN-/Berührungsrichtlinie {}/{}, erwartet {}/{}", "attested PIN/touch policy {}/{}, expected {}/{}";
    MisFormFactor => "bescheinigte Bauform {}, der Schlüssel meldet {}", "attested form factor {}, the key reports {}";
    MisPublicKey => "der bescheinigte öffentliche Schlüssel ist nicht der erzeugte", "the attested public key is not the generated one";
    MisSlotKey => "der Schlüssel in Slot {} ist nicht der erwartete", "the key in slot {} is not the one expected";
    MisNone => "keine", "none";
    AttRootEncoding => "Stammzertifikat: {}", "root certificate: {}";
    AttNoEndLine => "{}: einem Zertifikat fehlt die END-Zeile", "{}: a certificate has no END line";
    AttRootUnreadable => "Stammzertifikat in {}: {}", "root certificate in {}: {}";
    AttNoCertificate => "kein Zertifikat in {}", "no certificate in {}";
    AttLeafUnreadable => "Bescheinigung: {}", "attestation: {}";
    AttF9Unreadable => "F9-Zertifikat: {}", "F9 certificate: {}";
    AttEncoding => "Zertifikat nicht lesbar: {}", "certificate not readable: {}";
    AttIssuerMismatch => "der Name des Ausstellers passt nicht", "issuer name does not match";
    AttUnusedBits => "die Signatur hat ungenutzte Bits", "signature has unused bits";
    AttBadSignature => "die Signatur stimmt nicht", "signature does not verify";
    AttIssuerNotRsa => "der Schlüssel des Ausstellers ist kein RSA-Schlüssel", "issuer key is not RSA";
    AttIssuerNotEc => "der Schlüssel des Ausstellers ist weder P-256 noch P-384", "issuer key is not P-256/P-384";
    AttUnsupportedAlgorithm => "Signaturalgorithmus {} wird nicht unterstützt", "unsupported signature algorithm {}";
    AttUntrusted => "das Zertifikat des Bescheinigungsschlüssels ist von keinem vertrauenswürdigen Stammzertifikat signiert (kein echter Schlüssel?)", "the attestation key's certificate is not signed by a trusted root (not a genuine key?)";
    NeedPivFirmware => "Firmware {} oder neuer für {} (dieser Schlüssel hat {})", "firmware {} or later for {} (this key has {})";
    NeedDeviceInfoFirmware => "Firmware 4.1 oder neuer für GET DEVICE INFO", "firmware 4.1 or later for GET DEVICE INFO";
    NeedSwitchFirmware => "Firmware 5.0 oder neuer, um Anwendungen umzuschalten", "firmware 5.0 or later to switch applications";
    NeedOtpApplication => "die OTP-Anwendung", "the OTP application";
    NeedUnlockedConfig => "eine entsperrte Konfiguration (dieser Schlüssel hat einen Sperrcode für die Konfiguration)", "an unlocked configuration (this key has a configuration lock code)";
    NeedCommand => "eine Firmware, die {} beherrscht", "a firmware that implements {}";
    NeedApplication => "die Anwendung {} (nicht vorhanden oder abgeschaltet)", "the {} application (not present or disabled)";
    NeedUncompressedCertificate => "unkomprimierte Zertifikate (dieses ist komprimiert)", "uncompressed certificates (this one is compressed)";
    NeedCtap2 => "FIDO2 (CTAP2); dies ist ein reiner U2F-Schlüssel", "FIDO2 (CTAP2); this is a U2F-only key";
    NeedPinUvProtocol => "PIN/UV-Authentisierungsprotokoll 1 oder 2", "PIN/UV auth protocol 1 or 2";
    NeedCredentialManagement => "FIDO2-Anmeldungsverwaltung (CTAP 2.1 oder deren Vorabversion)", "FIDO2 credential management (CTAP 2.1 or its preview)";
    NeedCtaphidCommand => "einen CTAPHID-Befehl, den dieses Gerät nicht beherrscht", "a CTAPHID command this device does not implement";
    NeedSetMinPinLength => "CTAP-2.1-authenticatorConfig mit setMinPINLength (YubiKey-Firmware 5.7 oder neuer)", "CTAP 2.1 authenticatorConfig with setMinPINLength (YubiKey firmware 5.7 or later)";
    NeedFidoHidSerial => "einen YubiKey mit Firmware 4.1 oder neuer, um seine Seriennummer über FIDO-HID zu lesen", "a YubiKey with firmware 4.1 or later to read its serial over FIDO HID";
    FeatAttestation => "die Herstellerbescheinigung", "attestation";
    FeatMgmtKeyMetadata => "die Metadaten des Verwaltungsschlüssels", "management key metadata";
    FeatAesMgmtKey => "einen AES-Verwaltungsschlüssel", "an AES management key";
    FeatAlgorithm => "{}-Schlüssel", "{} keys";
    FeatSlotMetadata => "die Metadaten der Slots", "slot metadata";
    FeatSerialThroughPiv => "das Lesen der Seriennummer über PIV", "reading the serial through PIV";
    FeatPukRetries => "das Lesen der verbleibenden PUK-Versuche", "reading PUK retries";
    ErrDatabase => "Datenbankfehler ({})", "Database error ({})"
        => "erneut versuchen; bleibt der Fehler, keydesk neu starten und den Administrator verständigen.", "try again; if it stays, restart keydesk and tell the administrator.";
    ErrServer => "Der Datenbankserver meldet: {}", "The database server says: {}"
        => "erneut versuchen; bleibt der Fehler, den Administrator der Datenbank verständigen.", "try again; if it stays, tell the database administrator.";
    ErrServerUnreachable => "Der Datenbankserver ist nicht erreichbar ({})", "The database server cannot be reached ({})"
        => "Netzwerk prüfen und erneut versuchen; bleibt es so, den Administrator der Datenbank verständigen.", "check the network and try again; if it stays so, tell the database administrator.";
    ErrServerLost => "{} Der Bestandsserver ist während der Arbeit an Schlüssel {} weggefallen; was der Schlüssel getan hat, ist in {} festgehalten", "{} The inventory server went away during the work on key {}; what the key did is kept in {}"
        => "sobald der Server wieder erreichbar ist, „keydesk recover“ ausführen.", "once the server is back, run `keydesk recover`.";
    ErrNotPermitted => "Die Datenbank verweigert das {} ({}): {}; nichts wurde geändert", "The database refuses this to {} ({}): {}; nothing was changed"
        => "einen Administrator die nötige Rolle geben lassen (`keydesk operator grant technician|admin BENUTZER`).", "ask an administrator to grant the role it needs (`keydesk operator grant technician|admin USER`).";
    ErrSiteNotPermitted => "{} arbeitet als Techniker für {}, nicht für Standort {}; nichts wurde geändert", "{} works as a technician on {}, not on site {}; nothing was changed"
        => "einen Administrator den Standort freigeben lassen (`keydesk operator grant technician BENUTZER --site CODE`) oder am eigenen Standort arbeiten.", "ask an administrator to grant the site (`keydesk operator grant technician USER --site CODE`), or work at your own site.";
    ErrScopeNotForRole => "Standorte werden nur Technikern zugeteilt; die Rolle {} sieht alle Standorte", "Only technicians are granted sites; the role {} sees every site"
        => "--site und --all-sites weglassen.", "leave out --site and --all-sites.";
    ErrScopeMissing => "Für Techniker {} fehlen die Standorte", "Technician {} needs sites"
        => "mit --site CODE (je Standort einmal) oder --all-sites angeben, wo er arbeitet.", "say where they work: --site CODE (once per site) or --all-sites.";
    ErrOnlyOnServer => "{} gibt es nur in einem gemeinsamen Bestand auf einem PostgreSQL-Server", "{} exist only in a shared inventory on a PostgreSQL server"
        => "mit --db eine postgresql://-Adresse angeben; eine SQLite-Datei hat einen einzigen lokalen Bediener.", "give --db a postgresql:// URL; an SQLite file has one local operator.";
    ErrKeyClaimed => "Schlüssel {} wird gerade an Arbeitsplatz {} ({}) bearbeitet, seit {}; hier wurde nichts geändert", "Key {} is being handled at counter {} ({}) since {}; nothing was changed here"
        => "den Vorgang dort abschließen lassen oder warten, bis er fertig ist.", "let it be finished there, or wait until it is done.";
    ErrSchemaOutdated => "Die Bestandsdatenbank hat Schemaversion {}, dieses keydesk braucht Version {}", "The inventory database is at schema version {}, this keydesk needs version {}"
        => "den Administrator `keydesk db migrate` (als Eigentümer der Datenbank) ausführen lassen, dann neu starten.", "ask an administrator to run `keydesk db migrate` (as the database owner), then start again.";
    ErrSchemaNewer => "Die Bestandsdatenbank hat Schemaversion {}, neuer als dieses keydesk kennt ({})", "The inventory database is at schema version {}, newer than this keydesk knows ({})"
        => "keydesk an diesem Arbeitsplatz aktualisieren.", "update keydesk on this counter.";
    ErrMigration => "Das Datenbankschema ließ sich nicht aktualisieren ({})", "The database schema could not be updated ({})"
        => "die letzte Sicherung zurückspielen oder den Administrator fragen.", "restore the last backup or ask the administrator.";
    ErrStoreFile => "Eine Datei ließ sich nicht lesen oder schreiben ({})", "A file could not be read or written ({})"
        => "Pfad, Rechte und freien Platz prüfen und erneut versuchen.", "check the path, permissions and free space, then try again.";
    ErrCsv => "Die CSV-Datei ließ sich nicht verarbeiten ({})", "The CSV file could not be processed ({})"
        => "Datei bzw. Zielort prüfen und erneut versuchen.", "check the file or the place it goes to and try again.";
    ErrDuplicateKey => "Schlüssel {} ist schon im Bestand", "Key {} is already in the inventory"
        => "nicht noch einmal anlegen.", "do not add it again.";
    ErrDuplicateStaff => "Die Personalnummer {} gibt es schon", "Personnel number {} already exists"
        => "die vorhandene Person bearbeiten statt sie neu anzulegen.", "change the existing person instead of adding it again.";
    ErrDuplicateNotebook => "Die Inventarnummer {} gibt es schon", "Asset tag {} already exists"
        => "das vorhandene Notebook bearbeiten statt es neu anzulegen.", "change the existing notebook instead of adding it again.";
    ErrUnknownSite => "Keine Dienststelle mit Kürzel {}", "No site with code {}"
        => "die Dienststelle zuerst mit keydesk site add anlegen.", "add the site first with keydesk site add.";
    ErrDuplicateSite => "Die Dienststelle {} gibt es schon", "Site {} already exists"
        => "das vorhandene Kürzel verwenden oder ein anderes wählen.", "use the existing code or choose another one.";
    ErrUnknownJournal => "Journaleintrag {} gibt es nicht", "Journal entry {} does not exist"
        => "keydesk neu starten; offene Vorgänge werden dann zum Abgleich angezeigt.", "restart keydesk; open operations are then offered for reconciliation."
        cli "„keydesk recover“ ausführen: es gleicht die offenen Vorgänge ab.", "run “keydesk recover”: it reconciles the open operations.";
    ErrJournalClosed => "Journaleintrag {} ist schon abgeschlossen (vermutlich in einem anderen Fenster)", "Journal entry {} is already closed (probably in another window)"
        => "nichts weiter zu tun; keydesk neu starten, um den aktuellen Stand zu sehen.", "nothing left to do; restart keydesk to see the current state."
        cli "nichts weiter zu tun; „keydesk show serial“ zeigt den aktuellen Stand.", "nothing left to do; “keydesk show serial” shows the current state.";
    ErrInvalid => "Ungültige Angabe ({})", "Invalid input ({})"
        => "Eingabe prüfen und erneut versuchen.", "check the input and try again.";
    ErrAuditBroken => "Die Audit-Kette ist bei Ereignis {} gebrochen ({})", "The audit trail is broken at event {} ({})"
        => "nicht weiterarbeiten, den Administrator verständigen und die letzte Sicherung prüfen lassen.", "stop working, tell the administrator and have the last backup checked.";
    AuditEdited => "das Ereignis wurde nachträglich geändert", "the event was edited after it was written";
    AuditDeletedOne => "Ereignis {} wurde gelöscht", "event {} was deleted";
    AuditDeleted => "die Ereignisse {} bis {} wurden gelöscht", "events {} to {} were deleted";
    AuditInserted => "das Ereignis wurde von Hand eingefügt", "the event was inserted by hand";
    AuditTruncated => "die Ereignisse bis {} wurden am Ende entfernt", "events up to {} were removed from the end";
    AuditAnchorMismatch => "das Ereignis trägt den Hash {} statt {} wie im Anker, der Verlauf bis dorthin wurde also umgeschrieben", "the event carries hash {} instead of {} as in the anchor, so the history up to it was rewritten";
    AuditAnchorMissing => "das verankerte Ereignis gibt es nicht mehr, der Verlauf bis dorthin wurde also gelöscht", "the anchored event no longer exists, so the history up to it was deleted";
    ErrBadAnchor => "„{}“ ist kein Audit-Anker ({})", "“{}” is not an audit anchor ({})"
        => "den Anker so angeben, wie „keydesk audit head“ ihn ausgibt: <Ereignis>:<64 Hex-Ziffern>.", "give it as “keydesk audit head” prints it: <event>:<64 hex digits>.";
    AnchorNoSeparator => "zwischen Ereignis und Hash fehlt der Doppelpunkt", "there is no colon between event and hash";
    AnchorBadEvent => "vor dem Doppelpunkt steht keine Ereignisnummer (ganze Zahl ab 1, ohne Vorzeichen und führende Null)", "the part before the colon is not an event number (a whole number from 1, no sign, no leading zero)";
    AnchorBadHash => "nach dem Doppelpunkt stehen nicht genau 64 Hex-Ziffern", "the part after the colon is not exactly 64 hexadecimal digits";
    ErrCorrupt => "Die Datenbank enthält einen unlesbaren Wert ({}), vermutlich von Hand bearbeitet", "The database holds an unreadable value ({}), probably edited by hand"
        => "die letzte Sicherung zurückspielen oder den Administrator fragen.", "restore the last backup or ask the administrator.";
    ErrCopyTargetNotEmpty => "Die Zieldatenbank ist nicht leer (Tabelle {} hat Einträge); es wurde nichts kopiert", "The target database is not empty (table {} has rows); nothing was copied"
        => "in eine neue Datei kopieren oder in eine Datenbank, die „keydesk db migrate“ eben leer angelegt hat.", "copy into a new file, or into a database that “keydesk db migrate” has just created, empty.";
    ErrProfile => "Das Profil {} ist fehlerhaft ({})", "The profile {} is not valid ({})"
        => "die Datei korrigieren und keydesk neu starten.", "fix the file and restart keydesk."
        cli "die Datei korrigieren und den Befehl erneut ausführen.", "fix the file and run the command again.";
    ErrSiteProfile => "Das Profil der Dienststelle {} in der Inventur ist fehlerhaft ({})", "The profile of site {} in the inventory is not valid ({})"
        => "den Administrator bitten, es neu zu hinterlegen oder zu entfernen; bis dahin startet die Theke für diese Dienststelle nicht.", "ask the administrator to set it again or clear it; until then the counter does not start for this site."
        cli "„keydesk site profile KÜRZEL --file PROFIL.toml“ hinterlegt es neu, „--clear“ entfernt es (als Administrator).", "“keydesk site profile CODE --file PROFILE.toml” sets it again, “--clear” clears it (as an administrator).";
    ErrProfileOtherSite => "Das Profil {} gilt für die Dienststelle {}, diese Theke arbeitet aber für {}", "Profile {} is for site {}, but this counter works for site {}"
        => "das Profil dieser Dienststelle angeben oder --profile weglassen; dann gilt das Profil, das die Inventur für sie hinterlegt hat.", "give that site's profile, or leave out --profile to use the profile the inventory keeps for the site.";
    ErrUsage => "Das geht so nicht ({})", "That cannot be done ({})"
        => "Angaben prüfen und erneut versuchen.", "check what was given and try again.";
    ErrUnexpected => "Unerwarteter Fehler ({})", "Unexpected error ({})"
        => "erneut versuchen; geschieht es wieder, den Administrator verständigen.", "try again; if it happens again, tell the administrator.";
    ErrPartly => "Bereits geschehen: {}\nDann ging dies schief: {}\nAls Nächstes: {}", "Already done: {}\nThen this failed: {}\nWhat to do now: {}";
    DoneReturned => "Schlüssel {} ist als zurückgegeben erfasst.", "Key {} is recorded as returned.";
    DoneRevoked => "Schlüssel {} ist widerrufen (Grund: {}).", "Key {} is revoked (reason: {}).";
    DoneLostRevoked => "Der verlorene Schlüssel {} ist widerrufen.", "The lost key {} is revoked.";
    DoneNotRolledBack => "Schlüssel {} ist noch nicht wieder im Werkszustand. Abgleich: {}", "Key {} is not back in factory state yet. Reconciliation: {}";
    DoneRollbackFailed => "Schlüssel {} ließ sich nicht in den Werkszustand zurückversetzen: {}", "Key {} could not be put back into factory state: {}";
    NextResetLater => "Schlüssel {} später zurücksetzen (R), dann ist er wieder im Lager.", "Reset key {} later (R) to put it back into stock.";
    NextEnrolNew => "Der neue Schlüssel {} ist noch nicht ausgegeben: für Personalnummer {} einrichten (E).", "The new key {} is not issued yet: enrol it for personnel number {} (E).";
    NextEnrolTemporary => "Der Leihschlüssel {} ist noch nicht ausgegeben: für Personalnummer {} einrichten (E).", "The temporary key {} is not issued yet: enrol it for personnel number {} (E).";
    NextRecover => "Schlüssel {} allein einstecken und keydesk neu starten; den angebotenen Abgleich ausführen, bevor der Schlüssel benutzt wird.", "Plug key {} in alone and restart keydesk; run the reconciliation it offers before the key is used.";
    ErrStaffGone => "Diese Person gibt es nicht mehr (inzwischen gelöscht?)", "That staff member is gone (deleted meanwhile?)"
        => "erneut suchen und auswählen.", "search and pick again.";
    ErrNotebookGone => "Dieses Notebook gibt es nicht mehr (inzwischen gelöscht?)", "That notebook is gone (deleted meanwhile?)"
        => "erneut suchen und auswählen.", "search and pick again.";
    ErrDemoAllPlugged => "Alle Demo-Schlüssel sind schon eingesteckt", "All demo keys are plugged in already"
        => "mit F6 einen abziehen.", "unplug one with F6.";
    ErrWorkerStopped => "Die Hintergrundarbeit ist beendet", "The background worker stopped"
        => "keydesk mit Strg+C beenden und neu starten.", "quit keydesk with Ctrl+C and start it again.";
    ErrWorkerPanicked => "Die Hintergrundarbeit von keydesk ist abgestürzt", "keydesk's background worker crashed"
        => "keydesk neu starten; offene Vorgänge werden dann zum Abgleich angezeigt.", "start keydesk again; open operations are then offered for reconciliation.";
    ErrFileNotFound => "Die Datei {} gibt es nicht: Pfad und Namen prüfen und erneut versuchen. (Systemmeldung: {})", "The file {} does not exist: check the path and name and try again. (system message: {})";
    ErrFileNoFolder => "Den Ordner für {} gibt es nicht: einen vorhandenen Ordner wählen. (Systemmeldung: {})", "The folder for {} does not exist: choose a folder that exists. (system message: {})";
    ErrFileReadDenied => "Die Datei {} kann nicht gelesen werden (Zugriff verweigert): die Datei an einen lesbaren Ort kopieren oder die Rechte prüfen. (Systemmeldung: {})", "The file {} cannot be read (permission denied): copy it to a readable place or check the permissions. (system message: {})";
    ErrFileWriteDenied => "Die Datei {} kann nicht geschrieben werden (Zugriff verweigert). Wählen Sie einen anderen Ort. (Systemmeldung: {})", "The file {} cannot be written (permission denied). Choose another place. (system message: {})";
    ErrFileExists => "Die Datei {} gibt es schon: einen anderen Namen wählen. (Systemmeldung: {})", "The file {} already exists: choose another name. (system message: {})";
    ErrFileIsFolder => "{} ist ein Ordner, keine Datei: einen Dateinamen angeben. (Systemmeldung: {})", "{} is a folder, not a file: give a file name. (system message: {})";
    ErrFileFull => "Die Datei {} kann nicht geschrieben werden, weil kein Platz mehr frei ist: Platz schaffen oder einen anderen Ort wählen. (Systemmeldung: {})", "The file {} cannot be written because the disk is full: free some space or choose another place. (system message: {})";
    ErrFileRead => "Die Datei {} kann nicht gelesen werden: erneut versuchen oder die Datei neu speichern. (Systemmeldung: {})", "The file {} cannot be read: try again or save the file anew. (system message: {})";
    ErrFileWrite => "Die Datei {} kann nicht geschrieben werden: einen anderen Ort wählen und erneut versuchen. (Systemmeldung: {})", "The file {} cannot be written: choose another place and try again. (system message: {})";
    LetterPivPin => "PIV-PIN", "PIV PIN";
    LetterPivPuk => "PIV-PUK", "PIV PUK";
    LetterFidoPin => "FIDO2-PIN", "FIDO2 PIN";
    ErrorPrefix => "Fehler", "Error";
    BulkTitle => "Zurückgegebene Schlüssel zurücksetzen (Stapel)", "Reset handed-back keys (batch)";
    BulkLoading => "Suche Schlüssel, die auf das Zurücksetzen warten …", "Looking for keys waiting for a reset …";
    BulkNone => "Kein Schlüssel wartet auf das Zurücksetzen. Esc zurück.", "No key waits for a reset. Esc to go back.";
    BulkIntro => "Diese {} Schlüssel werden auf Werkseinstellung zurückgesetzt (PIV und FIDO2); alles darauf wird gelöscht.", "These {} keys will be reset to factory state (PIV and FIDO2); everything on them is erased.";
    BulkIntroPiv => "Bei diesen {} Schlüsseln wird PIV auf Werkseinstellung zurückgesetzt; Zertifikate und PINs werden gelöscht.", "These {} keys get their PIV application reset to factory state; certificates and PINs are erased.";
    BulkConfirm => "Zum Bestätigen die Anzahl ({}) eintippen und Enter drücken:", "To confirm, type the number of keys ({}) and press Enter:";
    BulkCountMismatch => "Das ist nicht die Anzahl: {} eintippen oder Esc.", "That is not the number of keys: type {}, or Esc.";
    BulkHowTo => "Schlüssel einzeln einstecken: jeder wird sofort zurückgesetzt. Berühren, wenn er blinkt; danach abziehen.", "Plug the keys in one at a time: each is reset at once. Touch it when it blinks, then unplug it.";
    BulkHowToPiv => "Schlüssel einstecken (auch mehrere): jeder wird sofort zurückgesetzt; danach abziehen.", "Plug the keys in (several at once is fine): each is reset at once, then unplug it.";
    BulkProgress => "{} von {} zurückgesetzt", "{} of {} reset";
    BulkPlugNext => "Nächsten Schlüssel des Stapels einstecken.", "Plug in the next key of the batch.";
    BulkKeyDone => "Schlüssel {} ist zurückgesetzt und wieder im Lager. Abziehen und den nächsten einstecken.", "Key {} is reset and back in stock. Unplug it and plug in the next one.";
    BulkKeyFailed => "Schlüssel {} wurde nicht zurückgesetzt. Abziehen und wieder einstecken, um es erneut zu versuchen.", "Key {} was not reset. Unplug it and plug it back in to try again.";
    BulkReplug => "Schlüssel {}: abziehen und wieder einstecken – FIDO2 lässt sich nur direkt nach dem Einstecken zurücksetzen.", "Key {}: unplug it and plug it back in – FIDO2 can only be reset right after plug-in.";
    BulkSeveral => "{} Schlüssel eingesteckt: nur den nächsten Schlüssel des Stapels stecken lassen.", "{} keys plugged in: leave only the next key of the batch plugged in.";
    BulkAlreadyDone => "Schlüssel {} ist schon fertig: abziehen und den nächsten einstecken.", "Key {} is done already: unplug it and plug in the next one.";
    BulkNotInBatch => "Schlüssel {} gehört nicht zu diesem Stapel ({}) und bleibt unverändert: abziehen.", "Key {} is not in this batch ({}) and is left alone: unplug it.";
    BulkNoSerial => "Der eingesteckte Schlüssel hat keine lesbare Seriennummer und gehört nicht zum Stapel: abziehen.", "The plugged key has no readable serial and is not in this batch: unplug it.";
    BulkFinished => "Fertig: alle {} Schlüssel sind zurückgesetzt und wieder im Lager. Esc zurück.", "Finished: all {} keys are reset and back in stock. Esc to go back.";
    MarkPending => "wartet", "waiting";
    MarkDone => "fertig", "done";
    MarkFailed => "fehlgeschlagen", "failed";
    ColSince => "seit", "since";
    FooterBulk => "Ziffern Anzahl  Enter starten  ↑/↓ blättern  Esc zurück", "digits count  Enter start  ↑/↓ scroll  Esc back";
    FooterBulkRunning => "↑/↓ blättern  Esc Stapel beenden (übrige Schlüssel warten weiter)", "↑/↓ scroll  Esc end the batch (the other keys keep waiting)";
    // The command line (cli/): results and refusals.
    CliNoDataDir => "Für diesen Benutzer gibt es kein Datenverzeichnis", "There is no data directory for this user"
        => "mit --db PFAD den Bestand angeben oder KEYDESK_DB setzen.", "give the inventory with --db PATH or set KEYDESK_DB.";
    CliNext => "Was tun", "What to do";
    CliOpenInventory => "Der Bestand {} lässt sich nicht öffnen", "The inventory {} cannot be opened";
    CliUnfinished => "Unterbrochene Vorgänge ({}; {} an Schlüssel {}, Schritt {}) müssen zuerst abgeglichen werden", "{} unfinished operation(s) ({} on key {}, step {}) must be resolved first"
        => "„keydesk recover“ ausführen.", "run “keydesk recover”.";
    CliReplugTimeout => "Schlüssel {} wurde nicht innerhalb von {} s abgezogen und wieder eingesteckt, nichts wurde zurückgesetzt", "Key {} was not unplugged and plugged back in within {} s, so nothing was reset"
        => "den Befehl erneut starten und den Schlüssel abziehen und wieder einstecken, sobald er darum bittet.", "run the command again and replug the key when it asks.";
    CliRecoverNeedsKey => "{} Vorgänge brauchen noch ihren Schlüssel", "{} operation(s) still need their key"
        => "ihn einstecken und „keydesk recover“ erneut ausführen.", "plug it in and run “keydesk recover” again.";
    CliNoTerminal => "Kein Terminal, auf dem der Stapel bestätigt werden kann", "There is no terminal to confirm the batch on"
        => "die Liste prüfen und --yes angeben.", "check the list and pass --yes.";
    CliNotConfirmed => "Nicht bestätigt: nichts wurde zurückgesetzt.", "Not confirmed: nothing was reset.";
    CliBatchIncomplete => "{} von {} Schlüsseln zurückgesetzt; nicht zurückgesetzt: {}", "{} of {} key(s) reset; not reset: {}"
        => "mit „{}“ fortsetzen.", "continue with “{}”.";
    CliRevoked => "Schlüssel {} gesperrt (widerrufen).", "key {} revoked";
    CliSuspended => "Schlüssel {} vorübergehend gesperrt.", "key {} suspended";
    CliReinstated => "Schlüssel {} ist wieder in Gebrauch.", "key {} is in use again";
    CliNoteSaved => "Notiz zu Schlüssel {} gespeichert.", "note on key {} saved";
    CliSiteAdded => "Dienststelle {} angelegt: {}", "site {} added: {}";
    CliSitesNone => "Noch keine Dienststellen (keydesk site add KÜRZEL --name NAME)", "no sites yet (keydesk site add CODE --name NAME)";
    CliSiteHasProfile => "(mit Profil)", "(with profile)";
    CliSiteProfileSet => "Profil der Dienststelle {} hinterlegt (SHA-256 {})", "profile of site {} stored (SHA-256 {})";
    CliSiteProfileSame => "Die Dienststelle {} hat dieses Profil schon (SHA-256 {}); nichts geändert", "site {} has this profile already (SHA-256 {}); nothing changed";
    CliSiteProfileCleared => "Profil der Dienststelle {} entfernt: ihre Theken nutzen wieder ihre Profildatei oder die Voreinstellungen", "profile of site {} cleared: its counters use their profile file or the built-in defaults again";
    CliSiteProfileNone => "Die Dienststelle {} hat kein Profil in der Inventur", "site {} has no profile in the inventory";
    CliStatusInventory => "Inventur: {}", "inventory: {}";
    StatusSite => "Dienststelle {} {}", "site {} {}";
    StatusNoSite => "keine Dienststelle", "no site";
    StatusProfileSite => "Profil von {} aus dem Bestand", "profile of site {} from the inventory";
    StatusProfileFile => "Profil {}", "profile {}";
    CliStatusProfileName => "Profilname: {}", "profile name: {}";
    StatusProfileBuiltIn => "eingebautes Standardprofil", "built-in default profile";
    CliExported => "{} Zeilen exportiert", "{} rows exported";
    CliExportAnchor => "Audit-Anker beim Export: {} (mit dem Export ablegen; „keydesk audit verify --anchor“ prüft ihn)", "audit anchor at export: {} (file it with the export; `keydesk audit verify --anchor` checks it)";
    CliImported => "{} Zeilen gelesen ({}, Trennzeichen {}): {} hinzugefügt, {} geändert, {} unverändert", "{} rows read ({}, delimiter {}): {} were added, {} were changed, {} unchanged";
    CliImportDryRun => "{} Zeilen gelesen ({}, Trennzeichen {}): {} kämen hinzu, {} würden geändert, {} unverändert (Probelauf: nichts wurde geändert)", "{} rows read ({}, delimiter {}): {} would be added, {} would be changed, {} unchanged (dry run: nothing was changed)";
    CliImportLine => "  Zeile {}: {} {}", "  line {}: {} {}";
    CliImportMore => "  … und {} weitere, nicht aufgeführt", "  ... and {} more not listed";
    CliAuditIntact => "Audit-Kette unversehrt: {} Ereignisse geprüft", "audit trail intact: {} events checked";
    CliAuditIntactSince => "Audit-Kette unversehrt: {} Ereignisse geprüft; der Verlauf bis Ereignis {} ist unverändert, seit Anker {} genommen wurde", "audit trail intact: {} events checked; the history up to event {} is unchanged since anchor {} was taken";
    CliAuditEmpty => "Die Audit-Kette ist leer: noch nichts zu verankern.", "the audit trail is empty: nothing to anchor yet";
    CliDbMigrated => "{}: Schema von Version {} auf {} gebracht", "{}: schema brought from version {} to {}";
    CliDbCopying => "Kopieren von {} nach {}", "copying {} to {}";
    CliDbCopied => "{} Zeilen von {} nach {} kopiert ({}); die Audit-Kette der Kopie ist bis zum Anker {} unversehrt", "{} rows copied from {} to {} ({}); the copy's audit chain is intact up to anchor {}";
    CliDbCopiedEmpty => "{} ist leer: nach {} wurde nichts kopiert", "{} is empty: nothing copied to {}";
    CliOperatorGranted => "{} ist jetzt {}", "{} is now {}";
    CliOperatorGrantedSites => "{} ist jetzt {} für {}", "{} is now {} on {}";
    CliOperatorRow => "{} {} ({})", "{} {} ({})";
    CliNoOperators => "Noch keine Bediener.", "No operators yet.";
    CliDbCurrent => "{}: Schema ist aktuell (Version {})", "{}: schema is up to date (version {})";
    CliAuditHead => "Audit-Kette unversehrt: {} Ereignisse geprüft; diesen Anker mit heutigem Datum notieren (neuestes Ereignis {} vom {}), dann zeigt „keydesk audit verify --anchor“, ob der Verlauf bis dorthin umgeschrieben oder gelöscht wurde:\n{}", "audit trail intact: {} events checked; write this anchor down with today's date (newest event {} of {}), then `keydesk audit verify --anchor` shows whether the history up to it was rewritten or deleted:\n{}";
    CliNoKeysPlugged => "Kein Schlüssel eingesteckt.", "No keys plugged in.";
    CliKeyRow => "{} {} fw {} {} {}{}", "{} {} fw {} {} {}{}";
    CliKeyRowNotebook => "  Notebook {}", "  notebook {}";
    CliUnfinishedNote => "{} unterbrochene Vorgänge: „keydesk recover“ ausführen", "{} unfinished operation(s): run `keydesk recover`";
    CliElsewhere => "Hinweis: {} an Schlüssel {} läuft gerade in einem anderen keydesk-Fenster", "note: {} of key {} is in progress in another keydesk window";
    CliTouchNow => "Schlüssel {} jetzt berühren (noch {} s)", "touch key {} now ({} s left)";
    CliReplugNow => "Schlüssel {} jetzt abziehen und wieder einstecken (Wartezeit {} s)", "unplug key {} and plug it back in now (waiting {} s)";
    CliEnrolled => "Schlüssel {} ({} {}) eingerichtet und ausgegeben; öffentlicher Schlüssel sha256 {}\nCSR für die Zertifizierungsstelle: {}", "key {} ({} {}) enrolled and issued; public key sha256 {}\nCSR for the office CA: {}";
    CliLetterWritten => "PIN-Brief (versiegelt übergeben, dann die Datei löschen): {}", "PIN letter (hand it over sealed, then delete the file): {}";
    CliReset => "Schlüssel {} zurückgesetzt ({}); Status {}", "key {} reset ({}); state {}";
    CliResetPivFido => "PIV und FIDO2", "PIV and FIDO2";
    CliResetPiv => "PIV", "PIV";
    CliResetFido => "FIDO2", "FIDO2";
    CliResetNothing => "nichts", "nothing";
    CliReturnedOnly => "Schlüssel {} zurückgenommen", "key {} returned"
        => "mit „keydesk reset --serial {}“ zurücksetzen, dann ist er wieder im Lager.", "reset it with `keydesk reset --serial {}` to put it back into stock.";
    CliReturnedNotReset => "Schlüssel {} ist als zurückgenommen erfasst, aber nicht zurückgesetzt", "key {} is recorded as returned but not reset"
        => "mit „keydesk reset --serial {}“ abschließen.", "finish with `keydesk reset --serial {}`.";
    CliReturned => "Schlüssel {} zurückgenommen, zurückgesetzt und wieder im Lager.", "key {} returned, reset and back in stock";
    CliReplacedOld => "alter Schlüssel {}: {}", "old key {}: {}";
    CliLostRevoked => "verlorener Schlüssel {} gesperrt\nLeihschlüssel, Rückgabe bis {}:", "lost key {} revoked\ntemporary key, due back {}:";
    CliNoOverdueLoans => "Keine überfälligen Leihschlüssel.", "No overdue loans.";
    CliNoOpenLoans => "Keine offenen Leihschlüssel.", "No open loans.";
    CliLoanRow => "Schlüssel {}  {} ({})  Rückgabe bis {}", "key {}  {} ({})  due {}";
    CliNothingToRecover => "nichts abzugleichen", "nothing to recover";
    CliRecovered => "{} an Schlüssel {} (Journal {}): {}", "{} of key {} (journal {}): {}";
    CliCertImported => "Zertifikat in Schlüssel {} importiert.", "certificate imported into key {}";
    CliBatchNote => "Hinweis: nur die {} am längsten wartenden Schlüssel sind in diesem Stapel; für den Rest erneut starten", "note: only the {} keys waiting longest are in this batch; run it again for the rest";
    CliBatchNone => "Kein Schlüssel wartet auf das Zurücksetzen.", "no key waits for a reset";
    CliBatchOf => "Stapel von {} Schlüsseln zum Zurücksetzen ({}): {}", "batch of {} key(s) to reset ({}): {}";
    CliBatchPivOnly => "nur PIV", "PIV only";
    CliBatchConfirm => "{} eintippen, um diese {} Schlüssel auf Werkseinstellung zurückzusetzen: ", "Type {} to reset these {} key(s) to factory state: ";
    CliBatchOneAtATime => "Schlüssel einzeln einstecken; jeden berühren, wenn er blinkt", "plug the keys in one at a time; touch each one when it blinks";
    CliBatchIdle => "seit {} s kein Schlüssel zurückgesetzt: Ende", "no key reset for {} s: stopping";
    CliBatchDone => "alle {} Schlüssel zurückgesetzt und wieder im Lager", "all {} key(s) reset and back in stock";
    CliShowKey => "Schlüssel {}  {}  Firmware {}  Status {} seit {}", "Key {}  {}  firmware {}  state {} since {}";
    CliShowNotes => "Notizen: {}", "Notes: {}";
    CliShowHistory => "Verlauf:", "History:";
    CliShowEvent => "  {}  {} von {}@{}{}", "  {}  {} by {}@{}{}";
    CliShowInactive => "inaktiv", "inactive";
    CliShowNotebook => "{} {} ({}, Seriennr. {})", "{} {} ({}, serial {})";
    CliShowNoAssignments => "Keine Schlüssel zugeordnet.", "No keys assigned.";
    CliShowAssignments => "Zuordnungen:", "Assignments:";
    CliShowNow => "heute", "now";
    CliShowDue => " (Leihschlüssel, Rückgabe bis {})", " (temporary, due {})";
    CliShowAssignment => "  Schlüssel {}  {} ({})  Notebook {}  {} – {}{}", "  key {}  {} ({})  notebook {}  {} – {}{}";
    CliPinFdClosed => "--pin-fd {}: der Deskriptor ist nicht zum Lesen geöffnet", "--pin-fd {}: the descriptor is not open for reading"
        => "den Deskriptor im aufrufenden Skript öffnen (z. B. 3< datei) oder --pin-letter DATEI nehmen.", "open the descriptor in the calling script (e.g. 3< file) or use --pin-letter FILE.";
    CliPinFdUnreadable => "--pin-fd {}: lässt sich nicht lesen ({})", "--pin-fd {}: cannot read ({})"
        => "den Deskriptor im aufrufenden Skript prüfen.", "check the descriptor in the calling script.";
    CliNoPinTerminal => "Die PIN lässt sich nicht vom Terminal lesen", "cannot read a PIN from the terminal"
        => "--pin-letter DATEI oder --pin-fd N verwenden.", "use --pin-letter FILE or --pin-fd N.";
    CliPinFdEmpty => "--pin-fd: keine Zeile mehr für die {}", "--pin-fd: no line left for the {}"
        => "eine Zeile je PIN liefern, in der Reihenfolge der Abfrage.", "give one line per PIN, in the order they are asked for.";
    CliPinsDiffer => "Die beiden Eingaben der {} sind verschieden, nichts wurde geändert", "the two {} entries differ; nothing was changed"
        => "erneut starten und zweimal dieselbe PIN eingeben.", "start again and type the same PIN twice.";
    CliLetterExists => "Den PIN-Brief {} gibt es schon; er wird nie überschrieben", "the PIN letter {} exists already; it is never overwritten"
        => "einen neuen Dateinamen wählen.", "choose a new file name.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locale_picks_language() {
        assert_eq!(Lang::from_locale("de_DE.UTF-8"), Lang::De);
        assert_eq!(Lang::from_locale("de_AT"), Lang::De);
        assert_eq!(Lang::from_locale("en_US.UTF-8"), Lang::En);
        assert_eq!(Lang::from_locale("C"), Lang::En);
        assert_eq!(Lang::De.toggled(), Lang::En);
    }

    #[test]
    fn every_text_is_translated_and_differs_where_words_differ() {
        for &t in Text::ALL {
            assert!(!Lang::De.t(t).is_empty(), "{t:?} has no German text");
            assert!(!Lang::En.t(t).is_empty(), "{t:?} has no English text");
        }
        assert_ne!(Lang::De.t(Text::PluggedKeys), Lang::En.t(Text::PluggedKeys));
    }

    #[test]
    fn problems_say_what_happened_and_what_to_do_apart_and_the_cli_its_own_way() {
        let t = Text::ErrUnfinished;
        assert_eq!(
            Lang::En.what(t),
            "An unfinished operation on key {} must be reconciled first"
        );
        assert_eq!(
            Lang::En.t(t),
            format!(
                "{}: {}",
                Lang::En.what(t),
                Lang::En.next(t, Face::Tui).unwrap_or_default()
            )
        );
        assert_eq!(Lang::En.next(t, Face::Cli), Some("run “keydesk recover”."));
        assert_eq!(
            Lang::De.next(t, Face::Cli),
            Some("„keydesk recover“ ausführen.")
        );
        // Without a command-line text of its own, both read the same.
        let k = Text::ErrUnknownKey;
        assert_eq!(Lang::De.next(k, Face::Cli), Lang::De.next(k, Face::Tui));
        assert_eq!(Lang::En.next(Text::PluggedKeys, Face::Cli), None);
        assert_eq!(
            Lang::En.what(Text::PluggedKeys),
            Lang::En.t(Text::PluggedKeys)
        );
    }
}
