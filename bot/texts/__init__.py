"""Every text the bot sends, in Bahasa Indonesia, by topic. Messages are HTML: text from
people and programs is escaped here (`escape`)."""

from bot.texts.alerts import *  # noqa: F403
from bot.texts.backup import *  # noqa: F403
from bot.texts.central import *  # noqa: F403
from bot.texts.chat import *  # noqa: F403
from bot.texts.common import *  # noqa: F403
from bot.texts.delivery import *  # noqa: F403
from bot.texts.disk import *  # noqa: F403
from bot.texts.drill import *  # noqa: F403
from bot.texts.evidence import *  # noqa: F403
from bot.texts.lost import *  # noqa: F403
from bot.texts.people import *  # noqa: F403
from bot.texts.report import *  # noqa: F403
from bot.texts.selftest import *  # noqa: F403
