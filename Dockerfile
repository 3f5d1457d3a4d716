# FoodBridge's image: one replica, configured only through the environment (README,
# "Configuration"). The build stage runs the very scripts a developer runs (scripts/setup.sh,
# scripts/build.sh); the image runs scripts/replica.sh, as scripts/cluster.sh does.
#
#   docker build -t foodbridge .
#   docker compose up          # the whole cluster: docker-compose.yml

FROM rust:1.95-bookworm AS build
WORKDIR /src
ENV CARGO_TARGET_DIR=/src/target
# The pinned build tools first, in a layer of their own: cargo-leptos, wasm-bindgen, wasm-opt
# and the wasm32 target (about 25 minutes, once).
COPY scripts/setup.sh scripts/env.sh scripts/
RUN scripts/setup.sh --release
COPY . .
RUN scripts/build.sh --release

FROM debian:bookworm-slim
# curl for the health check; CA certificates for SMTP over TLS.
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates curl \
  && rm -rf /var/lib/apt/lists/* \
  && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin foodbridge \
  && mkdir -p /app/data \
  && chown foodbridge /app/data
WORKDIR /app
COPY --from=build /src/target/release/server /app/bin/foodbridge
COPY --from=build /src/target/site /app/site
COPY scripts/replica.sh scripts/env.sh /app/scripts/
ENV FOODBRIDGE_BIN=/app/bin/foodbridge \
  LEPTOS_SITE_ROOT=/app/site \
  LISTEN_ADDR=0.0.0.0:3000 \
  DATABASE_URL=sqlite:///app/data/foodbridge.db?mode=rwc \
  MAIL_DIR=/app/data/mail
USER foodbridge
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD curl -fs http://127.0.0.1:3000/healthz || exit 1
# SIGTERM: the replica fails /readyz, drains for SHUTDOWN_DRAIN_MS and exits within 10 s.
STOPSIGNAL SIGTERM
CMD ["/app/scripts/replica.sh"]
