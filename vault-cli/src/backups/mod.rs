//! Backup files as every command that writes one needs them: the backup as a vault of its
//! own, written and read back ([`copy`]), and its ASCII armor ([`armored`]).

pub mod armored;
pub mod copy;
