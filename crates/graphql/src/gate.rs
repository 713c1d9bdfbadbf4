//! Turns for statements: how many of one request's statements, and of one tenant's, run at
//! once.

/// Takes turns for statements: at most a few of one request's statements at a time, and at
/// most a share of the connection pool for one tenant's requests, so that one request (eight
/// aliased root fields with costly filters, say) cannot hold every connection while other
/// tenants' requests wait.
#[derive(Clone, Default)]
pub struct StatementGate {
    request: Option<std::sync::Arc<tokio::sync::Semaphore>>,
    tenant: Option<std::sync::Arc<tokio::sync::Semaphore>>,
}

impl StatementGate {
    pub(crate) fn new(per_request: usize, tenant: std::sync::Arc<tokio::sync::Semaphore>) -> Self {
        StatementGate {
            request: Some(std::sync::Arc::new(tokio::sync::Semaphore::new(
                per_request.max(1),
            ))),
            tenant: Some(tenant),
        }
    }

    /// Waits for a turn; the turn ends when the returned value is dropped.
    pub(crate) async fn enter(&self) -> Vec<tokio::sync::SemaphorePermit<'_>> {
        let mut turns = Vec::with_capacity(2);
        for semaphore in [&self.request, &self.tenant].into_iter().flatten() {
            // The semaphores are never closed, so acquiring fails only if one were.
            if let Ok(permit) = semaphore.acquire().await {
                turns.push(permit);
            }
        }
        turns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_tenant_takes_at_most_its_share_and_a_request_its_turns() {
        use std::sync::Arc;
        use std::time::Duration;
        let busy = Arc::new(tokio::sync::Semaphore::new(2));
        let other = Arc::new(tokio::sync::Semaphore::new(2));
        let first = StatementGate::new(8, Arc::clone(&busy));
        let second = StatementGate::new(8, Arc::clone(&busy));
        let held = (first.enter().await, first.enter().await);
        let wait = Duration::from_millis(50);
        assert!(
            tokio::time::timeout(wait, second.enter()).await.is_err(),
            "the tenant's share is taken"
        );
        let elsewhere = StatementGate::new(8, other);
        assert!(tokio::time::timeout(wait, elsewhere.enter()).await.is_ok());
        drop(held);
        assert!(tokio::time::timeout(wait, second.enter()).await.is_ok());
        // One request: one turn at a time.
        let single = StatementGate::new(1, Arc::new(tokio::sync::Semaphore::new(8)));
        let turn = single.enter().await;
        assert!(tokio::time::timeout(wait, single.enter()).await.is_err());
        drop(turn);
        assert!(tokio::time::timeout(wait, single.enter()).await.is_ok());
    }
}
