"""A dump backend is one module: a backend written here, registered with the registry's own
`register` (what its one line in `jobs/dump/backends.py` does), is accepted by the settings,
asked by `sopbot check`, dumps, is copied to a real disk and passes a restore drill through its
own proof, with no other module changed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from conftest import WITA, make_settings, open_services

import core.settings
import texts
from bot.checklist import Verdict, check_backend, check_dump_dir
from core.clock import ManualClock
from core.private import private_dir
from core.problems import Code, problem
from core.settings import Settings, SettingsError, load_settings
from jobs.drill.result import Claim, proof
from jobs.drill.verdict import Findings
from jobs.dump import backends
from jobs.dump.result import BackendCheck, BackendResult, BackendSpec, DumpRequest, TableRows
from jobs.job import Outcome, ProgressReport, StopSignal
from storage.dumps import DumpRecord

# --- the toy backend: what a new backend module holds ---------------------------------------


@dataclass
class LinesBackend:
    """Dumps a text file: the dump is its copy, its "rows" are its lines."""

    source: Path
    name: str = "lines"

    async def run(
        self, request: DumpRequest, report: ProgressReport, stop: StopSignal
    ) -> BackendResult:
        data = self.source.read_bytes()
        request.dump_path.write_bytes(data)
        request.log_path.write_text("lines dump\n", encoding="utf-8")
        return BackendResult(Outcome.SUCCESS, tables=[TableRows("TEXT.LINES", data.count(b"\n"))])


@dataclass
class LinesProver:
    folder: Path  # the drill's own scratch folder (DATA_DIR/drill), emptied after a crash
    level: int = 3

    def scratch(self, name: str) -> Path:
        return self.folder / name

    async def prove(
        self, restored: Path, dump: DumpRecord, stop: StopSignal, report: ProgressReport
    ) -> Findings:
        found = Findings(compared=1)
        lines = (await asyncio.to_thread(restored.read_bytes)).count(b"\n")
        expected = dict(dump.tables)["TEXT.LINES"]
        if lines == expected:
            found.proofs.append(proof(Claim.ROWS_MATCH, tables=1))
        else:
            found.mismatches = 1
            found.problems.append(
                problem(Code.DRILL_ROWS_DIFFER, table="TEXT.LINES", found=lines, expected=expected)
            )
        return found


async def check(settings: Settings, _driver: Any = None) -> BackendCheck:
    source = settings.sqlite_source_path
    if source is not None and source.is_file():
        return BackendCheck(facts=[f"{source.name} dapat dibaca"])
    return BackendCheck([problem(Code.SOURCE_MISSING, path=str(source))])


def build(settings: Settings) -> LinesBackend:
    assert settings.sqlite_source_path is not None
    return LinesBackend(settings.sqlite_source_path)


SPEC = BackendSpec(
    "lines",
    ("SQLITE_SOURCE_PATH",),
    build,
    check,
    lambda settings, _driver: LinesProver(private_dir(settings.data_dir / "drill")),
    needs=("sqlite_source_path",),
)


# --- the test ---------------------------------------------------------------------------------


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # The registries as they are, restored afterwards: other tests see only the real backends.
    monkeypatch.setattr(backends, "BACKENDS", dict(backends.BACKENDS))
    monkeypatch.setattr(core.settings, "_BACKEND_NEEDS", dict(core.settings._BACKEND_NEEDS))
    backends.register(SPEC)
    yield


def test_an_unregistered_backend_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"DUMP_BACKEND: valid choices: 'sqlite'"):
        load_settings(None, telegram_bot_token="1:abc", dump_backend="lines")


@pytest.mark.usefixtures("registered")
def test_a_registered_backend_is_accepted_and_what_it_needs_is_required() -> None:
    assert load_settings(None, telegram_bot_token="1:abc", dump_backend="lines").dump_backend
    backends.register(replace(SPEC, name="remote-lines", needs=("oracle_dsn",)))
    with pytest.raises(SettingsError, match="DUMP_BACKEND=remote-lines needs ORACLE_DSN"):
        load_settings(None, telegram_bot_token="1:abc", dump_backend="remote-lines")
    assert load_settings(
        None, telegram_bot_token="1:abc", dump_backend="remote-lines", oracle_dsn="db"
    ).dump_backend


@pytest.mark.usefixtures("registered")
async def test_a_backend_registered_in_one_line_backs_up_copies_and_passes_its_drill(
    tmp_path: Path, disk_path: Path
) -> None:
    source = tmp_path / "register.txt"
    source.write_text("".join(f"resident {n}\n" for n in range(250)), encoding="utf-8")
    settings = make_settings(
        "http://127.0.0.1:9/bot",
        tmp_path / "data",
        dump_backend="lines",
        sqlite_source_path=source,
        external_disk_path=disk_path,
        external_auto_copy=False,
    )
    checked = await check_backend(settings)
    assert (checked.verdict, checked.name) == (Verdict.OK, "Metode dump (lines)")
    assert "register.txt dapat dibaca" in checked.detail
    assert check_dump_dir(settings, None).verdict is Verdict.OK  # it makes its own folder
    svc = open_services(settings, ManualClock(datetime(2026, 11, 25, 2, 0, tzinfo=WITA)))

    dumped = await svc.dump.run("schedule")
    assert dumped.ok, dumped.errors
    assert dumped.backend == "lines" and dumped.total_rows == 250
    copied = await svc.copier.run("chat")
    assert copied.verified, copied.errors
    drilled = await svc.drill.run("chat", requested_by=1)

    assert drilled.outcome is Outcome.SUCCESS, drilled.errors
    assert [p.claim for p in drilled.proofs] == [
        Claim.COPY_INTACT,
        Claim.DUMP_IDENTICAL,
        Claim.ROWS_MATCH,
    ]
    assert svc.drilllog.last_passed() is not None
    # Without a words module of its own it is spoken of in the general words: no drill level.
    said = texts.drill_report(drilled, WITA)
    assert "Uji pulih" in said and "Tingkat uji" not in said and "Belum dibuktikan" not in said
    assert list((settings.data_dir / "drill").iterdir()) == []  # its scratch file is gone


def test_every_backend_names_only_real_settings_documented_in_the_example() -> None:
    example = (Path(__file__).parents[2] / ".env.example").read_text(encoding="utf-8")
    for spec in backends.BACKENDS.values():
        for name in spec.settings:
            assert name in core.settings.known_keys(), (spec.name, name)
            assert f"{name}=" in example, (spec.name, name)
        for field_name in spec.needs:
            assert field_name in Settings.model_fields, (spec.name, field_name)
