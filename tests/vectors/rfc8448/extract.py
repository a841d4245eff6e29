#!/usr/bin/env python3
"""Copies byte strings out of RFC 8448 into tests/vectors/rfc8448/*.hex.

Usage: extract.py /work/shared/rfc/rfc8448.txt [outdir]

Every value is taken verbatim from the RFC text (page headers and footers skipped, each field
read until its announced octet count is reached); nothing is computed here. The table at the end
names, for each output file, the RFC section, the step heading ("{server}  derive secret ...")
and the field ("expanded", "ClientHello", ...). README.md lists the same mapping.
"""
import os
import re
import sys

FIELD = re.compile(r"^      (\S.*?) \((\d+) octets?\):\s*(.*)$")
STEP = re.compile(r"^   \{(client|server)\}\s+(.*)$")
SECTION = re.compile(r"^(\d+)\.\s+\S")
HEX = re.compile(r"^[0-9a-f]{2}$")


def parse(path):
    """Returns a list of (section, role, step, field, bytes)."""
    out = []
    section, role, step = None, None, None
    pending = None  # [section, role, step, field, n, tokens]
    with open(path, encoding="ascii", errors="replace") as f:
        for raw in f:
            line = raw.rstrip("\n").replace("\f", "")
            if line.startswith("Thomson ") or line.startswith("RFC 8448 "):
                continue
            if pending is not None:
                toks = line.split()
                if toks and all(HEX.match(t) for t in toks):
                    pending[5].extend(toks)
                    if len(pending[5]) >= pending[4]:
                        assert len(pending[5]) == pending[4], pending[:5]
                        out.append((pending[0], pending[1], pending[2], pending[3],
                                    bytes(int(t, 16) for t in pending[5])))
                        pending = None
                    continue
                if not toks:
                    continue  # blank lines around a page break
                raise SystemExit("field %r ended early" % (pending[:5],))
            m = SECTION.match(line)
            if m:
                section, role, step = int(m.group(1)), None, None
                continue
            m = STEP.match(line)
            if m:
                role, step = m.group(1), m.group(2)
                continue
            m = FIELD.match(line)
            if m and step is not None:
                name, n, rest = m.group(1), int(m.group(2)), m.group(3)
                toks = rest.split()
                if n == 0 or not all(HEX.match(t) for t in toks):
                    continue  # "(empty)"
                pending = [section, role, step, name, n, list(toks)]
                if len(toks) >= n:
                    assert len(toks) == n
                    out.append((section, role, step, name, bytes(int(t, 16) for t in toks)))
                    pending = None
    return out


# (file, section, role, step prefix, field, occurrence within that section/role/step/field)
TABLE = [
    # Section 3: Simple 1-RTT Handshake.
    ("s3_client_x25519_private", 3, "client", "create an ephemeral x25519", "private key", 0),
    ("s3_server_x25519_public", 3, "server", "create an ephemeral x25519", "public key", 0),
    ("s3_client_hello", 3, "client", "construct a ClientHello", "ClientHello", 0),
    ("s3_server_hello", 3, "server", "construct a ServerHello", "ServerHello", 0),
    ("s3_encrypted_extensions", 3, "server", "construct an EncryptedExtensions",
     "EncryptedExtensions", 0),
    ("s3_certificate", 3, "server", "construct a Certificate", "Certificate", 0),
    ("s3_certificate_verify", 3, "server", "construct a CertificateVerify", "CertificateVerify", 0),
    ("s3_server_finished", 3, "server", "construct a Finished", "Finished", 0),
    ("s3_client_finished", 3, "client", "construct a Finished", "Finished", 0),
    ("s3_new_session_ticket", 3, "server", "construct a NewSessionTicket", "NewSessionTicket", 0),
    ("s3_early_secret", 3, "server", 'extract secret "early"', "secret", 0),
    ("s3_shared_secret", 3, "server", 'extract secret "handshake"', "IKM", 0),
    ("s3_handshake_secret", 3, "server", 'extract secret "handshake"', "secret", 0),
    ("s3_master_secret", 3, "server", 'extract secret "master"', "secret", 0),
    ("s3_ch_sh_hash", 3, "server", 'derive secret "tls13 c hs traffic"', "hash", 0),
    ("s3_client_handshake_traffic_secret", 3, "server", 'derive secret "tls13 c hs traffic"',
     "expanded", 0),
    ("s3_server_handshake_traffic_secret", 3, "server", 'derive secret "tls13 s hs traffic"',
     "expanded", 0),
    ("s3_ch_sf_hash", 3, "server", 'derive secret "tls13 c ap traffic"', "hash", 0),
    ("s3_client_application_traffic_secret_0", 3, "server", 'derive secret "tls13 c ap traffic"',
     "expanded", 0),
    ("s3_server_application_traffic_secret_0", 3, "server", 'derive secret "tls13 s ap traffic"',
     "expanded", 0),
    ("s3_exporter_master_secret", 3, "server", 'derive secret "tls13 exp master"', "expanded", 0),
    ("s3_server_handshake_key", 3, "server", "derive write traffic keys for handshake data",
     "key expanded", 0),
    ("s3_server_handshake_iv", 3, "server", "derive write traffic keys for handshake data",
     "iv expanded", 0),
    ("s3_client_handshake_key", 3, "server", "derive read traffic keys for handshake data",
     "key expanded", 0),
    ("s3_client_handshake_iv", 3, "server", "derive read traffic keys for handshake data",
     "iv expanded", 0),
    ("s3_server_application_key", 3, "server", "derive write traffic keys for application data",
     "key expanded", 0),
    ("s3_server_application_iv", 3, "server", "derive write traffic keys for application data",
     "iv expanded", 0),
    ("s3_client_application_key", 3, "client", "derive write traffic keys for application data",
     "key expanded", 0),
    ("s3_client_application_iv", 3, "client", "derive write traffic keys for application data",
     "iv expanded", 0),
    ("s3_server_finished_key", 3, "server", 'calculate finished "tls13 finished"', "expanded", 0),
    ("s3_client_finished_key", 3, "client", 'calculate finished "tls13 finished"', "expanded", 0),
    ("s3_ch_cf_hash", 3, "client", 'derive secret "tls13 res master"', "hash", 0),
    ("s3_resumption_master_secret", 3, "client", 'derive secret "tls13 res master"', "expanded", 0),
    ("s3_resumption_psk", 3, "server", 'generate resumption secret "tls13 resumption"',
     "expanded", 0),
    # The server's second handshake record: EE..Finished under the server handshake keys.
    ("s3_server_flight_plaintext", 3, "server", "send handshake record", "payload", 1),
    ("s3_server_flight_record", 3, "server", "send handshake record", "complete record", 1),
    # The server's third handshake record: the NewSessionTicket §4 resumes with.
    ("s3_new_session_ticket_record", 3, "server", "send handshake record", "complete record", 2),
    # Section 4: Resumed 0-RTT Handshake.
    ("s4_client_hello_record", 4, "client", "send handshake record", "complete record", 0),
    ("s4_server_hello_record", 4, "server", "send handshake record", "complete record", 0),
    ("s4_psk", 4, "client", 'extract secret "early"', "IKM", 0),
    ("s4_early_secret", 4, "client", 'extract secret "early"', "secret", 0),
    ("s4_client_hello_prefix", 4, "client", "calculate PSK binder", "ClientHello prefix", 0),
    ("s4_binder_hash", 4, "client", "calculate PSK binder", "binder hash", 0),
    ("s4_binder_key", 4, "client", "calculate PSK binder", "PRK", 0),
    ("s4_binder_finished_key", 4, "client", "calculate PSK binder", "expanded", 0),
    ("s4_binder", 4, "client", "calculate PSK binder", "finished", 0),
    ("s4_client_hello", 4, "client", "send handshake record", "payload", 0),
    ("s4_client_hello_hash", 4, "client", 'derive secret "tls13 c e traffic"', "hash", 0),
    ("s4_client_early_traffic_secret", 4, "client", 'derive secret "tls13 c e traffic"',
     "expanded", 0),
    ("s4_early_exporter_master_secret", 4, "client", 'derive secret "tls13 e exp master"',
     "expanded", 0),
    ("s4_client_early_key", 4, "client", "derive write traffic keys for early application data",
     "key expanded", 0),
    ("s4_client_early_iv", 4, "client", "derive write traffic keys for early application data",
     "iv expanded", 0),
    ("s4_server_hello", 4, "server", "construct a ServerHello", "ServerHello", 0),
    ("s4_shared_secret", 4, "server", 'extract secret "handshake"', "IKM", 0),
    ("s4_handshake_secret", 4, "server", 'extract secret "handshake"', "secret", 0),
    ("s4_client_handshake_traffic_secret", 4, "server", 'derive secret "tls13 c hs traffic"',
     "expanded", 0),
    ("s4_server_handshake_traffic_secret", 4, "server", 'derive secret "tls13 s hs traffic"',
     "expanded", 0),
    ("s4_master_secret", 4, "server", 'extract secret "master"', "secret", 0),
    ("s4_encrypted_extensions", 4, "server", "construct an EncryptedExtensions",
     "EncryptedExtensions", 0),
    ("s4_server_finished", 4, "server", "construct a Finished", "Finished", 0),
    ("s4_client_application_traffic_secret_0", 4, "server", 'derive secret "tls13 c ap traffic"',
     "expanded", 0),
    ("s4_server_application_traffic_secret_0", 4, "server", 'derive secret "tls13 s ap traffic"',
     "expanded", 0),
    ("s4_exporter_master_secret", 4, "server", 'derive secret "tls13 exp master"', "expanded", 0),
    ("s4_end_of_early_data", 4, "client", "construct an EndOfEarlyData", "EndOfEarlyData", 0),
    ("s4_client_finished", 4, "client", "construct a Finished", "Finished", 0),
    ("s4_resumption_master_secret", 4, "client", 'derive secret "tls13 res master"', "expanded", 0),
    ("s4_client_x25519_private", 4, "client", "create an ephemeral x25519", "private key", 0),
    # The client's records: ClientHello (0), then EndOfEarlyData under the early traffic key (1),
    # then Finished under the client handshake key (2); application_data: the 0-RTT data "ABCDEF"
    # (0), then 1-RTT data (1).
    ("s4_client_early_data_record", 4, "client", "send application_data record",
     "complete record", 0),
    ("s4_client_end_of_early_data_record", 4, "client", "send handshake record",
     "complete record", 1),
    ("s4_client_finished_record", 4, "client", "send handshake record", "complete record", 2),
    # The server's second handshake record: EncryptedExtensions and Finished.
    ("s4_server_flight_record", 4, "server", "send handshake record", "complete record", 1),
    ("s4_client_application_record", 4, "client", "send application_data record",
     "complete record", 1),
    ("s4_server_application_record", 4, "server", "send application_data record",
     "complete record", 0),
    ("s4_client_alert_record", 4, "client", "send alert record", "complete record", 0),
    ("s4_server_alert_record", 4, "server", "send alert record", "complete record", 0),
    # Section 5: HelloRetryRequest.
    ("s5_client_x25519_private", 5, "client", "create an ephemeral x25519", "private key", 0),
    ("s5_client_hello1_record", 5, "client", "send handshake record", "complete record", 0),
    ("s5_client_hello2_record", 5, "client", "send handshake record", "complete record", 1),
    ("s5_hello_retry_request_record", 5, "server", "send handshake record", "complete record", 0),
    ("s5_server_hello_record", 5, "server", "send handshake record", "complete record", 1),
    # The server's handshake records: HelloRetryRequest (0), ServerHello (1), then
    # EncryptedExtensions..Finished under the server handshake key (2).
    ("s5_server_flight_record", 5, "server", "send handshake record", "complete record", 2),
    # The client's handshake records: ClientHello1 (0), ClientHello2 (1), Finished (2).
    ("s5_client_finished_record", 5, "client", "send handshake record", "complete record", 2),
    ("s5_exporter_master_secret", 5, "server", 'derive secret "tls13 exp master"', "expanded", 0),
    ("s5_resumption_master_secret", 5, "client", 'derive secret "tls13 res master"', "expanded", 0),
    ("s5_client_alert_record", 5, "client", "send alert record", "complete record", 0),
    ("s5_server_alert_record", 5, "server", "send alert record", "complete record", 0),
    ("s5_client_hello1", 5, "client", "construct a ClientHello", "ClientHello", 0),
    ("s5_hello_retry_request", 5, "server", "construct a ServerHello", "ServerHello", 0),
    ("s5_client_hello2", 5, "client", "construct a ClientHello", "ClientHello", 1),
    ("s5_server_hello", 5, "server", "construct a ServerHello", "ServerHello", 1),
    ("s5_client_p256_private", 5, "client", "create an ephemeral P-256", "private key", 0),
    ("s5_server_p256_public", 5, "server", "create an ephemeral P-256", "public key", 0),
    ("s5_shared_secret", 5, "server", 'extract secret "handshake"', "IKM", 0),
    ("s5_handshake_secret", 5, "server", 'extract secret "handshake"', "secret", 0),
    ("s5_transcript_hash_to_sh", 5, "server", 'derive secret "tls13 c hs traffic"', "hash", 0),
    ("s5_client_handshake_traffic_secret", 5, "server", 'derive secret "tls13 c hs traffic"',
     "expanded", 0),
    ("s5_server_handshake_traffic_secret", 5, "server", 'derive secret "tls13 s hs traffic"',
     "expanded", 0),
    ("s5_master_secret", 5, "server", 'extract secret "master"', "secret", 0),
    ("s5_encrypted_extensions", 5, "server", "construct an EncryptedExtensions",
     "EncryptedExtensions", 0),
    ("s5_certificate", 5, "server", "construct a Certificate", "Certificate", 0),
    ("s5_certificate_verify", 5, "server", "construct a CertificateVerify", "CertificateVerify", 0),
    ("s5_server_finished", 5, "server", "construct a Finished", "Finished", 0),
    ("s5_client_finished", 5, "client", "construct a Finished", "Finished", 0),
    ("s5_client_application_traffic_secret_0", 5, "server", 'derive secret "tls13 c ap traffic"',
     "expanded", 0),
    ("s5_server_application_traffic_secret_0", 5, "server", 'derive secret "tls13 s ap traffic"',
     "expanded", 0),
    # Section 6: Client Authentication.
    ("s6_client_x25519_private", 6, "client", "create an ephemeral x25519", "private key", 0),
    ("s6_client_hello", 6, "client", "construct a ClientHello", "ClientHello", 0),
    ("s6_server_hello", 6, "server", "construct a ServerHello", "ServerHello", 0),
    ("s6_encrypted_extensions", 6, "server", "construct an EncryptedExtensions",
     "EncryptedExtensions", 0),
    ("s6_certificate_request", 6, "server", "construct a CertificateRequest",
     "CertificateRequest", 0),
    ("s6_server_certificate", 6, "server", "construct a Certificate", "Certificate", 0),
    ("s6_server_certificate_verify", 6, "server", "construct a CertificateVerify",
     "CertificateVerify", 0),
    ("s6_server_finished", 6, "server", "construct a Finished", "Finished", 0),
    # The server's second handshake record: EE..Finished under the server handshake keys.
    ("s6_server_flight_record", 6, "server", "send handshake record", "complete record", 1),
    ("s6_client_handshake_traffic_secret", 6, "server", 'derive secret "tls13 c hs traffic"',
     "expanded", 0),
    ("s6_server_handshake_traffic_secret", 6, "server", 'derive secret "tls13 s hs traffic"',
     "expanded", 0),
    ("s6_client_application_traffic_secret_0", 6, "server", 'derive secret "tls13 c ap traffic"',
     "expanded", 0),
    ("s6_server_application_traffic_secret_0", 6, "server", 'derive secret "tls13 s ap traffic"',
     "expanded", 0),
    ("s6_exporter_master_secret", 6, "server", 'derive secret "tls13 exp master"', "expanded", 0),
    ("s6_client_certificate", 6, "client", "construct a Certificate", "Certificate", 0),
    ("s6_client_certificate_verify", 6, "client", "construct a CertificateVerify",
     "CertificateVerify", 0),
    ("s6_client_finished", 6, "client", "construct a Finished", "Finished", 0),
    # The client's second handshake record: Certificate, CertificateVerify, Finished.
    ("s6_client_flight_record", 6, "client", "send handshake record", "complete record", 1),
    ("s6_resumption_master_secret", 6, "client", 'derive secret "tls13 res master"', "expanded", 0),
    ("s6_client_alert_record", 6, "client", "send alert record", "complete record", 0),
    ("s6_server_alert_record", 6, "server", "send alert record", "complete record", 0),
]


def main():
    src = sys.argv[1]
    outdir = sys.argv[2] if len(sys.argv) > 2 else os.path.dirname(os.path.abspath(__file__))
    fields = parse(src)
    for name, section, role, step, field, occurrence in TABLE:
        hits = [b for (s, r, st, f, b) in fields
                if s == section and r == role and st.startswith(step) and f == field]
        if len(hits) <= occurrence:
            raise SystemExit("not found: %s" % name)
        data = hits[occurrence]
        with open(os.path.join(outdir, name + ".hex"), "w") as out:
            for i in range(0, len(data), 16):
                out.write(" ".join("%02x" % b for b in data[i:i + 16]) + "\n")
        print("%-42s %4d octets  RFC 8448 %d {%s} %s / %s" % (name, len(data), section, role, step,
                                                            field))


if __name__ == "__main__":
    main()
