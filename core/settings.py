"""The bot's configuration: one typed object read once from the environment and `.env`.

Every option is documented in `.env.example`. A missing or malformed value stops start-up with
a message that names the variable (see `load_settings`). Secrets are `SecretStr`, so they never
show up in a repr or a log line, and may also be read from a file named by `<NAME>_FILE`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import time
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from core.sop import Role
from core.textfile import TextFileError, file_encoding, read_text
from core.timing import OfficeHours

DEFAULT_DATA_DIR = Path("data")

UserIds = Annotated[list[int], NoDecode]


# An unquoted Oracle identifier (schema, table), as the settings take them, upper case.
ORACLE_NAME = r"[A-Z][A-Z0-9_$#]{0,127}"


class Refusal(StrEnum):
    """Why a setting's value is refused: a code with parameters. `texts/configuration.py` words each
    one in Indonesian for the ADB; the English templates below are for the logs."""

    NOT_AGE_KEY = "not_age_key"
    NOT_SIGNING_KEY = "not_signing_key"
    HOURS_FORMAT = "hours_format"
    HOURS_ORDER = "hours_order"
    WEEKDAYS_FORMAT = "weekdays_format"
    WEEKDAYS_RANGE = "weekdays_range"
    NOT_HTTP = "not_http"
    NOT_SCHEMA_NAME = "not_schema_name"
    NOT_SCHEMA_TABLE = "not_schema_table"
    WEEKDAY_BY_NAME = "weekday_by_name"
    NOT_CRONTAB = "not_crontab"
    DUMP_NAME_FOLDERS = "dump_name_folders"
    DIRECTORY_NAME = "directory_name"
    NOT_DATABASE_URL = "not_database_url"
    OFFICE_ID_DIGITS = "office_id_digits"
    NOT_POSTGRES_URL = "not_postgres_url"
    EMPTY = "empty"
    UNKNOWN_TIMEZONE = "unknown_timezone"
    AGE_NEEDS_RECIPIENTS = "age_needs_recipients"
    DRILL_SCHEMA_REAL = "drill_schema_real"
    OFFICE_NEEDS_CENTRAL = "office_needs_central"
    BACKEND_NEEDS = "backend_needs"
    # Reading the settings' files
    FILE_UNREADABLE = "file_unreadable"
    FILE_NOT_TEXT = "file_not_text"
    # What pydantic itself refuses (its error type)
    MISSING = "missing"
    NOT_INTEGER = "int_parsing"
    NOT_NUMBER = "float_parsing"
    NOT_BOOLEAN = "bool_parsing"
    NOT_TIME = "time_parsing"
    NOT_A_CHOICE = "literal_error"
    TOO_LARGE = "less_than_equal"
    TOO_SMALL = "greater_than_equal"
    INVALID = "invalid"  # anything else pydantic refuses: its own (English) words as detail


REFUSAL_ENGLISH: dict[Refusal, str] = {
    Refusal.NOT_AGE_KEY: "{key}… is not an age public key (age1…, 62 characters)",
    Refusal.NOT_SIGNING_KEY: "not a public signing key (name+hash+base64)",
    Refusal.HOURS_FORMAT: "must look like 07:30-16:00",
    Refusal.HOURS_ORDER: "must be an opening and a later closing time, e.g. 07:30-16:00",
    Refusal.WEEKDAYS_FORMAT: "must be ISO weekdays (1 = Monday), e.g. 1-5 or 1-6",
    Refusal.WEEKDAYS_RANGE: "must be ISO weekdays between 1 (Monday) and 7 (Sunday)",
    Refusal.NOT_HTTP: "must start with http:// or https://",
    Refusal.NOT_SCHEMA_NAME: "{name!r} is not a plain Oracle schema name",
    Refusal.NOT_SCHEMA_TABLE: "{name!r} is not SCHEMA.TABLE",
    Refusal.WEEKDAY_BY_NAME: (
        "write the weekday by name (sun, mon, ...): APScheduler counts 0 as Monday, cron as Sunday"
    ),
    Refusal.NOT_CRONTAB: "not a crontab line (minute hour day month weekday): {detail}",
    Refusal.DUMP_NAME_FOLDERS: "must be a file name without folders, e.g. SIAK_%Y%m%d_%H%M.dmp",
    Refusal.DIRECTORY_NAME: "must be the name of an Oracle directory object",
    Refusal.NOT_DATABASE_URL: (
        "must be a database URL, e.g. sqlite:///data/sopbot.db or "
        "postgresql+psycopg://user:password@host/sopbot"
    ),
    Refusal.OFFICE_ID_DIGITS: "must be the regional code in digits, e.g. 5108 (Buleleng)",
    Refusal.NOT_POSTGRES_URL: (
        "must be a PostgreSQL URL, e.g. postgresql+psycopg://sopbot_kantor_5108:…@host/pusat"
    ),
    Refusal.EMPTY: "must not be empty",
    Refusal.UNKNOWN_TIMEZONE: "unknown time zone {value!r} (e.g. Asia/Makassar)",
    Refusal.AGE_NEEDS_RECIPIENTS: (
        "EXTERNAL_ENCRYPTION=age needs EXTERNAL_AGE_RECIPIENTS (run `sopbot keys init`)"
    ),
    Refusal.DRILL_SCHEMA_REAL: (
        "DRILL_SCHEMA {schema} is a schema with real data or the bot's own user: the drill "
        "would replace and drop its tables"
    ),
    Refusal.OFFICE_NEEDS_CENTRAL: (
        "OFFICE_ID is set: CENTRAL_DATABASE_URL must say where to report"
    ),
    Refusal.BACKEND_NEEDS: "DUMP_BACKEND={backend} needs {missing}",
    Refusal.FILE_UNREADABLE: "cannot read {path}: {reason}",
    Refusal.FILE_NOT_TEXT: "{detail}",
    Refusal.MISSING: "required, not set",
    Refusal.NOT_INTEGER: "must be a whole number",
    Refusal.NOT_NUMBER: "must be a number",
    Refusal.NOT_BOOLEAN: "must be true or false",
    Refusal.NOT_TIME: "must be a time HH:MM",
    Refusal.NOT_A_CHOICE: "valid choices: {expected}",
    Refusal.TOO_LARGE: "at most {le}",
    Refusal.TOO_SMALL: "at least {ge}",
    Refusal.INVALID: "invalid value ({detail})",
}


class SettingRefused(ValueError):
    """Raised by a validator: pydantic keeps it (as `ctx["error"]`) so its code reaches the
    words; its message is the English one, for logs."""

    def __init__(self, refusal: Refusal, **params: object) -> None:
        self.refusal = refusal
        self.params = params
        super().__init__(REFUSAL_ENGLISH[refusal].format(**params))


@dataclass(frozen=True)
class SettingFault:
    """One wrong setting: the variable's name as the ADB writes it, and why."""

    name: str
    refusal: Refusal
    params: dict[str, object]

    def english(self) -> str:
        return f"{self.name}: {REFUSAL_ENGLISH[self.refusal].format(**self.params)}"


class SettingsError(Exception):
    """Configuration is missing or malformed: each fault names its variable. `str()` is English
    (for logs); `texts.configuration.settings_error` words it in Indonesian."""

    def __init__(self, faults: list[SettingFault]) -> None:
        self.faults = faults
        super().__init__("; ".join(fault.english() for fault in faults))


# The dump backends DUMP_BACKEND may name, each with the settings it cannot run without. The
# backends' registry (`jobs/dump/backends.py`) fills this when imported: the ground cannot import
# the jobs, and a name no registry knows is refused rather than waved through.
_BACKEND_NEEDS: dict[str, tuple[str, ...]] = {}


def register_backend(name: str, needs: tuple[str, ...]) -> None:
    """Make `name` a valid DUMP_BACKEND that requires these settings (field names) non-empty."""
    _BACKEND_NEEDS[name] = needs


def backend_names() -> tuple[str, ...]:
    return tuple(_BACKEND_NEEDS)


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

    # The daily dump (SOP steps 2-8)
    dump_backend: str = "sqlite"  # a name in jobs/dump/backends.py
    dump_dir: Path | None = None  # default: DATA_DIR/dumps
    dump_name_pattern: str = "SIAK_%Y%m%d_%H%M.dmp"
    backup_time: time = time(1, 0)
    dump_timeout_minutes: int = Field(default=240, ge=1, le=24 * 60)
    # A dump this much smaller (size or rows) than the last good one is reported as a warning.
    dump_shrink_warn_percent: int = Field(default=20, ge=1, le=100)
    progress_interval_seconds: float = Field(default=5.0, ge=0.05, le=3600)

    # The external hard disk (SOP step 11)
    external_disk_path: Path | None = None  # e.g. E:\ on Windows, /media/backup on Linux
    external_disk_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)
    external_compression: Literal["none", "zstd"] = "none"
    # Encryption of the external copy in the age format, to these public keys (office, escrow)
    external_encryption: Literal["none", "age"] = "none"
    external_age_recipients: Annotated[list[str], NoDecode] = Field(default_factory=list)
    external_age_identity_file: Path | None = None  # the office's private key, for checks
    external_auto_copy: bool = True  # copy as soon as the disk is there after a dump
    # After a verified copy the disk must come off (ransomware reaches a plugged-in disk)
    external_unplug_minutes: int = Field(default=30, ge=1, le=24 * 60)
    # 0 keeps every dump on the server / every copy on the disk
    retention_server_days: int = Field(default=7, ge=0, le=3650)
    retention_external_days: int = Field(default=0, ge=0, le=3650)

    # Office hours: people's SOP steps are timed only within them (night and weekends never count)
    office_hours: str = "07:30-16:00"
    office_days: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [1, 2, 3, 4, 5])

    # Daily summary, missed-backup warnings, outside watchdog, overdue reminders
    report_time: time = time(7, 0)
    backup_deadline: time | None = None  # default: BACKUP_TIME + 3 hours
    external_max_age_hours: int = Field(default=36, ge=1, le=24 * 365)
    alert_repeat_minutes: int = Field(default=120, ge=5, le=7 * 24 * 60)
    healthcheck_url: str = ""
    reminder_minutes: int = Field(default=15, ge=0, le=24 * 60)  # 0: no overdue reminders

    # The restore drill: the newest copy read back from the external disk and restored
    # Off by default: the drill runs after a verified copy while the disk is still plugged in,
    # when the last passed one is older than DRILL_EVERY_DAYS (0: never after a copy). A
    # schedule is for a disk that stays attached. Crontab fields, day names (0 is Monday here).
    drill_schedule: str = ""
    drill_every_days: int = Field(default=7, ge=0, le=366)
    drill_max_age_days: int = Field(default=14, ge=0, le=366)  # 0: no overdue warning
    drill_level: int = Field(default=2, ge=1, le=3)  # Oracle only: 1 header, 2 metadata, 3 import
    drill_schema: str = "SOPBOT_DRILL"  # level 3: the scratch schema tables are imported into
    drill_tables: Annotated[list[str], NoDecode] = Field(default_factory=list)  # SCHEMA.TABLE
    drill_timeout_minutes: int = Field(default=240, ge=1, le=24 * 60)
    impdp_path: str = "impdp"

    # sqlite backend: the embedded default
    sqlite_source_path: Path | None = None  # default: DATA_DIR/sample/siak_sample.db

    # expdp backend
    expdp_path: str = "expdp"

    # oracle backend (Data Pump through python-oracledb); expdp uses the same credentials
    oracle_dsn: str = ""
    oracle_user: str = ""
    oracle_password: SecretStr = SecretStr("")
    oracle_schemas: Annotated[list[str], NoDecode] = Field(default_factory=list)
    oracle_directory: str = "DATA_PUMP_DIR"
    oracle_client_lib_dir: Path | None = None

    # Many offices, one view: evidence records pushed to a central PostgreSQL (never personal
    # data). OFFICE_ID is the regional code (5108 Buleleng); without it nothing is pushed, and the
    # URL (a supervisor's login) only serves /kantor to PUSAT_IDS.
    office_id: str = ""
    office_name: str = ""  # for the people reading .env; the central name is `kantor add`'s
    central_database_url: SecretStr = SecretStr("")
    # Under the supervisor's one hour of silence, with room for a missed beat or two.
    central_heartbeat_minutes: int = Field(default=5, ge=1, le=20)
    pusat_ids: UserIds = Field(default_factory=list)

    # The evidence chain: the office's Ed25519 key that signs its checkpoints (`sopbot keys
    # init`), the central witness's public key (a C2SP verifier string) to check its
    # cosignatures, and the recovery-time target the monthly audit report measures drills against.
    evidence_key_file: Path | None = None
    central_witness_key: str = ""
    drill_target_rto_minutes: int = Field(default=240, ge=1, le=7 * 24 * 60)

    @field_validator("kabid_ids", "kasi_ids", "adb_ids", "pusat_ids", mode="before")
    @classmethod
    def _parse_ids(cls, value: Any) -> Any:
        return _split_ids(value)

    @field_validator("external_age_recipients", mode="before")
    @classmethod
    def _parse_recipients(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
        return value

    @field_validator("external_age_recipients")
    @classmethod
    def _age_public_keys(cls, value: list[str]) -> list[str]:
        for key in value:
            if not re.fullmatch(r"age1[02-9ac-hj-np-z]{58}", key):
                raise SettingRefused(Refusal.NOT_AGE_KEY, key=key[:12])
        return value

    @field_validator("central_witness_key")
    @classmethod
    def _witness_key(cls, value: str) -> str:
        from core.signednote import NoteError, Verifier

        if value.strip():
            try:
                Verifier.parse(value)
            except NoteError:
                raise SettingRefused(Refusal.NOT_SIGNING_KEY) from None
        return value.strip()

    @field_validator("external_disk_ids", mode="before")
    @classmethod
    def _parse_disk_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("office_hours")
    @classmethod
    def _office_hours(cls, value: str) -> str:
        match = re.fullmatch(r"\s*(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})\s*", value)
        if not match:
            raise SettingRefused(Refusal.HOURS_FORMAT)
        opens = (int(match[1]), int(match[2]))
        closes = (int(match[3]), int(match[4]))
        if not (opens < closes <= (23, 59)) or opens[1] > 59 or closes[1] > 59:
            raise SettingRefused(Refusal.HOURS_ORDER)
        return f"{opens[0]:02d}:{opens[1]:02d}-{closes[0]:02d}:{closes[1]:02d}"

    @field_validator("office_days", mode="before")
    @classmethod
    def _office_days(cls, value: Any) -> Any:
        if isinstance(value, str):
            days: set[int] = set()
            for part in value.replace(" ", "").split(","):
                if not part:
                    continue
                first, _, last = part.partition("-")
                if not (first.isdigit() and (not last or last.isdigit())):
                    raise SettingRefused(Refusal.WEEKDAYS_FORMAT)
                days.update(range(int(first), int(last or first) + 1))
            return sorted(days)
        return value

    @field_validator("office_days")
    @classmethod
    def _weekdays(cls, value: list[int]) -> list[int]:
        if not value or any(day < 1 or day > 7 for day in value):
            raise SettingRefused(Refusal.WEEKDAYS_RANGE)
        return value

    @field_validator("backup_deadline", mode="before")
    @classmethod
    def _blank_deadline(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("healthcheck_url")
    @classmethod
    def _healthcheck_is_http(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise SettingRefused(Refusal.NOT_HTTP)
        return value.rstrip("/")

    @field_validator("oracle_schemas", "drill_tables", mode="before")
    @classmethod
    def _parse_names(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip().upper() for part in value.split(",") if part.strip()]
        return value

    @field_validator("oracle_schemas")
    @classmethod
    def _plain_schema_names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not re.fullmatch(ORACLE_NAME, name):
                raise SettingRefused(Refusal.NOT_SCHEMA_NAME, name=name)
        return value

    @field_validator("drill_tables")
    @classmethod
    def _qualified_tables(cls, value: list[str]) -> list[str]:
        for name in value:
            if not re.fullmatch(rf"{ORACLE_NAME}\.{ORACLE_NAME}", name):
                raise SettingRefused(Refusal.NOT_SCHEMA_TABLE, name=name)
        return value

    @field_validator("drill_schema")
    @classmethod
    def _plain_drill_schema(cls, value: str) -> str:
        if not re.fullmatch(ORACLE_NAME, value.upper()):
            raise SettingRefused(Refusal.NOT_SCHEMA_NAME, name=value)
        return value.upper()

    @field_validator("drill_schedule")
    @classmethod
    def _crontab(cls, value: str) -> str:
        if value.strip():
            from apscheduler.triggers.cron import CronTrigger

            fields = value.split()
            if len(fields) == 5 and any(ch.isdigit() for ch in fields[4]):
                raise SettingRefused(Refusal.WEEKDAY_BY_NAME)
            try:
                CronTrigger.from_crontab(value.strip())
            except ValueError as error:
                raise SettingRefused(Refusal.NOT_CRONTAB, detail=str(error)) from None
        return value.strip()

    @field_validator("dump_name_pattern")
    @classmethod
    def _safe_pattern(cls, value: str) -> str:
        if not value or "/" in value or "\\" in value or ".." in value:
            raise SettingRefused(Refusal.DUMP_NAME_FOLDERS)
        return value

    @field_validator("oracle_directory")
    @classmethod
    def _plain_directory(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_$#]{0,127}", value):
            raise SettingRefused(Refusal.DIRECTORY_NAME)
        return value.upper()

    @field_validator(
        "dump_dir",
        "sqlite_source_path",
        "oracle_client_lib_dir",
        "external_disk_path",
        "external_age_identity_file",
        "evidence_key_file",
        mode="before",
    )
    @classmethod
    def _blank_path_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("notify_chat_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value:
            return value  # the default under DATA_DIR
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(value)
        except (ArgumentError, ValueError):  # ValueError: a bad port, which may be a password
            raise SettingRefused(Refusal.NOT_DATABASE_URL) from None
        return value

    @field_validator("office_id")
    @classmethod
    def _regional_code(cls, value: str) -> str:
        value = value.strip()
        if value and not re.fullmatch(r"[0-9]{2,6}", value):
            raise SettingRefused(Refusal.OFFICE_ID_DIGITS)
        return value

    @field_validator("central_database_url")
    @classmethod
    def _central_is_postgresql(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value().strip()
        if not url:
            return SecretStr("")
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            backend = make_url(url).get_backend_name()
        except (ArgumentError, ValueError):  # ValueError: a bad port, which may be a password
            backend = ""
        if backend != "postgresql":
            raise SettingRefused(Refusal.NOT_POSTGRES_URL)
        return SecretStr(url)

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise SettingRefused(Refusal.EMPTY)
        return value

    @field_validator("telegram_api_base_url")
    @classmethod
    def _base_url_is_http(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise SettingRefused(Refusal.NOT_HTTP)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise SettingRefused(Refusal.UNKNOWN_TIMEZONE, value=value) from exc
        return value

    @model_validator(mode="after")
    def _defaults_under_data_dir(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{(self.data_dir / 'sopbot.db').as_posix()}"
        if self.dump_dir is None:
            self.dump_dir = self.data_dir / "dumps"
        if self.sqlite_source_path is None:
            self.sqlite_source_path = self.data_dir / "sample" / "siak_sample.db"
        return self

    @model_validator(mode="after")
    def _encryption_needs_keys(self) -> Settings:
        if self.external_encryption == "age" and not self.external_age_recipients:
            raise SettingRefused(Refusal.AGE_NEEDS_RECIPIENTS)
        return self

    @model_validator(mode="after")
    def _scratch_schema_is_not_a_real_one(self) -> Settings:
        """Level 3 replaces and then drops tables in DRILL_SCHEMA: never the data's own schema
        nor the bot's own user."""
        real = set(self.oracle_schemas) | {t.split(".", 1)[0] for t in self.drill_tables}
        if self.oracle_user:
            real.add(self.oracle_user.upper())
        if self.drill_schema in real:
            raise SettingRefused(Refusal.DRILL_SCHEMA_REAL, schema=self.drill_schema)
        return self

    @property
    def age_recipients(self) -> list[str]:
        """The public keys the external copy is encrypted to; none when not encrypting."""
        return self.external_age_recipients if self.external_encryption == "age" else []

    def age_identities(self) -> list[str]:
        """The office's private key(s), when configured and readable (for checks and restores)."""
        path = self.external_age_identity_file
        if path is None:
            return []
        try:
            text = read_text(path)  # a BOM (Notepad) or UTF-16 (PowerShell's `>`) is read too
        except (OSError, TextFileError):
            return []
        # As typed by a person: spaces around it, or in lower case (Bech32 has one case).
        keys = (line.strip().upper() for line in text.splitlines())
        return [key for key in keys if key.startswith("AGE-SECRET-KEY-")]

    @model_validator(mode="after")
    def _office_pushing_needs_its_name(self) -> Settings:
        if self.office_id and not self.central_database_url.get_secret_value():
            raise SettingRefused(Refusal.OFFICE_NEEDS_CENTRAL)
        return self

    @property
    def pushes_evidence(self) -> bool:
        """This office reports its evidence to the central database."""
        return bool(self.office_id)

    @field_validator("dump_backend")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        if value not in _BACKEND_NEEDS:
            names = [repr(name) for name in _BACKEND_NEEDS] or ["(none registered)"]
            expected = " or ".join(filter(None, (", ".join(names[:-1]), names[-1])))
            raise PydanticCustomError(
                "literal_error", "Input should be {expected}", {"expected": expected}
            )
        return value

    @model_validator(mode="after")
    def _backend_needs(self) -> Settings:
        missing = []
        for field_name in _BACKEND_NEEDS.get(self.dump_backend, ()):
            value = getattr(self, field_name)
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            if not value:
                missing.append(field_name.upper())
        if missing:
            raise SettingRefused(
                Refusal.BACKEND_NEEDS, backend=self.dump_backend, missing=", ".join(missing)
            )
        return self

    @property
    def deadline(self) -> time:
        """When a day's dump must exist: BACKUP_DEADLINE, or three hours after BACKUP_TIME."""
        if self.backup_deadline is not None:
            return self.backup_deadline
        minutes = (self.backup_time.hour * 60 + self.backup_time.minute + 180) % (24 * 60)
        return time(minutes // 60, minutes % 60)

    @property
    def dumps(self) -> Path:
        """The dump folder: DUMP_DIR, or DATA_DIR/dumps when it is not set."""
        assert self.dump_dir is not None
        return self.dump_dir

    @property
    def secrets(self) -> list[str]:
        """Every secret value, for masking in logs and output."""
        values = [
            self.telegram_bot_token.get_secret_value(),
            self.oracle_password.get_secret_value(),
            self.central_database_url.get_secret_value(),
            *_url_password(self.central_database_url.get_secret_value()),
        ]
        return [value for value in values if value]

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def office(self) -> OfficeHours:
        opens, closes = (time.fromisoformat(part) for part in self.office_hours.split("-"))
        return OfficeHours(opens, closes, frozenset(self.office_days), self.tz)

    @property
    def file_base_url(self) -> str:
        if self.telegram_api_file_url:
            return self.telegram_api_file_url
        return self.telegram_api_base_url.replace("/bot", "/file/bot", 1)

    def roles_of(self, user_id: int) -> frozenset[Role]:
        """Every role this Telegram user id holds (one person may hold more than one)."""
        return frozenset(role for role in Role if user_id in self.ids_of(role))

    def ids_of(self, role: Role) -> list[int]:
        members = {
            Role.KABID: self.kabid_ids,
            Role.KASI: self.kasi_ids,
            Role.ADB: self.adb_ids,
            Role.PUSAT: self.pusat_ids,
        }
        return members[role]


def _url_password(url: str) -> list[str]:
    """The password inside a database URL, masked on its own too (drivers quote it alone)."""
    if not url:
        return []
    from sqlalchemy.engine import make_url

    password = make_url(url).password
    return [str(password)] if password else []


# Secrets that may be given as a path to a file holding them (`<NAME>_FILE`), the way
# container secrets and Windows service set-ups usually provide them.
SECRET_FILE_VARIABLES = ("TELEGRAM_BOT_TOKEN", "ORACLE_PASSWORD", "CENTRAL_DATABASE_URL")


def _secrets_from_files(env_file: Path | None) -> dict[str, str]:
    from dotenv import dotenv_values

    file_values = (
        dotenv_values(env_file, encoding=file_encoding(env_file))
        if env_file and env_file.exists()
        else {}
    )
    found: dict[str, str] = {}
    for name in SECRET_FILE_VARIABLES:
        path = os.environ.get(f"{name}_FILE") or file_values.get(f"{name}_FILE")
        if not path:
            continue
        try:
            # Written by Notepad (UTF-8 with a BOM) or PowerShell 5.1's `>` (UTF-16LE): the BOM
            # is not part of the secret.
            found[name.lower()] = read_text(Path(path)).strip()
        except OSError as exc:
            fault = SettingFault(
                f"{name}_FILE", Refusal.FILE_UNREADABLE, {"path": path, "reason": exc.strerror}
            )
            raise SettingsError([fault]) from exc
        except TextFileError as exc:
            fault = SettingFault(f"{name}_FILE", Refusal.FILE_NOT_TEXT, {"detail": str(exc)})
            raise SettingsError([fault]) from None
    return found


def faults_of(error: ValidationError) -> list[SettingFault]:
    """Each wrong setting, by its name as .env writes it, with the code of what is wrong."""
    faults = []
    for item in error.errors():
        name = str(item["loc"][0]).upper() if item["loc"] else "PENGATURAN"
        faults.append(_fault(name, item))
    return faults


def _fault(name: str, item: Any) -> SettingFault:
    kind, context = item["type"], item.get("ctx") or {}
    refused = context.get("error")
    if isinstance(refused, SettingRefused):
        return SettingFault(name, refused.refusal, dict(refused.params))
    try:
        refusal = Refusal(kind)
    except ValueError:
        detail = str(item["msg"]).removeprefix("Value error, ")
        return SettingFault(name, Refusal.INVALID, {"detail": detail})
    params = {key: context.get(key, "?") for key in ("expected", "le", "ge")}
    return SettingFault(name, refusal, params)


def known_keys() -> frozenset[str]:
    """Every name .env may hold: the settings, and the *_FILE form of the secrets."""
    names = {name.upper() for name in Settings.model_fields}
    return frozenset(names | {f"{name}_FILE" for name in SECRET_FILE_VARIABLES})


def load_settings(env_file: Path | None = Path(".env"), **overrides: Any) -> Settings:
    """Read settings from the environment and `env_file`; raise SettingsError naming the culprit."""
    encoding = "utf-8"
    if env_file is not None and env_file.is_file():
        try:
            read_text(env_file)  # it must decode, whatever BOM it has: one clear line if not
            encoding = file_encoding(env_file)
        except TextFileError as exc:
            fault = SettingFault(str(env_file), Refusal.FILE_NOT_TEXT, {"detail": str(exc)})
            raise SettingsError([fault]) from None
        except OSError as exc:
            reason: dict[str, object] = {"path": env_file, "reason": exc.strerror}
            fault = SettingFault(str(env_file), Refusal.FILE_UNREADABLE, reason)
            raise SettingsError([fault]) from exc
    values: dict[str, Any] = _secrets_from_files(env_file)
    values.update(overrides)
    try:
        return Settings(_env_file=env_file, _env_file_encoding=encoding, **values)
    except ValidationError as exc:
        raise SettingsError(faults_of(exc)) from None
