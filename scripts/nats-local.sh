#!/usr/bin/env bash
# Makes sure a local nats-server with JetStream listens on 127.0.0.1:4222 (for `make run-local`).
# Reuses one already listening; otherwise installs Debian's nats-server if missing and starts it in
# the background (store and log under build/nats, pid in build/nats/nats.pid; `make nats-stop` ends it).
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${NATS_PORT:-4222}
DIR=build/nats

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

if listening; then
  echo "nats: reusing the server already listening on 127.0.0.1:$PORT"
  exit 0
fi
if ! command -v nats-server >/dev/null 2>&1 && [ ! -x /usr/sbin/nats-server ]; then
  echo "nats: nats-server not found; installing Debian's package"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q nats-server
  else
    sudo apt-get update -q && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q nats-server
  fi
fi
NATS=$(command -v nats-server || echo /usr/sbin/nats-server)
mkdir -p "$DIR"
# setsid: its own session and process group, so the Ctrl-C that stops `make run-local` (sent to the
# terminal's foreground group) does not stop NATS too; `make nats-stop` does.
setsid "$NATS" -a 127.0.0.1 -p "$PORT" -js -sd "$DIR/store" > "$DIR/nats.log" 2>&1 < /dev/null &
echo $! > "$DIR/nats.pid"
for _ in $(seq 1 100); do
  if listening; then
    echo "nats: started nats-server (JetStream) on 127.0.0.1:$PORT, pid $(cat "$DIR/nats.pid"), log $DIR/nats.log"
    exit 0
  fi
  sleep 0.1
done
echo "nats: nats-server did not start; see $DIR/nats.log:" >&2
tail -20 "$DIR/nats.log" >&2
exit 1
