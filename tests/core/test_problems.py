"""Problems are codes with parameters: every code has its English log line and its Indonesian
text, and what the log stores comes back the same (old English lines stay readable)."""

from __future__ import annotations

import pytest

from core.problems import ENGLISH, Code, Problem, dump_problems, load_problems, problem
from texts.problems import INDONESIAN, say


@pytest.mark.parametrize("code", list(Code))
def test_every_code_has_an_english_log_line_and_an_indonesian_text(code: Code) -> None:
    assert code in ENGLISH, f"{code} has no English template in core/problems.py"
    assert code in INDONESIAN, f"{code} has no Indonesian text in texts/problems.py"
    found = Problem(code, {})
    assert found.english() and say(found)  # missing parameters never raise


def test_stored_problems_come_back_equal() -> None:
    found = [problem(Code.DUMP_SHRANK, size=10, last=200), problem(Code.TIMED_OUT, minutes=240)]
    assert load_problems(dump_problems(found)) == found


def test_lines_from_before_codes_stay_readable_as_they_were() -> None:
    old = "ORA-39002: invalid operation\ndump did not finish within 240 minutes"
    assert [say(p) for p in load_problems(old)] == [
        "ORA-39002: invalid operation",
        "dump did not finish within 240 minutes",
    ]


def test_a_code_from_a_newer_release_is_kept_not_lost() -> None:
    [kept] = load_problems('[{"code": "from_the_future", "params": {"x": 1}}]')
    assert kept.code is Code.LEGACY and "from_the_future" in say(kept)


def test_oracle_errors_are_explained_from_their_code_keeping_it() -> None:
    text = say(problem(Code.ORACLE_ERROR, code="ORA-01017", text="invalid username/password"))
    assert text == "ORA-01017 (nama pengguna atau kata sandi Oracle salah)"
    unknown = say(problem(Code.ORACLE_ERROR, code="ORA-00600", text="internal error"))
    assert unknown == "kesalahan Oracle ORA-00600: internal error"
