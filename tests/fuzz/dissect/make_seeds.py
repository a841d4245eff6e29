#!/usr/bin/env python3
"""Writes the seed corpus for fuzz_dissect from classic pcap files of Ethernet (loopback) captures.

Input format of the target: byte 0 = link type selector (0 Ethernet; bit 7 set = no key log),
then frames as 16-bit big-endian length + bytes. For each capture the script writes the frames
as captured, then reordered (pairs swapped), with every data frame duplicated (retransmissions),
cut in the middle (a truncated capture), and with the ClientHello random zeroed (it then matches
the target's fixed key log, whose secrets are wrong: the bad_record_mac path).

Run from the repository root with captures converted to classic pcap (editcap -F pcap):
  python3 tests/fuzz/dissect/make_seeds.py tls13.pcap tls12.pcap
"""
import os
import struct
import sys

OUT = os.path.join('tests', 'fuzz', 'corpus', 'dissect')


def read_pcap(path):
    data = open(path, 'rb').read()
    magic = struct.unpack('<I', data[:4])[0]
    endian = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    off = 24
    frames = []
    while off + 16 <= len(data):
        _, _, caplen, _ = struct.unpack(endian + 'IIII', data[off:off + 16])
        off += 16
        frames.append(data[off:off + caplen])
        off += caplen
    return frames


def encode(selector, frames):
    out = bytes([selector])
    for f in frames:
        out += struct.pack('>H', len(f)) + f
    return out


def zero_client_random(frames):
    out = []
    for f in frames:
        # Ethernet(14) + IPv4(20) + TCP(data offset) -> record header(5) + handshake header(4)
        # + legacy_version(2), then the 32-byte random.
        if len(f) > 54:
            tcp_len = (f[46] >> 4) * 4
            payload = 34 + tcp_len
            if f[payload:payload + 1] == b'\x16' and f[payload + 5:payload + 6] == b'\x01':
                start = payload + 11
                f = f[:start] + bytes(32) + f[start + 32:]
        out.append(f)
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    n = 0
    for path in sys.argv[1:]:
        frames = read_pcap(path)
        swapped = list(frames)
        for i in range(3, len(swapped) - 1, 2):
            swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
        duplicated = []
        for f in frames:
            duplicated.append(f)
            if len(f) > 66:
                duplicated.append(f)
        variants = [
            encode(0, frames),
            encode(0x80, frames),
            encode(0, swapped),
            encode(0, duplicated),
            encode(0, frames[:len(frames) // 2] + [frames[len(frames) // 2][:60]]),
            encode(0, zero_client_random(frames)),
        ]
        for v in variants:
            with open(os.path.join(OUT, 'seed_%02d' % n), 'wb') as fh:
                fh.write(v)
            n += 1
    print('wrote %d seeds to %s' % (n, OUT))


if __name__ == '__main__':
    main()
