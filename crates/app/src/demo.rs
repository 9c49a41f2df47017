//! `keydesk demo`: the TUI on a demo inventory (sample staff, notebooks and a
//! delivery of keys, imported from the CSV files in `crates/app/demo/`) and
//! virtual keys that the user plugs in and out with F5/F6. It never opens the
//! real inventory and never talks to real keys.

use std::path::PathBuf;

use anyhow::Context;
use keydesk_core::{Desk, ImportKind};
use keydesk_device::sim_source::{SimKeys, SimTime};
use keydesk_sim::{Firmware, Identity};
use keydesk_store::{HitKind as StoreHitKind, Serial};

use crate::cli::args::DemoArgs;
use crate::i18n::Lang;
use crate::tui::runtime::{self, Service};
use crate::tui::state::{App, Cmd, Hit, HitKind, InvState, KeyRow, Msg};

const STAFF: &[u8] = include_bytes!("../demo/staff.csv");
const NOTEBOOKS: &[u8] = include_bytes!("../demo/notebooks.csv");
const STOCK: &[u8] = include_bytes!("../demo/stock.csv");

/// The virtual keys in the demo's drawer: serial and firmware, matching demo/stock.csv.
const DRAWER: &[(u32, Firmware)] = &[
    (23_456_780, Firmware::V5_7_1),
    (23_456_781, Firmware::V5_7_1),
    (18_000_042, Firmware::V5_4_3),
    (23_456_782, Firmware::V5_7_1),
];

/// Search results shown per query (one screen).
const PAGE: usize = 20;

/// Open (or create and fill) the demo inventory and run the TUI on it.
pub fn run(args: &DemoArgs) -> anyhow::Result<()> {
    let (db, fresh) = match &args.demo_db {
        Some(p) => (p.clone(), !p.exists()),
        None => {
            let dir = std::env::temp_dir().join(format!("keydesk-demo-{}", std::process::id()));
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            (dir.join("demo.db"), true)
        }
    };
    let service = DemoService::open(db, fresh, usize::from(args.keys))?;
    runtime::run(App::new(Lang::from_env(), true), service)?;
    Ok(())
}

/// The demo's worker side: the demo inventory and the virtual keys plugged in.
#[derive(Debug)]
pub struct DemoService {
    desk: Desk,
    plugged: Vec<Identity>,
    announced: bool,
}

impl DemoService {
    /// Open the demo inventory at `db`, filling it from the sample CSV files when `fresh`.
    pub fn open(db: PathBuf, fresh: bool, keys: usize) -> anyhow::Result<Self> {
        let mut desk = crate::cli::open_desk(
            &db,
            None,
            crate::cli::Keys::Virtual(SimKeys::new(SimTime::Real)),
        )?;
        if fresh {
            desk.import(ImportKind::Staff, STAFF, "demo/staff.csv", false)?;
            desk.import(
                ImportKind::Notebooks,
                NOTEBOOKS,
                "demo/notebooks.csv",
                false,
            )?;
            desk.import(ImportKind::Stock, STOCK, "demo/stock.csv", false)?;
        }
        let plugged = DRAWER
            .iter()
            .take(keys)
            .map(|&(serial, fw)| Identity::yubikey_5_nfc(serial, fw))
            .collect();
        Ok(Self {
            desk,
            plugged,
            announced: false,
        })
    }

    fn rows(&self) -> Vec<KeyRow> {
        self.plugged.iter().map(|id| self.row(id)).collect()
    }

    fn row(&self, id: &Identity) -> KeyRow {
        let store = self.desk.store();
        let serial = Serial::new(id.serial).ok();
        let key = serial.and_then(|s| store.get_key(s).ok().flatten());
        let holder = serial
            .and_then(|s| store.current_assignment(s).ok().flatten())
            .map(|a| format!("{} ({})", a.holder, a.personnel_no.as_str()));
        KeyRow {
            serial: id.serial.to_string(),
            model: "YubiKey 5 NFC".into(),
            firmware: id.firmware.to_string(),
            state: key.map_or(InvState::Unknown, |k| inv_state(k.state)),
            holder,
        }
    }
}

fn inv_state(s: keydesk_store::KeyState) -> InvState {
    use keydesk_store::KeyState as K;
    match s {
        K::InStock => InvState::InStock,
        K::Issued => InvState::Issued,
        K::Suspended => InvState::Suspended,
        K::Lost => InvState::Lost,
        K::Revoked => InvState::Revoked,
        K::Returned => InvState::Returned,
        K::Reset => InvState::Reset,
        K::Retired => InvState::Retired,
    }
}

impl Service for DemoService {
    fn run(&mut self, cmd: Cmd) -> Vec<Msg> {
        match cmd {
            Cmd::Search(query) => match self.desk.store().search(&query, PAGE) {
                Ok(hits) => {
                    let hits = hits
                        .into_iter()
                        .map(|h| Hit {
                            kind: match h.kind {
                                StoreHitKind::Staff => HitKind::Staff,
                                StoreHitKind::Notebook => HitKind::Notebook,
                                StoreHitKind::Key => HitKind::Key,
                            },
                            ref_id: h.ref_id,
                            label: h.label,
                        })
                        .collect();
                    vec![Msg::SearchResults { query, hits }]
                }
                Err(e) => vec![Msg::Failed(e.to_string())],
            },
            Cmd::PlugVirtual => {
                match DRAWER
                    .iter()
                    .find(|(s, _)| !self.plugged.iter().any(|p| p.serial == *s))
                {
                    Some(&(serial, fw)) => self.plugged.push(Identity::yubikey_5_nfc(serial, fw)),
                    None => return vec![Msg::Failed("all demo keys are plugged in".into())],
                }
                vec![Msg::Plugged(self.rows())]
            }
            Cmd::UnplugVirtual => {
                self.plugged.pop();
                vec![Msg::Plugged(self.rows())]
            }
        }
    }

    fn poll(&mut self) -> Vec<Msg> {
        if self.announced {
            return Vec::new();
        }
        self.announced = true;
        vec![Msg::Plugged(self.rows())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_inventory_is_filled_and_searchable_and_keys_plug() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut svc = DemoService::open(dir.path().join("demo.db"), true, 1).expect("demo opens");
        let first = svc.poll();
        let Some(Msg::Plugged(rows)) = first.first() else {
            panic!("first poll announces keys: {first:?}")
        };
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].state,
            InvState::InStock,
            "demo keys come from the imported delivery"
        );
        assert!(svc.poll().is_empty(), "nothing changes by itself");

        let out = svc.run(Cmd::Search("muller".into()));
        let Some(Msg::SearchResults { hits, .. }) = out.first() else {
            panic!("{out:?}")
        };
        assert!(
            hits.iter()
                .any(|h| h.kind == HitKind::Staff && h.label.contains("Müller")),
            "{hits:?}"
        );

        let out = svc.run(Cmd::PlugVirtual);
        let Some(Msg::Plugged(rows)) = out.first() else {
            panic!("{out:?}")
        };
        assert_eq!(rows.len(), 2);
        let out = svc.run(Cmd::UnplugVirtual);
        let Some(Msg::Plugged(rows)) = out.first() else {
            panic!("{out:?}")
        };
        assert_eq!(rows.len(), 1);
    }
}
