"""The full-text index over scenes.

`scene_search` holds one denormalised document per scene and `scene_search_fts` is an FTS5
index over it declared with `content="scene_search"`, the layout Datasette (and sqlite-utils)
recognise, so `datasette catalogue.db` offers search on `scene_search` as it is.

Tokenizer choice: one FTS5 table, `unicode61 remove_diacritics 2`, for bm25 relevance over
English-like text (case and diacritics folded; hyphens and punctuation split words, so
"Ji Chang-wook" and "Ji Chang Wook" give the same tokens). Two things unicode61 cannot do are
handled by the extra column `terms`, filled here in Python:

- romanisation variants: every run of 2-4 adjacent name parts of actors, dramas and
  characters, folded like `text.name_key()` and glued ("jichang", "changwook",
  "jichangwook"), so "Jichangwook" and "Ji Changwook" find "Ji Chang Wook";
- Hangul (and other CJK) substrings: unicode61 keeps "녹여주오" as one token and the trigram
  tokenizer needs 3 characters, so each CJK run is indexed as its character bigrams plus its
  last character ("녹여 여주 주오 오"). A query "녹여" is the bigram phrase "녹여"; a single
  character "녹" is the prefix query "녹"*, which reaches every position.

Triggers keep the FTS index in step with `scene_search`; every write path calls `refresh*()`
for the scenes whose document may have changed, and bulk imports call `rebuild()` once.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from scenecat.scene_fields import SEARCH_FIELDS, FieldInfo, SceneFacts
from scenecat.storage import scene_text_index
from scenecat.storage.ddl import column_names, run_in_transaction_statements
from scenecat.text import counted

if TYPE_CHECKING:
    from sqlite_utils import Database

TABLE = "scene_search"
FTS_TABLE = "scene_search_fts"
TERMS_COLUMN = "terms"
# The scene's own columns: one per declared searchable field (scene_fields.SEARCH_FIELDS),
# named after it. Then the columns made from other tables, `terms` holding the derived
# tokens described above.
FIELD_COLUMNS = tuple(f.name for f in SEARCH_FIELDS)
_DERIVED = {"drama": 3.0, "actors": 4.0, "characters": 3.0, TERMS_COLUMN: 2.0}
# Indexed columns, in FTS order.
COLUMNS = (*FIELD_COLUMNS, *_DERIVED)
# bm25 weights per column (same order): a word in a title or a name says more about a scene
# than the same word somewhere in a 30-word description.
WEIGHTS = (*(f.search for f in SEARCH_FIELDS if f.search is not None), *_DERIVED.values())

_COLS = ", ".join(COLUMNS)
_NEW = ", ".join(f"new.{c}" for c in COLUMNS)
_OLD = ", ".join(f"old.{c}" for c in COLUMNS)
_TYPED = ",\n    ".join(f"{c} TEXT" for c in COLUMNS)

# content="..." in double quotes: Datasette's FTS detection looks for exactly that spelling.
SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id INTEGER PRIMARY KEY REFERENCES scene(id) ON DELETE CASCADE,
    {_TYPED}
);
CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
    {_COLS},
    content="{TABLE}", content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);
CREATE TRIGGER IF NOT EXISTS scene_search_ai AFTER INSERT ON {TABLE} BEGIN
    INSERT INTO {FTS_TABLE}(rowid, {_COLS}) VALUES (new.id, {_NEW});
END;
CREATE TRIGGER IF NOT EXISTS scene_search_ad AFTER DELETE ON {TABLE} BEGIN
    INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLS}) VALUES ('delete', old.id, {_OLD});
END;
CREATE TRIGGER IF NOT EXISTS scene_search_au AFTER UPDATE ON {TABLE} BEGIN
    INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {_COLS}) VALUES ('delete', old.id, {_OLD});
    INSERT INTO {FTS_TABLE}(rowid, {_COLS}) VALUES (new.id, {_NEW});
END
"""

_TRIGGERS = ("scene_search_ai", "scene_search_ad", "scene_search_au")

# --- text rules shared with the query side (domain/query.py) ------------------------------

# Letters and digits (and the marks Python counts as word characters): close to unicode61's
# token characters, so the query side splits words where the index does.
WORD = re.compile(r"[^\W_]+")
_CJK_CHARS = (
    "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff"  # Hangul
    "\u3040-\u30ff\u31f0-\u31ff"  # kana
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"  # Han
)
CJK_RUN = re.compile(f"[{_CJK_CHARS}]+")
# Romanised names are glued in windows of up to this many parts ("ji chang wook" -> 3).
GLUE_WINDOW = 4


def fold(word: str) -> str:
    """Case-folded, compatibility-decomposed, without combining marks, recomposed (NFC)."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped)


def is_cjk(text: str) -> bool:
    return CJK_RUN.search(text) is not None


def cjk_grams(text: str) -> list[str]:
    """Bigrams of every CJK run, each run followed by its last character."""
    grams: list[str] = []
    for match in CJK_RUN.finditer(unicodedata.normalize("NFC", text)):
        run = match.group()
        grams.extend(run[i : i + 2] for i in range(len(run) - 1))
        grams.append(run[-1])
    return grams


def glued_runs(name: str) -> list[str]:
    """Folded runs of 2..GLUE_WINDOW adjacent non-CJK parts: 'Ji Chang-wook' -> jichang,
    changwook, jichangwook."""
    parts = [fold(p) for p in WORD.findall(name) if not is_cjk(p)]
    runs: list[str] = []
    for size in range(2, min(GLUE_WINDOW, len(parts)) + 1):
        runs.extend("".join(parts[i : i + size]) for i in range(len(parts) - size + 1))
    return runs


def name_terms(names: Iterable[str | None]) -> list[str]:
    """The `terms` tokens of one actor, drama or character (each spelling of its name)."""
    seen: dict[str, None] = {}
    for name in names:
        if name:
            seen.update(dict.fromkeys(glued_runs(name)))
            seen.update(dict.fromkeys(cjk_grams(name)))
    return list(seen)


def _grams_text(text: str | None) -> str | None:
    return " ".join(dict.fromkeys(cjk_grams(text or ""))) or None


# --- documents ---------------------------------------------------------------------------

# Per-actor, per-drama and per-character parts of a document are made in Python once per
# entity (not once per scene) into these connection-private tables, then joined in.
_TEMP = """
CREATE TEMP TABLE IF NOT EXISTS scenecat_search_actor (
    id INTEGER PRIMARY KEY, text TEXT, terms TEXT);
CREATE TEMP TABLE IF NOT EXISTS scenecat_search_drama (
    id INTEGER PRIMARY KEY, text TEXT, terms TEXT);
CREATE TEMP TABLE IF NOT EXISTS scenecat_search_character (
    character TEXT PRIMARY KEY, terms TEXT);
CREATE TEMP TABLE IF NOT EXISTS scenecat_search_part (
    drama_id INTEGER, actor_id INTEGER, character TEXT, terms TEXT,
    PRIMARY KEY (drama_id, actor_id)) WITHOUT ROWID
"""

# A searchable field's text in the document: a column of `scene` as it is; tags (their own
# table) as the sorted tags joined by spaces. BulkDocuments makes the same text in Python
# (_get_fields), so both follow SEARCH_FIELDS.
_TAGS = "(SELECT group_concat(tag, ' ') FROM scene_tag WHERE scene_id = s.id)"


def _field_sql(info: FieldInfo) -> str:
    if info.column is not None:
        return f"s.{info.column}"
    if info.value == "tags":
        return _TAGS
    raise ValueError(f"a search document cannot hold field {info.name!r} ({info.value})")


_FIELD_SQL = [_field_sql(f) for f in SEARCH_FIELDS]
# A scene actor's part of a document: the actor's text, the character (the scene's, else the
# first credit's in the drama: an actor with several roles) and the actor's and character's
# terms. For a scene actor without a character of its own, the character and terms are the
# same in every scene of the drama: they are made once per (drama, actor) into
# scenecat_search_part (a row per credited pair, before the documents) instead of a read of
# `credit` per scene actor; a scene actor with its own character, or without a credit in the
# drama, takes the general expression.
_PARTS = """
INSERT INTO temp.scenecat_search_part (drama_id, actor_id, character, terms)
SELECT c.drama_id, c.actor_id, c.character,
    nullif(trim(coalesce(ta.terms, '') || ' ' || coalesce(tc.terms, '')), '')
FROM (SELECT min(id) AS id FROM credit {where} GROUP BY drama_id, actor_id) f
JOIN credit c ON c.id = f.id
JOIN temp.scenecat_search_actor ta ON ta.id = c.actor_id
LEFT JOIN temp.scenecat_search_character tc ON tc.character = c.character
"""
_CHARACTER = "coalesce(sa.character, p.character)"
_PART_TERMS = f"""CASE WHEN sa.character IS NULL AND p.actor_id IS NOT NULL THEN p.terms
        ELSE nullif(trim(coalesce(ta.terms, '') || ' ' || coalesce((SELECT tc.terms
            FROM temp.scenecat_search_character tc WHERE tc.character = {_CHARACTER}), '')), '')
        END"""
# The scenes grouped with their actors, one row per scene in id order; OFFSET 0 keeps it a
# subquery of its own (not flattened into the query below), so each value is worked out
# once per scene (the tags' subquery included) and the query below only reads it.
_OWN_FIELDS = ", ".join(
    f"{sql} AS {f.name}" for sql, f in zip(_FIELD_SQL, SEARCH_FIELDS, strict=True)
)
_GROUPED = f"""
SELECT s.id, {_OWN_FIELDS},
    td.text AS drama_text, coalesce(td.terms, '') AS drama_terms,
    group_concat(ta.text, ' ') AS actor_texts,
    group_concat({_CHARACTER}, ' ') AS characters,
    group_concat({_PART_TERMS}, ' ') AS actor_terms
FROM scene s
JOIN temp.scenecat_search_drama td ON td.id = s.drama_id
LEFT JOIN scene_actor sa ON sa.scene_id = s.id
LEFT JOIN temp.scenecat_search_actor ta ON ta.id = sa.actor_id
LEFT JOIN temp.scenecat_search_part p ON p.drama_id = s.drama_id AND p.actor_id = sa.actor_id
"""
# The scene's own text gets CJK grams only when it has non-ASCII bytes: the length test
# (in characters <> in bytes) runs in C, field by field (the fields are joined by ASCII
# spaces, so the joined text has such a byte exactly when a field has), and spares a Python
# call and the joining for nearly every scene of an English catalogue.
_OWN_TEXT = "(" + " || ' ' || ".join(f"coalesce(g.{c}, '')" for c in FIELD_COLUMNS) + ")"
_NON_ASCII = " OR ".join(f"length(g.{c}) <> length(CAST(g.{c} AS BLOB))" for c in FIELD_COLUMNS)
# BulkDocuments (below) makes the same rows in Python during a bulk load: both are written
# from SEARCH_FIELDS, and the derived columns here and there must agree
# (tests/test_bulk_import_shortcuts.py and check() compare them).
_DOCUMENT = f"""
SELECT g.id, {", ".join(f"g.{c}" for c in FIELD_COLUMNS)}, g.drama_text, g.actor_texts,
    g.characters,
    nullif(trim(g.drama_terms || ' ' || coalesce(g.actor_terms, '') || ' '
        || coalesce(CASE WHEN {_NON_ASCII} THEN scenecat_cjk_grams({_OWN_TEXT}) END, '')), '')
FROM ({{grouped}} GROUP BY s.id LIMIT -1 OFFSET 0) g
"""


def schema_statements() -> list[str]:
    """Statements of SCHEMA; trigger bodies contain ';' so keep them whole up to END."""
    parts: list[str] = []
    buffer = ""
    for chunk in SCHEMA.split(";"):
        buffer += chunk
        stripped = buffer.strip()
        if not stripped:
            buffer = ""
            continue
        if stripped.upper().startswith("CREATE TRIGGER") and not stripped.upper().endswith("END"):
            buffer += ";"
            continue
        parts.append(stripped)
        buffer = ""
    return parts


def _register(conn: sqlite3.Connection) -> None:
    conn.create_function("scenecat_cjk_grams", 1, _grams_text, deterministic=True)
    for statement in _TEMP.split(";"):
        conn.execute(statement)
    for table in ("actor", "drama", "character", "part"):
        conn.execute(f"DELETE FROM temp.scenecat_search_{table}")


def _marks(ids: Sequence[int]) -> str:
    return ",".join("?" * len(ids))


def _prepare(conn: sqlite3.Connection, scene_ids: Sequence[int] | None) -> None:
    """Fill the temp tables for the actors, dramas and characters of `scene_ids` (or all)."""
    _register(conn)
    params: list[int] = [] if scene_ids is None else list(scene_ids)
    marks = _marks(params)
    if scene_ids is None:
        actors = "SELECT id FROM actor"
        dramas = "SELECT id FROM drama"
        characters_sql = (
            "SELECT character FROM credit WHERE character IS NOT NULL "
            "UNION SELECT character FROM scene_actor WHERE character IS NOT NULL"
        )
    else:
        actors = f"SELECT actor_id FROM scene_actor WHERE scene_id IN ({marks})"
        dramas = f"SELECT drama_id FROM scene WHERE id IN ({marks})"
        characters_sql = (
            "SELECT DISTINCT coalesce(sa.character, c.character) FROM scene_actor sa "
            "JOIN scene s ON s.id = sa.scene_id "
            "LEFT JOIN credit c ON c.id = (SELECT min(c1.id) FROM credit c1 WHERE c1.actor_id = sa.actor_id AND c1.drama_id = s.drama_id) "
            f"WHERE sa.scene_id IN ({marks}) AND coalesce(sa.character, c.character) IS NOT NULL"
        )
    for table, entity, name, alias_table in (
        ("actor", "actor", "name", "actor_alias"),
        ("drama", "drama", "title", "drama_alias"),
    ):
        wanted = actors if entity == "actor" else dramas
        aliases: dict[int, list[str]] = {}
        for owner, alias in conn.execute(
            f"SELECT {entity}_id, alias FROM {alias_table} WHERE {entity}_id IN ({wanted}) "
            f"ORDER BY {entity}_id, alias",
            params,
        ):
            aliases.setdefault(owner, []).append(alias)
        rows = conn.execute(
            f"SELECT id, {name}, native FROM {entity} WHERE id IN ({wanted})", params
        ).fetchall()
        conn.executemany(
            f"INSERT INTO temp.scenecat_search_{table} (id, text, terms) VALUES (?, ?, ?)",
            (_entity_row(i, n, native, aliases.get(i, [])) for i, n, native in rows),
        )
    characters = conn.execute(characters_sql, params).fetchall()
    conn.executemany(
        "INSERT INTO temp.scenecat_search_character (character, terms) VALUES (?, ?)",
        ((ch, " ".join(name_terms([ch])) or None) for (ch,) in characters),
    )
    pairs = (
        ""
        if scene_ids is None
        else "WHERE (drama_id, actor_id) IN (SELECT s.drama_id, sa.actor_id FROM scene_actor sa "
        f"JOIN scene s ON s.id = sa.scene_id WHERE sa.scene_id IN ({marks}))"
    )
    conn.execute(_PARTS.format(where=pairs), params)


def _entity_row(
    entity_id: int, name: str, native: str | None, aliases: list[str]
) -> tuple[int, str, str | None]:
    spellings = [name, native, *aliases]
    text = " ".join(s for s in spellings if s)
    return entity_id, text, " ".join(name_terms(spellings)) or None


def _documents(conn: sqlite3.Connection, scene_ids: Sequence[int] | None) -> str:
    """The document query (one row per scene, in id order) with its temp tables filled."""
    _prepare(conn, scene_ids)
    # One pass over the scene-actor joins grouped by scene (scene is scanned in id order,
    # so the grouping needs no sort): 20% faster than one correlated subquery per column.
    if scene_ids is None:
        return _DOCUMENT.format(grouped=_GROUPED)
    return _DOCUMENT.format(grouped=f"{_GROUPED} WHERE s.id IN ({_marks(scene_ids)})")


# Above this many touched scenes (or actors and dramas) one rebuild beats refreshing the
# documents one by one (import, undo).
REBUILD_THRESHOLD = 5_000


def refresh(conn: sqlite3.Connection, scene_ids: Iterable[int]) -> None:
    ids = sorted(set(scene_ids))
    for start in range(0, len(ids), 300):
        batch = ids[start : start + 300]
        conn.execute(f"DELETE FROM {TABLE} WHERE id IN ({_marks(batch)})", batch)
        sql = _documents(conn, batch)
        conn.execute(f"INSERT INTO {TABLE} (id, {_COLS}) {sql}", batch)


def refresh_for_actor(conn: sqlite3.Connection, actor_id: int) -> None:
    rows = conn.execute("SELECT scene_id FROM scene_actor WHERE actor_id = ?", (actor_id,))
    refresh(conn, [row[0] for row in rows])


def refresh_for_drama(conn: sqlite3.Connection, drama_id: int) -> None:
    rows = conn.execute("SELECT id FROM scene WHERE drama_id = ?", (drama_id,))
    refresh(conn, [row[0] for row in rows])


def _layout_current(conn: sqlite3.Connection) -> bool:
    columns = column_names(conn, TABLE)
    fts = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (FTS_TABLE,)).fetchone()
    return columns == ["id", *COLUMNS] and fts is not None and f'content="{TABLE}"' in fts[0]


def _recreate(conn: sqlite3.Connection) -> None:
    for trigger in _TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    conn.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
    for statement in schema_statements():
        conn.execute(statement)


def rebuild(conn: sqlite3.Connection) -> None:
    """Rebuild the whole index in bulk: documents first (no triggers), then one FTS build.

    A catalogue whose index tables have an older layout gets them recreated first.
    """
    if not _layout_current(conn):
        _recreate(conn)
    for trigger in ("scene_search_ai", "scene_search_ad"):
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    conn.execute(f"DELETE FROM {TABLE}")
    conn.execute(f"INSERT INTO {TABLE} (id, {_COLS}) {_documents(conn, None)}")
    _build_fts(conn)
    for statement in schema_statements():
        if statement.startswith("CREATE TRIGGER"):
            conn.execute(statement)
    # The index on `scene` itself (scene_text_index.py), once its migration has made it.
    if scene_text_index.exists(conn):
        scene_text_index.rebuild(conn)


# FTS5 keeps new postings in memory up to `hashsize` bytes (1 MiB by default) and writes a
# segment each time that fills; a full build at the default writes hundreds of small
# segments and spends a third of its time merging them. A larger buffer during the build
# gives the same index content in fewer, bigger segments. The setting is put back after the
# build (the catalogue keeps FTS5's default for the small writes of everyday commands).
BUILD_HASHSIZE = 16 * 1024 * 1024


def _build_fts(conn: sqlite3.Connection) -> None:
    """The FTS5 'rebuild' of the whole index from `scene_search`, with a larger buffer."""
    config = f"{FTS_TABLE}_config"
    # fetchall: a statement left unfinished would keep _register() from replacing its function
    found = conn.execute(f"SELECT v FROM {config} WHERE k = 'hashsize'").fetchall()
    before = found[0] if found else None
    conn.execute(
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('hashsize', ?)", (BUILD_HASHSIZE,)
    )
    conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')")
    if before is None:
        conn.execute(f"DELETE FROM {config} WHERE k = 'hashsize'")
    else:
        conn.execute(
            f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('hashsize', ?)", (before[0],)
        )


# --- bulk loads ------------------------------------------------------------------------------
#
# A bulk import into a fresh catalogue knows every scene's document as it reads the scene (its
# actors, dramas and credits are all read before it and never change afterwards), so it makes
# the documents in Python and writes them with the other rows, instead of the document query
# joining everything again at the end. BulkDocuments gives exactly what _DOCUMENT gives (the
# bulk import tests compare both, and check() would see any difference).


def begin_bulk(conn: sqlite3.Connection) -> None:
    """Before a bulk load that writes documents itself: no per-row FTS triggers, no documents."""
    if not _layout_current(conn):
        _recreate(conn)
    for trigger in _TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    conn.execute(f"DELETE FROM {TABLE}")
    if scene_text_index.exists(conn):
        scene_text_index.begin_bulk(conn)


def end_bulk(conn: sqlite3.Connection) -> None:
    """After the load: one FTS build over the documents, and the triggers back (for both
    indexes: this one and the one on `scene`)."""
    _build_fts(conn)
    for statement in schema_statements():
        if statement.startswith("CREATE TRIGGER"):
            conn.execute(statement)
    if scene_text_index.exists(conn):
        scene_text_index.end_bulk(conn)


class BulkDocuments:
    """The `scene_search` rows of scenes, made in Python during a bulk load.

    Call `actor()` and `drama()` once per entity, then `document()` per scene. Within a
    document, actors come in id order (the order the query reads scene_actor in)."""

    def __init__(self) -> None:
        self.actors: dict[int, tuple[str, str]] = {}  # id -> (text, terms or "")
        self.dramas: dict[int, tuple[str, str]] = {}
        self.characters: dict[str, str] = {}  # character -> terms or ""
        # (drama_id << 32 | actor_id) -> (actor text, character, the actor's part of `terms`)
        self.parts: dict[int, tuple[str, str | None, str]] = {}

    def clear(self) -> None:
        """Free the lookups (after the last document)."""
        self.actors.clear()
        self.dramas.clear()
        self.characters.clear()
        self.parts.clear()

    @staticmethod
    def _entity(name: str, native: str | None, aliases: Iterable[str]) -> tuple[str, str]:
        # as _prepare: aliases in alias order (the query's ORDER BY owner, alias)
        _, text, terms = _entity_row(0, name, native, sorted(aliases))
        return text, terms or ""

    def actor(self, actor_id: int, name: str, native: str | None, aliases: Iterable[str]) -> None:
        self.actors[actor_id] = self._entity(name, native, aliases)

    def drama(self, drama_id: int, title: str, native: str | None, aliases: Iterable[str]) -> None:
        self.dramas[drama_id] = self._entity(title, native, aliases)

    def credit(self, drama_id: int, actor_id: int, character: str | None) -> None:
        """The character an actor plays in a drama (None: none), before any scene uses it."""
        text, terms = self.actors[actor_id]
        if character is None:
            part = terms.strip(" ")
        else:
            known = self.characters.get(character)
            if known is None:
                known = self.characters[character] = " ".join(name_terms([character]))
            part = f"{terms} {known}".strip(" ")
        self.parts[drama_id << 32 | actor_id] = (text, character, part)

    def document(
        self, scene_id: int, scene: SceneFacts, drama_id: int, actor_ids: Sequence[int]
    ) -> tuple[object, ...]:
        """The row (id, *COLUMNS) of `scene`; `actor_ids` (no repeats) with a credit each."""
        texts = [*_get_fields(scene)]
        for i in _LISTS:  # inlined: this runs for each of a million scenes
            tags = texts[i]
            texts[i] = " ".join(sorted(set(tags))) if tags else None
        drama_text, drama_terms = self.dramas[drama_id]
        if actor_ids:
            parts = self.parts
            base = drama_id << 32
            if len(actor_ids) == 1:
                text, character, part = parts[base | actor_ids[0]]
                actors: str | None = text
                characters = character
                terms = f"{drama_terms} {part} "
            else:
                found = [parts[base | a] for a in sorted(actor_ids)]
                actors = " ".join([f[0] for f in found])
                characters = " ".join([f[1] for f in found if f[1] is not None]) or None
                terms = f"{drama_terms} {' '.join([f[2] for f in found if f[2]])} "
        else:
            actors = characters = None
            terms = f"{drama_terms}  "
        # The query's own text joins the same texts (empty ones only add spaces, which no
        # gram spans), and its test (length in characters <> in bytes) is: not all ASCII.
        own = " ".join(filter(None, texts))
        if not own.isascii():
            terms += _grams_text(own) or ""
        return (scene_id, *texts, drama_text, actors, characters, terms.strip(" ") or None)


# SCENE's searchable fields as the document query reads them (_field_sql): a column's value
# as it is; tags, as scene_tag holds them (each once, in key order), joined by spaces.
_get_fields: Callable[[SceneFacts], tuple[Any, ...]] = (
    attrgetter(*FIELD_COLUMNS)
    if len(FIELD_COLUMNS) > 1
    else lambda scene: (getattr(scene, FIELD_COLUMNS[0]),)  # attrgetter of one: no tuple
)
_LISTS = tuple(i for i, f in enumerate(SEARCH_FIELDS) if f.column is None)


def check(conn: sqlite3.Connection) -> list[str]:
    """Problems that show the index is out of step with the scenes (empty when it is fine)."""
    if not _layout_current(conn):
        return [LAYOUT_OUTDATED]
    return check_counts(conn) + check_fts(conn) + check_documents(conn)


LAYOUT_OUTDATED = "search index tables have an outdated layout (re-import to rebuild them)"


def check_counts(conn: sqlite3.Connection) -> list[str]:
    """The first part of check(): the layout, a document per scene, the triggers."""
    if not _layout_current(conn):
        return [LAYOUT_OUTDATED]
    problems: list[str] = []
    scenes, documents = conn.execute(
        f"SELECT (SELECT count(*) FROM scene), (SELECT count(*) FROM {TABLE})"
    ).fetchone()
    if scenes != documents:
        problems.append(f"search index has {documents} documents for {scenes} scenes")
    missing = [t for t in _TRIGGERS if not _exists(conn, "trigger", t)]
    if missing:
        problems.append(f"search index triggers missing: {', '.join(missing)}")
    return problems


def check_fts(conn: sqlite3.Connection) -> list[str]:
    """The second part: FTS5's check of the index against the documents, which it runs as
    a write (in one statement: its verdict holds for the state it read)."""
    if not _layout_current(conn):
        return []  # check_counts() says so
    try:
        conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as exc:
        # A read-only catalogue cannot write, which is not a problem of the index (the
        # comparison of the documents still covers each one).
        if "readonly" not in str(exc):
            return [f"search index integrity check failed: {exc}"]
    return []


def check_documents(conn: sqlite3.Connection) -> list[str]:
    """The last part: every document compared with the one the scene's rows make now."""
    if not _layout_current(conn):
        return []  # check_counts() says so
    differs = " OR ".join(f"ss.{c} IS NOT doc.{c}" for c in COLUMNS)
    stale = conn.execute(
        f"WITH doc(id, {_COLS}) AS ({_documents(conn, None)}) SELECT count(*) FROM doc "
        f"LEFT JOIN {TABLE} ss ON ss.id = doc.id WHERE ss.id IS NULL OR {differs}"
    ).fetchone()[0]
    if stale:
        return [
            f"{counted(stale, 'scene')} {'has' if stale == 1 else 'have'} a stale search document"
        ]
    return []


def _exists(conn: sqlite3.Connection, kind: str, name: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = ? AND name = ?", (kind, name)
    ).fetchone()
    return row is not None


def _scene_has_columns(conn: sqlite3.Connection) -> bool:
    """Whether `scene` has every column the documents read. A searchable field added later
    gets its column in a later migration step: the steps that make the index before then
    leave it to the search step that follows that one."""
    have = set(column_names(conn, "scene"))
    return all(f.column in have for f in SEARCH_FIELDS if f.column is not None)


def create_index(db: Database) -> None:
    """Migration 0002_search_index."""
    if _scene_has_columns(db.conn):
        run_in_transaction_statements(db, schema_statements())
        rebuild(db.conn)


def upgrade_layout(db: Database) -> None:
    """The index in the layout SEARCH_FIELDS declares, refilled: migrations 0003_search_terms
    (the `terms` column), 0009_search_location, and the step of each later change to the
    searchable fields (one more migration line calling this, after the step that adds the
    field's column)."""
    # On a catalogue that already has the current layout (0002 just created it, or an
    # earlier call of this step) there is nothing to do.
    if _scene_has_columns(db.conn) and not _layout_current(db.conn):
        rebuild(db.conn)
