"""Settings: read from .env, typed once, errors that name the variable."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.settings import SettingsError, load_settings
from core.sop import Role
from texts.configuration import settings_error


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "TELEGRAM_BOT_TOKEN",
        "KABID_IDS",
        "KASI_IDS",
        "ADB_IDS",
        "TIMEZONE",
        "DATABASE_URL",
        "NOTIFY_CHAT_ID",
        "TELEGRAM_BOT_TOKEN_FILE",
        "TELEGRAM_API_BASE_URL",
    ):
        monkeypatch.delenv(name, raising=False)


def write_env(tmp_path: Path, text: str) -> Path:
    env = tmp_path / ".env"
    env.write_text(text, encoding="utf-8")
    return env


def test_reads_a_complete_env_file(tmp_path: Path) -> None:
    env = write_env(
        tmp_path,
        "TELEGRAM_BOT_TOKEN=1:abc\nKABID_IDS=10, 11\nKASI_IDS=20\n"
        "ADB_IDS=30;31\nNOTIFY_CHAT_ID=-1005\n"
        "TELEGRAM_API_BASE_URL=http://127.0.0.1:8081/bot\n",
    )
    settings = load_settings(env)
    assert settings.kabid_ids == [10, 11] and settings.adb_ids == [30, 31]
    assert settings.notify_chat_id == -1005
    assert settings.roles_of(11) == {Role.KABID}
    assert settings.roles_of(99) == frozenset()
    assert settings.timezone == "Asia/Makassar"
    assert settings.database_url == "sqlite:///data/sopbot.db"
    assert settings.file_base_url == "http://127.0.0.1:8081/file/bot"


def test_missing_token_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN: required") as caught:
        load_settings(write_env(tmp_path, "KABID_IDS=1\n"))
    assert "TELEGRAM_BOT_TOKEN: wajib diisi" in settings_error(caught.value)


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("KABID_IDS=satu,dua", "KABID_IDS"),
        ("TIMEZONE=Mars/Olympus", "TIMEZONE"),
        ("NOTIFY_CHAT_ID=grup", "NOTIFY_CHAT_ID"),
        ("TELEGRAM_API_BASE_URL=api.telegram.org/bot", "TELEGRAM_API_BASE_URL"),
    ],
)
def test_malformed_value_names_the_variable(tmp_path: Path, line: str, name: str) -> None:
    env = write_env(tmp_path, f"TELEGRAM_BOT_TOKEN=1:abc\n{line}\n")
    with pytest.raises(SettingsError, match=f"{name}:"):
        load_settings(env)


def test_token_may_come_from_a_file_and_never_shows_in_repr(tmp_path: Path) -> None:
    secret = tmp_path / "token.txt"
    secret.write_text("42:SuperSecretToken\n", encoding="utf-8")
    settings = load_settings(write_env(tmp_path, f"TELEGRAM_BOT_TOKEN_FILE={secret}\n"))
    assert settings.telegram_bot_token.get_secret_value() == "42:SuperSecretToken"
    assert "SuperSecret" not in repr(settings)


def test_unreadable_token_file_names_the_variable(tmp_path: Path) -> None:
    env = write_env(tmp_path, f"TELEGRAM_BOT_TOKEN_FILE={tmp_path / 'nope'}\n")
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN_FILE"):
        load_settings(env)


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADB_IDS", "77")
    settings = load_settings(write_env(tmp_path, "TELEGRAM_BOT_TOKEN=1:abc\nADB_IDS=30\n"))
    assert settings.adb_ids == [77]


def test_the_shipped_env_example_is_valid() -> None:
    example = Path(__file__).parents[2] / ".env.example"
    settings = load_settings(example)
    assert settings.kabid_ids and settings.kasi_ids and settings.adb_ids
    assert settings.dump_backend == "sqlite"
    assert settings.backup_time.strftime("%H:%M") == "01:00"


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("DUMP_BACKEND=oracle\nORACLE_USER=u\nORACLE_DSN=d", "needs ORACLE_PASSWORD"),
        ("DUMP_BACKEND=tape", "DUMP_BACKEND:"),
        ("ORACLE_SCHEMAS=SIAK,x') OR 1=1--", "ORACLE_SCHEMAS:"),
        ("DUMP_NAME_PATTERN=../../etc/%Y.dmp", "DUMP_NAME_PATTERN:"),
        ("ORACLE_DIRECTORY=DATA PUMP", "ORACLE_DIRECTORY:"),
        ("BACKUP_TIME=25:99", "BACKUP_TIME:"),
    ],
)
def test_dump_settings_are_checked(tmp_path: Path, lines: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("(", r"\(")):
        load_settings(write_env(tmp_path, f"TELEGRAM_BOT_TOKEN=1:abc\n{lines}\n"))


def test_oracle_password_may_come_from_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "pw"
    secret.write_text("OraclePw-1\n", encoding="utf-8")
    env = write_env(
        tmp_path,
        "TELEGRAM_BOT_TOKEN=1:abc\nDUMP_BACKEND=expdp\nORACLE_USER=u\n"
        f"ORACLE_DSN=d\nORACLE_PASSWORD_FILE={secret}\nORACLE_SCHEMAS=siak\n",
    )
    settings = load_settings(env)
    assert settings.oracle_password.get_secret_value() == "OraclePw-1"
    assert settings.oracle_schemas == ["SIAK"]
    assert "OraclePw-1" in settings.secrets


def test_a_numeric_weekday_in_the_drill_schedule_is_refused(tmp_path: Path) -> None:
    # APScheduler counts 0 as Monday where cron counts Sunday: names only, no surprise.
    with pytest.raises(SettingsError, match=r"DRILL_SCHEDULE: write the weekday by name") as no:
        load_settings(write_env(tmp_path, "TELEGRAM_BOT_TOKEN=1:abc\nDRILL_SCHEDULE=0 2 * * 0\n"))
    assert "DRILL_SCHEDULE: tulis hari dengan namanya" in settings_error(no.value)
    named = load_settings(
        write_env(tmp_path, "TELEGRAM_BOT_TOKEN=1:abc\nDRILL_SCHEDULE=0 2 * * sun\n")
    )
    assert named.drill_schedule == "0 2 * * sun"


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("OFFICE_ID=51O8\n", "OFFICE_ID"),
        ("OFFICE_ID=5108\nOFFICE_NAME=Buleleng\n", "CENTRAL_DATABASE_URL must say where"),
        ("CENTRAL_HEARTBEAT_MINUTES=90\n", "CENTRAL_HEARTBEAT_MINUTES"),
        ("CENTRAL_DATABASE_URL=sqlite:///pusat.db\n", "CENTRAL_DATABASE_URL"),
    ],
)
def test_central_reporting_settings_are_checked(tmp_path: Path, lines: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        load_settings(write_env(tmp_path, "TELEGRAM_BOT_TOKEN=1:abc\nKABID_IDS=1\n" + lines))


def test_the_central_url_and_its_password_are_secrets(tmp_path: Path) -> None:
    url = "postgresql+psycopg://sopbot_kantor_5108:Rahasia-Sekali-123@pusat/db"
    settings = load_settings(
        write_env(
            tmp_path,
            "TELEGRAM_BOT_TOKEN=1:abc\nKABID_IDS=1\nOFFICE_ID=5108\nOFFICE_NAME=Buleleng\n"
            f"CENTRAL_DATABASE_URL={url}\nPUSAT_IDS=77, 78\n",
        )
    )
    assert settings.pushes_evidence and settings.ids_of(Role.PUSAT) == [77, 78]
    assert "Rahasia-Sekali-123" not in repr(settings)
    assert url in settings.secrets and "Rahasia-Sekali-123" in settings.secrets


def test_a_malformed_central_url_does_not_echo_its_password(tmp_path: Path) -> None:
    line = "CENTRAL_DATABASE_URL=postgresql://k@pusat.example:S3cretPass/db\n"
    with pytest.raises(SettingsError) as caught:
        load_settings(write_env(tmp_path, "TELEGRAM_BOT_TOKEN=1:abc\nKABID_IDS=1\n" + line))
    assert "CENTRAL_DATABASE_URL" in str(caught.value) and "S3cretPass" not in str(caught.value)
    assert "S3cretPass" not in settings_error(caught.value)


def test_every_refusal_is_worded_in_indonesian_with_the_same_parameters() -> None:
    """A new refusal code without its words, or words asking for a parameter the code does not
    carry, fails here rather than as a KeyError in front of the ADB."""
    import string

    from core.settings import REFUSAL_ENGLISH, Refusal, SettingFault
    from texts.configuration import REFUSAL_WORDS, fault_line

    assert set(REFUSAL_WORDS) == set(Refusal) == set(REFUSAL_ENGLISH)
    for refusal in Refusal:
        fields = {f for _, f, _, _ in string.Formatter().parse(REFUSAL_ENGLISH[refusal]) if f}
        words = {f for _, f, _, _ in string.Formatter().parse(REFUSAL_WORDS[refusal]) if f}
        assert words <= fields, refusal
        line = fault_line(SettingFault("X", refusal, dict.fromkeys(fields, "v")))
        assert line.startswith("X: ") and "{" not in line


def test_the_words_name_every_wrong_setting_in_indonesian(tmp_path: Path) -> None:
    env = write_env(
        tmp_path,
        "TELEGRAM_BOT_TOKEN=1:abc\nOFFICE_HOURS=pagi\nOFFICE_DAYS=1-9\nTIMEZONE=Mars/Olympus\n"
        "DATABASE_URL=nonsense\nKABID_IDS=satu\n",
    )
    with pytest.raises(SettingsError) as caught:
        load_settings(env)
    text = settings_error(caught.value)
    assert text.splitlines()[0] == "Pengaturan tidak valid (periksa .env atau environment):"
    assert "OFFICE_HOURS: harus berbentuk 07:30-16:00" in text
    assert "OFFICE_DAYS: harus nomor hari ISO dari 1 (Senin) sampai 7 (Minggu)" in text
    assert "TIMEZONE: zona waktu 'Mars/Olympus' tidak dikenal" in text
    assert "DATABASE_URL: harus URL database" in text
    assert "KABID_IDS:" in text
    for english in ("must", "unknown", "should", "Input", " not "):
        assert english not in text, english
