#!/usr/bin/env python3
"""Writes the seed corpora for fuzz_record_decoder and fuzz_handshake_reassembler.

Encrypted seeds use the fuzz target's FakeAead rule (XOR 0x5A, tag = 16 copies of nonce[11],
all-zero IVs), so they decrypt and reach the post-decryption checks.
Run from the repository root: python3 tests/fuzz/record/make_seeds.py
"""
import os
import struct

ROOT = os.path.join('tests', 'fuzz', 'corpus')


def rec(t, body, version=0x0303):
    return struct.pack('>BHH', t, version, len(body)) + bytes(body)


def xor(b):
    return bytes(x ^ 0x5A for x in b)


def fake13(seq, t, content, pad=0):
    inner = bytes(content) + bytes([t]) + bytes(pad)
    return rec(23, xor(inner) + bytes([seq & 0xFF]) * 16)


def fake12_gcm(seq, t, content):
    return rec(t, struct.pack('>Q', seq) + xor(content) + bytes([seq & 0xFF]) * 16)


def fake12_chacha(seq, t, content):
    return rec(t, xor(content) + bytes([seq & 0xFF]) * 16)


def hs(t, body):
    return struct.pack('>B', t) + len(body).to_bytes(3, 'big') + bytes(body)


def write(name, seeds):
    d = os.path.join(ROOT, name)
    os.makedirs(d, exist_ok=True)
    for i, s in enumerate(seeds):
        with open(os.path.join(d, 'seed_%02d' % i), 'wb') as f:
            f.write(s)


client_hello = hs(1, b'\x03\x03' + bytes(32) + b'\x00\x00\x02\x13\x01\x01\x00\x00\x00')
decoder = [
    bytes([0x00, 0x00]) + rec(22, client_hello, 0x0301) + rec(21, b'\x02\x28'),
    bytes([0x00, 0xFF]) + rec(20, b'\x01') + rec(23, b'hello') + rec(23, b''),
    bytes([0x0B, 0x01]) + fake13(0, 22, hs(8, b'\x00\x00')) + fake13(1, 23, b'data', 30)
    + fake13(2, 21, b'\x01\x00'),
    bytes([0x0C, 0x03]) + rec(20, b'\x01') + fake13(0, 22, hs(20, bytes(32))),
    bytes([0x09, 0x02]) + fake12_gcm(0, 22, hs(20, bytes(12))) + fake12_gcm(1, 23, b'GET /'),
    bytes([0x0A, 0x02]) + fake12_chacha(0, 22, hs(20, bytes(12))) + fake12_chacha(1, 21, b'\x01\x00'),
    bytes([0x1B, 0x05]) + rec(22, hs(2, bytes(40))) + fake13(0, 22, hs(8, b'\x00\x00')),
    bytes([0x19, 0x05]) + rec(20, b'\x01') + fake12_gcm(0, 22, hs(20, bytes(12))),
    bytes([0x01, 0x10]) + rec(23, bytes(40)),
    bytes([0x03, 0x10]) + rec(23, bytes(40)),
    bytes([0x00, 0x00]) + struct.pack('>BHH', 22, 0x0303, 0x4001),
    bytes([0x0B, 0x00]) + fake13(0, 23, b'', 5) + fake13(1, 22, b''),
]
write('record_decoder', decoder)

rfc8448_flight = bytes.fromhex(
    '080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000')
reassembler = [
    bytes([0x00, 0xFF]) + client_hello + hs(14, b''),
    bytes([0x01, 0x01]) + hs(11, bytes(300)) + hs(15, bytes(20)) + hs(20, bytes(32)),
    bytes([0xFF, 0xFF]) + rfc8448_flight,
    bytes([0x00, 0x00]) + hs(11, bytes(10)),
    bytes([0x03, 0x02]) + hs(4, bytes(600)) + hs(24, b'\x00'),
]
write('handshake_reassembler', reassembler)
