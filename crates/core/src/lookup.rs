//! What the screens and the CLI look up in the inventory while the
//! technician types: search hits, and the notebooks to offer when a key is
//! issued to someone (theirs first).

use keydesk_store::{fold, Hit, HitKind};

use crate::desk::Desk;
use crate::error::Result;

impl Desk {
    /// The first `limit` search hits for what was typed so far.
    ///
    /// # Errors
    /// When the inventory cannot be read.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>> {
        Ok(self.store.search(query, limit)?)
    }

    /// The notebooks to offer when a key is issued to the staff member
    /// `staff_id` (a staff hit's `ref_id`): the ones recorded as theirs
    /// first (all of them while nothing is typed, else those whose label
    /// contains `query`), then the other notebooks the search finds, at
    /// most `limit` in all.
    ///
    /// # Errors
    /// When the inventory cannot be read.
    pub fn notebook_choices(&self, staff_id: i64, query: &str, limit: usize) -> Result<Vec<Hit>> {
        let q = fold(query);
        let mut hits: Vec<Hit> = self
            .store
            .notebooks_of_staff(staff_id)?
            .into_iter()
            .filter(|h| q.is_empty() || fold(&h.label).contains(&q))
            .collect();
        for h in self.store.search(query, limit)? {
            if h.kind == HitKind::Notebook && !hits.iter().any(|o| o.ref_id == h.ref_id) {
                hits.push(h);
            }
        }
        hits.truncate(limit);
        Ok(hits)
    }
}
