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
    HelpBody => "F1 Hilfe · F2 Sprache · ↑/↓ Auswahl · Enter Details · Esc Zurück/Suche leeren · Strg+C Beenden",
                "F1 help · F2 language · ↑/↓ select · Enter details · Esc back/clear search · Ctrl+C quit";
    FooterHome => "F1 Hilfe  F2 Deutsch/English  Strg+C Ende", "F1 help  F2 Deutsch/English  Ctrl+C quit";
    DemoBanner => "DEMO – virtuelle Schlüssel, Demo-Datenbank", "DEMO – virtual keys, demo database";
    DemoKeys => "F5 Schlüssel einstecken · F6 abziehen", "F5 plug a key · F6 unplug";
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
