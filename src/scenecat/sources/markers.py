"""The pluggy markers of scenecat's hooks (project name `scenecat`).

A leaf module: the built-in sources (builtin.py) mark their hook with `hookimpl` from here,
and plugins.py, which registers builtin.py, imports it too, so neither imports the other
back. Plugin packages keep importing `hookimpl` from scenecat.sources.plugins (the same
object).
"""

from __future__ import annotations

import pluggy

hookspec = pluggy.HookspecMarker("scenecat")
hookimpl = pluggy.HookimplMarker("scenecat")
