"""The disaster path after `sopbot restore-file`: what to run to bring the database back from the
restored dump, as a ready impdp parameter file and a checklist in Indonesian and English.

The password is never written: impdp asks for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"
# Any quoted name, even one spanning lines: `schemas_in` then refuses what is not a plain name.
_EXPORTED_SCHEMA = re.compile(r'^\.\s+\.\s+exported\s+"(?P<schema>[^"]{0,256})"\.', re.MULTILINE)
# What the parameter file accepts from the log or the command line: a plain Oracle name
# (letter first, then letters, digits, _ $ #; at most 128 characters since 12.2).
ORACLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_$#]{0,127}")


@dataclass(frozen=True)
class RecoveryPlan:
    parameter_file: Path | None  # the impdp parameter file written beside the dump
    steps_id: list[str]
    steps_en: list[str]


def is_sqlite(dump: Path) -> bool:
    with dump.open("rb") as stream:
        return stream.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC


def schemas_in(export_log: str) -> list[str]:
    """The schemas of a schema-mode export (empty for a full export: import it all).

    The log comes from the disk: a schema that is not a plain Oracle name (quotes, spaces, a
    line break that would add a parameter such as `content=metadata_only`) makes the whole
    list untrusted, and the import is full (everything the dump holds)."""
    if "SCHEMA_EXPORT/" not in export_log:
        return []
    found = {m["schema"] for m in _EXPORTED_SCHEMA.finditer(export_log)}
    if any(not ORACLE_NAME.fullmatch(name) for name in found):
        return []
    return sorted(found)


def plan_recovery(dump: Path, directory: str, export_log: str | None) -> RecoveryPlan:
    if is_sqlite(dump):
        return RecoveryPlan(
            None,
            [
                "Hentikan aplikasi yang memakai database.",
                f"Salin {dump.name} ke lokasi database (SQLITE_SOURCE_PATH), ganti file lama.",
                f'Periksa: sqlite3 {dump.name} "PRAGMA integrity_check" harus menjawab ok.',
                "Jalankan aplikasi lagi, lalu catat pemulihan dalam berita acara.",
            ],
            [
                "Stop the application using the database.",
                f"Copy {dump.name} to the database's path (SQLITE_SOURCE_PATH), replacing it.",
                f'Check: sqlite3 {dump.name} "PRAGMA integrity_check" must answer ok.',
                "Start the application again and record the recovery in the minutes.",
            ],
        )
    stem = dump.name.rsplit(".", 1)[0]
    schemas = schemas_in(export_log or "")
    scope = f"schemas={','.join(schemas)}" if schemas else "full=y"
    parameter_file = dump.with_name(f"restore-{stem}.par")
    parameter_file.write_text(
        "\n".join(
            [
                f"# impdp parameter file: bring the database back from {dump.name}",
                f"# Run: impdp system parfile={parameter_file.name}  (impdp asks the password)",
                f"directory={directory}",
                f"dumpfile={dump.name}",
                f"logfile=restore-{stem}.log",
                scope,
                "table_exists_action=skip",
                "",
            ]
        ),
        encoding="utf-8",
    )
    compare = "log ekspor di hard disk" if export_log else "laporan back up di chat"
    compare_en = "the export log on the disk" if export_log else "the backup report in chat"
    return RecoveryPlan(
        parameter_file,
        [
            f"Pastikan database Oracle tujuan berjalan dan directory object {directory} ada "
            "(CREATE DIRECTORY ... AS '<folder>'), dengan pengguna yang punya "
            "DATAPUMP_IMP_FULL_DATABASE.",
            f"Salin {dump.name} ke folder directory object {directory} di server itu.",
            f"Jalankan: impdp system parfile={parameter_file.name} (kata sandi diminta impdp).",
            f'Baca restore-{stem}.log: baris terakhir "successfully completed", atau '
            '"completed with N error(s)" yang wajar untuk impor penuh bila setiap kesalahan '
            "termasuk yang tidak berbahaya: ORA-31684 (objek sudah ada), ORA-39082 (dibuat "
            "dengan peringatan kompilasi), ORA-39151 (tabel sudah ada, dilewati). Kesalahan "
            "NYATA: ORA-31693 (data tabel gagal dimuat), ORA-39083 (objek gagal dibuat, mis. "
            "ORA-01950 kuota), ORA-01653/ORA-01658 (tablespace penuh), ORA-39126 (kesalahan "
            f"internal). Bandingkan jumlah baris tiap tabel dengan {compare}.",
            "Laporkan ke Kabid dan catat pemulihan dalam berita acara.",
        ],
        [
            f"Make sure the target Oracle database runs and the directory object {directory} "
            "exists (CREATE DIRECTORY ... AS '<folder>'), with a user holding "
            "DATAPUMP_IMP_FULL_DATABASE.",
            f"Copy {dump.name} into the folder of directory object {directory} on that server.",
            f"Run: impdp system parfile={parameter_file.name} (impdp asks for the password).",
            f'Read restore-{stem}.log: its last line says "successfully completed", or '
            '"completed with N error(s)", normal for a full import when every error is a '
            "harmless one: ORA-31684 (object already exists), ORA-39082 (created with "
            "compilation warnings), ORA-39151 (table exists, skipped). REAL errors: ORA-31693 "
            "(table data failed to load), ORA-39083 (object failed to create, e.g. ORA-01950 "
            "quota), ORA-01653/ORA-01658 (tablespace full), ORA-39126 (internal error). Compare "
            f"the rows of each table with {compare_en}.",
            "Tell the Kabid and record the recovery in the minutes.",
        ],
    )
