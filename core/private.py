"""Private folders and files (the expdp parameter file with the password, the office key, the
escrow sheet, decrypted drill scratch files), on POSIX and on Windows.

POSIX: mode 0700/0600. Windows honours no mode beyond the read-only bit, and a folder made under
`C:\\` inherits `BUILTIN\\Users:(RX)` and `Authenticated Users:(M)`; privacy there is an explicit
ACL: `icacls <path> /inheritance:r /grant:r` to Administrators, SYSTEM and the account the bot
runs as, and nobody else (icacls' documentation: `/inheritance:r` removes inherited entries,
`/grant:r` replaces explicit ones, a SID is written `*S-1-…`). The check side reads `icacls <path>`
and names any entry granting something to Users, Authenticated Users or Everyone.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

ADMINISTRATORS_SID = "S-1-5-32-544"
SYSTEM_SID = "S-1-5-18"
# The broad groups a private file must grant nothing to, by SID and by their English names as
# icacls prints them (a localized Windows prints its own names; they are looked up too).
BROAD_SIDS = {
    "S-1-5-32-545": "BUILTIN\\Users",
    "S-1-5-11": "NT AUTHORITY\\Authenticated Users",
    "S-1-1-0": "Everyone",
}
# icacls' rights that let a principal change a file or folder (its documentation's simple
# rights F, M, W, D and the specific ones that write, delete - DE - or change the ACL).
WRITE_RIGHTS = frozenset(
    {"F", "M", "W", "D", "DE", "DC", "WD", "AD", "WEA", "WA", "WDAC", "WO", "GW", "GA", "MA"}
)
ICACLS_SECONDS = 30


class PrivacyError(OSError):
    """The ACL could not be set; the file is not private."""


def is_windows() -> bool:
    return os.name == "nt"


def private_dir(path: Path) -> Path:
    """`path`, created if needed, open to this account (and, on Windows, the administrators)."""
    path.mkdir(parents=True, exist_ok=True)
    if is_windows():
        restrict(path, folder=True)
    else:
        os.chmod(path, 0o700)
    return path


def private_file(path: Path) -> Path:
    """Make an existing file readable by this account only (and the administrators on Windows)."""
    if is_windows():
        restrict(path, folder=False)
    else:
        os.chmod(path, 0o600)
    return path


def restrict(path: Path, *, folder: bool) -> None:
    """Windows: replace the ACL of `path` by full control for Administrators, SYSTEM and this
    account, inherited by what the folder will hold."""
    result = _icacls(icacls_private_arguments(path, current_sid(), folder=folder))
    if result.returncode != 0:
        raise PrivacyError(f"icacls could not make {path} private: {result.stdout.strip()[-200:]}")


def icacls_private_arguments(path: Path, user_sid: str, *, folder: bool) -> list[str]:
    inherit = "(OI)(CI)" if folder else ""
    sids = dict.fromkeys((ADMINISTRATORS_SID, SYSTEM_SID, user_sid))  # LocalSystem: once
    grants = [f"*{sid}:{inherit}F" for sid in sids]
    return [str(path), "/inheritance:r", "/grant:r", *grants]


def current_sid() -> str:
    """The SID of the account this process runs as (`whoami /user /fo csv /nh` prints
    `"domain\\name","S-1-5-…"`)."""
    result = subprocess.run(
        ["whoami", "/user", "/fo", "csv", "/nh"],  # noqa: S607 (a Windows system program)
        capture_output=True,
        text=True,
        timeout=ICACLS_SECONDS,
        check=False,
    )
    found = re.search(r'"(S-1-[0-9-]+)"', result.stdout)
    if result.returncode != 0 or found is None:
        raise PrivacyError("whoami did not tell the account's SID")
    return found.group(1)


def _icacls(arguments: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (the path is ours, passed as one argument)
        ["icacls", *arguments],  # noqa: S607 (a Windows system program)
        capture_output=True,
        text=True,
        errors="replace",
        timeout=ICACLS_SECONDS,
        check=False,
    )


@dataclass(frozen=True)
class BroadGrant:
    principal: str
    rights: str  # as icacls prints them, e.g. "(I)(RX)"
    writes: bool


def broad_grants(icacls_output: str, names: dict[str, str] | None = None) -> list[BroadGrant]:
    """The entries of `icacls <path>` output that grant something to Users, Authenticated Users
    or Everyone (deny entries are not grants)."""
    broad = {name.casefold() for name in (names or broad_names()).values()}
    broad |= {name.casefold() for name in BROAD_SIDS.values()}
    broad |= {f"*{sid}".casefold() for sid in BROAD_SIDS}  # an unresolvable SID prints as such
    found: list[BroadGrant] = []
    for line in icacls_output.splitlines():
        # "C:\\sopbot\\data BUILTIN\\Users:(I)(OI)(CI)(RX)" or an indented continuation line;
        # the principal ends at the last ":" before the rights in brackets.
        match = re.search(r"(?:^|\s)([^\s:][^:]*?):((?:\([A-Z,]+\))+)\s*$", line.strip())
        if match is None:
            continue
        principal, rights = match.group(1).strip(), match.group(2)
        # The first line starts with the path: the name is the tail after a space.
        folded = principal.casefold()
        hit = next((n for n in broad if folded == n or folded.endswith(f" {n}")), None)
        if hit is None or "(DENY)" in rights:
            continue
        tail = principal[len(principal) - len(hit) :]
        tokens = set(re.findall(r"[A-Z]+", rights)) - {"I", "OI", "CI", "IO", "NP"}
        found.append(BroadGrant(tail, rights, bool(tokens & WRITE_RIGHTS)))
    return found


def broad_names() -> dict[str, str]:
    """The broad groups' names as this Windows prints them (localized), by SID."""
    names = dict(BROAD_SIDS)
    if not is_windows():
        return names
    try:
        import ctypes

        advapi = ctypes.WinDLL("advapi32")  # type: ignore[attr-defined,unused-ignore]
        for sid_text in BROAD_SIDS:
            sid = ctypes.c_void_p()
            if not advapi.ConvertStringSidToSidW(sid_text, ctypes.byref(sid)):
                continue
            name, domain = ctypes.create_unicode_buffer(256), ctypes.create_unicode_buffer(256)
            size_n, size_d = ctypes.c_ulong(256), ctypes.c_ulong(256)
            use = ctypes.c_int()
            sizes = (ctypes.byref(size_n), ctypes.byref(size_d))
            ok = advapi.LookupAccountSidW(
                None, sid, name, sizes[0], domain, sizes[1], ctypes.byref(use)
            )
            ctypes.windll.kernel32.LocalFree(sid)  # type: ignore[attr-defined,unused-ignore]
            if ok:
                names[sid_text] = f"{domain.value}\\{name.value}" if domain.value else name.value
    except (OSError, AttributeError):  # no lookup: the English names still apply
        log.debug("Could not look up the local names of the broad groups", exc_info=True)
    return names


def icacls_of(path: Path) -> str:
    """The output of `icacls <path>` (Windows)."""
    return _icacls([str(path)]).stdout
