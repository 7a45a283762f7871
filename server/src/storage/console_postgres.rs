//! [`ConsoleStore`] on PostgreSQL: in progress (see issue 11); every method refuses clearly
//! until it lands.

use super::console::{ConsoleStore, Contact, Credentials, Logged, OwnRevision, StaffAccount, StoredSession};
use super::postgres::PostgresStorage;
use super::{Result, RevocationReason, StorageError};
use crate::console::model::{DeviceView, OfficerEntry, ReviewDecision, ReviewDecisionView, Staff};
use chrono::{DateTime, Utc};
use liaison_core::Revision;
use uuid::Uuid;

fn pending<T>() -> Result<T> {
    Err(StorageError::Invalid(
        "the console is not available on PostgreSQL yet: run the console on the embedded SQLite database".into(),
    ))
}

impl ConsoleStore for PostgresStorage {
    fn add_staff(&self, _: &StaffAccount, _: &str) -> Result<Staff> {
        pending()
    }
    fn staff(&self) -> Result<Vec<Staff>> {
        pending()
    }
    fn credentials(&self, _: &str) -> Result<Option<Credentials>> {
        pending()
    }
    fn sign_in_failed(&self, _: &str, _: Option<DateTime<Utc>>) -> Result<u32> {
        pending()
    }
    fn sign_in(&self, _: &str, _: &[u8], _: DateTime<Utc>) -> Result<()> {
        pending()
    }
    fn session(&self, _: &[u8]) -> Result<Option<StoredSession>> {
        pending()
    }
    fn touch_session(&self, _: &[u8], _: DateTime<Utc>) -> Result<()> {
        pending()
    }
    fn end_session(&self, _: &[u8], _: Option<&str>) -> Result<()> {
        pending()
    }
    fn put_officer(&self, _: &OfficerEntry, _: &str) -> Result<()> {
        pending()
    }
    fn officer_directory(&self) -> Result<Vec<OfficerEntry>> {
        pending()
    }
    fn append_own(&self, _: &[OwnRevision], _: &str) -> Result<Vec<Revision>> {
        pending()
    }
    fn operation_log(&self, _: Uuid, _: i64, _: u32) -> Result<Vec<Logged>> {
        pending()
    }
    fn log_position(&self) -> Result<i64> {
        pending()
    }
    fn devices(&self) -> Result<Vec<DeviceView>> {
        pending()
    }
    fn note_contact(&self, _: Uuid, _: &Contact) -> Result<()> {
        // Contact is for the console's list; a sync never fails for want of it.
        Ok(())
    }
    fn revoke_device_by(&self, _: Uuid, _: RevocationReason, _: &str) -> Result<()> {
        pending()
    }
    fn decide_review(&self, _: Uuid, _: &ReviewDecision, _: &str) -> Result<ReviewDecisionView> {
        pending()
    }
    fn review_decisions(&self) -> Result<Vec<(Uuid, ReviewDecisionView)>> {
        pending()
    }
    fn log_console(&self, _: &str, _: &str, _: Option<Uuid>, _: &str, _: &str) -> Result<()> {
        pending()
    }
}
