"""`scenecat search` through the real CLI on the sample catalogue: matching, filters,
suggestions, output and unsafe input."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run, dump

Cli = Callable[..., Run]


def found(cli: Cli, *args: str) -> dict[str, Any]:
    run = cli("search", "--json", "--limit", "1000", *args)
    assert run.exit_code == 0, run.stderr
    return json.loads(run.stdout)


def keys(cli: Cli, *args: str) -> list[str]:
    return [hit["key"] for hit in found(cli, *args)["data"]]


def listed(cli: Cli, *args: str) -> set[str]:
    run = cli("list", "scenes", "--json", *args)
    assert run.exit_code == 0, run.stderr
    return {scene["key"] for scene in json.loads(run.stdout)["data"]}


def test_shower_kiss_comes_first(cli: Cli, sample_db: Path) -> None:
    assert keys(cli, "shower kiss")[0] == "melting-me-softly-e10-shower-kiss"


@pytest.mark.parametrize(
    "spelling",
    [
        "Ji Chang Wook",
        "ji chang-wook",
        "JI CHANGWOOK",
        "Jichangwook",
        "Ji Changwook",
        "JiChang Wook",
        "jí chäng wöök",
        "지창욱",
        "JCW",
    ],
)
def test_every_spelling_of_an_actor_finds_all_their_scenes(
    cli: Cli, sample_db: Path, spelling: str
) -> None:
    theirs = listed(cli, "--actor", "Ji Chang Wook")
    assert len(theirs) > 20
    assert set(keys(cli, spelling)) == theirs


@pytest.mark.parametrize("fragment", ["녹여", "녹", "여주", "주오", "날 녹여주오", '"날 녹여"'])
def test_hangul_matches_inside_words(cli: Cli, sample_db: Path, fragment: str) -> None:
    assert set(keys(cli, fragment)) == listed(cli, "--drama", "Melting Me Softly")


def test_hangul_in_decomposed_form_matches_too(cli: Cli, sample_db: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "녹여")
    assert decomposed != "녹여"
    assert set(keys(cli, decomposed)) == set(keys(cli, "녹여"))


def test_hangul_substring_of_an_actor_name(cli: Cli, sample_db: Path) -> None:
    # 창욱 is inside 지창욱 only: no other sample actor has it.
    assert set(keys(cli, "창욱")) == listed(cli, "--actor", "Ji Chang Wook")


def test_the_k2_umbrella_and_actor_with_a_word(cli: Cli, sample_db: Path) -> None:
    added = cli(
        "add-scene",
        "--drama", "The K2", "--episode", "3", "--actor", "Ji Chang Wook", "--actor", "Im Yoon Ah",
        "--kind", "rescue", "--title", "The umbrella in the rain",
        "--description", "He holds an umbrella over Anna while the rain pours down.",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    assert keys(cli, "the K2 umbrella") == ["the-k2-e3-the-umbrella-in-the-rain"]
    assert keys(cli, "Ji Chang-wook rain") == ["the-k2-e3-the-umbrella-in-the-rain"]
    assert keys(cli, "K2 Yoona umbrel*") == ["the-k2-e3-the-umbrella-in-the-rain"]


def test_phrases_keep_word_order(cli: Cli, sample_db: Path) -> None:
    assert keys(cli, '"shower kiss"') == ["melting-me-softly-e10-shower-kiss"]
    assert keys(cli, '"kiss shower"') == []


def test_or_is_the_union(cli: Cli, sample_db: Path) -> None:
    elevator, blanket = set(keys(cli, "elevator")), set(keys(cli, "blanket"))
    assert elevator and blanket and not elevator & blanket
    assert set(keys(cli, "elevator OR blanket")) == elevator | blanket


@pytest.mark.parametrize("query", ["kiss -shower", "kiss NOT shower"])
def test_exclusion(cli: Cli, sample_db: Path, query: str) -> None:
    kisses = set(keys(cli, "kiss"))
    assert "melting-me-softly-e10-shower-kiss" in kisses
    assert set(keys(cli, query)) == kisses - set(keys(cli, "shower"))


def test_prefix(cli: Cli, sample_db: Path) -> None:
    assert set(keys(cli, "elevat*")) == set(keys(cli, "elevator"))
    assert "the-k2-e10-under-the-blanket" in keys(cli, "blank*")
    assert keys(cli, "blank") == []


def test_ranked_best_first_with_relevance(cli: Cli, sample_db: Path) -> None:
    hits = found(cli, "kiss")["data"]
    scores = [hit["relevance"] for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(isinstance(s, float) and s > 0 for s in scores)


# --- filters -----------------------------------------------------------------------------


def test_actor_filter_as_field_and_flag(cli: Cli, sample_db: Path) -> None:
    theirs = listed(cli, "--actor", "Ji Chang Wook")
    by_field = set(keys(cli, 'kiss actor:"Ji Chang Wook"'))
    assert by_field and by_field <= theirs
    assert by_field == set(keys(cli, "kiss", "--actor", "Ji Chang Wook"))
    assert by_field == set(keys(cli, "kiss actor:jichangwook"))
    couple = set(keys(cli, "kiss actor:JCW actor:'Won Jin Ah'".replace("'", '"')))
    assert couple == set(keys(cli, "kiss", "-a", "Ji Chang Wook", "-a", "Won Jin Ah"))
    assert couple < by_field


def test_field_filters_narrow_the_results(cli: Cli, sample_db: Path) -> None:
    everything = found(cli, "the")["data"]
    assert len(everything) > 40

    def hits(*args: str) -> list[dict[str, Any]]:
        return found(cli, "the", *args)["data"]

    tvn = hits("network:tvn")
    assert tvn and all(h["network"] == "tvN" for h in tvn) and len(tvn) < len(everything)
    years = hits("year:2016..2019")
    assert years and all(2016 <= h["year"] <= 2019 for h in years)
    assert {h["key"] for h in hits("year:2019")} < {h["key"] for h in years}
    kisses = hits("kind:kiss")
    assert kisses and all(h["kind"] == "kiss" for h in kisses)
    tenth = hits("episode:10")
    assert tenth and all(h["episode"] == 10 for h in tenth)
    healer = hits("drama:healer")
    assert {h["key"] for h in healer} == listed(cli, "--drama", "Healer")
    mild = hits("spoiler:minor")
    assert {h["spoiler"] for h in mild} == {"none", "minor"}
    assert {h["spoiler"] for h in hits("spoiler:none")} == {"none"}
    both = hits("network:tvN", "--year", "2019", "--kind", "kiss")
    assert both and all((h["network"], h["year"], h["kind"]) == ("tvN", 2019, "kiss") for h in both)


def test_filters_alone_list_scenes_without_relevance(cli: Cli, sample_db: Path) -> None:
    hits = found(cli, "kind:kiss drama:Healer")["data"]
    assert {h["key"] for h in hits} == listed(cli, "--drama", "Healer", "--kind", "kiss")
    assert all(h["relevance"] is None for h in hits)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["title:kiss"], "unknown search field 'title:'"),
        (["kiss kind:hug", "--kind", "kiss"], "kind is given more than once"),
        (["drama:Healer drama:Goblin"], "drama is given more than once"),
        (["kiss year:2020..2016"], "is empty"),
        (["kiss spoiler:huge"], "spoiler level 'huge'"),
        (["kiss episode:0"], "episodes start at 1"),
        (['actor:"Ji Chang Wok"'], "no actor called 'Ji Chang Wok'"),
        (["kiss", "--limit", "0"], "--limit must be between"),
    ],
)
def test_bad_filters_fail_with_one_line(
    cli: Cli, sample_db: Path, args: list[str], message: str
) -> None:
    run = cli("search", *args)
    # Only a name the catalogue does not have is exit 1; the rest are usage errors.
    assert run.exit_code == (1 if "no actor called" in message else 2)
    assert run.stderr.startswith("Error: ") and message in run.stderr
    assert run.stderr.count("Error:") == 1
    assert run.stdout == ""


def test_unknown_actor_filter_says_did_you_mean(cli: Cli, sample_db: Path) -> None:
    run = cli("search", 'kiss actor:"Ji Chang Wok"')
    assert "did you mean 'Ji Chang Wook'" in run.stderr


# --- nothing found -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "suggestion"),
    [
        ("showr kiss", "did you mean 'shower kiss'?"),
        ("Ji Chang Wok", "did you mean 'Ji Chang Wook'?"),
        ("jichangwok", "did you mean 'jichangwook'?"),
        ("Ji Chagn Wook", "did you mean 'Ji Chang Wook'?"),
        ("elevator rescue in the snwo", "did you mean 'elevator rescue in the snow'?"),
        ("지창옥", "did you mean '지창욱'?"),
        ("kiss blanket elevator", "no scene has all of these words"),
        ("zzqxv", "no scene mentions 'zzqxv'"),
    ],
)
def test_no_hit_suggests(cli: Cli, sample_db: Path, query: str, suggestion: str) -> None:
    run = cli("search", query)
    assert run.exit_code == 0
    assert run.stdout == ""
    assert f"No scene matches {query!r}." in run.stderr
    assert suggestion in run.stderr
    assert found(cli, query)["meta"]["suggestion"] is not None


def test_no_hit_within_filters_says_so(cli: Cli, sample_db: Path) -> None:
    meta = found(cli, "shower drama:Healer")["meta"]
    assert "within the filters" in meta["suggestion"]


# --- output ----------------------------------------------------------------------------------


def test_json_shape_and_highlights(cli: Cli, sample_db: Path) -> None:
    data = found(cli, "cold shower")
    hit = data["data"][0]
    assert set(hit) == {
        "id", "key", "title", "drama", "drama_id", "network", "year", "episode", "kind",
        "spoiler", "actors", "snippet", "highlights", "relevance",
    }  # fmt: skip
    assert hit["key"] == "melting-me-softly-e10-shower-kiss"
    assert hit["actors"] == ["Ji Chang Wook", "Won Jin Ah"]
    marked = [hit["snippet"][s:e].lower() for s, e in hit["highlights"]]
    assert marked == ["cold shower"]
    assert data["meta"]["count"] == len(data["data"]) and data["meta"]["query"] == "cold shower"


def test_limit_and_more(cli: Cli, sample_db: Path) -> None:
    page = found(cli, "kiss", "--limit", "1")
    assert len(page["data"]) == 1 and page["meta"]["more"] is True
    assert page["data"][0]["key"] == keys(cli, "kiss")[0]


def test_table_shows_user_text_as_typed(cli: Cli, sample_db: Path) -> None:
    added = cli(
        "add-scene", "--drama", "Goblin", "--episode", "1", "--actor", "Gong Yoo",
        "--kind", "kiss", "--title", "[bold]x[/] | a | kiss", "--description", "[red]boom[/red]",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    run = cli("search", "boom")
    assert run.exit_code == 0
    assert "[bold]x[/] | a | kiss" in run.stdout
    assert "[red]boom[/red]" in run.stdout


def test_native_name_that_matched_is_shown(cli: Cli, sample_db: Path) -> None:
    run = cli("search", "녹여 shower")
    assert "Melting Me Softly (날 녹여주오)" in run.stdout
    # Machine output keeps the plain, stable names.
    hit = found(cli, "녹여 shower")["data"][0]
    assert hit["drama"] == "Melting Me Softly"


def test_highlights_are_rich_spans_not_markup(terminal: None) -> None:
    from scenecat.cli.commands_search import HIGHLIGHT, _marked
    from scenecat.domain.search import Marked

    text = _marked(Marked("a [b] kiss", [(6, 10)]))
    assert text.plain == "a [b] kiss"
    assert [(s.start, s.end, str(s.style)) for s in text.spans if s.style] == [(6, 10, HIGHLIGHT)]


def test_domain_search_returns_marked_results(sample_db: Path) -> None:
    from scenecat.domain.scope import Scope
    from scenecat.domain.search import search
    from scenecat.storage.connection import open_catalogue

    cat = open_catalogue(sample_db)
    try:
        result = search(cat.conn, "Ji Chang-wook kiss", Scope(kind="kiss"), limit=3)
    finally:
        cat.close()
    assert len(result.hits) == 3 and result.more
    for hit in result.hits:
        assert hit.kind == "kiss"
        marked = {a.text: [a.text[s:e] for s, e in a.spans] for a in hit.actors}
        assert marked["Ji Chang Wook"] == ["Ji Chang Wook"]


def test_scope_is_built_by_keyword_only() -> None:
    # Four commands pass seven or eight filters: a positional call would silently mis-assign
    # them if the fields were ever reordered (issue 14).
    from scenecat.domain.scope import Scope

    with pytest.raises(TypeError):
        Scope(("Ji Chang Wook",), "Healer")  # type: ignore[misc]
    assert Scope(drama="Healer").drama == "Healer"


# --- unsafe input --------------------------------------------------------------------------

UNSAFE = [
    '"unbalanced',
    'kiss"',
    '"',
    "NEAR(",
    "NEAR(kiss shower, 2)",
    "*",
    "kiss*shower",
    "^",
    "^kiss",
    "title:",
    "title:kiss",
    "{title description}: kiss",
    "kiss AND",
    "OR",
    "NOT",
    "-",
    "--",
    "(kiss",
    "kiss)",
    "kiss'; DROP TABLE scene; --",
    "' OR 1=1 --",
    "x" * 10_000,
    "kiss " * 2_000,
    "💋",
    "kiss 💋 shower",
    "",
    " ",
    "\x00",
    "\x1b[31mred",
    "\u200b",
    "\udcff",
    "a:b:c",
    "12:30",
    "rowid:1",
    'actor:"',
]


@pytest.mark.slow
@pytest.mark.parametrize("query", UNSAFE, ids=lambda q: repr(q[:20]))
def test_any_query_is_safe(cli: Cli, sample_db: Path, query: str) -> None:
    before = dump(sample_db)
    run = cli("search", "--", query)
    assert run.exit_code in (0, 2), run
    text = run.stdout + run.stderr
    for leak in ("Traceback", "fts5", "sqlite", "syntax error", "unexpected failure"):
        assert leak not in text
    if run.exit_code == 2:
        assert run.stderr.startswith("Error: ") and run.stderr.count("Error:") == 1
        assert run.stdout == ""
    as_json = cli("search", "--json", "--", query)
    if as_json.exit_code == 0:
        json.loads(as_json.stdout)
    assert dump(sample_db) == before


def test_very_long_query_gets_one_clear_line(cli: Cli, sample_db: Path) -> None:
    run = cli("search", "x" * 10_000)
    assert run.exit_code == 2
    assert run.stderr.splitlines()[0] == (
        "Error: the query is 10,000 characters long; the limit is 1,000"
    )


def test_empty_query_needs_something(cli: Cli, sample_db: Path) -> None:
    run = cli("search")
    assert run.exit_code == 2
    assert run.stderr.startswith("Error: nothing to search for")


def test_ignored_pieces_are_mentioned(cli: Cli, sample_db: Path) -> None:
    run = cli("search", "shower ^ 💋")
    assert run.exit_code == 0
    assert "warning: ignored '^', '💋'" in run.stderr
    assert "melting-me-softly-e10-shower-kiss" in run.stdout


def test_unknown_kind_or_network_says_did_you_mean(cli: Cli, sample_db: Path) -> None:
    assert found(cli, "kind:kisss")["meta"]["suggestion"] == (
        "no scene has kind 'kisss'; did you mean 'kiss'?"
    )
    run = cli("search", "rooftop", "--network", "tvM")
    assert "no scene has network 'tvM'; did you mean 'tvN'?" in run.stderr
    assert found(cli, "drama:Healer kind:fight")["meta"]["suggestion"] == (
        "no scene matches all of these filters"
    )


def test_a_short_real_word_is_not_corrected_into_another_word(cli, sample_db: Path) -> None:
    # `rain` is not in the sample; `ran` (from "Mi Ran") is one letter away and finds
    # unrelated scenes, so it must not be offered.
    result = cli("search", 'rain OR umbrella actor:"Ji Chang Wook" year:2016..2020 -funeral')
    assert result.exit_code == 0
    assert "did you mean" not in result.stderr
    assert "no scene mentions 'rain', 'umbrella'" in result.stderr
    # A dropped letter in a short word is still guessed.
    assert "did you mean 'shower kiss'?" in cli("search", "shower kis").stderr


def test_a_known_name_with_no_scene_is_not_suggested_back(cli, db: Path) -> None:
    # An actor with credits but no scenes: "did you mean 'Ji Chang Wook'" for the very name
    # typed said nothing.
    assert cli("add-actor", "Ji Chang Wook").exit_code == 0
    result = cli("search", "Ji Chang Wook")
    assert result.exit_code == 0
    assert "did you mean" not in result.stderr
    assert "'Ji Chang Wook' is in the catalogue, but no scene matches it" in result.stderr
