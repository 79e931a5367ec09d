"""The bot's configuration: one typed object read once from the environment and `.env`.

Every option is documented in `.env.example`. A missing or malformed value stops start-up with
a message that names the variable (see `load_settings`). Secrets are `SecretStr`, so they never
show up in a repr or a log line, and may also be read from a file named by `<NAME>_FILE`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from sopbot.sop import Role

DEFAULT_DATA_DIR = Path("data")

UserIds = Annotated[list[int], NoDecode]


class SettingsError(Exception):
    """Configuration is missing or malformed; the message names the variables."""


def _split_ids(value: Any) -> Any:
    if isinstance(value, str):
        parts = [part.strip() for part in value.replace(";", ",").split(",")]
        return [part for part in parts if part]
    if isinstance(value, int):
        return [value]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
    )

    # Telegram
    telegram_bot_token: SecretStr = Field(description="Bot token from @BotFather")
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    telegram_api_file_url: str = ""

    # People
    kabid_ids: UserIds = Field(default_factory=list)
    kasi_ids: UserIds = Field(default_factory=list)
    adb_ids: UserIds = Field(default_factory=list)
    notify_chat_id: int | None = None

    # Storage and time
    data_dir: Path = DEFAULT_DATA_DIR
    database_url: str = ""
    timezone: str = "Asia/Makassar"

    @field_validator("kabid_ids", "kasi_ids", "adb_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: Any) -> Any:
        return _split_ids(value)

    @field_validator("notify_chat_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _base_url_is_http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (e.g. Asia/Makassar)") from exc
        return value

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'sopbot.db').as_posix()}"
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def file_base_url(self) -> str:
        if self.telegram_api_file_url:
            return self.telegram_api_file_url
        return self.telegram_api_base_url.replace("/bot", "/file/bot", 1)

    def roles_of(self, user_id: int) -> frozenset[Role]:
        """Every role this Telegram user id holds (one person may hold more than one)."""
        members = {Role.KABID: self.kabid_ids, Role.KASI: self.kasi_ids, Role.ADB: self.adb_ids}
        return frozenset(role for role, ids in members.items() if user_id in ids)

    def ids_of(self, role: Role) -> list[int]:
        return {Role.KABID: self.kabid_ids, Role.KASI: self.kasi_ids, Role.ADB: self.adb_ids}[role]


# Secrets that may be given as a path to a file holding them (`<NAME>_FILE`), the way
# container secrets and Windows service set-ups usually provide them.
SECRET_FILE_VARIABLES = ("TELEGRAM_BOT_TOKEN",)


def _secrets_from_files(env_file: Path | None) -> dict[str, str]:
    from dotenv import dotenv_values

    file_values = dotenv_values(env_file) if env_file and env_file.exists() else {}
    found: dict[str, str] = {}
    for name in SECRET_FILE_VARIABLES:
        path = os.environ.get(f"{name}_FILE") or file_values.get(f"{name}_FILE")
        if not path:
            continue
        try:
            found[name.lower()] = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SettingsError(f"{name}_FILE: cannot read {path}: {exc.strerror}") from exc
    return found


def describe_validation_error(error: ValidationError) -> str:
    lines = ["Invalid configuration (check .env or the environment):"]
    for item in error.errors():
        name = str(item["loc"][0]).upper() if item["loc"] else "?"
        message = item["msg"]
        if item["type"] == "missing":
            message = "is required but not set"
        lines.append(f"  {name}: {message}")
    return "\n".join(lines)


def load_settings(env_file: Path | None = Path(".env"), **overrides: Any) -> Settings:
    """Read settings from the environment and `env_file`; raise SettingsError naming the culprit."""
    values: dict[str, Any] = _secrets_from_files(env_file)
    values.update(overrides)
    try:
        return Settings(_env_file=env_file, **values)
    except ValidationError as exc:
        raise SettingsError(describe_validation_error(exc)) from None
