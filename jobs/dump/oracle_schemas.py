"""Schemas Oracle itself creates and maintains, left out of what a drill compares or imports.

A full export carries them too (SYSTEM's own tables, for instance), but they are not the
office's data: a SQLFILE may or may not recreate them depending on the release, and importing
them into a scratch schema proves nothing about SIAK. From 12.1 on, `DBA_USERS.ORACLE_MAINTAINED`
marks them (Oracle Database Reference 12.1, "DBA_USERS"); before 12.1 there is no such column, so
the list below follows the predefined accounts of Oracle Database 10g R2 / 11g R2 / 12c / 19c
(Oracle Database 2 Day + Security Guide, "Predefined User Accounts"; Oracle Database Security
Guide 19c, "Oracle-Supplied Accounts").
"""

from __future__ import annotations

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


def oracle_maintained(schema: str) -> bool:
    name = schema.upper()
    return name in ORACLE_MAINTAINED or name.startswith(MAINTAINED_PREFIXES)
