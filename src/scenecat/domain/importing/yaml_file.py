"""Import of a format-1 YAML catalogue (one document): errors name the file, the line
(found again in the YAML's node tree) and the field."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scenecat import yamlio
from scenecat.domain.format1 import SECTIONS
from scenecat.domain.importing.report import INDEX_STAGE, Importer, ImportReport
from scenecat.domain.importing.runner import run_import
from scenecat.domain.records import FORMAT, FieldError
from scenecat.errors import CatalogueFileError
from scenecat.gcpause import paused_gc

TOP_LEVEL = ("format", *SECTIONS)


def load_yaml_document(path: Path) -> Any:
    import yaml

    try:
        with path.open("rb") as handle, paused_gc():
            return yamlio.load(handle)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else None
        problem = exc.problem or "malformed YAML"
        raise CatalogueFileError(f"not valid YAML: {problem}", file=str(path), line=line) from None
    except yaml.YAMLError as exc:
        raise CatalogueFileError(f"not valid YAML: {exc}", file=str(path)) from None
    except UnicodeDecodeError:
        raise CatalogueFileError("not UTF-8 text", file=str(path)) from None
    except RecursionError:
        raise CatalogueFileError("the YAML is nested too deeply", file=str(path)) from None
    except ValueError as exc:  # a number of more than 4,300 digits
        raise CatalogueFileError(
            f"not valid YAML: {str(exc).split(';')[0]}", file=str(path)
        ) from None


def yaml_line_of(path: Path, record_path: str) -> int | None:
    """The 1-based line of `record_path` (e.g. `scenes[3].episode`) in a YAML file."""
    import re

    import yaml

    try:
        with path.open("rb") as handle:
            node = yamlio.compose(handle)
    except yaml.YAMLError:
        return None
    line = None
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", record_path):
        if node is None:
            break
        if name and isinstance(node, yaml.MappingNode):
            match = next((kv for kv in node.value if kv[0].value == name), None)
            if match is None:
                break
            line = match[0].start_mark.line + 1
            node = match[1]
            if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
                line = node.start_mark.line + 1
        elif index and isinstance(node, yaml.SequenceNode):
            position = int(index)
            if position >= len(node.value):
                break
            node = node.value[position]
            line = node.start_mark.line + 1
        else:
            break
    return line


def import_yaml(
    conn: sqlite3.Connection,
    path: Path,
    progress: Callable[..., None] | None = None,
    *,
    fast: bool | None = None,
) -> ImportReport:
    if progress:
        progress(0, 0, f"Reading {path.name}")
    document = load_yaml_document(path)
    if not isinstance(document, dict):
        raise CatalogueFileError(
            "expected a scenecat catalogue (a mapping with format: scenecat/1)",
            file=str(path),
            line=1,
        )

    def run(importer: Importer) -> ImportReport:
        try:
            _check_top_level(document)
            total = sum(len(document.get(s) or []) for s in SECTIONS)
            done = 0
            if progress:
                progress(0, total, f"Importing {path.name}")
            for section in SECTIONS:
                items = document.get(section) or []
                if not isinstance(items, list):
                    raise FieldError(section, "expected a list")
                for i, raw in enumerate(items):
                    importer.apply(section, raw, f"{section}[{i}]")
                    done += 1
                    if progress and done % 500 == 0:
                        progress(done, total)
            if progress:
                progress(total, total, INDEX_STAGE)
            return importer.finish()
        except FieldError as exc:
            raise CatalogueFileError(
                exc.reason,
                file=str(path),
                line=yaml_line_of(path, exc.path),
                field=exc.path,
                hint=exc.hint,
            ) from None

    return run_import(conn, run, fast)


def _check_top_level(document: dict[str, Any]) -> None:
    for key in document:
        if key not in TOP_LEVEL:
            raise FieldError(str(key), "unknown section", hint=f"known: {', '.join(TOP_LEVEL)}")
    if document.get("format") != FORMAT:
        raise FieldError(
            "format",
            f"expected {FORMAT!r}, got {document.get('format')!r}",
            hint=f"the first line of a catalogue file is `format: {FORMAT}`",
        )
