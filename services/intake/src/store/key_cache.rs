//! Stations by API key, remembered for a few seconds.
//!
//! Every request of a station presents its key, and finding the key and then its station
//! took two statements before the request did anything: under a steady load of single
//! reports that was a sixth of intake's processor time. A key found valid is trusted for
//! [`TRUSTED_FOR`] without asking again. Revoking a key forgets every remembered key on the
//! instance that revoked it at once; other instances of intake stop accepting it within
//! [`TRUSTED_FOR`]. A key not found is never remembered, so a key just issued works at once.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use prism_platform::auth::api_key;
use sea_orm::{DatabaseConnection, DbErr};

use super::{entities::station, stations};

/// How long a key found valid is trusted without looking it up again.
pub const TRUSTED_FOR: Duration = Duration::from_secs(5);

/// Keys remembered at most; past that the cache starts over (stations are a few thousand).
const REMEMBERED: usize = 10_000;

/// Valid keys (by their hash) and their stations, with when each was looked up.
#[derive(Default)]
pub struct KeyCache {
    entries: Mutex<HashMap<String, (station::Model, Instant)>>,
}

impl KeyCache {
    /// The station a presented key belongs to, if the key is valid and not revoked.
    pub async fn station(
        &self,
        db: &DatabaseConnection,
        presented: &str,
    ) -> Result<Option<station::Model>, DbErr> {
        let hash = api_key::hash(presented);
        if let Some(station) = self.remembered(&hash) {
            return Ok(Some(station));
        }
        let found = stations::by_hash(db, &hash).await?;
        if let (Some(station), Ok(mut entries)) = (&found, self.entries.lock()) {
            if entries.len() >= REMEMBERED {
                entries.clear();
            }
            entries.insert(hash, (station.clone(), Instant::now()));
        }
        Ok(found)
    }

    /// Forgets every key: one of them may just have been revoked.
    pub fn forget_all(&self) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.clear();
        }
    }

    fn remembered(&self, hash: &str) -> Option<station::Model> {
        let entries = self.entries.lock().ok()?;
        let (station, at) = entries.get(hash)?;
        (at.elapsed() < TRUSTED_FOR).then(|| station.clone())
    }
}
