"""#13.11 and #12: huge numbers anywhere (an option, an argument, a field of a file) are a
usage error (exit 2) or a clear error (exit 1), never "unexpected failure"; #13.12: a view
count with separators in the wrong places ("1,0,0") is refused, not read as 100."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import dump

HUGE = "99999999999999999999"  # past 2^63
PAST_INT64 = str(2**63)  # 19 digits, one too many
ENORMOUS = "9" * 5000  # past Python's 4,300-digit limit for int()

USAGE = {
    "list --episode": ["list", "scenes", "--episode", HUGE],
    "list --limit": ["list", "scenes", "--limit", PAST_INT64],
    "search --episode": ["search", "kiss", "--episode", HUGE],
    "rank --limit": ["rank", "--limit", HUGE],
    "negative": ["list", "scenes", "--episode", "-" + HUGE],
    "undo": ["undo", HUGE, "--yes"],
    "remove episode": ["remove", "episode", "Healer", HUGE, "--yes"],
    "add-episode": ["add-episode", "Healer", HUGE],
    "add-drama --year": ["add-drama", "Big Drama", "--year", HUGE],
    "add-scene --episode": ["add-scene", "--drama", "Healer", "--episode", HUGE,
                            "--actor", "Ji Chang Wook", "--kind", "kiss", "--title", "Big"],
    "edit scene --episode": ["edit", "scene", "healer-e8-elevator-rescue", "--episode", HUGE],
    "edit actor --born 5000 digits": ["edit", "actor", "Ji Chang Wook", "--born", ENORMOUS],
    "export --episode": ["export", "json", "--episode", HUGE],
    "trending --days": ["trending", "--days", HUGE],
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("case", USAGE)
def test_huge_numbers_are_usage_errors(cli, sample_db: Path, case: str) -> None:
    before = dump(sample_db)
    result = cli(*USAGE[case])
    assert result.exit_code == 2, result.stderr
    assert "too large" in result.stderr
    assert "unexpected" not in result.stderr and "report it" not in result.stderr
    assert len(result.stderr) < 400  # a 5,000-digit number is not printed back whole
    assert dump(sample_db) == before


@pytest.mark.parametrize("value", [HUGE, ENORMOUS, "1e400"])
@pytest.mark.parametrize("suffix", ["jsonl", "yaml"])
def test_huge_numbers_in_files_are_clear_errors(
    cli, sample_db: Path, tmp_path: Path, value: str, suffix: str
) -> None:
    source = tmp_path / f"big.{suffix}"
    if suffix == "jsonl":
        source.write_text(
            '{"format": "scenecat/1"}\n{"type": "actor", "name": "Big Born", "born": '
            + value
            + "}\n",
            encoding="utf-8",
        )
    else:
        source.write_text(
            f"format: scenecat/1\nactors:\n  - name: Big Born\n    born: {value}\n",
            encoding="utf-8",
        )
    before = dump(sample_db)
    result = cli("import", str(source))
    assert result.exit_code == 1, result.stderr
    assert result.stderr.startswith(f"Error: {source}")
    assert "unexpected" not in result.stderr
    assert len(result.stderr) < 400
    assert dump(sample_db) == before


@pytest.mark.parametrize("count", ["1,0,0", "10,00", "1_0_0", "1,000,00"])
def test_views_with_separators_in_the_wrong_places_are_refused(
    cli, sample_db: Path, count: str
) -> None:
    before = dump(sample_db)
    result = cli("views", "healer-e8-elevator-rescue", count)
    assert result.exit_code == 2, result.stderr  # a bad flag value: usage
    assert "expected a whole number" in result.stderr
    assert dump(sample_db) == before


@pytest.mark.parametrize(("count", "value"), [("1,000,000", 1_000_000), ("2_500", 2_500),
                                              ("1234567", 1_234_567)])  # fmt: skip
def test_views_with_thousands_separators_are_read(
    cli, sample_db: Path, count: str, value: int
) -> None:
    result = cli("views", "healer-e8-elevator-rescue", count, "--source", "test")
    assert result.exit_code == 0, result.stderr
    assert f"Recorded {value:,} views" in result.stderr
