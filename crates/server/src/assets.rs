//! Static files compiled into the binary (GraphiQL and what it needs): nothing a page of the
//! server shows is loaded from the internet. Versions are in the paths, so browsers may cache
//! them for good. Sources and licences: `crates/server/assets/README.md`.

use axum::extract::Path;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};

/// (URL path under `/assets/`, content type, bytes).
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "graphiql-3.8.3/graphiql.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql.min.js"),
    ),
    (
        "graphiql-3.8.3/graphiql.min.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/graphiql.min.css"),
    ),
    (
        "react-18.3.1/react.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/react.production.min.js"),
    ),
    (
        "react-18.3.1/react-dom.production.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/react-dom.production.min.js"),
    ),
    (
        "posture.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/posture.js"),
    ),
    (
        "posture.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/posture.css"),
    ),
    (
        "graphiql-start.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/graphiql-start.js"),
    ),
];

/// `GET /`: the posture page, a client of the public GraphQL API (docs/architecture.md).
pub async fn posture() -> Html<&'static str> {
    Html(include_str!("../assets/posture.html"))
}

/// `GET /graphql`: GraphiQL, from the files above.
pub async fn graphiql() -> Html<&'static str> {
    Html(include_str!("../assets/graphiql.html"))
}

/// `GET /assets/*path`.
pub async fn asset(Path(path): Path<String>) -> Response {
    match FILES.iter().find(|(name, _, _)| *name == path) {
        Some((name, content_type, bytes)) => {
            // Versioned paths never change; assetql's own small scripts are unversioned.
            let cache = if name.contains('/') {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            (
                [
                    (header::CONTENT_TYPE, *content_type),
                    (header::CACHE_CONTROL, cache),
                ],
                *bytes,
            )
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}
