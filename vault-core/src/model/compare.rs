//! A backup compared with the vault it was made from: does it hold the newest version of
//! every entry the vault holds now?

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use super::vault::Vault;
use crate::constants::ENTRY_ID_LEN;

/// One entry whose newest version in the backup is older than the vault's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stale {
    /// The entry's name in the vault.
    pub name: String,
    /// Its newest version in the vault.
    pub vault_version: u32,
    /// Its newest version in the backup.
    pub backup_version: u32,
}

/// How a backup falls short of the vault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Difference {
    /// The backup is of another vault (another vault id).
    OtherVault,
    /// The backup lacks entries, or holds older versions of them.
    Behind {
        /// Names of the vault's entries the backup does not hold at all, in name order.
        missing: Vec<String>,
        /// Entries whose newest version in the backup is older, in name order.
        stale: Vec<Stale>,
    },
}

/// Compares `backup` with `live`, the vault it was made from: `Ok` when the backup is of
/// the same vault and holds the newest version of every entry `live` holds now (entries
/// the backup has and the vault no longer has are not a difference).
///
/// # Errors
/// The [`Difference`].
pub fn compare(backup: &Vault, live: &Vault) -> Result<(), Difference> {
    if backup.vault_id != live.vault_id {
        return Err(Difference::OtherVault);
    }
    let mut newest: BTreeMap<[u8; ENTRY_ID_LEN], u32> = BTreeMap::new();
    for e in &backup.entries {
        let v = newest.entry(e.id).or_insert(0);
        *v = (*v).max(e.version);
    }
    let mut missing = Vec::new();
    let mut stale = Vec::new();
    for e in live.current() {
        match newest.get(&e.id) {
            None => missing.push(e.name.clone()),
            Some(&v) if v < e.version => stale.push(Stale {
                name: e.name.clone(),
                vault_version: e.version,
                backup_version: v,
            }),
            Some(_) => {}
        }
    }
    if missing.is_empty() && stale.is_empty() {
        Ok(())
    } else {
        Err(Difference::Behind { missing, stale })
    }
}
