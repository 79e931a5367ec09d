"""`sopbot keys init`: the two age keys of an office, and the escrow sheet for the safe.

The copies on the external disk are encrypted to two public keys: the office key (its private
half in a file only the bot's account reads, for the bot's checks and the restore drill) and the
escrow key (its private half printed on paper, in the Kabid's safe, for the day the server and
the office key are gone). Either one opens any copy, with the bot or with the standard `age`.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from core.signednote import Signer

from core.private import private_file
from texts import keysheet

OFFICE_KEY = "office-age-key.txt"
SHEET_TEXT = "escrow-sheet.txt"
SHEET_PNG = "escrow-sheet-qr.png"
# The Ed25519 key that signs the evidence chain's checkpoints, and its public half for auditors.
SIGNING_KEY = "office-signing-key.txt"
SIGNING_PUBLIC = "office-signing-key.pub"
SIGNING_SHEET = "escrow-sheet-signing.txt"
DEFAULT_KEY_NAME = "sopbot-kantor"


class KeysExist(Exception):
    """Keys are already there: making new ones would lock out every earlier copy."""


@dataclass(frozen=True)
class MadeKeys:
    office_key_file: Path
    office_public: str
    escrow_public: str
    sheet_text: Path
    sheet_png: Path
    signing_key_file: Path | None = None
    signing_public: str = ""  # the verifier string (name+hash+base64) auditors check with


SIGNING_SHEET_HEAD = """\
KUNCI TANDA TANGAN RANTAI BUKTI — SOP-PIAK-02
Dibuat: {made}

Simpan lembar ini di brankas Kepala Bidang PIAK, bersama lembar kunci cadangan.
"""


def create_keys(folder: Path, name: str = DEFAULT_KEY_NAME) -> MadeKeys:
    """Both age keys and the signing key; with the age keys already there (an office from
    before the evidence chain), the signing key alone, with a sheet of its own."""
    import pyrage
    import segno

    office_file, text, png = folder / OFFICE_KEY, folder / SHEET_TEXT, folder / SHEET_PNG
    signing_file = folder / SIGNING_KEY
    age_there = all(path.exists() for path in (office_file, text)) and not signing_file.exists()
    if age_there:
        return _signing_only(folder, name)
    for existing in (office_file, text, png, signing_file):
        if existing.exists():
            raise KeysExist(existing)
    folder.mkdir(parents=True, exist_ok=True)
    office, escrow = pyrage.x25519.Identity.generate(), pyrage.x25519.Identity.generate()
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    _write_private(
        office_file,
        f"# sopbot office key, created {made}\n# public key: {office.to_public()}\n{office}\n",
    )
    signer = _write_signing_key(folder, name, made)
    sheet = keysheet.SHEET.format(made=made, public=escrow.to_public(), secret=str(escrow))
    sheet += keysheet.SIGNING_PART.format(
        public=signer.verifier.vkey(), secret=signer.secret_string()
    )
    _write_private(text, sheet)
    qr = io.BytesIO()  # the QR holds the secret too: written as privately as the text
    segno.make(str(escrow), error="m").save(qr, kind="png", scale=8, border=4)
    _write_private(png, qr.getvalue())
    return MadeKeys(
        office_file,
        str(office.to_public()),
        str(escrow.to_public()),
        text,
        png,
        signing_file,
        signer.verifier.vkey(),
    )


def _write_signing_key(folder: Path, name: str, made: str) -> Signer:
    from core.signednote import Signer

    signer = Signer.generate(name)
    vkey = signer.verifier.vkey()
    _write_private(
        folder / SIGNING_KEY,
        f"# sopbot evidence signing key, created {made}\n# public key: {vkey}\n"
        f"{signer.secret_string()}\n",
    )
    (folder / SIGNING_PUBLIC).write_text(vkey + "\n", encoding="utf-8")
    return signer


def _signing_only(folder: Path, name: str) -> MadeKeys:
    sheet = folder / SIGNING_SHEET
    if sheet.exists():
        raise KeysExist(sheet)
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    signer = _write_signing_key(folder, name, made)
    _write_private(
        sheet,
        SIGNING_SHEET_HEAD.format(made=made)
        + keysheet.SIGNING_PART.format(
            public=signer.verifier.vkey(), secret=signer.secret_string()
        ),
    )
    office_text = (folder / OFFICE_KEY).read_text(encoding="utf-8")
    public = next(
        (ln.split(":", 1)[1].strip() for ln in office_text.splitlines() if "public key" in ln), ""
    )
    return MadeKeys(
        folder / OFFICE_KEY, public, "", sheet, sheet, folder / SIGNING_KEY, signer.verifier.vkey()
    )


def _write_private(path: Path, content: str | bytes) -> None:
    """Readable by this user only: 0600 on POSIX; on Windows an explicit ACL (this account and
    the administrators) set while the file is still empty, before the secret is written."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    binary = getattr(os, "O_BINARY", 0)
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | binary, 0o600)
    if os.name == "nt":
        os.close(handle)
        private_file(path)
        handle = os.open(path, os.O_WRONLY | binary)
    with os.fdopen(handle, "wb") as stream:
        stream.write(data)
