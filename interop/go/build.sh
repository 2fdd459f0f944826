#!/bin/sh
# Builds OUTDIR/goplugin and OUTDIR/gohost offline, from Debian's Go packages
# (GOPATH mode, sources under /usr/share/gocode/src). The Go stubs for
# plugin/job.proto are generated from the repo's proto at every build, so they
# cannot drift. Everything written goes under OUTDIR (.gopath, .gocache, .gotmp).
# Usage: interop/go/build.sh OUTDIR
set -eu

die() { echo "interop/go/build.sh: $*" >&2; exit 1; }

[ $# -eq 1 ] || die "usage: $0 OUTDIR"
HERE=$(cd "$(dirname "$0")" && pwd)
PROTO_ROOT=$(cd "$HERE/../../proto/src/main/proto" 2>/dev/null && pwd) \
  || die "proto sources not found (expected proto/src/main/proto next to interop/)"
DEB=/usr/share/gocode

command -v go >/dev/null 2>&1 || die "'go' not found; install golang-go"
command -v protoc >/dev/null 2>&1 || die "'protoc' not found; install protobuf-compiler"
command -v protoc-gen-go >/dev/null 2>&1 || die "'protoc-gen-go' not found; install golang-goprotobuf-dev"
for pkg in github.com/hashicorp/go-plugin:golang-github-hashicorp-go-plugin-dev \
           github.com/hashicorp/go-hclog:golang-github-hashicorp-go-hclog-dev \
           google.golang.org/grpc:golang-google-grpc-dev \
           github.com/golang/protobuf/proto:golang-goprotobuf-dev; do
  [ -d "$DEB/src/${pkg%%:*}" ] || die "missing Go sources $DEB/src/${pkg%%:*}; install ${pkg##*:}"
done

mkdir -p "$1"
OUT=$(cd "$1" && pwd)
GP="$OUT/.gopath"
SRC="$GP/src/arinterop"
mkdir -p "$SRC/proto" "$SRC/plugin" "$SRC/host" "$OUT/.gocache" "$OUT/.gotmp"

# Offline GOPATH build; our tree first, then Debian's. GOENV=off so no user
# config (or missing HOME) can change anything.
export GO111MODULE=off GOPROXY=off GOFLAGS= GOENV=off CGO_ENABLED=0 \
       GOPATH="$GP:$DEB" GOCACHE="$OUT/.gocache" GOTMPDIR="$OUT/.gotmp" TMPDIR="$OUT/.gotmp"

# protoc-gen-go 1.3.x: plugins=grpc also emits the JobService stubs; the
# proto's go_package "./proto" puts them in arinterop/proto (package proto).
protoc -I "$PROTO_ROOT" --go_out=plugins=grpc:"$SRC" plugin/job.proto \
  || die "protoc failed on $PROTO_ROOT/plugin/job.proto"
cp "$HERE/plugin/main.go" "$SRC/plugin/main.go"
cp "$HERE/host/main.go" "$SRC/host/main.go"

(cd "$OUT" && go build -o "$OUT/goplugin" arinterop/plugin && go build -o "$OUT/gohost" arinterop/host) \
  || die "go build failed"
echo "built $OUT/goplugin and $OUT/gohost"
