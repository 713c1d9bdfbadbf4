//! Reads tenants' inventory generations so that a request sees every write committed before it
//! arrived: the statement that answers a request starts after the request did. Concurrent
//! requests share reads: while one read is in flight, later arrivals wait for the next one,
//! which starts as soon as the current one ends; so under load there is about one read (of the
//! waiting requests' tenants' generations, by primary key) per database round trip, not one per
//! request.
//!
//! Why not `LISTEN/NOTIFY` alone: a notification reaches another server process some time
//! after the commit, and a request arriving in between would be served an answer older than a
//! sync it could already see. A read that starts after the request cannot miss it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use assetql_model::TenantId;
use assetql_store::Database;
use tokio::sync::oneshot;

/// Reads in flight at once. A request arriving while a read is in flight waits for the next
/// one, which starts when the current one ends. Measured (bench/compare.sh's mission control at
/// S, 8 clients, 2 cores): 1 in flight 20.0-20.4k req/s, 2: 16.2-17.5k, 3-4: 11.9-13.7k. The
/// machine is CPU-bound, and every extra read is CPU taken from answering.
const MAX_READS_IN_FLIGHT: usize = 1;

type Generations = Option<Arc<HashMap<TenantId, i64>>>;

type Waiter = (TenantId, oneshot::Sender<Generations>);

/// The shared generation reader.
#[derive(Debug)]
pub struct GenerationClock {
    db: Database,
    state: Mutex<ClockState>,
    /// The last read failed (logged once per failure streak, not once per request).
    failing: AtomicBool,
}

#[derive(Debug, Default)]
struct ClockState {
    /// Requests waiting for a read that has not started yet, with their tenants.
    waiting: Vec<Waiter>,
    in_flight: usize,
}

impl GenerationClock {
    /// A clock reading from `db`.
    pub fn new(db: Database) -> Arc<Self> {
        Arc::new(GenerationClock {
            db,
            state: Mutex::default(),
            failing: AtomicBool::new(false),
        })
    }

    /// `tenant`'s generation, read by a statement that started after this call; None when it
    /// cannot be read (then nothing may be served from the cache).
    pub async fn now(self: &Arc<Self>, tenant: &TenantId) -> Option<i64> {
        let (sender, receiver) = oneshot::channel();
        {
            let mut state = self.state.lock().ok()?;
            state.waiting.push((tenant.clone(), sender));
            if state.in_flight < MAX_READS_IN_FLIGHT {
                state.in_flight += 1;
                let batch = std::mem::take(&mut state.waiting);
                tokio::spawn(Arc::clone(self).read_rounds(batch));
            }
        }
        let generations = receiver.await.ok()??;
        Some(generations.get(tenant).copied().unwrap_or(0))
    }

    /// Reads for `batch` (requests that all arrived before the read starts), then for whoever
    /// queued meanwhile, until nobody waits.
    async fn read_rounds(self: Arc<Self>, mut batch: Vec<Waiter>) {
        loop {
            let mut tenants: Vec<TenantId> = batch.iter().map(|(t, _)| t.clone()).collect();
            tenants.sort_unstable_by(|a, b| a.as_str().cmp(b.as_str()));
            tenants.dedup();
            let generations = match self.db.inventory_generations(&tenants).await {
                Ok(generations) => {
                    self.failing.store(false, Ordering::Relaxed);
                    Some(Arc::new(generations))
                }
                Err(error) => {
                    if !self.failing.swap(true, Ordering::Relaxed) {
                        tracing::warn!(%error, "answer cache: cannot read inventory generations; answering without the cache");
                    }
                    None
                }
            };
            for (_, waiter) in batch.drain(..) {
                let _ = waiter.send(generations.clone());
            }
            let Ok(mut state) = self.state.lock() else {
                return;
            };
            if state.waiting.is_empty() {
                state.in_flight -= 1;
                return;
            }
            batch = std::mem::take(&mut state.waiting);
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
