//! Search as you type over staff, notebooks and key serials.
//!
//! Every searchable term is stored folded in `search_index`: lower case,
//! accents dropped, ä/ö/ü → a/o/u, ß → ss, and the spellings "ae"/"oe"/"ue"
//! also → a/o/u. Query and data go through the same fold, so "muller",
//! "mueller" and "Müller" all meet at "muller". Three stages, each stopping
//! once the page is full: terms starting with the query (B-tree range),
//! key serials containing it (their inner suffixes are rows too, rank 1:
//! trigrams are poor at digits), then substrings of staff and notebook terms
//! (FTS5 trigram index, three characters or more).

use serde::Serialize;

use crate::db::Store;
use crate::error::Result;
use crate::sql::{args, Engine, Row, Tx};

/// What a search hit points to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HitKind {
    /// A staff member (`ref_id` = staff row id).
    Staff,
    /// A notebook (`ref_id` = notebook row id).
    Notebook,
    /// A key (`ref_id` = serial).
    Key,
}

impl HitKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Staff => "staff",
            Self::Notebook => "notebook",
            Self::Key => "key",
        }
    }
    fn parse(s: &str) -> Self {
        match s {
            "staff" => Self::Staff,
            "notebook" => Self::Notebook,
            _ => Self::Key,
        }
    }
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// What it is.
    pub kind: HitKind,
    /// Staff/notebook row id, or the key serial.
    pub ref_id: i64,
    /// Text to show ("Müller, Hans (4711) IT-3").
    pub label: String,
    /// True when the query matched the start of a term.
    pub prefix: bool,
}

/// Fold text for searching (see module docs).
pub fn fold(s: &str) -> String {
    let mut base = String::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        match c {
            'ä' | 'à' | 'á' | 'â' | 'ã' | 'å' => base.push('a'),
            'ö' | 'ò' | 'ó' | 'ô' | 'õ' | 'ø' => base.push('o'),
            'ü' | 'ù' | 'ú' | 'û' => base.push('u'),
            'é' | 'è' | 'ê' | 'ë' => base.push('e'),
            'í' | 'ì' | 'î' | 'ï' => base.push('i'),
            'ç' | 'ć' | 'č' => base.push('c'),
            'ñ' | 'ń' => base.push('n'),
            'š' | 'ś' => base.push('s'),
            'ž' | 'ź' | 'ż' => base.push('z'),
            'ł' => base.push('l'),
            'ß' => base.push_str("ss"),
            'æ' => base.push('a'),
            'œ' => base.push('o'),
            c if c.is_whitespace() => {
                if !base.ends_with(' ') && !base.is_empty() {
                    base.push(' ');
                }
            }
            c => base.push(c),
        }
    }
    let trimmed = base.trim_end();
    let mut out = String::with_capacity(trimmed.len());
    let mut prev: Option<char> = None;
    for c in trimmed.chars() {
        if c == 'e' && matches!(prev, Some('a' | 'o' | 'u')) {
            prev = None; // "uee" → "ue": only one e is eaten
            continue;
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// Replace the search terms of one entity.
#[cfg(test)]
pub(crate) fn reindex(
    conn: &mut Tx<'_>,
    kind: HitKind,
    ref_id: i64,
    label: &str,
    terms: &[&str],
) -> Result<()> {
    unindex(conn, kind, ref_id)?;
    index_new(conn, kind, ref_id, label, terms)
}

/// Remove the search terms of one entity.
pub(crate) fn unindex(conn: &mut Tx<'_>, kind: HitKind, ref_id: i64) -> Result<()> {
    if conn.engine() == Engine::Sqlite {
        // Rows the FTS index already holds must be deleted from it at sync.
        conn.exec(
            "INSERT INTO search_fts_pending (rid, folded)
             SELECT id, folded FROM search_index
             WHERE kind = ?1 AND ref_id = ?2 AND kind <> 'key'
               AND id <= (SELECT synced_upto FROM search_fts_state)",
            args![kind.as_str(), ref_id],
        )?;
    }
    conn.exec(
        "DELETE FROM search_index WHERE kind = ?1 AND ref_id = ?2",
        args![kind.as_str(), ref_id],
    )?;
    Ok(())
}

/// Add the search terms of an entity that has none yet.
pub(crate) fn index_new(
    conn: &mut Tx<'_>,
    kind: HitKind,
    ref_id: i64,
    label: &str,
    terms: &[&str],
) -> Result<()> {
    let mut folded: Vec<String> = Vec::with_capacity(terms.len());
    for t in terms {
        let f = fold(t);
        if !f.is_empty() && !folded.contains(&f) {
            folded.push(f);
        }
    }
    // One single-row statement per term: a multi-row INSERT would need a
    // statement journal (a copy of every page it touches), which costs more.
    for f in &folded {
        conn.exec(
            "INSERT INTO search_index (kind, ref_id, label, folded) VALUES (?1, ?2, ?3, ?4)",
            args![kind.as_str(), ref_id, label, f],
        )?;
    }
    Ok(())
}

/// Index the inner suffixes (three characters or more) of a key serial, so
/// that typing any part of a serial finds it through the B-tree.
pub(crate) fn index_suffixes(
    conn: &mut Tx<'_>,
    ref_id: i64,
    label: &str,
    serial: &str,
) -> Result<()> {
    for (i, _) in serial.char_indices().skip(1) {
        let suffix = &serial[i..];
        if suffix.chars().count() < 3 {
            break;
        }
        conn.exec(
            "INSERT INTO search_index (kind, ref_id, label, folded, rank) VALUES ('key', ?1, ?2, ?3, 1)",
            args![ref_id, label, suffix],
        )?;
    }
    Ok(())
}

/// Bring the FTS index up to date with search_index, set-wise (one FTS
/// flush per statement instead of one per row). Call before commit in every
/// transaction that indexed something. (PostgreSQL's trigram index is
/// kept by the server: nothing to do there.)
pub(crate) fn sync_fts(conn: &mut Tx<'_>) -> Result<()> {
    if conn.engine() == Engine::Postgres {
        return Ok(());
    }
    conn.exec(
        "INSERT INTO search_fts (search_fts, rowid, folded) SELECT 'delete', rid, folded FROM search_fts_pending",
        &[],
    )?;
    conn.exec("DELETE FROM search_fts_pending", &[])?;
    conn.exec(
        "INSERT INTO search_fts (rowid, folded) SELECT id, folded FROM search_index
         WHERE id > (SELECT synced_upto FROM search_fts_state) AND kind <> 'key'",
        &[],
    )?;
    conn.exec(
        "UPDATE search_fts_state SET synced_upto = MAX(synced_upto, (SELECT COALESCE(MAX(id), 0) FROM search_index))",
        &[],
    )?;
    Ok(())
}

/// The smallest string greater than every string that starts with `prefix`.
fn prefix_end(prefix: &str) -> String {
    let mut s = prefix.to_owned();
    s.push(char::MAX);
    s
}

/// One page of hits being filled, without repeating an entity that several
/// terms point to.
struct Page {
    hits: Vec<Hit>,
    seen: std::collections::HashSet<(HitKind, i64)>,
    limit: usize,
}

impl Page {
    /// Add a hit row (kind, ref_id, label) unless seen; `false` once the
    /// page is full (so that streaming stops).
    fn take(&mut self, r: &Row<'_>, prefix: bool) -> Result<bool> {
        let kind = HitKind::parse(&r.get::<String>(0)?);
        let ref_id: i64 = r.get(1)?;
        if self.seen.insert((kind, ref_id)) {
            self.hits.push(Hit {
                kind,
                ref_id,
                label: r.get(2)?,
                prefix,
            });
        }
        Ok(!self.full())
    }

    fn full(&self) -> bool {
        self.hits.len() >= self.limit
    }
}

impl Store {
    /// The first `limit` hits for what was typed so far: prefix matches
    /// first (alphabetical), then substring matches. Empty query, no hits.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Hit>> {
        let q = fold(query);
        if q.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let lim = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut page = Page {
            hits: Vec::with_capacity(limit),
            seen: std::collections::HashSet::new(),
            limit,
        };
        self.read(|tx| {
            // Terms that start with the query, then serials that contain it.
            for (rank, is_prefix) in [(0_i64, true), (1, false)] {
                if rank == 1 && q.chars().count() < 3 {
                    return Ok(()); // suffix rows and trigrams need three characters
                }
                // Several terms may point to one entity: ask for a few more rows.
                tx.each(
                    "SELECT kind, ref_id, label FROM search_index
                     WHERE rank = ?1 AND folded >= ?2 AND folded < ?3 ORDER BY folded LIMIT ?4",
                    args![rank, q, prefix_end(&q), lim.saturating_mul(3)],
                    |r| page.take(r, is_prefix),
                )?;
                if page.full() {
                    return Ok(());
                }
            }
            match tx.engine() {
                Engine::Sqlite => {
                    let phrase = format!("\"{}\"", q.replace('"', "\"\""));
                    tx.each(
                        "SELECT s.kind, s.ref_id, s.label FROM search_fts f JOIN search_index s ON s.id = f.rowid
                         WHERE search_fts MATCH ?1 LIMIT ?2",
                        args![phrase, lim.saturating_mul(4)],
                        |r| page.take(r, false),
                    )?;
                }
                Engine::Postgres => {
                    // The trigram index answers LIKE '%...%' (the query's own
                    // wildcards escaped).
                    let pattern = format!(
                        "%{}%",
                        q.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
                    );
                    tx.each(
                        "SELECT kind, ref_id, label FROM search_index
                         WHERE kind <> 'key' AND folded LIKE ?1 ORDER BY id LIMIT ?2",
                        args![pattern, lim.saturating_mul(4)],
                        |r| page.take(r, false),
                    )?;
                }
            }
            Ok(())
        })?;
        Ok(page.hits)
    }

    /// The notebooks recorded as the staff member's (`staff_id` a staff row
    /// id, as in hits), as notebook hits labelled as search labels them,
    /// ordered by asset tag.
    pub fn notebooks_of_staff(&self, staff_id: i64) -> Result<Vec<Hit>> {
        self.read(|tx| {
            tx.all(
                "SELECT n.id, COALESCE(
                     (SELECT s.label FROM search_index s WHERE s.kind = 'notebook' AND s.ref_id = n.id LIMIT 1),
                     n.asset_tag)
                 FROM notebooks n WHERE n.staff_id = ?1 ORDER BY n.asset_tag",
                args![staff_id],
                |r| {
                    Ok(Hit {
                        kind: HitKind::Notebook,
                        ref_id: r.get(0)?,
                        label: r.get(1)?,
                        prefix: false,
                    })
                },
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_meets_in_the_middle() {
        assert_eq!(fold("Müller"), "muller");
        assert_eq!(fold("Mueller"), "muller");
        assert_eq!(fold("muller"), "muller");
        assert_eq!(fold("MÜLLER"), "muller");
        assert_eq!(fold("Straße"), "strasse");
        assert_eq!(fold("Gößwein"), "gosswein");
        assert_eq!(fold("  Jörg   Schäfer "), "jorg schafer");
        assert_eq!(fold("Schaefer"), "schafer");
        assert_eq!(fold("René"), "rene");
        assert_eq!(fold("12345678"), "12345678");
    }

    #[test]
    fn fts_queue_keeps_the_trigram_index_consistent() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .write(|tx| {
                reindex(tx, HitKind::Staff, 1, "Müller", &["Müller Jörg", "4711"])?;
                // Replaced again before the sync: rows inserted and deleted in one transaction.
                reindex(tx, HitKind::Staff, 1, "Müller", &["Mueller Jörg", "4711"])?;
                reindex(tx, HitKind::Staff, 2, "Weiß", &["Weiß Grete"])?;
                sync_fts(tx)
            })
            .unwrap();
        let pending: i64 = store
            .write(|tx| {
                reindex(tx, HitKind::Staff, 2, "Weiss", &["Weiss Grete"])?;
                sync_fts(tx)?;
                tx.batch("INSERT INTO search_fts (search_fts) VALUES ('integrity-check')")?;
                tx.one("SELECT COUNT(*) FROM search_fts_pending", &[], |r| r.get(0))
            })
            .unwrap();
        assert_eq!(pending, 0);
        let hits = store.search("ller j", 20).unwrap();
        assert_eq!(hits.len(), 1);
        assert!(!hits[0].prefix);
        assert_eq!(store.search("eiss", 20).unwrap()[0].label, "Weiss");
    }

    #[test]
    fn prefix_end_bounds_the_range() {
        let end = prefix_end("mu");
        assert!("mu" < end.as_str() && "muzzzz" < end.as_str() && "mv" > end.as_str());
    }
}
