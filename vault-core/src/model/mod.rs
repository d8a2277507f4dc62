//! The vault held on the heap, for the hosts that have one (the command line and the
//! restore page; feature `alloc`): a file opened into owned entries and events, with what
//! could not be read and the audit trail's verdict ([`Contents`]); the vault changed in
//! memory and written back ([`Vault`]); several damaged copies merged into one
//! ([`Salvage`]); a file read one record at a time ([`RecordReader`], [`read_records`]); a
//! backup compared with the vault it was made from ([`compare`]); a rewritten vault checked
//! against the one it replaces ([`check_rewritten`]); an audit trail checked in full
//! ([`check_trail`]). Every rule of the format and of recovery
//! that the two hosts share lives here once; they keep files, prompts and presentation.

mod compare;
mod contents;
mod entry;
mod reader;
mod rekey;
mod salvage;
mod stream;
mod trail;
mod vault;

pub use compare::{compare, Difference, Stale};
pub use contents::{read_entry, read_meta, ChainVerdict, Contents, FoundEntry, LostRecord};
pub use entry::{check_text, clean_detail, OwnedEntry, OwnedEvent};
pub use reader::RecordReader;
pub use rekey::{check_rewritten, meta_after_rewrite, same_record, Mismatch};
pub use salvage::{
    free_name, CopyRecords, LostVersion, Merged, NewestCopy, RecordAt, RecoveryOutcome, Salvage,
    SalvagedVersion, TableRows, Taken,
};
pub use stream::{read_records, ByteSource, RecordSink};
pub use trail::{check_trail, TrailCheck, TrailProblem};
pub use vault::Vault;
