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
    HelpBody => "Start: tippen = suchen · Tab wechselt Suche/Schlüssel/Treffer · ↑/↓ Auswahl\nEnter Details (Schlüssel, Person, Notebook) · Esc zurück/Suche leeren\nAm gewählten Schlüssel:\n  E Einrichten/Ausgeben   R Zurücksetzen   V Widerrufen (sperren)\n  Z Zurücknehmen          T Tauschen        L Verloren (Leihschlüssel)\nIm Assistenten: Enter weiter · Esc einen Schritt zurück\nF3 Audit, Export & Import · F4 Rückläufer im Stapel zurücksetzen
F1 Hilfe · F2 English · Strg+C Beenden",
                "Home: type to search · Tab switches search/keys/matches · ↑/↓ select\nEnter details (key, staff, notebook) · Esc back/clear search\nOn the selected key:\n  E enrol/issue   R reset   V revoke\n  Z return (zurück)   T replace (tauschen)   L lost (temporary key)\nIn a wizard: Enter next · Esc one step back\nF3 audit, export & import · F4 reset handed-back keys in a batch
F1 help · F2 Deutsch · Ctrl+C quit";
    HelpDemo => "Demo: F5 Schlüssel einstecken · F6 abziehen · F7 gewählten Schlüssel neu einstecken",
                "Demo: F5 plug a key · F6 unplug · F7 replug the selected key";
    FooterHome => "Tab Auswahl  Enter Details  F3 Audit  F4 Stapel  F1 Hilfe  F2 English  Strg+C",
                  "Tab select  Enter details  F3 audit  F4 batch  F1 help  F2 Deutsch  Ctrl+C quit";
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
    AccountOther => "Abgleich: {}", "Reconciliation: {}";
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
    ErrNotTraining => "{} ist ein echter Bestand: virtuelle Schlüssel arbeiten nur mit einem Schulungsbestand. keydesk demo starten oder mit --db eine neue Datei angeben.", "{} is a real inventory: virtual keys work only with a training inventory. Start keydesk demo, or give --db a new file.";
    ErrUnknownKey => "Schlüssel {} ist nicht im Bestand: zuerst die Lieferung importieren.", "Key {} is not in the inventory: import the delivery first.";
    ErrUnknownStaff => "Keine Person mit Personalnummer {}: Personalliste importieren oder Person anlegen.", "No staff member with personnel number {}: import the staff list or add the person first.";
    ErrUnknownNotebook => "Kein Notebook mit Inventarnummer {}: Notebookliste importieren oder Notebook anlegen.", "No notebook with asset tag {}: import the notebook list or add it first.";
    ErrImport => "Importdatei abgelehnt, nichts geändert. Datei korrigieren und erneut importieren:\n{}", "Import file rejected, nothing changed. Fix the file and import again:\n{}";
    ErrImportLine => "Zeile {}: {}", "line {}: {}";
    ErrImportWhole => "ganze Datei: {}", "whole file: {}";
    ErrImportMore => "… und {} weitere Probleme", "… and {} more problems";
    ErrPinAuthBlocked => "Zu viele falsche FIDO2-PINs hintereinander: Schlüssel abziehen, wieder einstecken und erneut versuchen.", "Too many wrong FIDO2 PINs in a row: unplug the key, plug it back in and try again.";
    ErrPinPolicy => "Die PIN entspricht nicht der Richtlinie ({}): eine andere PIN wählen.", "The PIN does not meet the policy ({}): choose another PIN.";
    ErrMgmtKeyRejected => "Der Schlüssel lehnt den Verwaltungsschlüssel ab (er nutzt nicht den erwarteten): Schlüssel zurücksetzen (R) und dann neu einrichten.", "The key rejects the management key (it does not use the expected one): reset the key (R), then enrol it again.";
    ErrNotFactoryFresh => "Schlüssel {} ist nicht im Werkszustand (PIN oder Verwaltungsschlüssel geändert): zuerst zurücksetzen (R), dann einrichten.", "Key {} is not in factory state (PIN or management key changed): reset it (R) first, then enrol it.";
    ErrCancelled => "Der Vorgang wurde abgebrochen. Bei Bedarf neu starten.", "The operation was cancelled. Start it again if needed.";
    ErrAttestationMismatch => "Die Herstellerbescheinigung passt nicht zum Schlüssel in der Hand ({}): diesen Schlüssel NICHT ausgeben, beiseitelegen und melden.", "The attestation does not match the key in hand ({}): do NOT issue this key; set it aside and report it.";
    ErrAttestation => "Die Herstellerbescheinigung des Schlüssels ließ sich nicht prüfen ({}): erneut versuchen; geht es wieder nicht, Schlüssel beiseitelegen und melden.", "The key's attestation could not be verified ({}): try again; if it fails again, set the key aside and report it.";
    ErrUnsupported => "Dieser Schlüssel kann das nicht (nötig: {}): einen anderen, neueren Schlüssel nehmen.", "This key cannot do that (it needs {}): use another, newer key.";
    ErrStatus => "Der Schlüssel hat {} mit Status {} beantwortet: abziehen, wieder einstecken und erneut versuchen; geht es wieder nicht, Schlüssel beiseitelegen und melden.", "The key answered {} with status {}: unplug it, plug it back in and try again; if it fails again, set the key aside and report it.";
    ErrMalformed => "Der Schlüssel hat auf {} unverständlich geantwortet ({}): abziehen, wieder einstecken und erneut versuchen; geht es wieder nicht, Schlüssel beiseitelegen und melden.", "The key sent a malformed answer to {} ({}): unplug it, plug it back in and try again; if it fails again, set the key aside and report it.";
    ErrCtap => "FIDO2-Fehler {} ({}) bei {}: Schlüssel abziehen, wieder einstecken und erneut versuchen.", "FIDO2 error {} ({}) from {}: unplug the key, plug it back in and try again.";
    ErrPcsc => "Der Smartcard-Dienst meldet einen Fehler ({}): prüfen, ob pcscd läuft, und erneut versuchen.", "The smart-card service failed ({}): check that pcscd is running and try again.";
    ErrHid => "Kein Zugriff auf FIDO-Geräte ({}): udev-Regel bzw. Gruppe für FIDO-Geräte prüfen lassen.", "No access to FIDO devices ({}): have the udev rule or group for FIDO devices checked.";
    ErrTransport => "Die Verbindung zum Schlüssel ist gestört ({}): abziehen, wieder einstecken und erneut versuchen.", "The connection to the key failed ({}): unplug it, plug it back in and try again.";
    ErrAccessDenied => "Der Schlüssel verweigert {}, weil PIN oder Verwaltungsschlüssel nicht bestätigt sind: Vorgang erneut starten; geht es wieder nicht, Schlüssel zurücksetzen (R).", "The key refused {} because the PIN or management key was not verified: start the operation again; if it fails again, reset the key (R).";
    ErrNoSuchObject => "Der Schlüssel hat diese Anwendung, diesen Slot oder dieses Datenobjekt nicht ({}): prüfen, ob es das richtige Modell ist, sonst einen anderen Schlüssel nehmen.", "The key has no such application, slot or data object ({}): check that it is the right model, else use another key.";
    ErrDuplicateSerial => "{} Schlüssel melden dieselbe Seriennummer {}: alle bis auf einen abziehen und erneut versuchen.", "{} keys report the same serial {}: unplug all but one and try again.";
    ErrCardBusy => "Der Schlüssel wird von einem anderen Programm benutzt (z. B. scdaemon von gpg): das Programm beenden und erneut versuchen.", "The key is in use by another program (e.g. gpg's scdaemon): close it and try again.";
    ErrCertMismatch => "Das Zertifikat gehört nicht zum Schlüssel in Slot {}: ein Zertifikat für die CSR dieses Schlüssels anfordern.", "The certificate is not for the key in slot {}: request a certificate for this key's CSR.";
    ErrDatabase => "Datenbankfehler ({}): erneut versuchen; bleibt der Fehler, keydesk neu starten und den Administrator verständigen.", "Database error ({}): try again; if it stays, restart keydesk and tell the administrator.";
    ErrMigration => "Das Datenbankschema ließ sich nicht aktualisieren ({}): die letzte Sicherung zurückspielen oder den Administrator fragen.", "The database schema could not be updated ({}): restore the last backup or ask the administrator.";
    ErrStoreFile => "Eine Datei ließ sich nicht lesen oder schreiben ({}): Pfad, Rechte und freien Platz prüfen und erneut versuchen.", "A file could not be read or written ({}): check the path, permissions and free space, then try again.";
    ErrCsv => "Die CSV-Datei ließ sich nicht verarbeiten ({}): Datei bzw. Zielort prüfen und erneut versuchen.", "The CSV file could not be processed ({}): check the file or the place it goes to and try again.";
    ErrDuplicateKey => "Schlüssel {} ist schon im Bestand: nicht noch einmal anlegen.", "Key {} is already in the inventory: do not add it again.";
    ErrDuplicateStaff => "Die Personalnummer {} gibt es schon: die vorhandene Person bearbeiten statt sie neu anzulegen.", "Personnel number {} already exists: change the existing person instead of adding it again.";
    ErrDuplicateNotebook => "Die Inventarnummer {} gibt es schon: das vorhandene Notebook bearbeiten statt es neu anzulegen.", "Asset tag {} already exists: change the existing notebook instead of adding it again.";
    ErrUnknownJournal => "Journaleintrag {} gibt es nicht: keydesk neu starten; offene Vorgänge werden dann zum Abgleich angezeigt.", "Journal entry {} does not exist: restart keydesk; open operations are then offered for reconciliation.";
    ErrJournalClosed => "Journaleintrag {} ist schon abgeschlossen (vermutlich in einem anderen Fenster): nichts weiter zu tun; keydesk neu starten, um den aktuellen Stand zu sehen.", "Journal entry {} is already closed (probably in another window): nothing left to do; restart keydesk to see the current state.";
    ErrInvalid => "Ungültige Angabe ({}): Eingabe prüfen und erneut versuchen.", "Invalid input ({}): check the input and try again.";
    ErrAuditBroken => "Die Audit-Kette ist bei Ereignis {} gebrochen: {}. Nicht weiterarbeiten: den Administrator verständigen und die letzte Sicherung prüfen lassen.", "The audit trail is broken at event {}: {}. Stop working: tell the administrator and have the last backup checked.";
    AuditEdited => "das Ereignis wurde nachträglich geändert", "the event was edited after it was written";
    AuditDeletedOne => "Ereignis {} wurde gelöscht", "event {} was deleted";
    AuditDeleted => "die Ereignisse {} bis {} wurden gelöscht", "events {} to {} were deleted";
    AuditInserted => "das Ereignis wurde von Hand eingefügt", "the event was inserted by hand";
    AuditTruncated => "die Ereignisse bis {} wurden am Ende entfernt", "events up to {} were removed from the end";
    AuditAnchorMismatch => "das Ereignis trägt den Hash {} statt {} wie im Anker, der Verlauf bis dorthin wurde also umgeschrieben", "the event carries hash {} instead of {} as in the anchor, so the history up to it was rewritten";
    AuditAnchorMissing => "das verankerte Ereignis gibt es nicht mehr, der Verlauf bis dorthin wurde also gelöscht", "the anchored event no longer exists, so the history up to it was deleted";
    AuditOther => "die Kette passt nicht ({})", "the chain does not fit ({})";
    ErrBadAnchor => "„{}“ ist kein Audit-Anker: {}. Den Anker so angeben, wie „keydesk audit head“ ihn ausgibt: <Ereignis>:<64 Hex-Ziffern>.", "“{}” is not an audit anchor: {}. Give it as “keydesk audit head” prints it: <event>:<64 hex digits>.";
    AnchorNoSeparator => "zwischen Ereignis und Hash fehlt der Doppelpunkt", "there is no colon between event and hash";
    AnchorBadEvent => "vor dem Doppelpunkt steht keine Ereignisnummer (ganze Zahl ab 1, ohne Vorzeichen und führende Null)", "the part before the colon is not an event number (a whole number from 1, no sign, no leading zero)";
    AnchorBadHash => "nach dem Doppelpunkt stehen nicht genau 64 Hex-Ziffern", "the part after the colon is not exactly 64 hexadecimal digits";
    AnchorOther => "die Form stimmt nicht ({})", "it is not in shape ({})";
    ErrCorrupt => "Die Datenbank enthält einen unlesbaren Wert ({}), vermutlich von Hand bearbeitet: die letzte Sicherung zurückspielen oder den Administrator fragen.", "The database holds an unreadable value ({}), probably edited by hand: restore the last backup or ask the administrator.";
    ErrProfile => "Das Profil {} ist fehlerhaft ({}): die Datei korrigieren und keydesk neu starten.", "The profile {} is not valid ({}): fix the file and restart keydesk.";
    ErrUsage => "Das geht so nicht ({}): Angaben prüfen und erneut versuchen.", "That cannot be done ({}): check what was given and try again.";
    ErrUnexpected => "Unerwarteter Fehler ({}): erneut versuchen; geschieht es wieder, den Administrator verständigen.", "Unexpected error ({}): try again; if it happens again, tell the administrator.";
    ErrPartly => "Bereits geschehen: {}\nDann ging dies schief: {}\nAls Nächstes: {}", "Already done: {}\nThen this failed: {}\nWhat to do now: {}";
    DoneReturned => "Schlüssel {} ist als zurückgegeben erfasst.", "Key {} is recorded as returned.";
    DoneRevoked => "Schlüssel {} ist widerrufen (Grund: {}).", "Key {} is revoked (reason: {}).";
    DoneLostRevoked => "Der verlorene Schlüssel {} ist widerrufen.", "The lost key {} is revoked.";
    DoneNotRolledBack => "Schlüssel {} ist noch nicht wieder im Werkszustand. Abgleich: {}", "Key {} is not back in factory state yet. Reconciliation: {}";
    DoneRollbackFailed => "Schlüssel {} ließ sich nicht in den Werkszustand zurückversetzen: {}", "Key {} could not be put back into factory state: {}";
    DoneOther => "Ein Teil des Vorgangs ist schon geschehen ({}).", "Part of the operation already happened ({}).";
    NextResetLater => "Schlüssel {} später zurücksetzen (R), dann ist er wieder im Lager.", "Reset key {} later (R) to put it back into stock.";
    NextEnrolNew => "Der neue Schlüssel {} ist noch nicht ausgegeben: für Personalnummer {} einrichten (E).", "The new key {} is not issued yet: enrol it for personnel number {} (E).";
    NextEnrolTemporary => "Der Leihschlüssel {} ist noch nicht ausgegeben: für Personalnummer {} einrichten (E).", "The temporary key {} is not issued yet: enrol it for personnel number {} (E).";
    NextRecover => "Schlüssel {} allein einstecken und keydesk neu starten; den angebotenen Abgleich ausführen, bevor der Schlüssel benutzt wird.", "Plug key {} in alone and restart keydesk; run the reconciliation it offers before the key is used.";
    NextOther => "Bitte so vorgehen: {}", "Please do this: {}";
    ErrStaffGone => "Diese Person gibt es nicht mehr (inzwischen gelöscht?): erneut suchen und auswählen.", "That staff member is gone (deleted meanwhile?): search and pick again.";
    ErrNotebookGone => "Dieses Notebook gibt es nicht mehr (inzwischen gelöscht?): erneut suchen und auswählen.", "That notebook is gone (deleted meanwhile?): search and pick again.";
    ErrDemoAllPlugged => "Alle Demo-Schlüssel sind schon eingesteckt: mit F6 einen abziehen.", "All demo keys are plugged in already: unplug one with F6.";
    ErrWorkerStopped => "Die Hintergrundarbeit ist beendet: keydesk mit Strg+C beenden und neu starten.", "The background worker stopped: quit keydesk with Ctrl+C and start it again.";
    ErrWorkerPanicked => "Die Hintergrundarbeit von keydesk ist abgestürzt: keydesk neu starten; offene Vorgänge werden dann zum Abgleich angezeigt.", "keydesk's background worker crashed: start keydesk again; open operations are then offered for reconciliation.";
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
