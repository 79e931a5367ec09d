"""Click's own words in Bahasa Indonesia: the usage line, the section headings, the help option
and every usage error. Commands of the `sopbot` tree use these classes (a group makes its
subcommands and subgroups with them)."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any, NoReturn

import click
from click import exceptions

from texts import cli as words


class Formatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix=f"{words.USAGE} " if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        super().write_heading(words.HEADINGS.get(heading, heading))

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        super().write_dl([(a, words.help_extras(b)) for a, b in rows], col_max, col_spacing)


class Context(click.Context):
    formatter_class = Formatter


def _help_in_indonesian(option: click.Option | None) -> click.Option | None:
    if option is not None:
        option.help = words.HELP_OPTION
    return option


class Command(click.Command):
    context_class = Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", words.OPTIONS_METAVAR)
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _help_in_indonesian(super().get_help_option(ctx))


class Group(click.Group):
    context_class = Context
    command_class = Command
    group_class = type  # a subgroup is a Group like this one

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", words.OPTIONS_METAVAR)
        kwargs.setdefault("subcommand_metavar", words.SUBCOMMAND_METAVAR)
        super().__init__(*args, **kwargs)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        return _help_in_indonesian(super().get_help_option(ctx))

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            raise click.UsageError(words.no_such_command(name), ctx)
        return super().resolve_command(ctx, args)

    def main(self, *args: Any, **kwargs: Any) -> NoReturn:
        """As click's standalone mode, with its messages in Indonesian."""
        kwargs["standalone_mode"] = False
        try:
            result = super().main(*args, **kwargs)
        except exceptions.ClickException as error:
            _show(error)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo(words.ABORTED, err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


# A group called without a subcommand (click 8.2 and later; earlier it printed the help itself).
_NO_ARGS_IS_HELP: tuple[type[Exception], ...] = tuple(
    getattr(exceptions, name) for name in ("NoArgsIsHelpError",) if hasattr(exceptions, name)
)


def _show(error: exceptions.ClickException) -> None:
    ctx = getattr(error, "ctx", None)
    if isinstance(error, _NO_ARGS_IS_HELP):  # a group alone: its help, as click shows it
        click.echo(error.format_message(), err=True)
        return
    if isinstance(error, exceptions.UsageError) and ctx is not None:
        click.echo(ctx.get_usage(), err=True)
        if ctx.command.get_help_option(ctx) is not None:
            click.echo(words.try_help(ctx.command_path), err=True)
        click.echo(err=True)
    click.echo(words.error(_message(error)), err=True)


def _message(error: exceptions.ClickException) -> str:
    ctx = getattr(error, "ctx", None)
    param = getattr(error, "param", None)
    hint = ""
    if isinstance(error, exceptions.BadParameter):
        hint = error.param_hint if isinstance(error.param_hint, str) else ""
        if not hint and param is not None and ctx is not None:
            hint = param.get_error_hint(ctx)
    if isinstance(error, exceptions.MissingParameter):
        return words.missing(hint)
    if isinstance(error, exceptions.BadParameter):
        return words.bad_value(hint)
    if isinstance(error, exceptions.NoSuchOption):
        return words.no_such_option(error.option_name, sorted(error.possibilities or ()))
    if isinstance(error, exceptions.BadOptionUsage):
        if "requires" in error.format_message():  # "Option '--month' requires an argument."
            return words.needs_value(error.option_name)
        return words.bad_usage(error.option_name)
    if isinstance(error, exceptions.FileError):
        return words.cannot_open(error.ui_filename)
    message = error.format_message()
    if message.startswith("Got unexpected extra argument"):
        return words.unexpected_arguments(message.partition("(")[2].rstrip(")"))
    if message == "Missing command.":
        return words.missing_command()
    return message  # our own UsageError texts are Indonesian already
