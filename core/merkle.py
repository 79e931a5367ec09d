"""RFC 6962 Merkle tree heads over the evidence chain's leaf hashes, kept incrementally.

The tree of n leaves is held as its frontier: the roots of the perfect subtrees that n's binary
digits give, largest (leftmost) first, O(log n) hashes. Appending a leaf merges equal subtrees
(one hash per merge, so O(1) amortised); the tree head folds the frontier from the right, which
is RFC 6962's MTH(D[0:n]) = SHA-256(0x01 ‖ MTH(D[0:k]) ‖ MTH(D[k:n])), k the largest power of
two below n. Leaves are already hashed: SHA-256(0x00 ‖ entry body) (storage/chain.py).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

HASH_BYTES = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()  # RFC 6962: the hash of an empty list


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


@dataclass
class Tree:
    size: int = 0
    frontier: list[bytes] = field(default_factory=list)

    def append(self, leaf: bytes) -> None:
        merged, count = leaf, self.size
        while count & 1:  # the lowest subtrees are of equal size: merge them
            merged = node_hash(self.frontier.pop(), merged)
            count >>= 1
        self.frontier.append(merged)
        self.size += 1

    def root(self) -> bytes:
        if not self.frontier:
            return EMPTY_ROOT
        folded = self.frontier[-1]
        for left in reversed(self.frontier[:-1]):
            folded = node_hash(left, folded)
        return folded

    def state(self) -> str:
        """The frontier as text (hex, one hash after the other), to be kept with a checkpoint."""
        return b"".join(self.frontier).hex()

    @classmethod
    def restore(cls, size: int, state: str) -> Tree:
        """The tree from a kept frontier; ValueError when it does not fit `size`."""
        raw = bytes.fromhex(state)
        hashes = [raw[i : i + HASH_BYTES] for i in range(0, len(raw), HASH_BYTES)]
        if size < 0 or len(raw) % HASH_BYTES or len(hashes) != size.bit_count():
            raise ValueError("frontier does not fit the tree size")
        return cls(size, hashes)
