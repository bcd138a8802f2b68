"""Which shard owns an order (ARCHITECTURE.md "Past one machine"), as the daemon routes it.

Jump consistent hash (Lamping and Veach, 2014) of the first 8 bytes, big-endian, of
SHA-256(UTF-8 order id) into `shards` buckets. The Swift `ShardMap` is the same
function; Tests/Fixtures/shard-vectors.json checks that both agree.
"""
from __future__ import annotations

import hashlib

_MASK = (1 << 64) - 1


def jump(key: int, buckets: int) -> int:
    """The bucket of the 64-bit `key` among `buckets` (the paper's figure 1)."""
    b, j = -1, 0
    while j < buckets:
        b = j
        key = (key * 2862933555777941757 + 1) & _MASK
        j = int((b + 1) * (float(1 << 31) / float((key >> 33) + 1)))
    return b


def shard_of(order: str, shards: int) -> int:
    """The shard (0 … shards − 1) that owns `order`."""
    if shards <= 1:
        return 0
    key = int.from_bytes(hashlib.sha256(order.encode("utf-8")).digest()[:8], "big")
    return jump(key, shards)
