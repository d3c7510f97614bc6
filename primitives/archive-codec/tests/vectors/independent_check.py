"""Independent check of the wire format documented in ../../README.md.

Decodes every committed vector from its first k pieces with pyca/cryptography's
AES-GCM and a Lagrange interpolation over GF(2^8) written from the README alone
(no Rust code involved). Piece hashes are not checked (no BLAKE3 in the stdlib).
Run: python3 primitives/archive-codec/tests/vectors/independent_check.py
"""
import glob
import json
import os
import struct

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

def compact(b, i):
    m = b[i] & 3
    if m == 0: return b[i] >> 2, i + 1
    if m == 1: return struct.unpack_from('<H', b, i)[0] >> 2, i + 2
    if m == 2: return struct.unpack_from('<I', b, i)[0] >> 2, i + 4
    raise ValueError

def piece(h):
    b = bytes.fromhex(h); assert b[0] == 1
    idx = b[1]; ln, i = compact(b, 2); frag = b[i:i+ln]; share = b[i+ln:i+ln+32]; assert len(b) == i+ln+32
    return idx, frag, share

def commitments(h):
    b = bytes.fromhex(h); assert b[0] == 1
    k = b[1]; plen, seg = struct.unpack_from('<QI', b, 2); n, i = compact(b, 14)
    assert len(b) == i + 32*n
    return k, plen, seg, n

def mul(a, b):
    r = 0
    for _ in range(8):
        if b & 1: r ^= a
        b >>= 1; hi = a & 0x80; a = (a << 1) & 0xff
        if hi: a ^= 0x1b
    return r
def inv(a):
    r = 1
    for _ in range(254): r = mul(r, a)
    return r

def combine(shares):  # [(x, bytes)]
    out = bytearray(32)
    for i, (xi, si) in enumerate(shares):
        num = den = 1
        for j, (xj, _) in enumerate(shares):
            if i != j: num = mul(num, xj); den = mul(den, xj ^ xi)
        c = mul(num, inv(den))
        for t in range(32): out[t] ^= mul(si[t], c)
    return bytes(out)

for f in sorted(glob.glob(os.path.join(os.path.dirname(os.path.abspath(__file__)), '*.json'))):
    v = json.load(open(f))
    k, plen, seg, n = commitments(v['commitments'])
    pieces = [piece(p) for p in v['pieces']]
    originals = pieces[:k]
    key = originals[0][2] if k == 1 else combine([(i + 1, s) for i, _, s in originals])
    assert key.hex() == v['key'], f
    part = -(-plen // k); m = max(1, -(-part // seg))
    aad = b"ehr-chain archive-codec v1 aead" + bytes([1]) + bytes.fromhex(v['record_id']) + struct.pack('<QI', plen, seg) + bytes([k])
    g = AESGCM(key); out = b''
    for i, frag, _ in originals:
        plen_i = max(0, min(part, plen - i * part))
        for j in range(m):
            s0 = min(j * seg, plen_i); s1 = min(s0 + seg, plen_i)
            gidx = i * m + j
            nonce = b'\0\0\0' + struct.pack('>Q', gidx) + bytes([1 if gidx == k * m - 1 else 0])
            tag = frag[part + 16 * j: part + 16 * j + 16]
            out += g.decrypt(nonce, frag[s0:s1] + tag, aad)
    assert out.hex() == v['payload'], f
    print('ok', f.split('/')[-1], 'k', k, 'n', n, 'segments/part', m)
