"""What the commands share: the settings from --env-file, one line on a failure to start, one
run at a time on a SOP log, a job from the terminal stopped through its contract."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from core.secrets import mask
from core.settings import Settings, SettingsError, load_settings
from texts import terminal as words

if TYPE_CHECKING:
    from storage.lock import InstanceLock

log = logging.getLogger("sopbot")


ALREADY_RUNNING = 75  # EX_TEMPFAIL: not a failure of the dump, nor a warning; try again later


def settings_or_exit(env_file: Path) -> Settings:
    try:
        return load_settings(env_file)
    except SettingsError as error:
        from texts.configuration import settings_error

        click.echo(settings_error(error), err=True)
        if not env_file.is_file():
            click.echo(words.env_file_missing(env_file.resolve()), err=True)
        sys.exit(2)


env_file_option = click.option(
    "--env-file",
    type=click.Path(path_type=Path),
    default=Path(".env"),
    show_default=True,
    help=words.ENV_FILE_HELP,
)


def make_data_dir(settings: Settings) -> None:
    """DATA_DIR holds the SOP log, the keys and the parameter files: made private when the bot
    creates it (on Windows an explicit ACL, since a folder under C:\\ is open to Users)."""
    from core.private import PrivacyError, private_dir

    if settings.data_dir.is_dir():
        return  # an existing folder is the ADB's to set; `sopbot check` reports a broad one
    try:
        private_dir(settings.data_dir)
    except OSError as exc:
        detail = str(exc) if isinstance(exc, PrivacyError) else (exc.strerror or str(exc))
        fail(words.data_dir_not_private(settings.data_dir, detail))


@contextmanager
def startup_failures(settings: Settings) -> Iterator[None]:
    """A failure to start ends with one clear line naming what to fix, never a traceback that
    could carry the token or a password into the service log."""
    from sqlalchemy.exc import SQLAlchemyError
    from telegram.error import InvalidToken, NetworkError, TelegramError

    api = settings.telegram_api_base_url.split("/bot")[0]
    try:
        yield
    except InvalidToken:
        fail(words.TOKEN_REFUSED)
    except NetworkError as exc:
        name = type(exc).__name__
        fail(words.telegram_unreachable(api, name))
    except TelegramError as exc:
        fail(words.telegram_refused(mask(exc.message, settings.secrets)))
    except SQLAlchemyError as exc:
        detail = mask(str(exc).splitlines()[0], settings.secrets)
        fail(words.log_unopenable(type(exc).__name__, detail))
    except OSError as exc:
        fail(words.cannot_start(type(exc).__name__, str(exc.strerror or exc)))


def fail(line: str) -> NoReturn:
    """One line for the person at the console (Indonesian, the setting's name in English)."""
    log.error("Start-up failed; the console got: %s", line.split(":", 1)[0])
    click.echo(line, err=True)
    sys.exit(2)


def single_instance(settings: Settings) -> InstanceLock:
    """Refuse to run beside another bot (or `sopbot backup`) on the same SOP log."""
    from storage.database import make_engine
    from storage.lock import AlreadyRunning, InstanceLock

    lock = InstanceLock(make_engine(settings.database_url))
    try:
        lock.acquire()
    except AlreadyRunning as error:
        click.echo(words.already_running(error.database, error.lock), err=True)
        sys.exit(ALREADY_RUNNING)
    return lock


def run_alone(
    env_file: Path, verbose: bool, job: Callable[[Settings], Coroutine[Any, Any, int]]
) -> NoReturn:
    """Run a job from the terminal, never beside the bot or another such run; exit its code."""
    from core.logs import configure_logging

    settings = settings_or_exit(env_file)
    make_data_dir(settings)
    configure_logging(settings.secrets, verbose=verbose, log_dir=settings.data_dir / "logs")
    logging.getLogger().handlers[0].setLevel(logging.DEBUG if verbose else logging.WARNING)
    lock = single_instance(settings)
    try:
        code = asyncio.run(interruptible(job, settings))
        checkpoint(settings)
    finally:
        lock.release()
    sys.exit(code)


INTERRUPTED_EXIT = 130  # 128 + SIGINT, as shells report a Ctrl+C


async def interruptible(
    job: Callable[[Settings], Coroutine[Any, Any, int]], settings: Settings
) -> int:
    """The job, stopped through its contract by the first Ctrl+C (or SIGTERM, SIGBREAK): a running
    export is stopped on the server too. Later ones are ignored until that is done, and no
    traceback follows."""
    import signal

    from core.stop_signals import console_signals, stop_once_on

    task = asyncio.current_task()
    assert task is not None
    wanted = console_signals() + ([signal.SIGTERM] if os.name == "posix" else [])

    def cancel() -> None:
        task.cancel()

    restore = stop_once_on(asyncio.get_running_loop(), cancel, wanted)
    try:
        return await job(settings)
    except asyncio.CancelledError:
        click.echo(words.INTERRUPTED, err=True)
        return INTERRUPTED_EXIT
    finally:
        restore()


def checkpoint(settings: Settings) -> None:
    """After a run from the terminal, sign a checkpoint of what it recorded (with a key)."""
    from datetime import UTC, datetime

    from sqlalchemy.exc import SQLAlchemyError

    from jobs.evidence import Evidence, KeyProblem
    from storage.database import make_engine

    try:
        Evidence(settings, make_engine(settings.database_url)).checkpoint_if_due(datetime.now(UTC))
    except (KeyProblem, SQLAlchemyError) as error:
        log.warning("No checkpoint of the evidence chain: %s", error)
