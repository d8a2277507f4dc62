//! The vault held on the heap, for the hosts that have one (the command line and the
//! restore page; feature `alloc`): a file opened into owned entries and events, with what
//! could not be read and the audit trail's verdict ([`Contents`]); the vault changed in
//! memory and written back ([`Vault`]); several damaged copies merged into one
//! ([`Salvage`]); a file read one record at a time ([`read_records`]); a backup compared
//! with the vault it was made from ([`compare`]). Every rule of the format and of recovery
//! that the two hosts share lives here once; they keep files, prompts and presentation.

mod compare;
mod contents;
mod entry;
mod salvage;
mod stream;
mod vault;

pub use compare::{compare, Difference, Stale};
pub use contents::{read_entry, read_meta, ChainVerdict, Contents, FoundEntry, LostRecord};
pub use entry::{check_text, clean_detail, OwnedEntry, OwnedEvent};
pub use salvage::{
    free_name, LostVersion, Merged, NewestCopy, RebuiltKeys, RecoveryOutcome, Salvage,
    SalvagedEntry, Taken,
};
pub use stream::{read_records, ByteSource, RecordSink};
pub use vault::Vault;
