"""Data Pump export logs written from Oracle's documented format, for the parser and the fakes."""

import json
import os
import re
from pathlib import Path

SUCCESS_11G = """\
;;;
Export: Release 11.2.0.4.0 - Production on Wed Nov 25 01:00:02 2026

Copyright (c) 1982, 2011, Oracle and/or its affiliates.  All rights reserved.
;;;
Connected to: Oracle Database 11g Enterprise Edition Release 11.2.0.4.0 - 64bit Production
With the Partitioning, OLAP, Data Mining and Real Application Testing options
Starting "SYSTEM"."SOPBOT_20261125_010002":  system/******** parfile=/tmp/sopbot-x.par
Estimate in progress using BLOCKS method...
Processing object type SCHEMA_EXPORT/TABLE/TABLE_DATA
Total estimation using BLOCKS method: 1.012 GB
Processing object type SCHEMA_EXPORT/USER
Processing object type SCHEMA_EXPORT/SYSTEM_GRANT
Processing object type SCHEMA_EXPORT/TABLE/TABLE
Processing object type SCHEMA_EXPORT/TABLE/INDEX/INDEX
. . exported "SIAK"."BIODATA_WNI"                        812.4 MB 2345678 rows
. . exported "SIAK"."DATA_KELUARGA"                      120.1 MB  712345 rows
. . exported "SIAK"."T5_SEQN_NIK":"P2026"                  5.117 KB      12 rows
. . exported "SIAK"."T5_LOG_CETAK_KTP"                       0 KB       0 rows
Master table "SYSTEM"."SOPBOT_20261125_010002" successfully loaded/unloaded
******************************************************************************
Dump file set for SYSTEM.SOPBOT_20261125_010002 is:
  D:\\ORACLE\\DPDUMP\\SIAK_20261125_0100.DMP
Job "SYSTEM"."SOPBOT_20261125_010002" successfully completed at 01:23:45
"""

SUCCESS_19C_WITH_ORA_39173 = """\
;;;
Export: Release 19.0.0.0.0 - Production on Wed Nov 25 01:00:02 2026
Version 19.3.0.0.0

Copyright (c) 1982, 2019, Oracle and/or its affiliates.  All rights reserved.
;;;
Connected to: Oracle Database 19c Enterprise Edition Release 19.0.0.0.0 - Production
Starting "SYSTEM"."SOPBOT_20261125_010002":  system/******** parfile=/tmp/sopbot-x.par
Processing object type DATABASE_EXPORT/SCHEMA/TABLE/TABLE_DATA
ORA-39173: Encrypted data has been stored unencrypted in dump file set.
. . exported "SIAK"."BIODATA_WNI"                        812.4 MB 2345678 rows
. . exported "SIAK"."DATA_KELUARGA"                      120.1 MB  712345 rows
Master table "SYSTEM"."SOPBOT_20261125_010002" successfully loaded/unloaded
******************************************************************************
Dump file set for SYSTEM.SOPBOT_20261125_010002 is:
  /u01/app/oracle/admin/SIAK/dpdump/SIAK_20261125_0100.dmp
Job "SYSTEM"."SOPBOT_20261125_010002" successfully completed at Wed Nov 25 01:23:45 2026 elapsed 0 00:23:40
"""

COMPLETED_WITH_ERRORS = """\
Starting "SYSTEM"."SOPBOT_20261125_010002":  system/******** parfile=/tmp/sopbot-x.par
. . exported "SIAK"."BIODATA_WNI"                        812.4 MB 2345678 rows
ORA-31693: Table data object "SIAK"."DATA_KELUARGA" failed to load/unload and is being skipped due to error:
ORA-01555: snapshot too old: rollback segment number 9 with name "_SYSSMU9$" too small
Master table "SYSTEM"."SOPBOT_20261125_010002" successfully loaded/unloaded
Dump file set for SYSTEM.SOPBOT_20261125_010002 is:
  /u01/dpdump/SIAK_20261125_0100.dmp
Job "SYSTEM"."SOPBOT_20261125_010002" completed with 2 error(s) at Wed Nov 25 01:23:45 2026 elapsed 0 00:23:40
"""

COMPLETED_WITH_ORA_39173_ONLY = """\
Starting "SYSTEM"."SOPBOT_20261125_010002":  system/******** parfile=/tmp/sopbot-x.par
ORA-39173: Encrypted data has been stored unencrypted in dump file set.
. . exported "SIAK"."BIODATA_WNI"                        812.4 MB 2345678 rows
Master table "SYSTEM"."SOPBOT_20261125_010002" successfully loaded/unloaded
Job "SYSTEM"."SOPBOT_20261125_010002" completed with 1 error(s) at Wed Nov 25 01:23:45 2026 elapsed 0 00:23:40
"""

# Windows, 11g: the dump folder's disk fills up; the operating system says why.
FULL_DISK_WINDOWS = """\
Starting "SYSTEM"."SOPBOT_20261125_010002":  system/******** parfile=C:\\sopbot\\data\\private\\sopbot-x.par
. . exported "SIAK"."DATA_KELUARGA"                      120,1 MB  712345 rows
ORA-39171: Job is experiencing a resumable wait.
ORA-19502: write error on file "D:\\ORACLE\\DPDUMP\\SIAK_20261125_0100.DMP", block number 1048577 (block size=4096)
ORA-27072: File I/O error
O/S-Error: (OS 112) There is not enough space on the disk.
Job "SYSTEM"."SOPBOT_20261125_010002" stopped due to fatal error at Wed Nov 25 01:10:00 2026 elapsed 0 00:09:58
"""

FULL_DISK = """\
Starting "SYSTEM"."SOPBOT_20261125_010002":  system/******** parfile=/tmp/sopbot-x.par
. . exported "SIAK"."DATA_KELUARGA"                      120.1 MB  712345 rows
ORA-39095: Dump file space has been exhausted: Unable to allocate 8192 bytes
Job "SYSTEM"."SOPBOT_20261125_010002" stopped due to fatal error at Wed Nov 25 01:10:00 2026 elapsed 0 00:09:58
"""

# expdp's own output when the directory is missing: no log file is written at all.
NO_DIRECTORY_OUTPUT = """\

Export: Release 19.0.0.0.0 - Production on Wed Nov 25 01:00:02 2026
Version 19.3.0.0.0

Copyright (c) 1982, 2019, Oracle and/or its affiliates.  All rights reserved.

Connected to: Oracle Database 19c Enterprise Edition Release 19.0.0.0.0 - Production
ORA-39002: invalid operation
ORA-39070: Unable to open the log file.
ORA-39087: directory name DATA_PUMP_DIR is invalid

"""

INVALID_FILE_OPERATION_OUTPUT = """\
Connected to: Oracle Database 11g Enterprise Edition Release 11.2.0.4.0 - 64bit Production
ORA-39002: invalid operation
ORA-39070: Unable to open the log file.
ORA-29283: invalid file operation
ORA-06512: at "SYS.UTL_FILE", line 536
ORA-29283: invalid file operation
"""

# The client dies while the job itself runs on and succeeds (its log says so).
CLIENT_DIED_OUTPUT = """\
Starting "SYSTEM"."SOPBOT_20261125_010002":  system/******** parfile=/tmp/sopbot-x.par
. . exported "SIAK"."BIODATA_WNI"                        812.4 MB 2345678 rows
UDE-00008: operation generated ORACLE error 31626
ORA-31626: job does not exist
"""


# A full export of a SIAK-like database (11.2): a partitioned table (one data line per partition),
# a queue table with its AQ$_ companions, a materialized view and its master's log, an empty table,
# and SYSTEM's own tables, which a full export carries too. Its global temporary and external
# tables have no data line at all (Oracle Database Utilities, "Data Pump Export": only tables with
# segments are unloaded; a temporary table's rows belong to sessions, an external table's to files).
SIAK_FULL_11G = """\
;;;
Export: Release 11.2.0.4.0 - Production on Wed Nov 25 01:00:02 2026
;;;
Connected to: Oracle Database 11g Enterprise Edition Release 11.2.0.4.0 - 64bit Production
Starting "SYSTEM"."SOPBOT_20261125_010002":  system/******** parfile=/tmp/sopbot-x.par
Processing object type DATABASE_EXPORT/SCHEMA/TABLE/TABLE_DATA
. . exported "SIAK"."BIODATA_WNI"                        812.4 MB 2345678 rows
. . exported "SIAK"."DATA_KELUARGA"                      120.1 MB  712345 rows
. . exported "SIAK"."T5_SEQN_NIK":"P2025"                  5.117 KB      10 rows
. . exported "SIAK"."T5_SEQN_NIK":"P2026"                  5.117 KB      12 rows
. . exported "SIAK"."Q_NOTIF_TAB"                          12.50 KB       3 rows
. . exported "SIAK"."AQ$_Q_NOTIF_TAB_S"                    5.031 KB       1 rows
. . exported "SIAK"."MV_REKAP_KECAMATAN"                   20.31 KB     150 rows
. . exported "SIAK"."MLOG$_DATA_KELUARGA"                      0 KB       0 rows
. . exported "SIAK"."T5_LOG_CETAK_KTP"                         0 KB       0 rows
. . exported "SYSTEM"."HELP"                               234.4 KB     938 rows
. . exported "SYSTEM"."SQLPLUS_PRODUCT_PROFILE"                0 KB       0 rows
Master table "SYSTEM"."SOPBOT_20261125_010002" successfully loaded/unloaded
******************************************************************************
Dump file set for SYSTEM.SOPBOT_20261125_010002 is:
  D:\\ORACLE\\DPDUMP\\SIAK_20261125_0100.DMP
Job "SYSTEM"."SOPBOT_20261125_010002" successfully completed at 01:23:45
"""

# The SIAK-like schema's objects as their DDL would create them (kind, schema, name): what the fake
# impdp's SQLFILE writes. Tables without a data line (temporary, external) are only here.
SIAK_WITHOUT_DATA = [
    ["temporary", "SIAK", "TMP_CETAK_KK"],
    ["external", "SIAK", "EXT_IMPOR_NIK"],
]
QUEUE_TABLES = {"Q_NOTIF_TAB"}
MVIEW_MASTERS = {"DATA_KELUARGA"}


def metadata(tables: list[list]) -> list[list[str]]:
    """Each object the dump's metadata holds, from its data lines (see the comments above)."""
    objects: list[list[str]] = []
    seen = set()
    for schema, table, part, _rows in tables:
        if (schema, table) in seen:
            continue
        seen.add((schema, table))
        if table.startswith("AQ$_") or table.startswith("MLOG$_"):
            continue  # created by their queue table / materialized view log
        if table in QUEUE_TABLES:
            objects.append(["queue", schema, table])
        elif table.startswith("MV_"):
            objects.append(["mview", schema, table])
        else:
            objects.append(["partitioned" if part else "table", schema, table])
        if table in MVIEW_MASTERS:
            objects.append(["mview_log", schema, table])
    if any(schema == "SIAK" for schema, *_ in tables):
        objects += SIAK_WITHOUT_DATA
    return objects


# --- the fakes' dump files ---------------------------------------------------------------------
# A real dump is Oracle's own binary format; the fakes write a small header the fake impdp and the
# fake GET_DUMPFILE_INFO read back (job, tables and rows as the export log says), then bytes.
DUMP_MAGIC = b"FAKE-DATAPUMP-DUMP\n"
_EXPORTED = re.compile(
    r'^\.\s+\.\s+exported\s+"(?P<schema>[^"]+)"\."(?P<table>[^"]+)"(?::"(?P<part>[^"]+)")?'
    r"\s+[\d.,]+\s*[KMGT]?B\s+(?P<rows>\d+)\s+rows",
    re.MULTILINE,
)


def fake_dump(job: str, log_text: str) -> bytes:
    tables = [
        [m["schema"], m["table"], m["part"] or "", int(m["rows"])]
        for m in _EXPORTED.finditer(log_text)
    ]
    header = {
        "job": job,
        "owner": "SYSTEM",
        "tables": tables,
        "objects": metadata(tables),
        "version": "19.0.0.0.0",
        "created": "25-NOV-26",
    }
    return DUMP_MAGIC + json.dumps(header).encode() + b"\n" + os.urandom(64 * 1024)


def read_fake_dump(path: Path) -> dict | None:
    """The header of a fake dump, None when the file is not one (damaged, or anything else)."""
    with path.open("rb") as stream:
        if stream.read(len(DUMP_MAGIC)) != DUMP_MAGIC:
            return None
        try:
            return json.loads(stream.readline())
        except ValueError:
            return None


def job_mode(variable: str, folder: Path, default: str = "success") -> str:
    """A fake's mode for this job. A test scenario may list one mode per job in the order the jobs
    start ("success;hang": the first job completes, the second runs until stopped); the count is
    kept in the directory object's folder, as the jobs share one server."""
    modes = os.environ.get(variable, default).split(";")
    if len(modes) == 1:
        return modes[0]
    counter = folder / f".{variable.lower()}-jobs"
    started = int(counter.read_text()) if counter.is_file() else 0
    counter.write_text(str(started + 1))
    return modes[min(started, len(modes) - 1)]
