"""Texts of the people managed from the chat (/tambah, /hapus, /anggota)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.commandshape import CommandShape
from core.sop import ROLE_TITLES, SOP_ROLES, Role
from storage.members import Roster
from texts.common import ROLE_SHORT, escape, one_line


def _who(user_id: int, name: str) -> str:
    shown = one_line(name)  # also a name kept before names were one line
    return f"{escape(shown)} (id {user_id})" if shown else f"id {user_id}"


def person_label(roles: frozenset[Role], name: str) -> str:
    """A person shown to others: their roles first ("Kasi Ketut", "Kabid/ADB Made")."""
    short = "/".join(ROLE_SHORT[r] for r in Role if r in roles)
    return f"{short} {one_line(name)}" if short else one_line(name)


def member_added(user_id: int, name: str, role: Role, by: str) -> str:
    return (
        f"👤 {_who(user_id, name)} ditambahkan sebagai <b>{ROLE_TITLES[role]}</b> oleh "
        f"{escape(by)}. Berlaku sekarang."
    )


def member_welcome(role: Role, by: str, commands: Sequence[CommandShape]) -> str:
    lines = [
        f"👋 Anda ditambahkan sebagai <b>{ROLE_TITLES[role]}</b> oleh {escape(by)} untuk SOP "
        "back up data kependudukan. Perintah Anda:"
    ]
    lines += [f"{escape(c.usage)} — {escape(c.description)}" for c in commands]
    return "\n".join(lines)


def already_member(user_id: int, name: str, role: Role) -> str:
    return (
        f"{_who(user_id, name)} sudah terdaftar sebagai {ROLE_TITLES[role]}. Tidak ada yang diubah."
    )


def member_in_env(user_id: int, name: str) -> str:
    return (
        f"{_who(user_id, name)} terdaftar di file .env server dan tidak dapat dihapus dari chat. "
        "ADB: hapus ID itu dari .env lalu mulai ulang bot."
    )


def not_a_member(user_id: int) -> str:
    return f"ID {user_id} tidak terdaftar dari chat. Lihat /anggota."


def member_removed(
    user_id: int, name: str, roles: Sequence[Role], by: str, kept: frozenset[Role] = frozenset()
) -> str:
    titles = ", ".join(ROLE_TITLES[r] for r in roles)
    stays = ", ".join(ROLE_TITLES[r] for r in Role if r in kept)
    return (
        f"👤 {_who(user_id, name)} tidak lagi {titles}; dihapus oleh {escape(by)}. "
        "Berlaku sekarang." + (f" Tetap {stays} (dari file .env)." if stays else "")
    )


def kabid_not_removable(user_id: int, name: str) -> str:
    return (
        f"Anda tidak dapat menghapus {_who(user_id, name)}. Kabid yang ditambahkan dari chat "
        "hanya dapat dihapus oleh Kabid di file .env, oleh dirinya sendiri, atau oleh Kabid yang "
        "menambahkannya. Tidak ada yang diubah."
    )


def member_list(roster: Roster, names: Mapping[int, str], written: set[int]) -> str:
    lines = ["👥 <b>Petugas SOP-PIAK-02</b>"]
    for role in Role:
        ids = roster.ids_of(role)
        if role not in SOP_ROLES and not ids:
            continue
        lines.append(f"<b>{ROLE_SHORT[role]}</b>" + ("" if ids else ": belum ada"))
        for user_id in ids:
            source = ".env" if role in roster.from_env(user_id) else "chat"
            started = (
                "✅ sudah memulai bot"
                if user_id in written
                else ("⚠️ belum pernah mengirim /start (bot belum dapat mengirim pesan kepadanya)")
            )
            lines.append(f"• {_who(user_id, names.get(user_id, ''))} · {source} · {started}")
    lines.append("Kabid: /tambah adb|kasi|kabid &lt;id&gt; [nama] · /hapus &lt;id&gt;")
    return "\n".join(lines)
