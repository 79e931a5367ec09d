"""A local Telegram Bot API server on loopback, speaking the real HTTP protocol.

The bot under test (and the demo) is the real python-telegram-bot application pointed at
this server through TELEGRAM_API_BASE_URL. The server plays the Telegram side: it hands out
updates that simulated people "send" and records every call the bot makes, answering with the
JSON shapes of the real Bot API (https://core.telegram.org/bots/api), including its errors.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import itertools
import json
import logging
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

# Telegram's limits, enforced as Telegram does (counted after entity parsing).
TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ANSWER_LIMIT = 200  # the text of answerCallbackQuery

JSON = dict[str, Any]


@dataclass
class ApiCall:
    """One request the bot made."""

    method: str
    params: JSON
    files: dict[str, bytes] = field(default_factory=dict)


@dataclass
class SentMessage:
    """A message the bot sent (or the latest state of it after edits)."""

    chat_id: int
    message_id: int
    text: str
    reply_markup: JSON | None
    raw: JSON
    edits: int = 0
    photo: bytes | None = None
    document: bytes | None = None
    document_name: str = ""

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(text, callback_data) of every inline button, row by row."""
        if not self.reply_markup:
            return []
        return [
            (button["text"], button.get("callback_data", ""))
            for row in self.reply_markup.get("inline_keyboard", [])
            for button in row
        ]


@dataclass
class Person:
    id: int
    first_name: str
    username: str | None = None
    started_bot: bool = True  # a user who never pressed Start cannot be messaged
    blocked_bot: bool = False

    def as_user(self) -> JSON:
        user: JSON = {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": "id",
        }
        if self.username:
            user["username"] = self.username
        return user


class ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


class BotApiServer:
    """In-process fake of api.telegram.org for one bot token."""

    def __init__(
        self, token: str, bot_username: str = "sop_piak_bot", bot_name: str = "Bot SOP Back Up"
    ) -> None:
        self.token = token
        self.bot_user: JSON = {
            "id": int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1,
            "is_bot": True,
            "first_name": bot_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.people: dict[int, Person] = {}
        self.groups: dict[int, str] = {}
        self.calls: list[ApiCall] = []
        self.commands: list[JSON] = []
        self.messages: dict[tuple[int, int], SentMessage] = {}
        self._inbox: dict[int, list[SentMessage]] = defaultdict(list)
        self._read: dict[int, int] = defaultdict(int)
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self._callback_ids = itertools.count(1)
        self._changed = asyncio.Condition()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        # Fault injection: while `down` is set every call fails with this HTTP status; methods
        # in `failing` fail with 502 while the rest (e.g. getUpdates) keep working.
        self.down: int | None = None
        self.failing: set[str] = set()
        self._scripted_errors: list[tuple[str, int | None, ApiError]] = []
        self.on_message: Callable[[SentMessage], None] | None = None

    # --- lifecycle --------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        # For a client in another process (the benchmarks): a person sends, the next reply.
        app.router.add_post("/control/send", self._control_send)
        app.router.add_get("/control/next", self._control_next)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        server = site._server
        assert server is not None
        sockets = getattr(server, "sockets", None)
        assert sockets
        bound_port = sockets[0].getsockname()[1]
        self.base_url = f"http://{host}:{bound_port}/bot"
        return self.base_url

    async def stop(self) -> None:
        self._closing.set()
        async with self._changed:
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- the simulated people ---------------------------------------------------------------

    def add_person(
        self,
        user_id: int,
        first_name: str,
        username: str | None = None,
        *,
        started_bot: bool = True,
    ) -> Person:
        person = Person(user_id, first_name, username, started_bot=started_bot)
        self.people[user_id] = person
        return person

    def add_group(self, chat_id: int, title: str) -> None:
        self.groups[chat_id] = title

    def _chat(self, chat_id: int) -> JSON:
        if chat_id in self.groups:
            return {"id": chat_id, "type": "supergroup", "title": self.groups[chat_id]}
        person = self.people.get(chat_id)
        chat: JSON = {
            "id": chat_id,
            "type": "private",
            "first_name": person.first_name if person else str(chat_id),
        }
        if person and person.username:
            chat["username"] = person.username
        return chat

    async def _push_update(self, update: JSON) -> JSON:
        update["update_id"] = next(self._update_ids)
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()
        return update

    def _user(self, user_id: int) -> JSON:
        person = self.people.get(user_id) or Person(user_id, f"Orang {user_id}")
        return person.as_user()

    async def send_text(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        forwarded_from: int | None = None,
        edited: bool = False,
        date: int = 1_700_000_000,
    ) -> JSON:
        """`user_id` sends `text` in their private chat with the bot (or in `chat_id`)."""
        chat = self._chat(user_id if chat_id is None else chat_id)
        message: JSON = {
            "message_id": next(self._message_ids),
            "from": self._user(user_id),
            "chat": chat,
            "date": date,
            "text": text,
        }
        if text.startswith("/"):
            command = text.split()[0] if text.split() else text
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        if forwarded_from is not None:
            message["forward_origin"] = {
                "type": "user",
                "date": date,
                "sender_user": self._user(forwarded_from),
            }
        if edited:
            message["edit_date"] = date + 5
            return await self._push_update({"edited_message": message})
        return await self._push_update({"message": message})

    async def press_button(self, user_id: int, message: SentMessage, data: str) -> JSON:
        """`user_id` presses an inline button carrying `data` under a message of the bot."""
        callback: JSON = {
            "id": str(next(self._callback_ids)),
            "from": self._user(user_id),
            "chat_instance": str(message.chat_id),
            "data": data,
            "message": message.raw,
        }
        return await self._push_update({"callback_query": callback})

    # --- what the bot sent ------------------------------------------------------------------

    async def next_message(self, chat_id: int, timeout: float = 30.0) -> SentMessage:
        """The next message the bot sent to `chat_id` that this caller has not yet read."""

        def available() -> bool:
            return len(self._inbox[chat_id]) > self._read[chat_id]

        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(available), timeout)
        message = self._inbox[chat_id][self._read[chat_id]]
        self._read[chat_id] += 1
        return message

    def unread(self, chat_id: int) -> list[SentMessage]:
        return self._inbox[chat_id][self._read[chat_id] :]

    def sent_to(self, chat_id: int) -> list[SentMessage]:
        return list(self._inbox[chat_id])

    async def wait_for_call(
        self, predicate: Callable[[ApiCall], bool], timeout: float = 30.0
    ) -> ApiCall:
        async with self._changed:
            await asyncio.wait_for(
                self._changed.wait_for(lambda: any(predicate(c) for c in self.calls)), timeout
            )
        return next(c for c in self.calls if predicate(c))

    def pending_updates(self) -> int:
        """Updates not yet fetched by the bot (getUpdates drops them once confirmed)."""
        return len(self._updates)

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 30.0) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(condition), timeout)

    def fail_next(
        self,
        method: str,
        code: int,
        description: str,
        chat_id: int | None = None,
        retry_after: int | None = None,
    ) -> None:
        """Make the next call of `method` (to `chat_id`, when given) fail the way Telegram
        would."""
        self._scripted_errors.append((method, chat_id, ApiError(code, description, retry_after)))

    # --- HTTP -------------------------------------------------------------------------------

    async def _control_send(self, request: web.Request) -> web.Response:
        body = await request.json()
        update = await self.send_text(int(body["user_id"]), str(body["text"]))
        return web.json_response({"ok": True, "update_id": update["update_id"]})

    async def _control_next(self, request: web.Request) -> web.Response:
        chat_id = int(request.query["chat_id"])
        timeout = float(request.query.get("timeout", "30"))
        try:
            message = await self.next_message(chat_id, timeout)
        except TimeoutError:
            return web.json_response({"ok": False}, status=504)
        kind = "photo" if message.photo else "document" if message.document else "text"
        return web.json_response({"ok": True, "kind": kind, "text": message.text})

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(ApiError(401, "Unauthorized"))
        method = request.match_info["method"]
        params, files = await _read_params(request)
        status = self.down or (502 if method in self.failing else None)
        if status is not None:
            return web.json_response(
                {"ok": False, "error_code": status, "description": "Bad Gateway"},
                status=status,
            )
        for index, (scripted_method, chat, error) in enumerate(self._scripted_errors):
            if scripted_method.lower() == method.lower() and (
                chat is None or str(chat) == str(params.get("chat_id"))
            ):
                del self._scripted_errors[index]
                return _error(error)
        handler = getattr(self, f"_api_{method.lower()}", None)
        if handler is None:
            return _error(ApiError(404, "Not Found: method not found"))
        call = ApiCall(method, params, files)
        try:
            result = await handler(params, files)
        except ApiError as error:
            return _error(error)
        if method.lower() != "getupdates":
            async with self._changed:
                self.calls.append(call)
                self._changed.notify_all()
        return web.json_response({"ok": True, "result": result})

    async def _api_getme(self, params: JSON, files: dict[str, bytes]) -> JSON:
        return self.bot_user

    async def _api_deletewebhook(self, params: JSON, files: dict[str, bytes]) -> bool:
        return True

    async def _api_setmycommands(self, params: JSON, files: dict[str, bytes]) -> bool:
        self.commands = json.loads(params.get("commands", "[]"))
        return True

    async def _api_getmycommands(self, params: JSON, files: dict[str, bytes]) -> list[JSON]:
        return self.commands

    async def _api_close(self, params: JSON, files: dict[str, bytes]) -> bool:
        return True

    async def _api_getupdates(self, params: JSON, files: dict[str, bytes]) -> list[JSON]:
        offset = int(params.get("offset", 0) or 0)
        timeout = float(params.get("timeout", 0) or 0)
        limit = int(params.get("limit", 100) or 100)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]

        def pending() -> bool:
            return bool(self._updates) or self._closing.is_set()

        async with self._changed:
            if not pending() and timeout > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._changed.wait_for(pending), timeout)
        return self._updates[:limit]

    def _check_can_message(self, chat_id: int) -> None:
        if chat_id in self.groups:
            return
        person = self.people.get(chat_id)
        if person is None:
            raise ApiError(400, "Bad Request: chat not found")
        if person.blocked_bot:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if not person.started_bot:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")

    async def _store(self, message: SentMessage) -> None:
        async with self._changed:
            self.messages[(message.chat_id, message.message_id)] = message
            self._inbox[message.chat_id].append(message)
            self._changed.notify_all()
        if self.on_message is not None:
            self.on_message(message)

    def _new_message(self, params: JSON, text: str | None = None, **extra: Any) -> SentMessage:
        chat_id = int(params["chat_id"])
        self._check_can_message(chat_id)
        markup = json.loads(params["reply_markup"]) if params.get("reply_markup") else None
        raw: JSON = {
            "message_id": next(self._message_ids),
            "from": self.bot_user,
            "chat": self._chat(chat_id),
            "date": 1_700_000_000,
        }
        if text is not None:
            raw["text"] = text
        if markup:
            raw["reply_markup"] = markup
        raw.update(extra)
        return SentMessage(chat_id, raw["message_id"], text or "", markup, raw)

    async def _api_sendmessage(self, params: JSON, files: dict[str, bytes]) -> JSON:
        text = _rendered(params, str(params.get("text", "")))
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if len(text) > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        message = self._new_message(params, text)
        entities = _entities(params, str(params.get("text", "")))
        if entities:
            message.raw["entities"] = entities
        await self._store(message)
        return message.raw

    async def _api_sendphoto(self, params: JSON, files: dict[str, bytes]) -> JSON:
        photo = files.get("photo")
        if not photo:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        caption = _caption(params)
        message = self._new_message(
            params,
            None,
            caption=caption,
            photo=[{"file_id": "photo-1", "file_unique_id": "p1", "width": 1, "height": 1}],
        )
        message.text, message.photo = caption, photo
        await self._store(message)
        return message.raw

    async def _api_senddocument(self, params: JSON, files: dict[str, bytes]) -> JSON:
        document = files.get("document")
        if document is None:
            raise ApiError(400, "Bad Request: there is no document in the request")
        caption = _caption(params)
        name = str(params.get("_document_name", "file"))
        message = self._new_message(
            params,
            None,
            caption=caption,
            document={"file_id": "doc-1", "file_unique_id": "d1", "file_name": name},
        )
        message.text, message.document, message.document_name = caption, document, name
        await self._store(message)
        return message.raw

    def _existing(self, params: JSON) -> SentMessage:
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        return self.messages[key]

    async def _api_editmessagetext(self, params: JSON, files: dict[str, bytes]) -> JSON:
        message = self._existing(params)
        text = _rendered(params, str(params.get("text", "")))
        if len(text) > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        markup = json.loads(params["reply_markup"]) if params.get("reply_markup") else None
        if text == message.text and markup == message.reply_markup:
            raise ApiError(
                400,
                "Bad Request: message is not modified: specified new message "
                "content and reply markup are exactly the same as a current "
                "content and reply markup of the message",
            )
        async with self._changed:
            message.text, message.reply_markup, message.edits = text, markup, message.edits + 1
            message.raw["text"] = text
            message.raw.pop("entities", None)
            entities = _entities(params, str(params.get("text", "")))
            if entities:
                message.raw["entities"] = entities
            message.raw.pop("reply_markup", None)
            if markup:
                message.raw["reply_markup"] = markup
            message.raw["edit_date"] = 1_700_000_100
            self._changed.notify_all()
        return message.raw

    async def _api_editmessagereplymarkup(self, params: JSON, files: dict[str, bytes]) -> JSON:
        message = self._existing(params)
        markup = json.loads(params["reply_markup"]) if params.get("reply_markup") else None
        if markup == message.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified")
        async with self._changed:
            message.reply_markup, message.edits = markup, message.edits + 1
            message.raw.pop("reply_markup", None)
            if markup:
                message.raw["reply_markup"] = markup
            self._changed.notify_all()
        return message.raw

    async def _api_answercallbackquery(self, params: JSON, files: dict[str, bytes]) -> bool:
        if len(str(params.get("text", ""))) > ANSWER_LIMIT:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        return True

    async def _api_sendchataction(self, params: JSON, files: dict[str, bytes]) -> bool:
        return True


def _caption(params: JSON) -> str:
    caption = _rendered(params, str(params.get("caption", "")))
    if len(caption) > CAPTION_LIMIT:
        raise ApiError(400, "Bad Request: message caption is too long")
    return caption


async def _read_params(request: web.Request) -> tuple[JSON, dict[str, bytes]]:
    params: JSON = {}
    files: dict[str, bytes] = {}
    if request.content_type == "application/json":
        params = await request.json()
        return params, files
    if request.method == "GET":
        return dict(request.query), files
    form = await request.post()
    for key, value in form.items():
        if isinstance(value, web.FileField):
            files[key] = value.file.read()
            if value.filename:
                params[f"_{key}_name"] = value.filename
        else:
            params[key] = value
    # PTB sends an attached file as `attach://<name>` in the field and the bytes as a part.
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://"):
            part = value.removeprefix("attach://")
            if part in files:
                files[key] = files[part]
                if f"_{part}_name" in params:
                    params[f"_{key}_name"] = params[f"_{part}_name"]
    return params, files


_ALLOWED_HTML_TAGS = ("b", "i", "u", "s", "code", "pre", "a", "blockquote", "tg-spoiler")


def _rendered(params: JSON, text: str) -> str:
    """The text as a reader sees it: Telegram parses HTML into entities and returns plain text,
    rejecting unknown or unbalanced tags ("can't parse entities")."""
    if str(params.get("parse_mode", "")).upper() != "HTML":
        return text

    stack: list[str] = []
    for match in re.finditer(r"<(/?)([a-zA-Z-]+)[^>]*>", text):
        closing, tag = match.group(1) == "/", match.group(2).lower()
        if tag not in _ALLOWED_HTML_TAGS:
            raise ApiError(
                400,
                f"Bad Request: can't parse entities: unsupported start tag "
                f'"{tag}" at byte offset {match.start()}',
            )
        if closing:
            if not stack or stack.pop() != tag:
                raise ApiError(400, "Bad Request: can't parse entities: unmatched end tag")
        else:
            stack.append(tag)
    if stack:
        raise ApiError(400, "Bad Request: can't parse entities: can't find end tag")
    stripped = re.sub(r"<[^>]*>", "", text)
    if "<" in stripped or ">" in stripped:
        raise ApiError(400, "Bad Request: can't parse entities: unescaped < or >")
    return html.unescape(stripped)


_ENTITY_TYPES = {
    "b": "bold",
    "i": "italic",
    "u": "underline",
    "s": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "blockquote": "blockquote",
    "tg-spoiler": "spoiler",
}
_TOKEN = re.compile(r"<(/?)([a-zA-Z-]+)([^>]*)>|&#?[0-9a-zA-Z]+;|.", re.DOTALL)


def _entities(params: JSON, text: str) -> list[JSON]:
    """The entities Telegram makes of a message `_rendered` accepted: offsets and lengths in
    UTF-16 code units, an <a href> as a "text_link" with its url."""
    if str(params.get("parse_mode", "")).upper() != "HTML":
        return []
    found: list[JSON] = []
    opened: list[tuple[str, str, int]] = []
    offset = 0
    for token in _TOKEN.finditer(text):
        if token.group(2) is None:
            offset += len(html.unescape(token.group(0)).encode("utf-16-le")) // 2
            continue
        tag = token.group(2).lower()
        if token.group(1) != "/":
            opened.append((tag, token.group(3), offset))
            continue
        _, attributes, start = opened.pop()
        entity: JSON = {"type": _ENTITY_TYPES[tag], "offset": start, "length": offset - start}
        if tag == "a":
            href = re.search(r"""href\s*=\s*["']([^"']*)["']""", attributes)
            entity["url"] = html.unescape(href.group(1)) if href else ""
        found.append(entity)
    return sorted(found, key=lambda e: (e["offset"], -e["length"]))


def _error(error: ApiError) -> web.Response:
    body: JSON = {"ok": False, "error_code": error.code, "description": error.description}
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return web.json_response(body, status=error.code)
