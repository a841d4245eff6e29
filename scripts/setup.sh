#!/usr/bin/env bash
# setup.sh: install the Debian packages the build, the tests and the demo need.
#
# Idempotent: when every package is already installed (checked with dpkg-query) it touches
# nothing and does not even run `apt-get update`. Safe to call from demo.sh and test.sh on
# every run. Needs root (or sudo) only when something is missing.
set -euo pipefail

# Why each package is here:
#   build-essential cmake ninja-build pkg-config   the build (Ninja presets, see CMakePresets.json)
#   libssl-dev                                      libcrypto for src/crypto/openssl; libssl for bench/ only
#   libgnutls28-dev                                 GnuTLS 3.7, hs_bench's second baseline (bench/ only;
#                                                   the library never links it)
#   libgtest-dev libgmock-dev googletest            unit and interop tests
#   libcli11-dev libfmt-dev                         tools/hs command line and output
#   nlohmann-json3-dev                              JSON reader for `hs verify --limbo` (x509-limbo
#                                                   testsuites) and its test (header-only)
#   clang libclang-rt-14-dev llvm                   the fuzz preset (libFuzzer runtime, symbolizer)
#   clang-format-16                                 the format check in test.sh
#   openssl gnutls-bin curl ca-certificates         interop peers and the test PKI (openssl CLI)
#   python3                                         the banned-call check in test.sh
#   libpcap-dev                                     hs dissect reads pcap/pcapng captures
#   libnghttp2-dev                                  HTTP/2 in hs client and hs server (tools/hs/http2_*)
#   nginx                                           h2 test peer for hs client (the bare binary
#                                                   package: ssl and http2 are built in; its
#                                                   service is not started in containers)
#   tshark                                          captures (dumpcap) and decrypts them with a
#                                                   key log in tests/interop (keylog, dissect)
#   libasio-dev                                     standalone asio: include/hs/asio/stream.h and its test
#   libxml2-utils librsvg2-bin                      xmllint and rsvg-convert check the --trace-svg
#                                                   ladder diagrams (tests/interop/trace_svg_test)
#                                                   and the --trace-html page (trace_html_test)
#   golang-go                                       Go 1.19's crypto/tls and net/http, an independent
#                                                   TLS stack behind many real clients and servers:
#                                                   interop peer (tests/interop/go/, stdlib only)
#   libnss3-tools                                   NSS, Mozilla's TLS library (Firefox's): tstclnt
#                                                   and selfserv are interop peers, certutil and
#                                                   pk12util build their key databases
#                                                   (tests/interop/nss_test)
#   botan                                           Botan 2.19's `botan tls_client`/`tls_server`, a
#                                                   third independent TLS 1.2 stack: interop peer
#                                                   (tests/interop/botan_test.cc)
#   libwolfssl-dev libmbedtls-dev                   wolfSSL 5.5 (TLS 1.2/1.3) and Mbed TLS 2.28 (TLS
#                                                   1.2), the embedded world's stacks: small C peers
#                                                   built by tests/interop (c_peers/); test-only,
#                                                   the library never links them
#   openjdk-17-jre-headless                         Java's JSSE, the TLS stack of countless Java
#                                                   clients and servers: interop peer
#                                                   (tests/interop/java/, stdlib only). The JRE
#                                                   alone compiles it (its jdk.compiler module);
#                                                   no JDK. 44.6 MB download, 7 packages, 195 MB
#                                                   installed, 7-10 s to install here
#   chromium                                        the browser (Chrome's engine: BoringSSL, Chrome's
#                                                   certificate verifier) as a client of hs server,
#                                                   headless (tests/interop/chromium_test.cc); 81 MB
#                                                   download, 290 MB installed, ~16 s to install
#   testssl.sh                                      the public TLS scanner people point at their
#                                                   servers: its protocol, resumption and
#                                                   vulnerability probes against hs server
#                                                   (tests/interop/testssl_test.cc); 3 MB, bash
PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libssl-dev openssl
  libgnutls28-dev
  libgtest-dev libgmock-dev googletest
  libcli11-dev libfmt-dev nlohmann-json3-dev
  clang clang-format-16 libclang-rt-14-dev llvm
  curl gnutls-bin ca-certificates python3
  libpcap-dev libnghttp2-dev
  nginx
  tshark
  libasio-dev
  libxml2-utils librsvg2-bin
  golang-go
  libnss3-tools
  botan libwolfssl-dev libmbedtls-dev
  openjdk-17-jre-headless
  chromium
  testssl.sh
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)"
  if [[ "$status" != "installed" ]]; then
    missing+=("$pkg")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "setup: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

echo "setup: installing missing packages: ${missing[*]}"
SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO=(sudo)
  else
    echo "setup: error: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
# wireshark-common asks whether non-root users may capture (a setuid dumpcap); answer "no" up
# front so the install never waits for a question. The tests run as root and need no setuid.
if command -v debconf-set-selections >/dev/null 2>&1; then
  echo "wireshark-common wireshark-common/install-setuid boolean false" |
    "${SUDO[@]}" debconf-set-selections
fi
# Minimal Debian images leave out /usr/share/man (a dpkg path-exclude), and openjdk's postinst
# then fails registering java.1.gz with update-alternatives; the directory is all it needs.
"${SUDO[@]}" mkdir -p /usr/share/man/man1
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  "${missing[@]}"
echo "setup: done"
