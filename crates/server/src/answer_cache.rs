//! The answer cache: the response bytes of a repeated query (same text, operation, variables,
//! tenant and forced dialect), kept under the tenant's inventory generation and served only
//! while that generation is current. The generation is bumped in the same transaction as every
//! write that can change an answer (`assetql_store::Database::inventory_generations`), and each
//! request reads it with a statement that starts after the request arrived ([`GenerationClock`]),
//! so an answer is never older than a write committed before the request, whichever process
//! wrote it. Only whole answers of cacheable documents are kept ([`assetql_graphql::cacheable`]):
//! never an error, a partial answer or a mutation's. Bounded by bytes, least recently used out.

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use assetql_model::TenantId;
use assetql_sql::QueryDialect;
use assetql_store::Database;
use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue};

pub use crate::generation_clock::GenerationClock;

/// The default bound on the bytes the cache holds (64 MiB).
pub const DEFAULT_BYTES: usize = 64 * 1024 * 1024;

/// Bytes counted per entry beyond its key and body (map and list nodes, header values).
const ENTRY_OVERHEAD: usize = 160;

/// What identifies an answer besides the generation.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    tenant: TenantId,
    forced: Option<QueryDialect>,
    query: String,
    operation: Option<String>,
    variables: String,
}

impl CacheKey {
    /// The key of a request of `tenant`.
    pub fn new(
        tenant: &TenantId,
        forced: Option<QueryDialect>,
        request: &assetql_graphql::GraphQLRequest,
    ) -> Self {
        CacheKey {
            tenant: tenant.clone(),
            forced,
            query: request.query.clone(),
            operation: request.operation_name.clone(),
            variables: request
                .variables
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_default(),
        }
    }

    /// Whether the answer of this request may be kept ([`assetql_graphql::cacheable`]): ask
    /// only of a document that has run whole (its parse is then within the engine's limits).
    pub fn cacheable(&self) -> bool {
        assetql_graphql::cacheable(&self.query, self.operation.as_deref())
    }

    fn size(&self) -> usize {
        self.query.len()
            + self.variables.len()
            + self.operation.as_ref().map_or(0, String::len)
            + self.tenant.as_str().len()
    }
}

/// A kept answer.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The response body.
    pub body: Bytes,
    /// The dialect the document ran in (`X-Assetql-Dialect`).
    pub dialect: &'static str,
    /// The answer's entity tag.
    pub etag: HeaderValue,
}

#[derive(Debug)]
struct Entry {
    generation: i64,
    answer: Answer,
    tick: u64,
    size: usize,
}

/// Entries by key, and per tenant its bytes and its entries from least to most recently used.
/// When the bound is passed, the tenant holding the most bytes gives up its least recently used
/// answer: one tenant's many documents push out its own answers before anyone else's.
#[derive(Debug, Default)]
struct Lru {
    entries: HashMap<Arc<CacheKey>, Entry>,
    tenants: HashMap<TenantId, Share>,
    tick: u64,
    bytes: usize,
}

#[derive(Debug, Default)]
struct Share {
    bytes: usize,
    order: BTreeMap<u64, Arc<CacheKey>>,
}

impl Lru {
    fn remove(&mut self, key: &CacheKey) -> bool {
        let Some(entry) = self.entries.remove(key) else {
            return false;
        };
        self.bytes -= entry.size;
        if let Some(share) = self.tenants.get_mut(&key.tenant) {
            share.order.remove(&entry.tick);
            share.bytes -= entry.size;
            if share.order.is_empty() {
                self.tenants.remove(&key.tenant);
            }
        }
        true
    }

    /// Marks `key` (held) as just used.
    fn touch(&mut self, key: &CacheKey) -> Option<&Entry> {
        self.tick += 1;
        let tick = self.tick;
        let entry = self.entries.get_mut(key)?;
        let share = self.tenants.get_mut(&key.tenant)?;
        let shared = share.order.remove(&entry.tick)?;
        share.order.insert(tick, shared);
        entry.tick = tick;
        Some(entry)
    }

    fn insert(&mut self, key: CacheKey, entry: Entry) {
        let key = Arc::new(key);
        let share = self.tenants.entry(key.tenant.clone()).or_default();
        share.order.insert(entry.tick, Arc::clone(&key));
        share.bytes += entry.size;
        self.bytes += entry.size;
        self.entries.insert(key, entry);
    }

    /// Evicts one answer of the tenant holding the most bytes; false when empty.
    fn evict_one(&mut self) -> bool {
        let oldest = self
            .tenants
            .values()
            .max_by_key(|share| share.bytes)
            .and_then(|share| share.order.values().next().cloned());
        oldest.is_some_and(|key| self.remove(&key))
    }
}

/// The cache and its counters.
#[derive(Debug)]
pub struct AnswerCache {
    max_bytes: usize,
    lru: Mutex<Lru>,
    clock: Arc<GenerationClock>,
    /// Makes entity tags of this process its own: another build may write other bytes for the
    /// same document and generation.
    salt: u64,
    hits: AtomicU64,
    misses: AtomicU64,
    not_modified: AtomicU64,
    bypassed: AtomicU64,
    evictions: AtomicU64,
}

/// What the cache says about a request before it runs.
#[derive(Debug)]
pub enum Lookup {
    /// The kept answer, current at the request's generation.
    Hit(Answer),
    /// The client's copy (`If-None-Match`) is current: answer 304.
    NotModified(HeaderValue),
    /// Run the request; keep its answer under `generation` if it is whole and cacheable.
    Miss {
        /// The request's key.
        key: CacheKey,
        /// The tenant's generation read before the request runs.
        generation: i64,
        /// The client asked for a fresh answer (`Cache-Control: no-cache`).
        bypassed: bool,
    },
    /// The generation could not be read: run the request without the cache.
    Unavailable,
}

impl AnswerCache {
    /// A cache of at most `max_bytes`, reading generations from `db`; None when `max_bytes` is 0.
    pub fn new(max_bytes: usize, db: Database) -> Option<Arc<Self>> {
        (max_bytes > 0).then(|| {
            let salt = {
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                std::process::id().hash(&mut hasher);
                std::time::SystemTime::now().hash(&mut hasher);
                hasher.finish()
            };
            Arc::new(AnswerCache {
                max_bytes,
                lru: Mutex::default(),
                clock: GenerationClock::new(db),
                salt,
                hits: AtomicU64::new(0),
                misses: AtomicU64::new(0),
                not_modified: AtomicU64::new(0),
                bypassed: AtomicU64::new(0),
                evictions: AtomicU64::new(0),
            })
        })
    }

    /// Looks `key` up at the tenant's current generation, honouring the request's
    /// `Cache-Control: no-cache` and `If-None-Match`.
    pub async fn lookup(&self, key: CacheKey, headers: &HeaderMap) -> Lookup {
        let Some(generation) = self.clock.now(&key.tenant).await else {
            return Lookup::Unavailable;
        };
        if wants_fresh(headers) {
            self.bypassed.fetch_add(1, Ordering::Relaxed);
            return Lookup::Miss {
                key,
                generation,
                bypassed: true,
            };
        }
        // The tag is hashed only for a client that sends one, and compared as text: a tag
        // that could not become a header value never matches anything.
        let mut sent = headers
            .get_all(axum::http::header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .peekable();
        if sent.peek().is_some() {
            let current = self.etag_text(&key, generation);
            if sent.any(|tag| tag.trim() == current) {
                self.not_modified.fetch_add(1, Ordering::Relaxed);
                return Lookup::NotModified(self.etag(&key, generation));
            }
        }
        if let Some(answer) = self.get(&key, generation) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Lookup::Hit(answer);
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        Lookup::Miss {
            key,
            generation,
            bypassed: false,
        }
    }

    /// The entity tag of `key`'s answer at `generation`, as a header value (`""` in the
    /// impossible case that hex digits are not one; [`AnswerCache::lookup`] compares
    /// [`AnswerCache::etag_text`], so such a tag never matches).
    pub fn etag(&self, key: &CacheKey, generation: i64) -> HeaderValue {
        HeaderValue::from_str(&self.etag_text(key, generation))
            .unwrap_or_else(|_| HeaderValue::from_static("\"\""))
    }

    fn etag_text(&self, key: &CacheKey, generation: i64) -> String {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.salt.hash(&mut hasher);
        key.hash(&mut hasher);
        format!("\"{:016x}-{generation}\"", hasher.finish())
    }

    fn get(&self, key: &CacheKey, generation: i64) -> Option<Answer> {
        let mut lru = self.lru.lock().ok()?;
        if lru.entries.get(key)?.generation != generation {
            lru.remove(key);
            return None;
        }
        lru.touch(key).map(|entry| entry.answer.clone())
    }

    /// Keeps `answer` of `key` under `generation`; an answer larger than a quarter of the
    /// cache is not kept (it would push out everything else).
    pub fn insert(&self, key: CacheKey, generation: i64, answer: Answer) {
        let size = key.size() + answer.body.len() + ENTRY_OVERHEAD;
        if size > self.max_bytes / 4 {
            return;
        }
        let Ok(mut lru) = self.lru.lock() else {
            return;
        };
        lru.remove(&key);
        lru.tick += 1;
        let tick = lru.tick;
        lru.insert(
            key,
            Entry {
                generation,
                answer,
                tick,
                size,
            },
        );
        while lru.bytes > self.max_bytes && lru.evict_one() {
            self.evictions.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Bytes held now.
    pub fn bytes(&self) -> usize {
        self.lru.lock().map(|lru| lru.bytes).unwrap_or_default()
    }

    /// The cache's metrics in the Prometheus text exposition.
    pub fn render(&self) -> String {
        let (bytes, entries) = self
            .lru
            .lock()
            .map(|lru| (lru.bytes, lru.entries.len()))
            .unwrap_or_default();
        let counter = |name: &str, help: &str, value: u64| {
            format!("# HELP assetql_answer_cache_{name} {help}\n# TYPE assetql_answer_cache_{name} counter\nassetql_answer_cache_{name} {value}\n")
        };
        let gauge = |name: &str, help: &str, value: usize| {
            format!("# HELP assetql_answer_cache_{name} {help}\n# TYPE assetql_answer_cache_{name} gauge\nassetql_answer_cache_{name} {value}\n")
        };
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        [
            counter(
                "hits_total",
                "Requests answered from the answer cache.",
                load(&self.hits),
            ),
            counter(
                "misses_total",
                "Cacheable lookups that ran the request.",
                load(&self.misses),
            ),
            counter(
                "not_modified_total",
                "Requests answered 304 (If-None-Match current).",
                load(&self.not_modified),
            ),
            counter(
                "bypassed_total",
                "Requests that asked for a fresh answer (Cache-Control: no-cache).",
                load(&self.bypassed),
            ),
            counter(
                "evictions_total",
                "Answers evicted to stay within the byte bound.",
                load(&self.evictions),
            ),
            gauge("bytes", "Bytes held (keys, bodies and bookkeeping).", bytes),
            gauge(
                "max_bytes",
                "The byte bound (--answer-cache-bytes).",
                self.max_bytes,
            ),
            gauge("entries", "Answers held.", entries),
        ]
        .concat()
    }
}

/// `Cache-Control: no-cache` (or `max-age=0`) on the request: the client wants a fresh answer.
fn wants_fresh(headers: &HeaderMap) -> bool {
    headers
        .get_all(axum::http::header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|d| d.trim().to_ascii_lowercase())
        .any(|d| d == "no-cache" || d == "no-store" || d == "max-age=0")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(query: &str, tenant: &str) -> CacheKey {
        CacheKey {
            tenant: TenantId::parse(tenant).expect("tenant"),
            forced: None,
            query: query.to_owned(),
            operation: None,
            variables: String::new(),
        }
    }

    fn answer(body: &str) -> Answer {
        Answer {
            body: Bytes::from(body.to_owned()),
            dialect: "current",
            etag: HeaderValue::from_static("\"x\""),
        }
    }

    async fn cache(max: usize) -> Arc<AnswerCache> {
        let db = Database::connect("sqlite::memory:", &Default::default())
            .await
            .expect("sqlite");
        AnswerCache::new(max, db).expect("on")
    }

    #[tokio::test]
    async fn zero_bytes_is_off() {
        let db = Database::connect("sqlite::memory:", &Default::default())
            .await
            .expect("sqlite");
        assert!(AnswerCache::new(0, db).is_none());
    }

    #[tokio::test]
    async fn an_answer_is_served_only_at_its_generation_and_to_its_key() {
        let cache = cache(1 << 20).await;
        cache.insert(key("{ a }", "acme"), 3, answer("A"));
        assert_eq!(
            cache.get(&key("{ a }", "acme"), 3).map(|a| a.body),
            Some(Bytes::from("A"))
        );
        assert!(cache.get(&key("{ a }", "globex"), 3).is_none());
        assert!(cache.get(&key("{ a  }", "acme"), 3).is_none());
        // A newer generation drops the entry and its bytes.
        assert!(cache.get(&key("{ a }", "acme"), 4).is_none());
        assert_eq!(cache.bytes(), 0);
        assert!(cache.get(&key("{ a }", "acme"), 3).is_none());
    }

    #[tokio::test]
    async fn the_least_recently_used_answers_go_first_and_the_bound_holds() {
        let body = "x".repeat(1000);
        let one = key("{ a }", "acme").size() + body.len() + ENTRY_OVERHEAD;
        let cache = cache(one * 4 + 10).await;
        for q in ["{ a }", "{ b }", "{ c }", "{ d }"] {
            cache.insert(key(q, "acme"), 1, answer(&body));
        }
        // Touch a: b is now the least recently used.
        assert!(cache.get(&key("{ a }", "acme"), 1).is_some());
        cache.insert(key("{ e }", "acme"), 1, answer(&body));
        assert!(cache.bytes() <= one * 4 + 10);
        assert!(cache.get(&key("{ b }", "acme"), 1).is_none());
        for q in ["{ a }", "{ c }", "{ d }", "{ e }"] {
            assert!(cache.get(&key(q, "acme"), 1).is_some(), "{q}");
        }
        // Too large for the cache: not kept, nothing evicted for it.
        cache.insert(key("{ f }", "acme"), 1, answer(&"y".repeat(one * 2)));
        assert!(cache.get(&key("{ f }", "acme"), 1).is_none());
        assert!(cache.get(&key("{ a }", "acme"), 1).is_some());
    }

    #[tokio::test]
    async fn a_tenant_filling_the_cache_pushes_out_its_own_answers_first() {
        let body = "x".repeat(1000);
        let one = key("{ a }", "acme").size() + body.len() + ENTRY_OVERHEAD;
        let cache = cache(one * 4 + 10).await;
        // globex's answer is the oldest of all; acme then asks for many documents.
        cache.insert(key("{ g }", "globex"), 1, answer(&body));
        for n in 0..20 {
            cache.insert(key(&format!("{{ a{n} }}"), "acme"), 1, answer(&body));
        }
        assert!(cache.bytes() <= one * 4 + 10);
        assert!(
            cache.get(&key("{ g }", "globex"), 1).is_some(),
            "globex kept its answer"
        );
        assert!(cache.get(&key("{ a19 }", "acme"), 1).is_some());
        assert!(cache.get(&key("{ a0 }", "acme"), 1).is_none());
    }

    #[test]
    fn no_cache_and_max_age_zero_ask_for_a_fresh_answer() {
        let mut headers = HeaderMap::new();
        assert!(!wants_fresh(&headers));
        headers.insert(
            axum::http::header::CACHE_CONTROL,
            HeaderValue::from_static("max-age=60"),
        );
        assert!(!wants_fresh(&headers));
        headers.insert(
            axum::http::header::CACHE_CONTROL,
            HeaderValue::from_static("private, No-Cache"),
        );
        assert!(wants_fresh(&headers));
    }

    #[tokio::test]
    async fn entity_tags_name_the_key_and_the_generation() {
        let cache = cache(1 << 20).await;
        let a = key("{ a }", "acme");
        assert_eq!(cache.etag(&a, 1), cache.etag(&a, 1));
        assert_ne!(cache.etag(&a, 1), cache.etag(&a, 2));
        assert_ne!(cache.etag(&a, 1), cache.etag(&key("{ a }", "globex"), 1));
    }
}
