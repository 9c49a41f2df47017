//! What an inventory is for: the real one of an office, or a training (demo)
//! inventory that virtual keys may enter. The mark is set once, on an empty
//! inventory, and never removed.

use crate::db::Store;
use crate::error::Result;
use crate::sql::args;

/// What an inventory is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// An office's inventory: real keys only.
    Production,
    /// A demo or training inventory: virtual keys allowed.
    Training,
}

const PURPOSE: &str = "purpose";
const TRAINING: &str = "training";

impl Store {
    /// What this inventory is for.
    pub fn purpose(&self) -> Result<Purpose> {
        let v: Option<String> = self.read(|tx| {
            tx.opt(
                "SELECT value FROM inventory_meta WHERE name = ?1",
                args![PURPOSE],
                |r| r.get(0),
            )
        })?;
        Ok(match v.as_deref() {
            Some(TRAINING) => Purpose::Training,
            _ => Purpose::Production,
        })
    }

    /// Mark the inventory as a training one if it is empty (no staff,
    /// notebooks, keys or events). Returns whether it is a training
    /// inventory now: `false` means it holds a real inventory and stays one.
    pub fn mark_training(&mut self) -> Result<bool> {
        self.write(|tx| {
            let marked: Option<String> = tx.opt(
                "SELECT value FROM inventory_meta WHERE name = ?1",
                args![PURPOSE],
                |r| r.get(0),
            )?;
            if marked.as_deref() == Some(TRAINING) {
                return Ok(true);
            }
            let used: bool = tx.one(
                "SELECT EXISTS (SELECT 1 FROM staff) OR EXISTS (SELECT 1 FROM notebooks)
                     OR EXISTS (SELECT 1 FROM keys) OR EXISTS (SELECT 1 FROM events)",
                &[],
                |r| r.get(0),
            )?;
            if used || marked.is_some() {
                return Ok(false);
            }
            tx.exec(
                "INSERT INTO inventory_meta (name, value) VALUES (?1, ?2)",
                args![PURPOSE, TRAINING],
            )?;
            Ok(true)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Ctx, NewKey, Serial};

    #[test]
    fn only_an_empty_inventory_becomes_a_training_one_and_stays_one() {
        let mut fresh = Store::open_in_memory().unwrap();
        assert_eq!(fresh.purpose().unwrap(), Purpose::Production);
        assert!(fresh.mark_training().unwrap());
        assert_eq!(fresh.purpose().unwrap(), Purpose::Training);
        assert!(fresh.mark_training().unwrap(), "marking twice is fine");

        let mut real = Store::open_in_memory().unwrap();
        let ctx = Ctx::new("t", "w", time::OffsetDateTime::UNIX_EPOCH);
        real.add_key(&ctx, &NewKey::unknown(Serial::new(5).unwrap()), "delivery")
            .unwrap();
        assert!(!real.mark_training().unwrap(), "a used inventory is real");
        assert_eq!(real.purpose().unwrap(), Purpose::Production);
    }
}
