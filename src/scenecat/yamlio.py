"""YAML with YAML 1.2 booleans: only true/false are booleans, so the format's `on:` key
(a date) is not read as True. Uses libyaml's C loader and dumper where installed."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

_BOOL_TAG = "tag:yaml.org,2002:bool"
_BOOL_12 = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")


def _fix_resolvers(cls: Any) -> Any:
    resolvers: dict[str | None, list[tuple[str, Any]]] = {}
    for first, entries in cls.yaml_implicit_resolvers.items():
        kept = [(tag, regexp) for tag, regexp in entries if tag != _BOOL_TAG]
        if first in "tTfF":
            kept.insert(0, (_BOOL_TAG, _BOOL_12))
        if kept:
            resolvers[first] = kept
    cls.yaml_implicit_resolvers = resolvers
    return cls


def _construct_mapping(self: Any, node: Any, deep: bool = False) -> Any:
    """A mapping that names a key twice is an error naming the line, never "the last one
    wins" (two `actors:` sections would silently lose the first)."""
    import yaml

    seen: set[tuple[str, str]] = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = (key_node.tag, key_node.value)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"the key {key_node.value!r} appears twice in one mapping",
                key_node.start_mark,
            )
        seen.add(key)
    return yaml.constructor.SafeConstructor.construct_mapping(self, node, deep)


@cache
def loader() -> Any:
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return _fix_resolvers(
        type("ScenecatLoader", (base,), {"construct_mapping": _construct_mapping})
    )


# Characters PyYAML counts as printable but a terminal acts on (bidi overrides and isolates,
# line/paragraph separators): a string holding one is written double-quoted, and the
# character as a \\u escape, so the YAML means the same and shows safely.
_REORDERING = re.compile("[\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _represent_str(dumper: Any, value: str) -> Any:
    style = '"' if _REORDERING.search(value) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


@cache
def dumper() -> Any:
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    cls = _fix_resolvers(type("ScenecatDumper", (base,), {}))
    cls.add_representer(str, _represent_str)
    return cls


def load(stream: Any) -> Any:
    import yaml

    return yaml.load(stream, Loader=loader())


def compose(stream: Any) -> Any:
    import yaml

    return yaml.compose(stream, Loader=loader())


def dump(data: Any, **options: Any) -> str:
    import yaml

    settings: dict[str, Any] = {
        "allow_unicode": True,
        "sort_keys": False,
        "default_flow_style": False,
        "width": 100,
        **options,
    }
    text = str(yaml.dump(data, None, Dumper=dumper(), **settings))
    return _REORDERING.sub(lambda m: f"\\u{ord(m.group()):04X}", text)
