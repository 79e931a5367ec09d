"""How updates are processed: concurrently, but each chat's in the order they came.

PTB handles updates one at a time by default, so one slow reply (a throttled group, a stranger's
flood, a long /verifikasi) held every other chat. Here each chat has its own queue: the Kabid's
private /status never waits for someone else's chat.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Updates waiting for their chat's turn hold a slot each (PTB takes the slot first), so the
# slots are many: one chat's backlog must not use them all. A stranger's flood is dropped fast.
MAX_CONCURRENT_UPDATES = 1024


class PerChatUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}  # chat -> updates queued or running

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        key = chat.id if chat is not None else 0
        lock = self._chats.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:  # nobody else waits for this chat: forget it
                del self._users[key], self._chats[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
