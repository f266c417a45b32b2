"""Wikidata through its entity API (wbsearchentities, wbgetentities): no key, data CC0.

Properties read: P31 instance of, P449 original broadcaster, P495 country of origin,
P580 start time / P577 publication date, P1113 number of episodes, P161 cast member
(qualifiers P453 character role, P4633 name of the character role, P1545 series ordinal),
and for people P569 date of birth. Shapes: the wbgetentities help page and Wikibase's JSON
data model (docs/sources.md).

Labels and aliases in English, Korean and `mul`, the "default for all languages" value
Wikidata now keeps instead of the same label copied into every language (a network such as
"tvN" may have no `en` label left). English falls back to a `mul` value in Latin letters,
Korean to a `mul` value in Hangul, so a `mul` Hangul name never becomes an English one.

Ranks: a single-valued fact (broadcaster, country, dates, episode count, birth date) comes
from the statements of the best rank (preferred over normal); deprecated statements are
never read. Billing is the P1545 qualifier only: the order of P161 statements is not one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from scenecat.errors import InvalidInput, NotFound
from scenecat.sources.facts import Candidate, CastEntry, DramaFacts, Person
from scenecat.sources.http import Http

API = "https://www.wikidata.org/w/api.php"
LANGUAGES = "en|ko|mul"
# Q5398426 television series, Q1366112 drama television series, Q1259759 miniseries,
# Q526877 web series, Q15416 television program. (Q21191270 is a television series
# *episode*: an episode item is not a drama.)
SERIES_TYPES = {"Q5398426", "Q1366112", "Q1259759", "Q526877", "Q15416"}
_BATCH = 50  # wbgetentities takes at most 50 ids a call
_QID = re.compile(r"^Q[1-9]\d*$")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


class Wikidata:
    name = "wikidata"
    summary = (
        "dramas (English and Korean titles, broadcaster, first air date, episode count), "
        "cast with characters, people (Hangul names, aliases, birth year)"
    )
    terms = "data under CC0 (public domain)"
    setup: str | None = None

    def __init__(self, http: Http | None = None) -> None:
        self._http = http

    def _get(self, **params: str | int) -> Any:
        http = self._http or Http()
        try:
            data = http.get_json(API, {**params, "format": "json"})
        finally:
            if self._http is None:
                http.close()
        if isinstance(data, dict) and isinstance(data.get("error"), dict):
            info = data["error"].get("info") or data["error"].get("code")
            raise InvalidInput(f"Wikidata refused the query: {info}")
        return data

    def _entities(self, ids: Iterable[str]) -> dict[str, Any]:
        wanted = list(dict.fromkeys(ids))
        found: dict[str, Any] = {}
        for start in range(0, len(wanted), _BATCH):
            data = self._get(
                action="wbgetentities",
                ids="|".join(wanted[start : start + _BATCH]),
                props="labels|aliases|descriptions|claims",
                languages=LANGUAGES,
            )
            entities = data.get("entities") if isinstance(data, dict) else None
            if isinstance(entities, dict):
                found.update(
                    {
                        k: v
                        for k, v in entities.items()
                        if isinstance(v, dict) and "missing" not in v
                    }
                )
        return found

    def search(self, title: str, year: int | None) -> list[Candidate]:
        data = self._get(
            action="wbsearchentities",
            search=title,
            language="ko" if _HANGUL.search(title) else "en",
            uselang="en",
            type="item",
            limit=10,
        )
        hits = data.get("search") if isinstance(data, dict) else None
        ids = [h["id"] for h in hits or [] if isinstance(h, dict) and isinstance(h.get("id"), str)]
        if not ids:
            return []
        entities = self._entities(ids)
        series = {i: e for i, e in entities.items() if _is_series(e)}
        labels = self._labels(
            v
            for e in series.values()
            for v in _best_items(e, "P449")[:1] + _best_items(e, "P495")[:1]
        )
        result = []
        for ext_id in ids:
            if ext_id in series:
                result.append(self._facts(series[ext_id], ext_id, labels, {}).candidate())
        return result

    def _labels(self, ids: Iterable[str]) -> dict[str, Any]:
        wanted = [i for i in dict.fromkeys(ids) if _QID.match(i)]
        return self._entities(wanted) if wanted else {}

    def drama(self, ext_id: str) -> DramaFacts:
        if not _QID.match(ext_id):
            raise InvalidInput(f"{ext_id!r} is not a Wikidata item id (Q followed by digits)")
        entities = self._entities([ext_id])
        if ext_id not in entities:
            raise NotFound(f"Wikidata has no item {ext_id}")
        entity = entities[ext_id]
        related = _best_items(entity, "P449")[:1] + _best_items(entity, "P495")[:1]
        for claim in _claims(entity, "P161"):
            related.extend(v for v in [_claim_item(claim)] if v)
            related.extend(_qualifier_items(claim, "P453"))
        return self._facts(entity, ext_id, self._labels(related), {})

    def drama_from_saved(self, data: Any, ext_id: str | None = None) -> DramaFacts:
        """A saved wbgetentities answer holding the drama (the first series, or the item
        `ext_id`) and its related items (broadcaster, country, cast, characters)."""
        entities = data.get("entities") if isinstance(data, dict) else None
        if not isinstance(entities, dict) or not entities:
            raise InvalidInput("not a Wikidata wbgetentities response (no entities)")
        series = [(k, v) for k, v in entities.items() if isinstance(v, dict) and _is_series(v)]
        if ext_id is not None:
            series = [(k, v) for k, v in series if k == ext_id]
        if not series:
            where = f" called {ext_id}" if ext_id else ""
            raise InvalidInput(f"the saved Wikidata response holds no television series{where}")
        found, entity = series[0]
        return self._facts(entity, found, entities, {})

    def person(self, ext_id: str) -> Person:
        entities = self._entities([ext_id])
        if ext_id not in entities:
            raise NotFound(f"Wikidata has no item {ext_id}")
        return _person(ext_id, entities[ext_id])

    def candidates_from_saved(self, data: Any) -> list[Candidate]:
        """The series in a saved wbgetentities answer (related items' labels from the same
        file)."""
        entities = data.get("entities") if isinstance(data, dict) else None
        if not isinstance(entities, dict):
            raise InvalidInput("not a Wikidata wbgetentities response (no entities)")
        return [
            self._facts(v, k, entities, {}).candidate()
            for k, v in entities.items()
            if isinstance(v, dict) and _is_series(v)
        ]

    def _facts(
        self, entity: dict[str, Any], ext_id: str, related: dict[str, Any], _: dict[str, Any]
    ) -> DramaFacts:
        native = korean_label(entity)
        title = english_label(entity) or native or ext_id
        network = next((_any_label(related.get(i)) for i in _best_items(entity, "P449")), None)
        country = next((_any_label(related.get(i)) for i in _best_items(entity, "P495")), None)
        aired = next((d for p in ("P580", "P577") for d in _time_values(entity, p) if d), None)
        episodes = next(iter(_quantities(entity, "P1113")), None)
        cast: list[CastEntry] = []
        for claim in _claims(entity, "P161"):
            person_id = _claim_item(claim)
            if not person_id:
                continue
            person = _person(person_id, related.get(person_id, {}))
            characters = [
                c
                for c in [_any_label(related.get(i)) for i in _qualifier_items(claim, "P453")]
                + _qualifier_strings(claim, "P4633")
                if c
            ]
            # Only a series ordinal is a billing: the statements' order is not one.
            ordinal = next((int(s) for s in _qualifier_strings(claim, "P1545") if _digits(s)), None)
            cast.append(CastEntry(person, list(dict.fromkeys(characters)), ordinal or None))
        aliases = [a for a in latin_aliases(entity) if a != title][:5]
        return DramaFacts(
            source=self.name,
            id=ext_id,
            title=title,
            native=native if native != title else None,
            aliases=aliases,
            network=network,
            country=country,
            first_aired=aired,
            episodes=episodes,
            cast=cast,
        )


def _label(entity: Any, language: str) -> str | None:
    labels = entity.get("labels") if isinstance(entity, dict) else None
    value = labels.get(language) if isinstance(labels, dict) else None
    text = value.get("value") if isinstance(value, dict) else None
    return " ".join(text.split()) if isinstance(text, str) and text.strip() else None


def english_label(entity: Any) -> str | None:
    """The `en` label, else the `mul` one when it is not in Hangul."""
    mul = _label(entity, "mul")
    return _label(entity, "en") or (mul if mul and not _HANGUL.search(mul) else None)


def korean_label(entity: Any) -> str | None:
    """The `ko` label, else the `mul` one when it is in Hangul."""
    mul = _label(entity, "mul")
    return _label(entity, "ko") or (mul if mul and _HANGUL.search(mul) else None)


def _any_label(entity: Any) -> str | None:
    return english_label(entity) or korean_label(entity)


def _aliases(entity: Any, language: str) -> list[str]:
    aliases = entity.get("aliases") if isinstance(entity, dict) else None
    values = aliases.get(language) if isinstance(aliases, dict) else None
    return [
        " ".join(v["value"].split())
        for v in _seq(values)
        if isinstance(v, dict) and isinstance(v.get("value"), str) and v["value"].strip()
    ]


def latin_aliases(entity: Any) -> list[str]:
    found = _aliases(entity, "en") + [a for a in _aliases(entity, "mul") if not _HANGUL.search(a)]
    return list(dict.fromkeys(found))


def _claims(entity: Any, prop: str) -> list[dict[str, Any]]:
    """The property's statements but the deprecated ones, in the item's order."""
    claims = entity.get("claims") if isinstance(entity, dict) else None
    values = claims.get(prop) if isinstance(claims, dict) else None
    return [
        c
        for c in _seq(values)
        if isinstance(c, dict) and c.get("rank") in ("preferred", "normal", None)
    ]


def _best(entity: Any, prop: str) -> list[dict[str, Any]]:
    """The statements of the best rank: the preferred ones when there are any."""
    claims = _claims(entity, prop)
    preferred = [c for c in claims if c.get("rank") == "preferred"]
    return preferred or claims


def _datavalue(snak: Any) -> Any:
    if not isinstance(snak, dict) or snak.get("snaktype") != "value":
        return None
    datavalue = snak.get("datavalue")
    return datavalue.get("value") if isinstance(datavalue, dict) else None


def _claim_item(claim: dict[str, Any]) -> str | None:
    value = _datavalue(claim.get("mainsnak"))
    item = value.get("id") if isinstance(value, dict) else None
    return item if isinstance(item, str) else None


def _item_values(entity: Any, prop: str) -> list[str]:
    return [v for v in (_claim_item(c) for c in _claims(entity, prop)) if v]


def _best_items(entity: Any, prop: str) -> list[str]:
    return [v for v in (_claim_item(c) for c in _best(entity, prop)) if v]


def _qualifiers(claim: dict[str, Any], prop: str) -> list[Any]:
    qualifiers = claim.get("qualifiers")
    snaks = qualifiers.get(prop) if isinstance(qualifiers, dict) else None
    return [_datavalue(s) for s in _seq(snaks)]


def _digits(text: str) -> bool:
    """Whether `text` is a whole number scenecat can take: ASCII digits (not "²" or "١"),
    at most nine of them (an ordinal, an episode count)."""
    return 0 < len(text) <= 9 and text.isascii() and text.isdigit()


def _seq(value: Any) -> list[Any]:
    """A list from the answer, or none: a saved file may hold anything where one belongs."""
    return value if isinstance(value, list) else []


def _qualifier_items(claim: dict[str, Any], prop: str) -> list[str]:
    return [
        v["id"]
        for v in _qualifiers(claim, prop)
        if isinstance(v, dict) and isinstance(v.get("id"), str)
    ]


def _qualifier_strings(claim: dict[str, Any], prop: str) -> list[str]:
    found = []
    for value in _qualifiers(claim, prop):
        if isinstance(value, dict):  # monolingual text
            value = value.get("text")
        if isinstance(value, str) and value.strip():
            found.append(value.strip())
    return found


def _time_values(entity: Any, prop: str) -> list[str | None]:
    """The best-ranked dates as precise as the statement says: YYYY-MM-DD (precision 11),
    YYYY-MM (10: a month) or YYYY (9: a year); None when coarser (a decade)."""
    found: list[str | None] = []
    for claim in _best(entity, prop):
        value = _datavalue(claim.get("mainsnak"))
        time = value.get("time") if isinstance(value, dict) else None
        match = re.match(r"^\+(\d{4})-(\d{2})-(\d{2})T", time) if isinstance(time, str) else None
        if not match:
            continue
        year, month, day = match.groups()
        precision = value.get("precision") if isinstance(value, dict) else None
        if not isinstance(precision, int) or precision < 9:
            found.append(None)
        elif precision >= 11 and month != "00" and day != "00":
            found.append(f"{year}-{month}-{day}")
        elif precision >= 10 and month != "00":
            found.append(f"{year}-{month}")
        else:
            found.append(year)
    return found


def _quantities(entity: Any, prop: str) -> list[int]:
    found = []
    for claim in _best(entity, prop):
        value = _datavalue(claim.get("mainsnak"))
        amount = value.get("amount") if isinstance(value, dict) else None
        if isinstance(amount, str) and _digits(amount.removeprefix("+")) and int(amount) > 0:
            found.append(int(amount))
    return found


def _is_series(entity: Any) -> bool:
    return bool(set(_item_values(entity, "P31")) & SERIES_TYPES) or bool(
        _claims(entity, "P1113") and _claims(entity, "P449")
    )


def _person(ext_id: str, entity: Any) -> Person:
    korean = korean_label(entity)
    aliases = latin_aliases(entity)
    name = english_label(entity) or next(iter(aliases), None) or korean or ext_id
    born_dates = [d for d in _time_values(entity, "P569") if d]
    return Person(
        source="wikidata",
        id=ext_id,
        name=name,
        native=korean,
        aliases=[a for a in aliases if a != name][:10],
        born=int(born_dates[0][:4]) if born_dates else None,
    )
