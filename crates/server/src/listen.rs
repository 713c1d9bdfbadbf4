//! Listening: the accept loop over hyper's HTTP/1.1 connection builder, with its connection
//! limits, for the server's router and the worker's metrics, and the shutdown signal.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use assetql_graphql::Engine;
use assetql_store::Database;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

use crate::http::{healthz, router, AppState, ConnectionLimits};

/// Serves `router(state)` on `listener` until `shutdown` resolves, then lets in-flight requests
/// finish for at most `grace`. Each connection is HTTP/1.1 with the header timeout of
/// `state.connections` (which also closes idle keep-alive connections), and at most
/// `max_connections` are open at once.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let limits = state.connections;
    serve_router(listener, router(state), limits, shutdown, grace).await
}

/// The accept loop behind [`serve`] and [`serve_metrics`]: HTTP/1.1 connections with the
/// header timeout of `limits` (which also closes idle keep-alive connections), at most
/// `max_connections` open at once, until `shutdown`, then `grace` for in-flight requests.
async fn serve_router(
    listener: TcpListener,
    app: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> std::io::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let open = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&open).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors, say: wait instead of spinning.
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(hyper_util::rt::TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .keep_alive(true);
        let connection =
            graceful.watch(builder.serve_connection(hyper_util::rt::TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection ended with an error");
            }
            drop(permit);
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(grace) => {
            tracing::warn!(grace_secs = grace.as_secs(), "in-flight requests did not finish in time");
        }
    }
    Ok(())
}

/// Serves only `GET /metrics` (and `/healthz`) for a worker process, until the process ends.
pub async fn serve_metrics(
    listener: TcpListener,
    metrics: Arc<crate::metrics::Metrics>,
    db: Database,
    engine: Option<Arc<Engine>>,
) {
    let app = Router::new().route("/healthz", get(healthz)).route(
        "/metrics",
        get(move || {
            let text = metrics.render(&db, engine.as_ref().map(|e| e.plan_cache_hits()));
            async move {
                (
                    [(
                        axum::http::header::CONTENT_TYPE,
                        "text/plain; version=0.0.4",
                    )],
                    text,
                )
            }
        }),
    );
    let forever = std::future::pending::<()>();
    let limits = ConnectionLimits::default();
    if let Err(error) = serve_router(listener, app, limits, forever, Duration::ZERO).await {
        tracing::error!(%error, "the metrics server stopped");
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested; draining in-flight requests");
}
