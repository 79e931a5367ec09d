"""The registry of dump backends: DUMP_BACKEND names one of these. A new backend is one module
with a `SPEC` (its settings, how to build it, how to check it) added here."""

from __future__ import annotations

from core.settings import Settings
from jobs.dump import expdp, oracle, sqlite_source
from jobs.dump.result import BackendSpec, DumpBackend

BACKENDS: dict[str, BackendSpec] = {
    spec.name: spec for spec in (sqlite_source.SPEC, expdp.SPEC, oracle.SPEC)
}


def spec_for(settings: Settings) -> BackendSpec:
    return BACKENDS[settings.dump_backend]


def build_backend(settings: Settings) -> DumpBackend:
    return spec_for(settings).build(settings)
