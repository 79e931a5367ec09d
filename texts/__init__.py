"""Every text the bot sends, in Bahasa Indonesia, by topic. Messages are HTML: text from
people and programs is escaped here (`escape`)."""

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
