# syntax=docker/dockerfile:1
# Builds the one assetql binary and runs it on a slim Debian base, as a non-root user.
# Base images are pinned; BuildKit cache mounts keep the crates registry and the target
# directory between builds, so a source change does not rebuild the dependencies.
FROM rust:1.95.0-bookworm AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p assetql-server \
    && cp target/release/assetql /usr/local/bin/assetql

FROM debian:12.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /var/lib/assetql --create-home assetql
COPY --from=build /usr/local/bin/assetql /usr/local/bin/assetql
USER assetql
WORKDIR /var/lib/assetql
ENV ASSETQL_LISTEN=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --retries=6 CMD ["assetql", "healthcheck"]
ENTRYPOINT ["assetql"]
CMD ["serve"]
