# syntax=docker/dockerfile:1
#
# ckw2mqtt in a container: a Swift build stage, then a slim Debian runtime.
#
#   docker build -t ckw2mqtt .
#   docker buildx build --platform linux/amd64,linux/arm64 -t REGISTRY/ckw2mqtt:latest --push .
#
# The state (CKW login, totals, request budget) lives in the volume /var/lib/ckw2mqtt; the
# configuration comes from CKW2MQTT_* variables and/or a mounted file named by CKW2MQTT_CONFIG.
# See docs/deployment.md.

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

# ---- build -----------------------------------------------------------------------------------
# Built for the target platform itself (QEMU under buildx): Swift's cross-compilation SDKs would
# be faster but add a moving part to every user's build.
FROM ${SWIFT_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libmosquitto-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY scripts ./scripts
# Package.swift declares the test targets too; SwiftPM wants their directories to exist.
COPY Tests ./Tests
# The cache mount keeps the dependency checkouts and the build between image builds.
# scripts/build-release links the Swift runtime and Foundation in (the runtime image needs no
# Swift) and keeps the debug info out of the binary (/out/ckw2mqtt.debug stays in this stage).
RUN --mount=type=cache,target=/src/.build \
    scripts/build-release /out

# ---- runtime ---------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE}
# libmosquitto1: the MQTT client library; ca-certificates: TLS to CKW; tzdata: local times in logs;
# curl: the health check.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libmosquitto1 ca-certificates tzdata curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/ckw2mqtt --no-create-home ckw2mqtt \
 && install -d -o ckw2mqtt -g ckw2mqtt -m 0700 /var/lib/ckw2mqtt \
 && install -d -m 0755 /etc/ckw2mqtt
COPY --from=build /out/ckw2mqtt /usr/local/bin/ckw2mqtt

ENV CKW2MQTT_BRIDGE_STATE_DIRECTORY=/var/lib/ckw2mqtt \
    CKW2MQTT_HTTP_ENABLED=true \
    CKW2MQTT_HTTP_HOST=127.0.0.1 \
    CKW2MQTT_HTTP_PORT=9465
VOLUME ["/var/lib/ckw2mqtt"]
# Numeric, so that a runtime can check it is not root without reading /etc/passwd (runAsNonRoot).
USER 10001:10001
WORKDIR /var/lib/ckw2mqtt

# 503 from /healthz (MQTT down, or the last fetch older than the schedule allows) marks the
# container unhealthy. Long start period: the first fetch waits for the broker and CKW.
HEALTHCHECK --interval=60s --timeout=5s --start-period=5m --retries=3 \
  CMD ["curl", "--fail", "--silent", "--show-error", "--max-time", "4", "http://127.0.0.1:9465/healthz"]

ENTRYPOINT ["ckw2mqtt"]
CMD ["run"]
