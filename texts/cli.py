"""The command line's own words (click's usage lines, headings, the help option and usage
errors), in Bahasa Indonesia like everything else the bot says."""

from __future__ import annotations

USAGE = "Penggunaan:"
OPTIONS_METAVAR = "[OPSI]"
SUBCOMMAND_METAVAR = "PERINTAH [ARGUMEN]..."
HELP_OPTION = "Tampilkan bantuan ini lalu keluar."
HEADINGS = {
    "Options": "Opsi",
    "Commands": "Perintah",
    "Positional arguments": "Argumen",
    "Arguments": "Argumen",
}
ABORTED = "Dibatalkan."


def help_extras(text: str) -> str:
    """The brackets click adds after an option's help, in Indonesian."""
    return (
        text.replace("[default: ", "[bawaan: ")
        .replace("[required]", "[wajib]")
        .replace("; required]", "; wajib]")
        .replace("[env var: ", "[variabel lingkungan: ")
    )


def try_help(command_path: str) -> str:
    return f"Lihat '{command_path} --help' untuk bantuan."


def error(message: str) -> str:
    return f"Kesalahan: {message}"


def missing(hint: str) -> str:
    return f"{hint} wajib diisi."


def no_such_option(name: str, possibilities: list[str]) -> str:
    maybe = f" Maksud Anda {' atau '.join(possibilities)}?" if possibilities else ""
    return f"Opsi {name} tidak dikenal.{maybe}"


def no_such_command(name: str) -> str:
    return f"Perintah '{name}' tidak dikenal."


def bad_value(hint: str) -> str:
    return f"Nilai {hint} tidak valid."


def bad_usage(hint: str) -> str:
    return f"Cara memakai {hint} salah." if hint else "Cara memakai perintah ini salah."


def needs_value(option: str) -> str:
    return f"Opsi {option} perlu diberi nilai."


def unexpected_arguments(arguments: str) -> str:
    return f"Argumen tidak dikenal: {arguments}."


def missing_command() -> str:
    return "Sebutkan subperintahnya."


def cannot_open(filename: str) -> str:
    return f"File {filename} tidak dapat dibuka."
