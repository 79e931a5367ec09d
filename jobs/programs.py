"""Starting the child programs the bot waits on (expdp, impdp), the same way on every OS.

A service stop must reach the bot first, never the child directly: the bot then ends the program
and stops its job on the database server (killing expdp does not stop a Data Pump job). So each
child runs in its own process group: on POSIX a new session (a Ctrl+C in a terminal, or a signal
to the bot's process group, does not reach it); on Windows `CREATE_NEW_PROCESS_GROUP`, which
also disables Ctrl+C in the child (Microsoft's CreateProcess documentation), so the Ctrl+C that
WinSW or a console sends to the bot does not end expdp.exe behind its back.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from typing import Any

# Exit codes Windows gives a program ended from outside: STATUS_CONTROL_C_EXIT (a console Ctrl+C
# it did not handle) and 0xFFFFFFFF (TerminateProcess(-1), as .NET's Process.Kill, i.e. WinSW,
# ends a process).
WINDOWS_ENDED_FROM_OUTSIDE = frozenset({0xC000013A, 0xFFFFFFFF})


def is_windows() -> bool:
    return os.name == "nt"


def command(program: str, *arguments: str) -> list[str]:
    """The argv for `program`: a Python script (a stand-in, e.g. in the tests) runs with this
    interpreter, since Windows cannot start a `#!` script."""
    if program.lower().endswith(".py"):
        return [sys.executable, program, *arguments]
    return [program, *arguments]


def own_group() -> dict[str, Any]:
    """The keyword arguments that start a child in its own process group on this OS."""
    if is_windows():
        flag = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x00000200)
        return {"creationflags": flag}
    return {"start_new_session": True}


async def spawn(program: str, *arguments: str, **options: Any) -> asyncio.subprocess.Process:
    """`program` with `arguments` in its own process group (see the module's docstring)."""
    first, *rest = command(program, *arguments)
    return await asyncio.create_subprocess_exec(first, *rest, **own_group(), **options)


def ended_from_outside(returncode: int) -> bool:
    """The program was ended by a signal (POSIX) or terminated by another process (Windows),
    rather than exiting by itself."""
    if is_windows():
        return returncode & 0xFFFFFFFF in WINDOWS_ENDED_FROM_OUTSIDE
    return returncode < 0


def signal_name(returncode: int) -> str:
    """For the log: SIGTERM, or the Windows status in hex."""
    if returncode < 0:
        try:
            return signal.Signals(-returncode).name
        except ValueError:
            return f"signal {-returncode}"
    return f"0x{returncode & 0xFFFFFFFF:08X}"
