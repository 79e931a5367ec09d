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

from core.private import private_file

OFFICE_KEY = "office-age-key.txt"
SHEET_TEXT = "escrow-sheet.txt"
SHEET_PNG = "escrow-sheet-qr.png"


class KeysExist(Exception):
    """Keys are already there: making new ones would lock out every earlier copy."""


@dataclass(frozen=True)
class MadeKeys:
    office_key_file: Path
    office_public: str
    escrow_public: str
    sheet_text: Path
    sheet_png: Path


SHEET = """\
KUNCI CADANGAN (ESCROW) BACK UP DATA KEPENDUDUKAN — SOP-PIAK-02
Dibuat: {made}

Simpan lembar ini di brankas Kepala Bidang PIAK. JANGAN disimpan di komputer,
di hard disk back up, atau difoto. Siapa pun yang memegang kunci ini dapat membuka
semua salinan back up (berisi NIK, KK dan alamat penduduk).

Kunci publik (boleh diketahui):  {public}

Kunci rahasia (RAHASIA):
{secret}

Cara membuka salinan bila server dan kunci kantor hilang:
1. Ketik kunci rahasia di atas (atau pindai kode QR) ke file kunci.txt pada komputer yang aman.
2. Dengan bot (juga membuka file .zst.age sampai menjadi .dmp):
     sopbot restore-file E:\\sopbot-backups\\FILE.age --out SIAK.dmp --identity kunci.txt
   atau dengan program age:
     age -d -i kunci.txt -o SIAK.dmp SIAK_YYYYMMDD_HHMM.dmp.age
3. Hanya bila memakai program age untuk file .zst.age: simpan hasilnya sebagai SIAK.dmp.zst
   (age -d -i kunci.txt -o SIAK.dmp.zst FILE.zst.age), lalu: zstd -d SIAK.dmp.zst
4. Hapus kunci.txt setelah selesai, kembalikan lembar ini ke brankas.
"""


def create_keys(folder: Path) -> MadeKeys:
    import pyrage
    import segno

    office_file, text, png = folder / OFFICE_KEY, folder / SHEET_TEXT, folder / SHEET_PNG
    for existing in (office_file, text, png):
        if existing.exists():
            raise KeysExist(existing)
    folder.mkdir(parents=True, exist_ok=True)
    office, escrow = pyrage.x25519.Identity.generate(), pyrage.x25519.Identity.generate()
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    _write_private(
        office_file,
        f"# sopbot office key, created {made}\n# public key: {office.to_public()}\n{office}\n",
    )
    _write_private(text, SHEET.format(made=made, public=escrow.to_public(), secret=str(escrow)))
    qr = io.BytesIO()  # the QR holds the secret too: written as privately as the text
    segno.make(str(escrow), error="m").save(qr, kind="png", scale=8, border=4)
    _write_private(png, qr.getvalue())
    return MadeKeys(office_file, str(office.to_public()), str(escrow.to_public()), text, png)


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
