#!/usr/bin/env bash
# make-test-pki.sh OUTDIR [HOST]: create a throwaway test PKI with the openssl CLI.
#
# Never use these keys for anything but local tests: they are unencrypted and world-readable.
# HOST defaults to localhost. Every leaf carries SAN DNS:HOST, IP:127.0.0.1, IP:::1.
# Keys are PKCS#8 PEM ("BEGIN PRIVATE KEY"); certificates are PEM.
#
# Files written to OUTDIR:
#   ca.pem, ca.key                     root CA, RSA-2048, self-signed, CA:TRUE
#   rsa.pem, rsa.key                   server leaf, RSA-2048, signed by the root
#   ecdsa.pem, ecdsa.key               server leaf, ECDSA P-256, signed by the root
#   intermediate.pem, intermediate.key intermediate CA, ECDSA P-256, pathlen:0, signed by the root
#   chain-leaf.pem, chain-leaf.key     server leaf, RSA-2048, signed by the intermediate
#   chain.pem                          chain-leaf.pem followed by intermediate.pem (what a server sends)
#   client.pem, client.key             client leaf (CN=hs-test-client), ECDSA P-256, clientAuth EKU
#   client-rsa.pem, client-rsa.key     client leaf (CN=hs-test-client-rsa), RSA-2048, clientAuth EKU
#   other-ca.pem, other-ca.key         a second root CA, ECDSA P-256, that nothing trusts
#   untrusted-client.pem, .key         client leaf (CN=hs-untrusted-client), ECDSA P-256, clientAuth
#                                      EKU, issued by other-ca: a client the test servers refuse
#   ed25519.pem, ed25519.key           server leaf, Ed25519, signed by the root
#   ed448.pem, ed448.key               server leaf, Ed448, signed by the root
#   rsa-pss.pem, rsa-pss.key           server leaf, RSA-2048 id-RSASSA-PSS key (no parameters, as
#                                      openssl genpkey -algorithm RSA-PSS writes it), signed by the
#                                      root with sha256WithRSAEncryption
# Server leaves: CA:FALSE, KU critical digitalSignature, EKU serverAuth.
# Signatures are sha256 (sha256WithRSAEncryption / ecdsa-with-SHA256).
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  echo "usage: $0 OUTDIR [HOST]" >&2
  exit 2
fi
out="$1"
host="${2:-localhost}"
mkdir -p "$out"
cd "$out"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

san="DNS:${host},IP:127.0.0.1,IP:::1"
if [[ "$host" != "localhost" ]]; then
  san="DNS:${host},DNS:localhost,IP:127.0.0.1,IP:::1"
fi

cat >"$work/ext.cnf" <<CNF
[root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[intermediate]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = ${san}
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF

# genkey NAME rsa|ec|ed25519|ed448|rsa-pss: a PKCS#8 PEM private key in NAME.key.
genkey() {
  case "$2" in
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" 2>/dev/null ;;
    ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" ;;
    ed25519) openssl genpkey -algorithm ED25519 -out "$1.key" ;;
    ed448) openssl genpkey -algorithm ED448 -out "$1.key" ;;
    rsa-pss) openssl genpkey -algorithm RSA-PSS -pkeyopt rsa_keygen_bits:2048 -out "$1.key" 2>/dev/null ;;
  esac
  chmod 600 "$1.key"
}

# issue NAME SUBJECT SECTION ISSUER DAYS: NAME.pem for NAME.key, signed by ISSUER.{pem,key}.
issue() {
  openssl req -new -key "$1.key" -subj "$2" -out "$work/$1.csr"
  openssl x509 -req -in "$work/$1.csr" -CA "$4.pem" -CAkey "$4.key" \
    -set_serial "0x$(openssl rand -hex 16)" -days "$5" -sha256 \
    -extfile "$work/ext.cnf" -extensions "$3" -out "$1.pem" 2>/dev/null
}

genkey ca rsa
openssl req -new -x509 -key ca.key -subj "/O=handshake tests/CN=handshake test root CA" \
  -days 3650 -sha256 -set_serial "0x$(openssl rand -hex 16)" \
  -config "$work/ext.cnf" -extensions root -out ca.pem

genkey rsa rsa
issue rsa "/O=handshake tests/CN=${host}" server ca 825
genkey ecdsa ec
issue ecdsa "/O=handshake tests/CN=${host}" server ca 825

genkey ed25519 ed25519
issue ed25519 "/O=handshake tests/CN=${host}" server ca 825
genkey ed448 ed448
issue ed448 "/O=handshake tests/CN=${host}" server ca 825
genkey rsa-pss rsa-pss
issue rsa-pss "/O=handshake tests/CN=${host}" server ca 825

genkey intermediate ec
issue intermediate "/O=handshake tests/CN=handshake test intermediate CA" intermediate ca 1825
genkey chain-leaf rsa
issue chain-leaf "/O=handshake tests/CN=${host}" server intermediate 825
cat chain-leaf.pem intermediate.pem >chain.pem

genkey client ec
issue client "/O=handshake tests/CN=hs-test-client" client ca 825
genkey client-rsa rsa
issue client-rsa "/O=handshake tests/CN=hs-test-client-rsa" client ca 825

genkey other-ca ec
openssl req -new -x509 -key other-ca.key -subj "/O=handshake tests/CN=untrusted test root CA" \
  -days 3650 -sha256 -set_serial "0x$(openssl rand -hex 16)" \
  -config "$work/ext.cnf" -extensions root -out other-ca.pem
genkey untrusted-client ec
issue untrusted-client "/O=handshake tests/CN=hs-untrusted-client" client other-ca 825

# Self-check: every leaf verifies for its purpose, so a broken PKI fails here, not in a test.
openssl verify -CAfile ca.pem -purpose sslserver -verify_hostname "$host" rsa.pem ecdsa.pem \
  ed25519.pem ed448.pem rsa-pss.pem >/dev/null
openssl verify -CAfile ca.pem -untrusted intermediate.pem -purpose sslserver chain-leaf.pem >/dev/null
openssl verify -CAfile ca.pem -purpose sslclient client.pem client-rsa.pem >/dev/null
openssl verify -CAfile other-ca.pem -purpose sslclient untrusted-client.pem >/dev/null
echo "make-test-pki: wrote test PKI for ${host} to $(pwd)"
