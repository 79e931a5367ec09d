"""Who holds which role: the ids in .env (the bootstrap, changed only there) and the people the
Kabid added from the chat (/tambah, /hapus), effective at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from core.settings import Settings
from core.sop import Role
from storage import chain
from storage.models import AccessDenial, KnownUser, Member
from storage.repository import Repository


@dataclass(frozen=True)
class MemberRecord:
    user_id: int
    role: Role
    name: str
    added_by: int | None
    added_at: datetime


@dataclass
class MemberLog(Repository):
    def add(self, user_id: int, role: Role, name: str, by: int, at: datetime) -> bool:
        """False when this person already holds this role from the chat."""
        with self._sessions.begin() as session:
            held = session.scalars(
                select(Member).where(
                    Member.user_id == user_id,
                    Member.role == role.value,
                    Member.removed_at.is_(None),
                )
            ).first()
            if held is not None:
                return False
            row = Member(
                user_id=user_id, role=role.value, name=name[:128], added_by=by, added_at=at
            )
            session.add(row)
            chain.record_row(session, row, at)
            return True

    def remove(self, user_id: int, by: int, at: datetime) -> list[Role]:
        """End every role this person holds from the chat; the roles ended."""
        with self._sessions.begin() as session:
            rows = list(
                session.scalars(
                    select(Member).where(Member.user_id == user_id, Member.removed_at.is_(None))
                )
            )
            for row in rows:
                row.removed_by, row.removed_at = by, at
            chain.record_rows(session, rows, at)
            return [Role(row.role) for row in rows]

    def active(self) -> list[MemberRecord]:
        with self._sessions() as session:
            rows = session.scalars(
                select(Member).where(Member.removed_at.is_(None)).order_by(Member.id)
            )
            return [
                MemberRecord(r.user_id, Role(r.role), r.name, r.added_by, r.added_at) for r in rows
            ]

    def have_written(self) -> set[int]:
        """Ids that ever wrote to the bot (so the bot may write to them)."""
        with self._sessions() as session:
            known = set(session.scalars(select(KnownUser.user_id)))
            refused = session.scalars(
                select(AccessDenial.user_id).where(AccessDenial.user_id.is_not(None))
            )
            return known | {user_id for user_id in refused if user_id is not None}


@dataclass
class Roster:
    """Every role holder, from .env and from the chat, kept in memory and reloaded on change."""

    settings: Settings
    members: MemberLog
    _from_chat: list[MemberRecord] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.reload()

    def reload(self) -> None:
        self._from_chat = self.members.active()

    def from_env(self, user_id: int) -> frozenset[Role]:
        return self.settings.roles_of(user_id)

    def ids_of(self, role: Role) -> list[int]:
        ids = dict.fromkeys(self.settings.ids_of(role))
        for member in self._from_chat:
            if member.role is role:
                ids.setdefault(member.user_id, None)
        return list(ids)

    def roles_of(self, user_id: int) -> frozenset[Role]:
        chat = {m.role for m in self._from_chat if m.user_id == user_id}
        return self.settings.roles_of(user_id) | frozenset(chat)

    def from_chat(self, user_id: int) -> frozenset[Role]:
        return frozenset(m.role for m in self._from_chat if m.user_id == user_id)

    def added_by(self, user_id: int, role: Role) -> int | None:
        """Who gave this person `role` from the chat (None when they do not hold it so)."""
        for member in self._from_chat:
            if member.user_id == user_id and member.role is role:
                return member.added_by
        return None

    def given_name(self, user_id: int) -> str:
        """The name the Kabid gave this person when adding them (the latest), or ""."""
        named = [m.name for m in self._from_chat if m.user_id == user_id and m.name]
        return named[-1] if named else ""

    def chat_members(self) -> list[MemberRecord]:
        return list(self._from_chat)
