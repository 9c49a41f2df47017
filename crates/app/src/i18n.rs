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
        let (de, en) = text.pair();
        match self {
            Self::De => de,
            Self::En => en,
        }
    }
}

macro_rules! texts {
    ($($name:ident => $de:literal, $en:literal;)*) => {
        /// Names of the user-visible texts.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Text { $($name,)* }

        impl Text {
            /// Every text, for completeness tests.
            pub const ALL: &'static [Text] = &[$(Text::$name,)*];

            fn pair(self) -> (&'static str, &'static str) {
                match self { $(Text::$name => ($de, $en),)* }
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
    HelpBody => "Start: tippen = suchen · Tab wechselt Suche/Schlüssel/Treffer · ↑/↓ Auswahl\nEnter Details (Schlüssel, Person, Notebook) · Esc zurück/Suche leeren\nAm gewählten Schlüssel:\n  E Einrichten/Ausgeben   R Zurücksetzen   V Widerrufen (sperren)\n  Z Zurücknehmen          T Tauschen        L Verloren (Leihschlüssel)\nIm Assistenten: Enter weiter · Esc einen Schritt zurück\nF3 Audit, Export & Import · F1 Hilfe · F2 English · Strg+C Beenden",
                "Home: type to search · Tab switches search/keys/matches · ↑/↓ select\nEnter details (key, staff, notebook) · Esc back/clear search\nOn the selected key:\n  E enrol/issue   R reset   V revoke\n  Z return (zurück)   T replace (tauschen)   L lost (temporary key)\nIn a wizard: Enter next · Esc one step back\nF3 audit, export & import · F1 help · F2 Deutsch · Ctrl+C quit";
    HelpDemo => "Demo: F5 Schlüssel einstecken · F6 abziehen · F7 gewählten Schlüssel neu einstecken",
                "Demo: F5 plug a key · F6 unplug · F7 replug the selected key";
    FooterHome => "Tab Auswahl  Enter Details  F3 Audit/Export  F1 Hilfe  F2 English  Strg+C Ende",
                  "Tab select  Enter details  F3 audit/export  F1 help  F2 Deutsch  Ctrl+C quit";
    FooterActions => "E Ausgeben R Zurücksetzen V Widerrufen Z Zurücknehmen T Tauschen L Verloren",
                     "E enrol  R reset  V revoke  Z return  T replace  L lost";
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
    FactPersonnelNo => "Personalnr.", "Personnel no.";
    FactDepartment => "Abteilung", "Department";
    FactEmail => "E-Mail", "E-mail";
    FactKeysNow => "Schlüssel jetzt", "Keys now";
    FactHostname => "Hostname", "Hostname";
    FactUser => "Benutzer", "User";
    AuditTitle => "Audit & Export", "Audit & export";
    AuditVerify => "Audit-Kette prüfen (audit verify)", "Check the audit chain (audit verify)";
    AuditVerifyHint => "Prüft jedes Ereignis der Hash-Kette", "Checks every event of the hash chain";
    ExportInventory => "Export: Bestand (Excel-CSV)", "Export: inventory (Excel CSV)";
    ExportHistory => "Export: Verlauf (Excel-CSV)", "Export: history (Excel CSV)";
    ExportRevoked => "Export: widerrufene Seriennummern (Excel-CSV)", "Export: revoked serials (Excel CSV)";
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
    ImportNoProgress => "(eine Transaktion, kein Fortschritt je Zeile)", "(one transaction; no per-row progress)";
    CsrSaved => "CSR für die Amts-CA gespeichert:", "CSR for the office CA saved to:";
    CsrNotSaved => "CSR für die Amts-CA NICHT gespeichert (Ordner prüfen oder KEYDESK_CSR_DIR setzen):", "CSR for the office CA NOT saved (check the folder or set KEYDESK_CSR_DIR):";
    AuditLog => "Protokoll", "Log";
    AuditOk => "Audit-Kette in Ordnung, geprüfte Ereignisse:", "Audit chain intact, events checked:";
    AuditBroken => "Audit-Kette GEBROCHEN:", "Audit chain BROKEN:";
    RecoveryTitle => "Unterbrochene Vorgänge", "Interrupted operations";
    RecoveryIntro => "Beim letzten Mal wurde ein Vorgang nicht abgeschlossen:", "An operation was not finished last time:";
    RecoveryAsk => "Schlüssel einstecken und Enter drücken: keydesk gleicht ihn mit dem Journal ab.", "Plug the key in and press Enter: keydesk reconciles it with the journal.";
    RecoveryAfter => "Enter: noch einmal abgleichen · Esc: weiter zur Arbeit", "Enter: reconcile again · Esc: go on to work";
    Since => "seit", "since";
    OutcomeNothingDone => "nichts geschehen, abgeschlossen", "nothing had happened; closed";
    OutcomeFinished => "fertiggestellt", "finished";
    OutcomeRolledBack => "zurückgerollt (Werkszustand)", "rolled back (factory state)";
    OutcomeNeedsKey => "braucht den Schlüssel", "needs the key";
    ErrWrongPin => "Falsche PIN: noch {} Versuche, dann ist die PIN gesperrt. PIN prüfen und erneut versuchen.", "Wrong PIN: {} tries left before the PIN is blocked; check the PIN and try again.";
    ErrPinBlocked => "Die PIN ist gesperrt: mit der PUK entsperren oder die Anwendung zurücksetzen.", "The PIN is blocked: unblock it with the PUK, or reset the application.";
    ErrWrongPuk => "Falsche PUK: noch {} Versuche, dann ist die PUK gesperrt.", "Wrong PUK: {} tries left before the PUK is blocked.";
    ErrPukBlocked => "Die PUK ist gesperrt: nur ein Zurücksetzen der PIV-Anwendung hilft.", "The PUK is blocked: only a reset of the PIV application recovers the key.";
    ErrNoKey => "Kein Schlüssel eingesteckt: Schlüssel einstecken und erneut versuchen.", "No key is plugged in: plug in the key and try again.";
    ErrKeyNotFound => "Schlüssel {} ist nicht eingesteckt: einstecken (oder Seriennummer prüfen) und erneut versuchen.", "Key {} is not plugged in: plug it in (or check the serial) and try again.";
    ErrKeyRemoved => "Der Schlüssel wurde während des Vorgangs abgezogen: wieder einstecken und den Vorgang abgleichen lassen.", "The key was removed during the operation: plug it back in and let keydesk reconcile it.";
    ErrSeveralKeys => "{} Schlüssel eingesteckt: alle außer {} abziehen und erneut versuchen.", "{} keys are plugged in; unplug all but {} and try again.";
    ErrTouchTimeout => "Der Schlüssel wurde nicht rechtzeitig berührt: erneut starten und berühren, sobald er blinkt.", "The key was not touched in time: start again and touch the key when it blinks.";
    ErrResetWindow => "Der FIDO2-Reset muss innerhalb von {} s nach dem Einstecken beginnen: abziehen, wieder einstecken und sofort bestätigen.", "The FIDO2 reset must start within {} s of plugging the key in: unplug it, plug it back in and confirm at once.";
    ErrWrongState => "Schlüssel {} ist {} und kann von dort nicht in den Status „{}“ wechseln.", "Key {} is {}; it cannot become „{}“ from there.";
    ErrUnfinished => "Ein unterbrochener Vorgang an Schlüssel {} muss zuerst abgeglichen werden (Neustart von keydesk zeigt ihn).", "An unfinished operation on key {} must be reconciled first (restarting keydesk shows it).";
    ErrUnknownKey => "Schlüssel {} ist nicht im Bestand: zuerst die Lieferung importieren.", "Key {} is not in the inventory: import the delivery first.";
    ErrUnknownStaff => "Keine Person mit Personalnummer {}: Personalliste importieren oder Person anlegen.", "No staff member with personnel number {}: import the staff list or add the person first.";
    ErrUnknownNotebook => "Kein Notebook mit Inventarnummer {}: Notebookliste importieren oder Notebook anlegen.", "No notebook with asset tag {}: import the notebook list or add it first.";
    ErrImport => "Importdatei abgelehnt, nichts geändert: {}", "Import file rejected, nothing changed: {}";
    ErrorPrefix => "Fehler", "Error";
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
}
