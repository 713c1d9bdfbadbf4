//! Reads tenants' inventory generations so that a request sees every write committed before it
//! arrived: the statement that answers a request starts after the request did. Concurrent
//! requests share reads: while one read is in flight, later arrivals wait for the next one,
//! which starts as soon as the current one ends; so under load there is about one read (of
//! every tenant's generation, one indexed table) per database round trip, not one per request.
//!
//! Why not `LISTEN/NOTIFY` alone: a notification reaches another server process some time
//! after the commit, and a request arriving in between would be served an answer older than a
//! sync it could already see. A read that starts after the request cannot miss it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use assetql_model::TenantId;
use assetql_store::Database;
use tokio::sync::watch;

/// The shared generation reader.
#[derive(Debug)]
pub struct GenerationClock {
    db: Database,
    state: Mutex<ClockState>,
    readings: watch::Sender<Reading>,
}

#[derive(Debug, Default)]
struct ClockState {
    /// A read is in flight (a task is running [`GenerationClock::read_rounds`]).
    reading: bool,
    /// The id of the newest read started.
    started: u64,
    /// The id of the newest read a request waits for.
    wanted: u64,
}

#[derive(Debug, Clone, Default)]
struct Reading {
    id: u64,
    /// None when the read failed.
    generations: Option<Arc<HashMap<TenantId, i64>>>,
}

impl GenerationClock {
    /// A clock reading from `db`.
    pub fn new(db: Database) -> Arc<Self> {
        Arc::new(GenerationClock {
            db,
            state: Mutex::default(),
            readings: watch::Sender::new(Reading::default()),
        })
    }

    /// `tenant`'s generation, read by a statement that started after this call; None when it
    /// cannot be read (then nothing may be served from the cache).
    pub async fn now(self: &Arc<Self>, tenant: &TenantId) -> Option<i64> {
        let mut readings = self.readings.subscribe();
        let target = {
            let mut state = self.state.lock().ok()?;
            if state.reading {
                // The read in flight may have started before this request: wait for the next.
                state.wanted = state.started + 1;
                state.wanted
            } else {
                state.reading = true;
                state.started += 1;
                tokio::spawn(Arc::clone(self).read_rounds());
                state.started
            }
        };
        let reading = readings.wait_for(|r| r.id >= target).await.ok()?;
        let generations = reading.generations.as_ref()?;
        Some(generations.get(tenant).copied().unwrap_or(0))
    }

    /// Reads until no request waits for a newer read.
    async fn read_rounds(self: Arc<Self>) {
        loop {
            let id = match self.state.lock() {
                Ok(state) => state.started,
                Err(_) => return,
            };
            let generations = match self.db.inventory_generations().await {
                Ok(generations) => Some(Arc::new(generations)),
                Err(error) => {
                    tracing::warn!(%error, "answer cache: cannot read inventory generations");
                    None
                }
            };
            self.readings.send_replace(Reading { id, generations });
            let Ok(mut state) = self.state.lock() else {
                return;
            };
            if state.wanted > id {
                state.started = state.wanted;
            } else {
                state.reading = false;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_reading_counts_every_write_committed_before_the_request() {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("clock.db").display());
        let db = Database::connect(&url, &Default::default())
            .await
            .expect("sqlite");
        db.migrate().await.expect("migrate");
        let clock = GenerationClock::new(db.clone());
        let acme = TenantId::parse("acme").expect("tenant");
        let globex = TenantId::parse("globex").expect("tenant");
        assert_eq!(clock.now(&acme).await, Some(0));
        for expected in 1..=3 {
            db.bump_generation(&acme).await.expect("bump");
            assert_eq!(clock.now(&acme).await, Some(expected));
        }
        assert_eq!(clock.now(&globex).await, Some(0));
        // Many concurrent requests share reads, and each still sees the latest write.
        db.bump_generation(&globex).await.expect("bump");
        let answers = futures_util::future::join_all((0..50).map(|_| {
            let clock = Arc::clone(&clock);
            let globex = globex.clone();
            async move { clock.now(&globex).await }
        }))
        .await;
        assert!(answers.iter().all(|a| *a == Some(1)), "{answers:?}");
    }
}
