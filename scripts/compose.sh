#!/usr/bin/env bash
# `make compose-up` / `make compose-down`: the docker-compose.yml stack (NATS, plugin registry,
# assessment runtime). Needs a running Docker engine; uses `docker compose` (v2) when present,
# else `docker-compose`. Published ports come from docker-compose.override.yml (127.0.0.1 only);
# AR_COMPOSE_NETWORK=host uses docker/compose.host-network.yml instead: every service on the host's
# network on loopback ports, for an engine without bridge networks. With AR_*_IMAGE set (see
# scripts/debian-base-images.sh) the images build on stand-in base images. COMPOSE_PROJECT_NAME is honoured.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  up|down) ;;
  *) echo "usage: $0 up|down" >&2; exit 2 ;;
esac

if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
  echo "compose: no Docker engine answers 'docker info' (is the daemon running, may this user use it?);" >&2
  echo "compose: the stack cannot be started here. 'docker-compose -f docker-compose.yml config -q' only checks the file." >&2
  exit 1
fi
if docker compose version >/dev/null 2>&1; then
  DC=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  DC=(docker-compose)
else
  echo "compose: neither 'docker compose' nor 'docker-compose' is installed" >&2
  exit 1
fi

FILES=(-f docker-compose.yml -f docker-compose.override.yml)
if [ "${AR_COMPOSE_NETWORK:-}" = host ]; then
  FILES=(-f docker-compose.yml -f docker/compose.host-network.yml)
fi

if [ "$1" = up ] && [ ! -f .env ]; then
  # the NATS users' passwords (docker/nats-server.conf); docker compose reads .env by itself
  umask 077
  for v in AR_NATS_RUNTIME_PASSWORD AR_NATS_CONTROL_PLANE_PASSWORD AR_NATS_READER_PASSWORD; do
    echo "$v=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  done > .env
  echo "compose: wrote random NATS passwords to .env (mode 0600)"
fi
if [ "$1" = up ]; then
  "${DC[@]}" "${FILES[@]}" up -d --build
  "${DC[@]}" "${FILES[@]}" ps
  echo "compose: up. Logs: ${DC[*]} logs -f assessment-runtime; results: bin/ar watch-results (NATS on 127.0.0.1:4222, or AR_HOST_NATS_PORT with AR_COMPOSE_NETWORK=host)"
else
  "${DC[@]}" "${FILES[@]}" down --remove-orphans
fi
