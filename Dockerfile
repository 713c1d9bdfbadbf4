# Builds the one assetql binary and runs it on a slim Debian base.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p assetql-server && cp target/release/assetql /usr/local/bin/assetql

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /var/lib/assetql --create-home assetql
COPY --from=build /usr/local/bin/assetql /usr/local/bin/assetql
USER assetql
WORKDIR /var/lib/assetql
ENV ASSETQL_LISTEN=0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["assetql"]
CMD ["serve"]
