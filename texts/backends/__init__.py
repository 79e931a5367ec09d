"""The dump backends' own words: one module per backend, named as DUMP_BACKEND names it, holding
`WORDS`. A backend without a module of its own is spoken of in the general words below."""

from __future__ import annotations

import importlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache


@dataclass(frozen=True)
class BackendWords:
    drill_check: str = "Uji pulih"  # the /cek line of what its drill needs
    graded: bool = False  # its drill goes as far as DRILL_LEVEL: the level is said
    limits: Mapping[int, str] = field(default_factory=dict)  # what a level leaves unproven


GENERAL = BackendWords()


@cache
def words_for(backend: str) -> BackendWords:
    """The words of the backend that made a dump (a name read back from the log: only a plain
    module name of this package is looked up)."""
    if not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", backend):
        return GENERAL
    name = f"{__name__}.{backend}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return GENERAL
    words = getattr(module, "WORDS", GENERAL)
    return words if isinstance(words, BackendWords) else GENERAL
