"""How child programs are started and judged on each OS, the Windows branch simulated: a
stand-in script runs through this interpreter (Windows cannot start a `#!` script), each child
gets its own process group, and an exit status says whether the program was ended from outside
(a signal on POSIX; on Windows the status a console Ctrl+C or TerminateProcess leaves)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from jobs import programs

# Windows reports these unsigned (Popen.returncode 3221225786) or, through some APIs, signed.
STATUS_CONTROL_C_EXIT = 0xC000013A
TERMINATED_BY_DOTNET_KILL = 0xFFFFFFFF


def test_a_python_stand_in_runs_through_this_interpreter_and_a_program_directly() -> None:
    assert programs.command("fakes/expdp.py", "parfile=x") == [
        sys.executable,
        "fakes/expdp.py",
        "parfile=x",
    ]
    assert programs.command("C:\\oracle\\BIN\\expdp.exe", "parfile=x") == [
        "C:\\oracle\\BIN\\expdp.exe",
        "parfile=x",
    ]


def test_each_child_gets_its_own_process_group_on_either_os(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(programs, "is_windows", lambda: True)
    flag = getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x00000200)
    assert programs.own_group() == {"creationflags": flag}
    monkeypatch.setattr(programs, "is_windows", lambda: False)
    assert programs.own_group() == {"start_new_session": True}


@pytest.mark.parametrize(
    ("code", "from_outside"),
    [
        (STATUS_CONTROL_C_EXIT, True),
        (STATUS_CONTROL_C_EXIT - 2**32, True),  # the same status, signed
        (TERMINATED_BY_DOTNET_KILL, True),
        (-1, True),
        (0, False),  # expdp: success
        (5, False),  # completed with errors
        (1, False),  # failed
    ],
)
def test_on_windows_ended_from_outside_is_read_from_the_exit_status(
    monkeypatch: pytest.MonkeyPatch, code: int, from_outside: bool
) -> None:
    monkeypatch.setattr(programs, "is_windows", lambda: True)
    assert programs.ended_from_outside(code) is from_outside


def test_on_posix_ended_from_outside_means_a_signal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(programs, "is_windows", lambda: False)
    assert programs.ended_from_outside(-15) and programs.ended_from_outside(-9)
    assert not any(programs.ended_from_outside(code) for code in (0, 1, 5))
