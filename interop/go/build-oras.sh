#!/bin/sh
# Builds OUTDIR/orastool offline from Debian's Go packages (GOPATH mode, sources
# under /usr/share/gocode/src): oras-go 1.1.1 (golang-oras-oras-go-dev, which
# depends on every other Go source the build needs: containerd, docker, ...).
# Everything written goes under OUTDIR (.gopath, .gocache, .gotmp), as with
# build.sh, so both scripts can share one OUTDIR and its build cache.
# Usage: interop/go/build-oras.sh OUTDIR
set -eu

die() { echo "interop/go/build-oras.sh: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 OUTDIR"
HERE=$(cd "$(dirname "$0")" && pwd)
DEB=/usr/share/gocode

command -v go >/dev/null 2>&1 || die "'go' not found; install golang-go"
for pkg in oras.land/oras-go/pkg/content:golang-oras-oras-go-dev \
           github.com/containerd/containerd/remotes:golang-github-containerd-containerd-dev \
           github.com/docker/cli/cli/config:golang-github-docker-docker-dev; do
  [ -d "$DEB/src/${pkg%%:*}" ] || die "missing Go sources $DEB/src/${pkg%%:*}; install ${pkg##*:}"
done

mkdir -p "$1"
OUT=$(cd "$1" && pwd)
GP="$OUT/.gopath"
SRC="$GP/src/arinterop"
mkdir -p "$SRC/oras" "$OUT/.gocache" "$OUT/.gotmp"

# Offline GOPATH build; our tree first, then Debian's. GOENV=off so no user
# config (or missing HOME) can change anything.
export GO111MODULE=off GOPROXY=off GOFLAGS= GOENV=off CGO_ENABLED=0 \
       GOPATH="$GP:$DEB" GOCACHE="$OUT/.gocache" GOTMPDIR="$OUT/.gotmp" TMPDIR="$OUT/.gotmp"

cp "$HERE/oras/main.go" "$SRC/oras/main.go"

(cd "$OUT" && go build -o "$OUT/orastool" arinterop/oras) || die "go build failed"
echo "built $OUT/orastool"
