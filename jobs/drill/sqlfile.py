"""What an `impdp SQLFILE=` output creates, by name, to compare with the export log's data lines.

The export log has one `. . exported` line per table (or partition) with data; the SQL file has
the DDL of every object. They do not match one to one (Oracle Database Utilities, "Data Pump
Import", SQLFILE; Oracle Streams Advanced Queuing User's Guide, "Exporting and importing queue
tables"; Oracle Database SQL Language Reference, CREATE MATERIALIZED VIEW [LOG]):

- a global temporary or external table has a CREATE and no data line;
- a queue table is created by `DBMS_AQADM.CREATE_QUEUE_TABLE` (no CREATE TABLE), together with
  its `AQ$_<queue table>_*` companion tables, which do have data lines;
- a materialized view's container table is created by `CREATE MATERIALIZED VIEW`, a log's
  `MLOG$_<table>` by `CREATE MATERIALIZED VIEW LOG ON`;
- a nested table's storage table is named in its parent's `NESTED TABLE … STORE AS "X"`;
- a partition's data line is `"S"."T":"P"`, the table created once.

So the drill asks one question: is every table the export log shows with rows created by the SQL
file? Names, not counts. The SQL file is foreign input: only quoted identifiers are read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_NAME = r'"(?P<schema>[^"\n]{1,128})"\."(?P<name>[^"\n]{1,128})"'
_TABLE = re.compile(
    r"^\s*CREATE\s+(?P<kind>GLOBAL\s+TEMPORARY\s+|SHARDED\s+|DUPLICATED\s+)?TABLE\s+" + _NAME,
    re.MULTILINE | re.IGNORECASE,
)
_MVIEW_LOG = re.compile(
    r"^\s*CREATE\s+MATERIALIZED\s+VIEW\s+LOG\s+ON\s+" + _NAME, re.MULTILINE | re.IGNORECASE
)
_MVIEW = re.compile(
    r"^\s*CREATE\s+MATERIALIZED\s+VIEW\s+(?!LOG\b)" + _NAME, re.MULTILINE | re.IGNORECASE
)
_QUEUE_TABLE = re.compile(
    r"create_queue_table\s*\(\s*queue_table\s*=>\s*'" + _NAME + "'", re.IGNORECASE
)
_STORE_AS = re.compile(r'STORE\s+AS\s+"(?P<name>[^"\n]{1,128})"', re.IGNORECASE)
# A tablespace name goes into impdp's parameter file (REMAP_TABLESPACE): only a plain Oracle
# identifier is taken, at most MAX_TABLESPACES of them.
_TABLESPACE = re.compile(r'\bTABLESPACE\s+"(?P<name>[A-Z][A-Z0-9_$#]{0,29})"')
MAX_TABLESPACES = 50
_EXTERNAL = re.compile(r"ORGANIZATION\s+EXTERNAL", re.IGNORECASE)
_STATEMENT = re.compile(
    r"^\s*(?:CREATE|ALTER(?!\s+SESSION)|GRANT|COMMENT|BEGIN|DECLARE)\b", re.MULTILINE
)


@dataclass
class SqlFile:
    tables: set[str] = field(default_factory=set)  # SCHEMA.TABLE of any CREATE TABLE
    plain: set[str] = field(default_factory=set)  # ordinary heap/partitioned tables only
    queue_tables: set[str] = field(default_factory=set)
    mviews: set[str] = field(default_factory=set)
    mview_logs: set[str] = field(default_factory=set)  # SCHEMA.TABLE of a log's master
    stored_as: set[str] = field(default_factory=set)  # nested tables' storage, by bare name
    tablespaces: set[str] = field(default_factory=set)
    objects: int = 0  # statements, for the report

    def creates(self, table: str) -> bool:
        """Whether `SCHEMA.TABLE` (an export log's data line, partition stripped) is created."""
        if table in self.tables or table in self.mviews or table in self.queue_tables:
            return True
        schema, _, name = table.partition(".")
        if name in self.stored_as:
            return True
        if name.startswith("MLOG$_"):  # MLOG$_<master>, the master's name cut to fit
            master = name.removeprefix("MLOG$_")
            return any(
                s == schema and t.startswith(master)
                for s, _, t in (m.partition(".") for m in self.mview_logs)
            )
        # A queue table's companions: AQ$_<queue table>_S, _I, _T, _H, _G, _C, _D, _P …
        return name.startswith("AQ$_") and any(
            name.startswith(f"AQ$_{q.partition('.')[2]}_") and q.startswith(f"{schema}.")
            for q in self.queue_tables
        )


def read(text: str) -> SqlFile:
    found = SqlFile(objects=len(_STATEMENT.findall(text)))
    for match in _TABLE.finditer(text):
        name = f"{match['schema']}.{match['name']}"
        found.tables.add(name)
        statement = text[match.end() : text.find(";", match.end())]
        if not match["kind"] and not _EXTERNAL.search(statement):
            found.plain.add(name)
    found.mview_logs = {f"{m['schema']}.{m['name']}" for m in _MVIEW_LOG.finditer(text)}
    found.mviews = {f"{m['schema']}.{m['name']}" for m in _MVIEW.finditer(text)}
    found.queue_tables = {f"{m['schema']}.{m['name']}" for m in _QUEUE_TABLE.finditer(text)}
    found.stored_as = {m["name"] for m in _STORE_AS.finditer(text)}
    for m in _TABLESPACE.finditer(text):
        if len(found.tablespaces) >= MAX_TABLESPACES:
            break
        found.tablespaces.add(m["name"])
    # A materialized view's container is not an ordinary table to import by itself.
    found.plain -= found.mviews | found.queue_tables
    return found
