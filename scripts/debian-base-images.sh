#!/usr/bin/env bash
# Stand-in base images from Debian's packages, for a Docker engine that cannot reach Docker Hub
# (the offline path in README.md, "Docker without Docker Hub"). Each is a Debian bookworm root file
# system made by mmdebstrap from Debian's archive and loaded with `docker import`:
#
#   ar-standin/maven:bookworm   JDK 17 + Maven          stands in for maven:3.9-eclipse-temurin-17  (AR_BUILD_IMAGE)
#   ar-standin/base:bookworm    minbase + util-linux    stands in for debian:bookworm-slim          (AR_RUNTIME_BASE_IMAGE)
#                               (no Java: the runtime image brings its own jlinked JRE)
#   ar-standin/nginx:bookworm   nginx + wget            stands in for nginx:1.27-alpine             (AR_REGISTRY_BASE_IMAGE)
#   ar-standin/nats:bookworm    nats-server + wget      stands in for nats:2.10-alpine              (AR_NATS_IMAGE)
#
# The host's local CA additions (/usr/local/share/ca-certificates/*.crt, e.g. a TLS-inspecting proxy's)
# are trusted inside the images, before the JDK's cacerts are generated, so Maven reaches Maven Central.
# Needs root (or mmdebstrap's unshare mode), mmdebstrap and a running engine. An image that already
# exists is kept (--force rebuilds). Prints the variables that select the stand-ins (source it with eval).
#   usage: scripts/debian-base-images.sh [--force]
set -euo pipefail

force=false
[ "${1:-}" = --force ] && force=true
suite=${AR_DEBIAN_SUITE:-bookworm}
mirror=${AR_DEBIAN_MIRROR:-http://deb.debian.org/debian}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

command -v mmdebstrap >/dev/null || { echo "debian-base-images: mmdebstrap is missing (apt-get install mmdebstrap)" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "debian-base-images: no Docker engine answers 'docker info'" >&2; exit 1; }

# name, packages, docker import --change lines (separated by |), optional extra mmdebstrap customize hook,
# then any further mmdebstrap options
build() {
  local name=$1 packages=$2 changes=$3 hook=${4:-true}
  local extra=("${@:5}")
  if ! $force && docker image inspect "$name" >/dev/null 2>&1; then
    echo "debian-base-images: $name exists (--force rebuilds it)" >&2
    return
  fi
  local started=$SECONDS
  mmdebstrap --quiet --variant=minbase --include="ca-certificates,$packages" "${extra[@]}" \
    --setup-hook='mkdir -p "$1/usr/local/share/ca-certificates"; for c in /usr/local/share/ca-certificates/*.crt; do [ -f "$c" ] && cp "$c" "$1/usr/local/share/ca-certificates/"; done; true' \
    --customize-hook='chroot "$1" update-ca-certificates --fresh >/dev/null' \
    --customize-hook="$hook" \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/usr/share/doc "$1"/usr/share/man' \
    "$suite" "$work/$$.tar" "$mirror" "${mirror%/debian}/debian-security $suite-security main" >&2
  local args=() c
  IFS='|' read -r -a lines <<<"$changes"
  for c in "${lines[@]}"; do [ -n "$c" ] && args+=(--change "$c"); done
  docker import "${args[@]}" "$work/$$.tar" "$name" >/dev/null
  rm -f "$work/$$.tar"
  echo "debian-base-images: $name built in $((SECONDS - started)) s ($(docker image inspect -f '{{.Size}}' "$name" | awk '{printf "%.0f MB", $1/1e6}'))" >&2
}

env_path='ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
build ar-standin/maven:bookworm openjdk-17-jdk-headless,maven \
  "$env_path|ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64|CMD [\"mvn\", \"--version\"]"
# util-linux for setpriv, bash for the runtime's health check, passwd for its user (all in minbase today).
# Slim as debian:bookworm-slim: /usr merged by mmdebstrap's hook rather than the usrmerge package (which
# pulls in 47 MB of perl), and no translations, docs or man pages (dpkg path-exclude, 33 MB of locale):
# 161 -> 84 MB.
build ar-standin/base:bookworm util-linux,bash,passwd \
  "$env_path|CMD [\"bash\"]" true \
  --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
  --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
  --dpkgopt='path-exclude=/usr/share/info/*' --dpkgopt='path-exclude=/usr/share/lintian/*'
# Debian's nginx enables sites-enabled/default (a default_server on port 80): removed, so conf.d/ is all.
build ar-standin/nginx:bookworm nginx-light,wget \
  "$env_path|CMD [\"nginx\", \"-g\", \"daemon off;\"]" \
  'rm -f "$1/etc/nginx/sites-enabled/default"'
build ar-standin/nats:bookworm nats-server,wget \
  "$env_path|CMD [\"nats-server\"]"

cat <<VARS
export AR_BUILD_IMAGE=ar-standin/maven:bookworm
export AR_RUNTIME_BASE_IMAGE=ar-standin/base:bookworm
export AR_REGISTRY_BASE_IMAGE=ar-standin/nginx:bookworm
export AR_NATS_IMAGE=ar-standin/nats:bookworm
VARS
