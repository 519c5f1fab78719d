# syntax=docker/dockerfile:1
# Multi-stage build: Go with cgo (XGBoost's C API) → slim Debian runtime as a
# non-root user. The build step is scripts/build.sh, the same one `make build` runs.
# postgresql-client-15 gives `qlibpro backup`/`restore` their pg_dump and pg_restore.

FROM golang:1.26.8-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libxgboost-dev libgomp1 \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=unknown
ARG BUILD_TIME=unknown
RUN VERSION=$VERSION COMMIT=$COMMIT BUILD_TIME=$BUILD_TIME scripts/build.sh /out/qlibpro

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libxgboost0 libgomp1 ca-certificates tzdata curl postgresql-client-15 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin qlibpro
WORKDIR /app
COPY --from=build /out/qlibpro /usr/local/bin/qlibpro
COPY --chown=qlibpro:qlibpro data /app/data
USER qlibpro
ENV ENVIRONMENT=production PORT=8080 DATA_DIR=/app/data/asx
EXPOSE 8080 9091
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/api/health || exit 1
ENTRYPOINT ["qlibpro"]
CMD ["serve"]
