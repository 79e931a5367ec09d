"""Schemas Oracle itself creates and maintains, left out of what a drill compares or imports.

A full export carries them too (SYSTEM's own tables, for instance), but they are not the
office's data: a SQLFILE may or may not recreate them depending on the release, and importing
them into a scratch schema proves nothing about SIAK.

The server says which ones it maintains from 12.1.0.2 on: `ALL_USERS.ORACLE_MAINTAINED = 'Y'`
("Denotes whether the user was created, and is maintained, by Oracle-supplied scripts"; Oracle
Database Reference 12.1, ALL_USERS, footnote: available starting with 12.1.0.2; no DBA view
needed). That answer is used where the server gives it. Before 12.1.0.2 the column does not exist
(ORA-00904), so the list below, after the predefined accounts of Oracle Database 10g R2 / 11g R2
/ 12c / 19c (Oracle Database 2 Day + Security Guide, "Predefined User Accounts"; Oracle Database
Security Guide 19c, "Oracle-Supplied Accounts"), is the fallback, and is always counted as well:
a name on it is never an office's schema.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

SERVER_MAINTAINED = "SELECT username FROM all_users WHERE oracle_maintained = 'Y'"

ORACLE_MAINTAINED = frozenset(
    {
        "ANONYMOUS",
        "APPQOSSYS",
        "AUDSYS",
        "CTXSYS",
        "DBSFWUSER",
        "DBSNMP",
        "DIP",
        "DMSYS",
        "DVF",
        "DVSYS",
        "EXFSYS",
        "GGSYS",
        "GSMADMIN_INTERNAL",
        "GSMCATUSER",
        "GSMROOTUSER",
        "GSMUSER",
        "LBACSYS",
        "MDDATA",
        "MDSYS",
        "MGMT_VIEW",
        "OJVMSYS",
        "OLAPSYS",
        "ORACLE_OCM",
        "ORDDATA",
        "ORDPLUGINS",
        "ORDSYS",
        "OUTLN",
        "OWBSYS",
        "OWBSYS_AUDIT",
        "PUBLIC",
        "REMOTE_SCHEDULER_AGENT",
        "SI_INFORMTN_SCHEMA",
        "SPATIAL_CSW_ADMIN_USR",
        "SPATIAL_WFS_ADMIN_USR",
        "SYS",
        "SYS$UMF",
        "SYSBACKUP",
        "SYSDG",
        "SYSKM",
        "SYSMAN",
        "SYSRAC",
        "SYSTEM",
        "TSMSYS",
        "WMSYS",
        "XDB",
        "XS$NULL",
    }
)
# Application Express and its file store come with a version in the name (APEX_030200, …).
MAINTAINED_PREFIXES = ("APEX_", "FLOWS_")


def oracle_maintained(schema: str, server: frozenset[str] = frozenset()) -> bool:
    """Oracle's own schema: on the fallback list, or marked so by the server (`server`)."""
    name = schema.upper()
    return name in ORACLE_MAINTAINED or name in server or name.startswith(MAINTAINED_PREFIXES)


def server_maintained(cursor: Any) -> frozenset[str]:
    """The users the server marks ORACLE_MAINTAINED (12.1.0.2+); empty before (ORA-00904)."""
    try:
        return frozenset(str(row[0]).upper() for row in cursor.execute(SERVER_MAINTAINED))
    except Exception as exc:  # the driver's error class is not importable here
        log.info("ALL_USERS.ORACLE_MAINTAINED not available: %s", str(exc).splitlines()[0])
        return frozenset()
