"""`db check`: is the catalogue file sound?"""

from __future__ import annotations

import sqlite3

from scenecat.storage import health


def check(conn: sqlite3.Connection) -> list[str]:
    return health.problems(conn)
