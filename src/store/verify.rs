//! Checking the evidence and re-deriving state from it: `verify_chain` finds any altered,
//! reordered or missing revision (tombstones left by retention are checked by link); `rebuild` recomputes `records` and `search_index` from
//! `revisions` alone.

use super::read::{revision_from_row, REVISION_COLUMNS};
use super::write::apply_to_state;
use super::{Result, Store};
use crate::evidence::{ChainReport, ChainWalk, Hash};
use rusqlite::TransactionBehavior;

impl Store {
    /// Recomputes every revision's hash from the stored bytes and checks each device's chain.
    /// This device's chain must be complete from 1; colleagues' chains may have gaps (a device
    /// only receives the operations it is assigned to), but consecutive revisions must link.
    pub fn verify_chain(&self) -> Result<ChainReport> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {REVISION_COLUMNS}, pos, erased_ms FROM revisions ORDER BY device_id, device_seq"
        ))?;
        let mut rows = stmt.query([])?;
        let mut walk = ChainWalk::new(Some(self.device_id));
        while let Some(row) = rows.next()? {
            if row.get::<_, Option<i64>>(15)?.is_some() {
                let hash =
                    |i: usize| -> rusqlite::Result<Option<Hash>> { Ok(Hash::from_slice(&row.get::<_, Vec<u8>>(i)?)) };
                match (hash(11)?, hash(12)?) {
                    (Some(prev), Some(h)) => {
                        walk.push_tombstone(row.get(5)?, row.get::<_, i64>(6)? as u64, row.get(0)?, prev, h)
                    }
                    _ => walk.unreadable(row.get(14)?, "a tombstone without a 32-byte hash".into()),
                }
                continue;
            }
            match revision_from_row(row) {
                Ok(rev) => walk.push(&rev, &row.get::<_, String>(10)?),
                Err(e) => walk.unreadable(row.get(14)?, e.to_string()),
            }
        }
        Ok(walk.finish())
    }

    /// Re-derives `records` and `search_index` from `revisions`, in one transaction.
    pub fn rebuild(&mut self) -> Result<()> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("INSERT INTO search_index (search_index) VALUES ('delete-all')", [])?;
        tx.execute("DELETE FROM records", [])?;
        {
            let mut stmt = tx.prepare(&format!(
                "SELECT {REVISION_COLUMNS}, pos FROM revisions WHERE erased_ms IS NULL ORDER BY pos"
            ))?;
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let rev = revision_from_row(row)?;
                let pos: i64 = row.get(14)?;
                apply_to_state(&tx, pos, &rev)?;
            }
        }
        tx.commit()?;
        self.sectors.clear();
        Ok(())
    }
}
