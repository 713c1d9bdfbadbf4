//! Repeated documents answered without parsing: each raw document's statements, per request
//! properties they depend on, in a bounded least-recently-used cache; and the dialect each
//! recently seen document validated in.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use assetql_model::TenantId;
use assetql_sql::{QueryDialect, SqlDialect};

use crate::connection::ConnectionShape;
use crate::warning::{cut_array, Truncated};

/// A root list field's compiled statement, replayable for the same document and tenant.
#[derive(Debug, Clone)]
pub(crate) struct PlannedField {
    pub(crate) key: String,
    pub(crate) sql: String,
    pub(crate) params: Vec<assetql_sql::Value>,
    /// For a connection field: how the statement's `{"nodes", "totalCount"}` becomes the
    /// field's answer. `None` for a list field, whose statement text is the answer.
    pub(crate) shape: Option<std::sync::Arc<ConnectionShape>>,
    /// For a list field without `limit`: the default page size it is cut at (its statement
    /// fetches one row more, to know).
    pub(crate) cap: Option<u64>,
}

impl PlannedField {
    /// The field's answer from its statement's text, and the warning when the list was cut.
    pub(crate) fn answer(
        &self,
        text: String,
    ) -> Result<(String, Option<Truncated>), serde_json::Error> {
        match (&self.shape, self.cap) {
            (Some(shape), _) => Ok((shape.apply(&text)?, None)),
            (None, Some(cap)) => match cut_array(&text, usize::try_from(cap).unwrap_or(usize::MAX))
            {
                Some(cut) => Ok((
                    cut,
                    Some(Truncated {
                        field: self.key.clone(),
                        limit: cap,
                    }),
                )),
                None => Ok((text, None)),
            },
            (None, None) => Ok((text, None)),
        }
    }
}

/// The statements of a document whose root fields are all raw list fields, per request
/// properties they depend on ([`PlanKey`]): a repeated request (a stored control, a dashboard's
/// refresh) runs them without parsing, validating or resolving the document again. Only SQL is
/// kept, never data. At most [`PLAN_CACHE_SIZE`] plans of documents up to
/// [`PLAN_CACHE_MAX_DOCUMENT`] bytes; when full, the least recently used plan makes room.
pub(crate) struct PlanCache(Mutex<Lru<PlanKey, Arc<Plan>>>);

impl Default for PlanCache {
    fn default() -> Self {
        PlanCache(Mutex::new(Lru::new(PLAN_CACHE_SIZE)))
    }
}

/// A cached plan: the dialect the document ran in and its root fields in response order.
#[derive(Debug)]
pub(crate) struct Plan {
    pub(crate) syntax: QueryDialect,
    pub(crate) fields: Vec<PlannedField>,
    /// The request properties the plan was made for (its key).
    pub(crate) made_for: PlanKey,
}

/// The request properties a plan depends on, compared in full on lookup (never by hash
/// alone: one tenant's statements, whose `$1` is that tenant, must never reach another).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PlanKey {
    pub(crate) query: String,
    pub(crate) operation: Option<String>,
    /// The variables as JSON text (empty without variables).
    pub(crate) variables: String,
    pub(crate) tenant: TenantId,
    pub(crate) unpaged: bool,
    /// The database the SQL was compiled for: PostgreSQL and SQLite statements differ.
    pub(crate) database: SqlDialect,
}

/// Plans kept at most (each a few KB of SQL and document text).
pub(crate) const PLAN_CACHE_SIZE: usize = 1024;

/// Largest document (text plus variables, in bytes) whose plan is kept.
pub(crate) const PLAN_CACHE_MAX_DOCUMENT: usize = 16 * 1024;

impl PlanCache {
    pub(crate) fn get(&self, key: &PlanKey) -> Option<Arc<Plan>> {
        self.0.lock().ok()?.get(key).cloned()
    }

    pub(crate) fn insert(&self, plan: Plan) {
        // Large documents are not kept: the cache's memory stays bounded by entries times
        // this size, whatever clients send (stored controls and dashboard pages are small).
        if plan.made_for.query.len() + plan.made_for.variables.len() > PLAN_CACHE_MAX_DOCUMENT {
            return;
        }
        if let Ok(mut plans) = self.0.lock() {
            plans.insert(plan.made_for.clone(), Arc::new(plan));
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.lock().map_or(0, |plans| plans.len())
    }
}

/// The dialect each recently seen document validated in (by a hash of its text: a collision
/// only changes which dialect is tried first), so that a legacy document (a stored control,
/// say) is not first rejected by the current schema on every request.
pub(crate) struct DialectMemo(Mutex<Lru<u64, QueryDialect>>);

/// Documents whose dialect is remembered at most.
const DIALECT_MEMO_SIZE: usize = 4096;

impl Default for DialectMemo {
    fn default() -> Self {
        DialectMemo(Mutex::new(Lru::new(DIALECT_MEMO_SIZE)))
    }
}

impl DialectMemo {
    fn hash(query: &str) -> u64 {
        use std::hash::{BuildHasher, BuildHasherDefault};
        BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(query)
    }

    pub(crate) fn get(&self, query: &str) -> Option<QueryDialect> {
        self.0.lock().ok()?.get(&Self::hash(query)).copied()
    }

    pub(crate) fn insert(&self, query: &str, syntax: QueryDialect) {
        if let Ok(mut memo) = self.0.lock() {
            memo.insert(Self::hash(query), syntax);
        }
    }
}

/// A map of at most `capacity` entries that, when full, drops the entry used least recently.
/// Each use is stamped with a counter; `order` finds the oldest stamp in O(log n).
pub(crate) struct Lru<K, V> {
    entries: HashMap<K, (V, u64)>,
    order: BTreeMap<u64, K>,
    clock: u64,
    capacity: usize,
}

impl<K: Clone + Eq + Hash, V> Lru<K, V> {
    pub(crate) fn new(capacity: usize) -> Self {
        Lru {
            entries: HashMap::new(),
            order: BTreeMap::new(),
            clock: 0,
            capacity: capacity.max(1),
        }
    }

    fn stamp(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    pub(crate) fn get(&mut self, key: &K) -> Option<&V> {
        let now = self.stamp();
        let (_, used) = self.entries.get_mut(key)?;
        let before = std::mem::replace(used, now);
        if let Some(k) = self.order.remove(&before) {
            self.order.insert(now, k);
        }
        self.entries.get(key).map(|(v, _)| v)
    }

    pub(crate) fn insert(&mut self, key: K, value: V) {
        let now = self.stamp();
        if let Some((_, before)) = self.entries.remove(&key) {
            self.order.remove(&before);
        } else if self.entries.len() >= self.capacity {
            if let Some((_, oldest)) = self.order.pop_first() {
                self.entries.remove(&oldest);
            }
        }
        self.order.insert(now, key.clone());
        self.entries.insert(key, (value, now));
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_entry_makes_room() {
        let mut lru = Lru::new(2);
        lru.insert("a", 1);
        lru.insert("b", 2);
        assert_eq!(lru.get(&"a"), Some(&1));
        lru.insert("c", 3);
        assert_eq!(lru.get(&"b"), None, "b was used least recently");
        assert_eq!(lru.get(&"a"), Some(&1));
        assert_eq!(lru.get(&"c"), Some(&3));
        lru.insert("a", 10);
        assert_eq!(lru.len(), 2);
        lru.insert("d", 4);
        assert_eq!(lru.get(&"c"), None);
        assert_eq!(lru.get(&"a"), Some(&10));
        assert_eq!(lru.order.len(), lru.entries.len());
    }

    fn key(database: SqlDialect) -> PlanKey {
        PlanKey {
            query: "{ ecsClusters { arn } }".to_owned(),
            operation: None,
            variables: String::new(),
            tenant: TenantId::default_tenant(),
            unpaged: false,
            database,
        }
    }

    #[test]
    fn a_plan_is_kept_per_database_kind_and_a_full_cache_keeps_the_rest() {
        let cache = PlanCache::default();
        cache.insert(Plan {
            syntax: QueryDialect::Current,
            fields: Vec::new(),
            made_for: key(SqlDialect::Postgres),
        });
        assert!(cache.get(&key(SqlDialect::Postgres)).is_some());
        assert!(cache.get(&key(SqlDialect::Sqlite)).is_none());
        for n in 0..PLAN_CACHE_SIZE {
            let mut other = key(SqlDialect::Sqlite);
            other.query = format!("{{ ecsClusters {{ arn }} }} # {n}");
            cache.insert(Plan {
                syntax: QueryDialect::Current,
                fields: Vec::new(),
                made_for: other,
            });
            // The first plan stays in use, so it is never the one to go.
            assert!(cache.get(&key(SqlDialect::Postgres)).is_some(), "{n}");
        }
        assert_eq!(cache.len(), PLAN_CACHE_SIZE);
    }
}

/// Documents being compiled now (see [`InFlight::join`]).
#[derive(Debug, Default)]
pub(crate) struct InFlight(Mutex<HashMap<PlanKey, Arc<tokio::sync::Semaphore>>>);

/// What [`InFlight::join`] makes of a request.
pub(crate) enum Flight {
    /// The first request of the document now: compile it; others wait until this is dropped.
    Leader(LeaderGuard),
    /// Another request compiled (or failed to compile) the document while this one waited:
    /// look the plan up again.
    Waited,
}

/// Held while the leader compiles; dropping it (done, failed or cancelled) wakes the waiters.
pub(crate) struct LeaderGuard {
    flights: Arc<InFlight>,
    key: PlanKey,
    done: Arc<tokio::sync::Semaphore>,
}

impl Drop for LeaderGuard {
    fn drop(&mut self) {
        if let Ok(mut map) = self.flights.0.lock() {
            map.remove(&self.key);
        }
        self.done.close();
    }
}

impl InFlight {
    /// Joins the compile of `key`: the first caller leads, the others wait for it (once).
    /// A burst of clients opening with the same document (a dashboard's page load, a load
    /// test's first second) then compiles it once instead of once per client, each compile
    /// taking a blocking thread and its allocator heap.
    pub(crate) async fn join(self: &Arc<Self>, key: &PlanKey) -> Flight {
        let waiting = {
            let Ok(mut map) = self.0.lock() else {
                return Flight::Waited;
            };
            match map.get(key) {
                Some(done) => Arc::clone(done),
                None => {
                    let done = Arc::new(tokio::sync::Semaphore::new(0));
                    map.insert(key.clone(), Arc::clone(&done));
                    return Flight::Leader(LeaderGuard {
                        flights: Arc::clone(self),
                        key: key.clone(),
                        done,
                    });
                }
            }
        };
        // Closed when the leader is done: acquire then fails at once, however late it is asked.
        let _ = waiting.acquire().await;
        Flight::Waited
    }
}
