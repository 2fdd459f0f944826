#!/usr/bin/env bash
# The compose numbers in docs/benchmarks.md, on the offline path (Debian stand-in base images, host
# networking): stand-in base images, a cold build of both images, `up` to the first result, image sizes.
# Run on an engine with no cached layers of this project (a cold build); it removes what it built at the end.
#   usage: scripts/compose-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0 COMPOSE_PROJECT_NAME=arbench
export AR_REGISTRY_IMAGE=ccf/ar-plugin-registry:bench AR_RUNTIME_IMAGE=ccf/assessment-runtime:bench
for v in AR_NATS_RUNTIME_PASSWORD AR_NATS_CONTROL_PLANE_PASSWORD AR_NATS_READER_PASSWORD; do
  export "$v=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
done
dc=(docker-compose -f docker-compose.yml -f docker/compose.host-network.yml)
trap '"${dc[@]}" down -v >/dev/null 2>&1 || true; docker rmi "$AR_REGISTRY_IMAGE" "$AR_RUNTIME_IMAGE" >/dev/null 2>&1 || true; docker image prune -f --filter label=io.ccf.ar.stage >/dev/null 2>&1 || true' EXIT

t0=$SECONDS
eval "$(scripts/debian-base-images.sh)"
t1=$SECONDS
"${dc[@]}" build >/dev/null
t2=$SECONDS
start=$(date +%s.%N)
"${dc[@]}" up -d >/dev/null 2>&1
# the first result: the config's scheduled plugin run published on job.result ("run finished" is logged after)
until docker logs "$("${dc[@]}" ps -q assessment-runtime)" 2>&1 | grep -q 'run finished outcome="SUCCEEDED"'; do
  [ $(( $(date +%s) - ${start%.*} )) -lt 300 ] || { echo "no result within 300 s" >&2; exit 1; }
  sleep 0.5
done
first=$(echo "$(date +%s.%N) - $start" | bc)
echo "| stand-in base images (mmdebstrap + docker import, 4 images) | $((t1 - t0)) s |"
echo "| cold build of both images (docker-compose build) | $((t2 - t1)) s |"
echo "| \`up -d\` to the first result | ${first%.*} s |"
for i in "$AR_REGISTRY_IMAGE" "$AR_RUNTIME_IMAGE" "$AR_BUILD_IMAGE" "$AR_RUNTIME_BASE_IMAGE" "$AR_REGISTRY_BASE_IMAGE" "$AR_NATS_IMAGE"; do
  echo "| image $i | $(docker image inspect -f '{{.Size}}' "$i" | awk '{printf "%.0f MB", $1/1e6}') |"
done
root=$(docker info -f '{{.DockerRootDir}}')
echo "| engine data root with the stack up ($(docker info -f '{{.Driver}}')) | $(du -sh "$root" 2>/dev/null | cut -f1) |"
