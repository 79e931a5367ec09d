"""Every sentence a person reads, in Bahasa Indonesia, by topic: the chat (HTML: text from people
and programs is escaped here, `escape`), the command line (`cli`, `terminal`), the problem codes
(`problems`), the command menu (`menu`), the reports and the audit PDF (`report`, `audit`). Below
`bot/`, `sopbot/`, `web/`, `central/` and `reports/`; it imports none of them.

`texts.<name>` finds a name in the topic modules, loaded on first use: the command line imports
`texts.cli` and `texts.terminal` alone and stays light (the chat's topics import the jobs whose
results they word)."""

from __future__ import annotations

import importlib
import importlib.util
from typing import TYPE_CHECKING, Any

# Searched last first: the same name in two topics means what a star import of them in this order
# would give.
_TOPICS = (
    "alerts",
    "backup",
    "central",
    "chat",
    "common",
    "delivery",
    "disk",
    "drill",
    "evidence",
    "lost",
    "people",
    "report",
    "selftest",
)

if TYPE_CHECKING:
    from texts.alerts import *  # noqa: F403
    from texts.backup import *  # noqa: F403
    from texts.central import *  # noqa: F403
    from texts.chat import *  # noqa: F403
    from texts.common import *  # noqa: F403
    from texts.delivery import *  # noqa: F403
    from texts.disk import *  # noqa: F403
    from texts.drill import *  # noqa: F403
    from texts.evidence import *  # noqa: F403
    from texts.lost import *  # noqa: F403
    from texts.people import *  # noqa: F403
    from texts.report import *  # noqa: F403
    from texts.selftest import *  # noqa: F403
else:

    def __getattr__(name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        if importlib.util.find_spec(f"texts.{name}") is not None:  # `from texts import cli`
            return importlib.import_module(f"texts.{name}")
        for topic in reversed(_TOPICS):
            module = importlib.import_module(f"texts.{topic}")
            exported = getattr(module, "__all__", None)  # what a star import would take
            if hasattr(module, name) and (
                name in exported if exported is not None else not name.startswith("_")
            ):
                value = getattr(module, name)
                globals()[name] = value
                return value
        raise AttributeError(f"module 'texts' has no attribute {name!r}")
