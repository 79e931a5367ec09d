"""The command line starts light: `sopbot --help` loads no database, chat or chart library, and
`sopbot backup` no chat or chart library (each command imports what it needs when it runs)."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("telegram", "sqlalchemy", "matplotlib", "oracledb", "aiohttp", "bot")


def _loaded(code: str) -> set[str]:
    probe = (
        f"import sys\n{code}\n"
        "import json\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_the_group_and_its_help_load_nothing_heavy() -> None:
    loaded = _loaded("import sopbot.cli")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)
    assert "texts" in loaded  # the words are there, without the chat's topics' jobs
    assert not {"jobs", "storage"} & loaded


def test_a_backup_from_the_terminal_loads_no_chat_or_chart() -> None:
    loaded = _loaded("import sopbot.cli\nimport sopbot.backup_cli\nimport sopbot.compose")
    assert not loaded & {"telegram", "matplotlib", "aiohttp", "bot"}, loaded


def test_texts_gives_every_name_a_star_import_of_its_topics_gave() -> None:
    import texts

    names: dict[str, object] = {}
    for topic in texts._TOPICS:
        exec(f"from texts.{topic} import *", names)
    public = {n: v for n, v in names.items() if not n.startswith("__")}
    assert len(public) > 100
    assert [n for n, v in public.items() if getattr(texts, n) is not v] == []
