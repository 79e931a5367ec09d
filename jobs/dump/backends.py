"""The registry of dump backends: DUMP_BACKEND names one of these. A backend is one module with
a `SPEC` (`jobs/dump/result.py`'s `BackendSpec`: its settings and what it needs of them, how it
is built, how it checks itself, how the drill proves its dumps); adding one is one entry below,
and its words, if it has any of its own, are `texts/backends/<name>.py`."""

from __future__ import annotations

from core.settings import Settings, register_backend
from jobs.dump import expdp, oracle, sqlite_source
from jobs.dump.result import BackendSpec, DumpBackend

BACKENDS: dict[str, BackendSpec] = {}


def register(spec: BackendSpec) -> None:
    """Make the backend known here and to the settings (DUMP_BACKEND and what it needs)."""
    BACKENDS[spec.name] = spec
    register_backend(spec.name, spec.needs)


for _spec in (sqlite_source.SPEC, expdp.SPEC, oracle.SPEC):
    register(_spec)


def spec_for(settings: Settings) -> BackendSpec:
    return BACKENDS[settings.dump_backend]


def spec_named(name: str) -> BackendSpec | None:
    """The backend a stored dump names, if it is still registered."""
    return BACKENDS.get(name)


def build_backend(settings: Settings) -> DumpBackend:
    return spec_for(settings).build(settings)
