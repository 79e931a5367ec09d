"""People managed from the chat: /tambah, /hapus (Kabid) and /anggota (everyone).

The ids in .env stay the bootstrap: their roles cannot be removed from the chat (a role given
from the chat on top of them can). Kabids added from the chat cannot remove each other or the
one who added them. A change is recorded in the audit trail, announced to the group and to the
person, and effective at once.
"""

from __future__ import annotations

import logging

from telegram import Update

import texts
from bot import delivery
from bot.arguments import UsageError, parse_member, parse_user_id
from bot.command_types import Caller
from bot.context import Context, services
from bot.handlers import command_rest, respond
from core.sop import Role
from storage.members import Roster

log = logging.getLogger(__name__)


async def tambah(update: Update, context: Context, caller: Caller) -> None:
    svc = services(context)
    try:
        args = parse_member(command_rest(update))
    except UsageError as error:
        await respond(update, context, texts.usage(caller.command, str(error)))
        return
    now = svc.clock.now()
    name = args.name or svc.names.get(args.user_id, "")
    if args.role in svc.roster.roles_of(args.user_id):
        await respond(update, context, texts.already_member(args.user_id, name, args.role))
        return
    # Only the name the Kabid typed is kept as given: it is how the bot shows the person.
    await svc.db.run(
        svc.roster.members.add, args.user_id, args.role, args.name, caller.user_id, now
    )
    await svc.db.keep(svc.roster.reload)  # the change has landed: the cache must follow
    if name:
        svc.names.setdefault(args.user_id, name)
    await svc.db.run(
        svc.audit.record, now, caller.user_id, "member_added", f"{args.role.value} {args.user_id}"
    )
    log.info("%s added %s as %s", caller.user_id, args.user_id, args.role.value)
    announcement = texts.member_added(args.user_id, name, args.role, caller.name)
    await respond(update, context, announcement)
    group = svc.settings.notify_chat_id
    if group is not None and update.effective_chat and update.effective_chat.id != group:
        await delivery.send(svc, context.bot, group, announcement)
    commands = svc.commands_for(svc.roster.roles_of(args.user_id))
    greeting = texts.member_welcome(args.role, caller.name, commands)
    await delivery.send(svc, context.bot, args.user_id, greeting)


def may_remove_kabid(roster: Roster, remover: int, kabid: int) -> bool:
    """Kabids added from the chat cannot remove each other: a Kabid from .env may remove any,
    one from the chat only themselves and the Kabids they added (directly or through a Kabid
    they added). So nobody added from the chat can remove the one who added them."""
    if Role.KABID in roster.from_env(remover) or remover == kabid:
        return True
    seen: set[int] = set()
    adder = roster.added_by(kabid, Role.KABID)
    while adder is not None and adder not in seen:
        if adder == remover:
            return True
        seen.add(adder)
        adder = roster.added_by(adder, Role.KABID)
    return False


async def hapus(update: Update, context: Context, caller: Caller) -> None:
    """Ends every role the person holds from the chat; roles from .env stay (only .env can
    change them)."""
    svc = services(context)
    rest = command_rest(update).split()
    try:
        if len(rest) != 1:
            raise UsageError("Sebutkan ID Telegram orang yang dihapus.")
        user_id = parse_user_id(rest[0])
    except UsageError as error:
        await respond(update, context, texts.usage(caller.command, str(error)))
        return
    name = svc.roster.given_name(user_id) or svc.names.get(user_id, "")
    from_env, from_chat = svc.roster.from_env(user_id), svc.roster.from_chat(user_id)
    if not from_chat:
        refusal = texts.member_in_env(user_id, name) if from_env else texts.not_a_member(user_id)
        await respond(update, context, refusal)
        return
    if Role.KABID in from_chat and not may_remove_kabid(svc.roster, caller.user_id, user_id):
        await respond(update, context, texts.kabid_not_removable(user_id, name))
        return
    now = svc.clock.now()
    ended = await svc.db.run(svc.roster.members.remove, user_id, caller.user_id, now)
    if not ended:
        await respond(update, context, texts.not_a_member(user_id))
        return
    await svc.db.keep(svc.roster.reload)  # the change has landed: the cache must follow
    roles = ", ".join(role.value for role in ended)
    await svc.db.run(svc.audit.record, now, caller.user_id, "member_removed", f"{roles} {user_id}")
    log.info("%s removed %s (%s)", caller.user_id, user_id, roles)
    announcement = texts.member_removed(user_id, name, ended, caller.name, kept=from_env)
    await respond(update, context, announcement)
    group = svc.settings.notify_chat_id
    if group is not None and update.effective_chat and update.effective_chat.id != group:
        await delivery.send(svc, context.bot, group, announcement)


async def anggota(update: Update, context: Context, caller: Caller) -> None:
    svc = services(context)
    written = await svc.db.run(svc.roster.members.have_written)
    # The name the Kabid gave counts over the person's Telegram display name.
    given = {m.user_id: m.name for m in svc.roster.chat_members() if m.name}
    names = {**svc.names, **given}
    await respond(update, context, texts.member_list(svc.roster, names, written))
