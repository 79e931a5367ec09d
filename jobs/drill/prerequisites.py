"""What an Oracle restore drill needs besides the copy, checked before a night depends on it
(`sopbot check`, /cek): python-oracledb (also with DUMP_BACKEND=expdp: the header is read through
DBMS_DATAPUMP), the mode the server's version needs, TNS_ADMIN for a TNS alias in thin mode,
impdp from DRILL_LEVEL 2, and the scratch schema with a quota at level 3.

Sources: python-oracledb documentation ("Supported Oracle Database versions": thin mode needs
12.1+, DPY-3010; thin mode reads tnsnames.ora from `defaults.config_dir`, else DPY-4027 "no
configuration directory specified": TNS_ADMIN, and from python-oracledb 3.0 also
$ORACLE_HOME/network/admin when TNS_ADMIN is not set, release notes 3.0.0); Oracle Database
Utilities (impdp SQLFILE, REMAP_TABLESPACE).
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

from core.problems import Code, Problem, problem
from core.settings import Settings
from jobs.dump.expdp import find_program
from jobs.dump.oracle import THIN_MINIMUM, load_driver, login_problems, version_tuple
from jobs.dump.result import BackendCheck

log = logging.getLogger(__name__)

# host:port/service, host/service, an Easy Connect URL or a full descriptor: not an alias.
_NOT_ALIAS = re.compile(r"[/:@()=]")


def is_tns_alias(dsn: str) -> bool:
    return bool(dsn.strip()) and not _NOT_ALIAS.search(dsn)


def drill_prerequisites(settings: Settings, driver: Any = None) -> BackendCheck:
    """Problems that would make an Oracle drill untestable, and the facts found (mode, version)."""
    from jobs.drill.oracle_proof import SCRATCH

    problems: list[Problem] = []
    facts: list[str] = [f"DRILL_LEVEL {settings.drill_level}"]
    if settings.drill_level >= 2 and find_program(settings.impdp_path) is None:
        problems.append(
            problem(Code.DRILL_NEEDS_IMPDP, level=settings.drill_level, program=settings.impdp_path)
        )
    try:
        driver = driver or load_driver(settings)
    except ImportError as exc:
        problems.append(problem(Code.DRILL_NEEDS_ORACLEDB, detail=str(exc)[:200]))
        return BackendCheck(problems, facts)
    except Exception as exc:  # init_oracle_client: DPI-1047 and the like
        problems += login_problems(exc, settings.oracle_dsn)
        return BackendCheck(problems, facts)
    thin = _thin(driver)
    facts.append("python-oracledb " + ("thin" if thin else "thick"))
    if thin and is_tns_alias(settings.oracle_dsn) and not config_dir(driver):
        problems.append(problem(Code.TNS_ADMIN_NEEDED, dsn=settings.oracle_dsn))
        return BackendCheck(problems, facts)
    try:
        connection = driver.connect(
            user=settings.oracle_user,
            password=settings.oracle_password.get_secret_value(),
            dsn=settings.oracle_dsn,
        )
    except driver.Error as exc:
        problems += login_problems(exc, settings.oracle_dsn)
        return BackendCheck(problems, facts)
    try:
        version = str(getattr(connection, "version", "") or "")
        if version:
            facts.append(f"Oracle {version}")
        if thin and version and version_tuple(version) < THIN_MINIMUM:
            problems.append(problem(Code.THICK_MODE_NEEDED, version=version))
        if settings.drill_level >= 3:
            problems += _scratch(connection, settings, driver, SCRATCH)
    finally:
        connection.close()
    return BackendCheck(problems, facts)


def _scratch(connection: Any, settings: Settings, driver: Any, query: str) -> list[Problem]:
    schema = settings.drill_schema
    try:
        with connection.cursor() as cursor:
            row = cursor.execute(query, name=schema).fetchone()
    except driver.Error as exc:
        detail = str(exc).splitlines()[0][:200]
        return [problem(Code.DRILL_SCRATCH_MISSING, schema=schema, detail=detail)]
    if row is None:
        return [problem(Code.DRILL_SCRATCH_MISSING, schema=schema, detail="no such user")]
    if not int(row[1] or 0):
        return [problem(Code.DRILL_SCRATCH_NO_QUOTA, schema=schema, tablespace=str(row[0]))]
    return []


def config_dir(driver: Any) -> str | None:
    """Where python-oracledb thin mode will look for tnsnames.ora: its own `defaults.config_dir`
    (TNS_ADMIN; from 3.0 also $ORACLE_HOME/network/admin), else TNS_ADMIN."""
    found = getattr(getattr(driver, "defaults", None), "config_dir", None)
    return str(found) if found else os.environ.get("TNS_ADMIN") or None


def _thin(driver: Any) -> bool:
    is_thin = getattr(driver, "is_thin_mode", None)
    return bool(is_thin()) if callable(is_thin) else True
