#!/usr/bin/env bash
# demo.sh: build the hs tool, start `hs server` on a free loopback port with a local test
# certificate, fetch from it with `hs client -v --head`, print what the client saw, and stop the
# server (also on Ctrl-C or failure).
#
# The test CA and the localhost certificates are made once in .state/pki/ (gitignored); delete
# that directory to make new ones. HS_DEMO_CERT=ecdsa uses the ECDSA P-256 certificate instead of
# the RSA-2048 one.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT="$(pwd)"
PKI="$ROOT/.state/pki"
HS="$ROOT/build/release/tools/hs/hs"
CERT_KIND="${HS_DEMO_CERT:-rsa}"

die() {
  echo "demo: error: $*" >&2
  exit 1
}

./scripts/setup.sh

if [[ ! -f tools/hs/CMakeLists.txt ]]; then
  die "this tree has no hs tool yet (tools/hs/CMakeLists.txt is missing), so there is nothing to demo"
fi
echo "demo: building the hs tool (release preset, build/release)"
cmake --preset release >/dev/null
BUILD_LOG="$(mktemp "${TMPDIR:-/tmp}/hs-demo-build.XXXXXX")"
if ! cmake --build --preset release --target hs >"$BUILD_LOG" 2>&1; then
  cat "$BUILD_LOG" >&2
  rm -f "$BUILD_LOG"
  die "building the hs tool failed (see the compiler output above)"
fi
rm -f "$BUILD_LOG"
[[ -x "$HS" ]] || die "the build did not produce $HS"

if [[ ! -f "$PKI/ca.pem" || ! -f "$PKI/$CERT_KIND.pem" || ! -f "$PKI/$CERT_KIND.key" ]]; then
  echo "demo: creating a local test CA and localhost certificates in .state/pki/"
  rm -rf "$PKI.tmp"
  ./scripts/make-test-pki.sh "$PKI.tmp" localhost
  rm -rf "$PKI"
  mv "$PKI.tmp" "$PKI"
fi

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
SERVER_LOG="$(mktemp "${TMPDIR:-/tmp}/hs-demo-server.XXXXXX")"
SERVER_PID=""

cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 20); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -f "$SERVER_LOG"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "demo: starting: hs server --cert .state/pki/$CERT_KIND.pem --key .state/pki/$CERT_KIND.key --listen 127.0.0.1:$PORT"
"$HS" server --cert "$PKI/$CERT_KIND.pem" --key "$PKI/$CERT_KIND.key" --listen "127.0.0.1:$PORT" \
  >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!

listening=0
for _ in $(seq 1 100); do
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "demo: hs server exited before listening; its output:" >&2
    cat "$SERVER_LOG" >&2
    exit 1
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
    listening=1
    break
  fi
  sleep 0.1
done
if [[ "$listening" -ne 1 ]]; then
  echo "demo: hs server did not listen on 127.0.0.1:$PORT within 10s; its output:" >&2
  cat "$SERVER_LOG" >&2
  exit 1
fi

# run_client TITLE ARGS...: one verified HEAD request with curl's -v trace.
run_client() {
  local title="$1"
  shift
  echo
  echo "==== $title ===="
  echo "demo: running: hs client -v --head https://localhost:$PORT/ --cacert .state/pki/ca.pem --resolve localhost:$PORT:127.0.0.1 $*"
  echo
  "$HS" client -v --head "https://localhost:$PORT/" --cacert "$PKI/ca.pem" \
    --resolve "localhost:$PORT:127.0.0.1" "$@"
}

# First the article's handshake (TLS 1.2: two round trips, ServerKeyExchange, both
# ChangeCipherSpecs), then what the same two programs negotiate by default (TLS 1.3).
set +e
run_client "TLS 1.2, the article's handshake" --tlsv1.2 --tls-max 1.2
rc=$?
if [[ "$rc" -eq 0 ]]; then
  run_client "TLS 1.3, what both ends pick by default"
  rc=$?
fi
set -e
echo
if [[ "$rc" -eq 0 ]]; then
  echo "demo: ok: hs client completed verified TLS 1.2 and TLS 1.3 handshakes with hs server on port $PORT"
else
  echo "demo: hs client failed (exit $rc); server output:" >&2
  cat "$SERVER_LOG" >&2
fi
exit "$rc"
