//! Photos, audio notes and screenshots on records (issue 16): the metadata taken out of a
//! picture before it is kept ([`strip`]), and the tablet's encrypted, content-addressed store
//! of the files ([`vault`]). What a record says about each file (hash, type, size) is
//! `records::Attachment`, part of its signed revision.

pub mod strip;
#[cfg(feature = "device")]
pub mod vault;
