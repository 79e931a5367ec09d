"""The disaster path after `sopbot restore-file`: what to run to bring the database back from the
restored dump, as a ready impdp parameter file and a checklist (its words in `texts/terminal.py`).

The password is never written: impdp asks for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from texts import terminal as words

SQLITE_MAGIC = b"SQLite format 3\x00"
# Any quoted name, even one spanning lines: `schemas_in` then refuses what is not a plain name.
_EXPORTED_SCHEMA = re.compile(r'^\.\s+\.\s+exported\s+"(?P<schema>[^"]{0,256})"\.', re.MULTILINE)
# What the parameter file accepts from the log or the command line: a plain Oracle name
# (letter first, then letters, digits, _ $ #; at most 128 characters since 12.2).
ORACLE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_$#]{0,127}")


@dataclass(frozen=True)
class RecoveryPlan:
    dump: Path
    parameter_file: Path | None  # the impdp parameter file written beside the dump (Oracle)
    directory: str
    import_log: str  # the log impdp will write
    had_export_log: bool  # the row counts to compare with: the export log, or the chat report


def recovery_steps(plan: RecoveryPlan) -> list[str]:
    """The steps to bring the database back, in the words of `texts/terminal.py`."""
    if plan.parameter_file is None:
        return words.sqlite_recovery_steps(plan.dump.name)
    return words.oracle_recovery_steps(
        plan.dump.name,
        plan.directory,
        plan.parameter_file.name,
        plan.import_log,
        plan.had_export_log,
    )


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
        return RecoveryPlan(dump, None, directory, "", export_log is not None)
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
    return RecoveryPlan(dump, parameter_file, directory, f"restore-{stem}.log", bool(export_log))
