"""Ed25519 signed notes and checkpoints in the C2SP formats (`signed-note`, `tlog-checkpoint`,
`tlog-cosignature`), so anyone can check the office's checkpoints with standard tools.

A checkpoint's body is three lines: origin, tree size (decimal), hash (base64). The note is the
body, a blank line, then one line per signature: an em dash, the key name, and base64 of the
4-byte key hash followed by the signature. The key hash is the first 4 bytes of
SHA-256(name ‖ "\\n" ‖ type ‖ public key), type 0x01 for Ed25519 and 0x04 for a cosignature.
"""

from __future__ import annotations

import base64
import hashlib
import re
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ED25519 = 0x01
COSIGNATURE_V1 = 0x04
DASH = "\u2014"
# A key name: no spaces and no "+" (they separate the fields of a key string).
NAME_PATTERN = re.compile(r"[!-*,-~]{1,120}")
SIGNATURE_LINE = re.compile(r"^\u2014 (\S+) ([A-Za-z0-9+/=]+)$")
MAX_NOTE_BYTES = 16_384  # a note from outside is foreign: bounded before it is parsed


class NoteError(ValueError):
    """A note, key or checkpoint that is not of the format."""


def key_hash(name: str, kind: int, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([kind]) + public).digest()[:4]


@dataclass(frozen=True)
class Signer:
    name: str
    private: Ed25519PrivateKey

    @property
    def public(self) -> bytes:
        return self.private.public_key().public_bytes_raw()

    @property
    def verifier(self) -> Verifier:
        return Verifier(self.name, self.public)

    def secret_string(self) -> str:
        """The key as Go's note package writes one: PRIVATE+KEY+name+hash+base64(type ‖ seed)."""
        seed = self.private.private_bytes_raw()
        hash_hex = key_hash(self.name, ED25519, self.public).hex()
        encoded = base64.b64encode(bytes([ED25519]) + seed).decode()
        return f"PRIVATE+KEY+{self.name}+{hash_hex}+{encoded}"

    @classmethod
    def generate(cls, name: str) -> Signer:
        if not NAME_PATTERN.fullmatch(name):
            raise NoteError("key name")
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def parse(cls, text: str) -> Signer:
        """The key from a file's text: its one PRIVATE+KEY line (comment lines ignored)."""
        lines = [ln.strip() for ln in text.splitlines() if ln.strip().startswith("PRIVATE+KEY+")]
        if len(lines) != 1:
            raise NoteError("no PRIVATE+KEY line")
        parts = lines[0].split("+", 4)
        if len(parts) != 5:
            raise NoteError("key fields")
        name, hash_hex, encoded = parts[2], parts[3], parts[4]
        try:
            raw = base64.b64decode(encoded, validate=True)
        except ValueError as error:
            raise NoteError("key base64") from error
        if len(raw) != 33 or raw[0] != ED25519 or not NAME_PATTERN.fullmatch(name):
            raise NoteError("key type")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if key_hash(name, ED25519, signer.public).hex() != hash_hex:
            raise NoteError("key hash")
        return signer

    def sign(self, body: str) -> str:
        """A signature line over `body` (which ends with a newline)."""
        signature = self.private.sign(body.encode("utf-8"))
        blob = key_hash(self.name, ED25519, self.public) + signature
        return f"{DASH} {self.name} {base64.b64encode(blob).decode()}\n"

    def cosign(self, body: str, timestamp: int) -> str:
        """A tlog-cosignature/v1 line over a checkpoint `body`, made at `timestamp` (Unix s)."""
        message = f"cosignature/v1\ntime {timestamp}\n{body}".encode()
        signature = self.private.sign(message)
        blob = key_hash(self.name, COSIGNATURE_V1, self.public)
        blob += struct.pack(">Q", timestamp) + signature
        return f"{DASH} {self.name} {base64.b64encode(blob).decode()}\n"


@dataclass(frozen=True)
class Verifier:
    name: str
    public: bytes

    def vkey(self) -> str:
        """The public key as a verifier string: name+hash+base64(type ‖ key)."""
        hash_hex = key_hash(self.name, ED25519, self.public).hex()
        return f"{self.name}+{hash_hex}+{base64.b64encode(bytes([ED25519]) + self.public).decode()}"

    @classmethod
    def parse(cls, vkey: str) -> Verifier:
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3 or not NAME_PATTERN.fullmatch(parts[0]):
            raise NoteError("vkey fields")
        try:
            raw = base64.b64decode(parts[2], validate=True)
        except ValueError as error:
            raise NoteError("vkey base64") from error
        if len(raw) != 33 or raw[0] != ED25519:
            raise NoteError("vkey type")
        verifier = cls(parts[0], raw[1:])
        if key_hash(verifier.name, ED25519, verifier.public).hex() != parts[1]:
            raise NoteError("vkey hash")
        return verifier

    def _signatures(self, note: str, kind: int) -> tuple[str, list[bytes]]:
        body, signatures = split_note(note)
        wanted = key_hash(self.name, kind, self.public)
        blobs = []
        for name, blob in signatures:
            if name == self.name and blob[:4] == wanted:
                blobs.append(blob[4:])
        return body, blobs

    def verifies(self, note: str) -> bool:
        """True when `note` carries a valid signature of this key."""
        body, blobs = self._signatures(note, ED25519)
        key = Ed25519PublicKey.from_public_bytes(self.public)
        for blob in blobs:
            try:
                key.verify(blob, body.encode("utf-8"))
            except InvalidSignature:
                continue
            return True
        return False

    def cosigned_at(self, note: str) -> int | None:
        """The time of this witness's valid cosignature on `note`, or None."""
        body, blobs = self._signatures(note, COSIGNATURE_V1)
        key = Ed25519PublicKey.from_public_bytes(self.public)
        for blob in blobs:
            if len(blob) != 8 + 64:
                continue
            timestamp = struct.unpack(">Q", blob[:8])[0]
            message = f"cosignature/v1\ntime {timestamp}\n{body}".encode()
            try:
                key.verify(blob[8:], message)
            except InvalidSignature:
                continue
            return int(timestamp)
        return None


def split_note(note: str) -> tuple[str, list[tuple[str, bytes]]]:
    """The body (with its final newline) and the (name, key hash ‖ signature) pairs."""
    if len(note.encode("utf-8")) > MAX_NOTE_BYTES:
        raise NoteError("note too long")
    body, separator, rest = note.rpartition("\n\n")
    if not separator or not body:
        raise NoteError("no signature block")
    signatures = []
    for line in rest.split("\n"):
        if line == "":
            continue
        found = SIGNATURE_LINE.match(line)
        if found is None:
            raise NoteError("signature line")
        try:
            blob = base64.b64decode(found.group(2), validate=True)
        except ValueError as error:
            raise NoteError("signature base64") from error
        if len(blob) < 5:
            raise NoteError("signature length")
        signatures.append((found.group(1), blob))
    if not signatures:
        raise NoteError("no signature")
    return body + "\n", signatures


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    head: bytes  # 32 bytes

    def body(self) -> str:
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.head).decode()}\n"

    @property
    def head_hex(self) -> str:
        return self.head.hex()

    @classmethod
    def parse(cls, note: str) -> Checkpoint:
        body, _ = split_note(note)
        lines = body.split("\n")
        if len(lines) < 4 or not lines[0] or not lines[1].isdigit():
            raise NoteError("checkpoint body")
        try:
            head = base64.b64decode(lines[2], validate=True)
        except ValueError as error:
            raise NoteError("checkpoint hash") from error
        if len(head) != 32 or len(lines[1]) > 19:
            raise NoteError("checkpoint hash")
        return cls(lines[0], int(lines[1]), head)


def sign_checkpoint(signer: Signer, checkpoint: Checkpoint) -> str:
    body = checkpoint.body()
    return body + "\n" + signer.sign(body)


def add_signature(note: str, line: str) -> str:
    """`note` with one more signature line (a witness's cosignature)."""
    return note if line in note else note + line
