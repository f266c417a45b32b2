"""`scenes_by_ids` reads any number of scenes in one query per table (issue 27: a 10,000-scene
ranking's records): the same records, details and order as the listing's batched reads."""

from __future__ import annotations

import random
from pathlib import Path

from scenecat.storage.connection import open_catalogue
from scenecat.storage.scenes import SceneFilter, list_scenes, scenes_by_ids


def test_scenes_by_ids_gives_the_listings_records_in_the_order_asked(sample_db: Path) -> None:
    catalogue = open_catalogue(sample_db, create=False)
    try:
        conn = catalogue.conn
        listed = list_scenes(conn, SceneFilter())  # attach_details, 500 ids a statement
        assert len(listed) > 20 and any(s.views for s in listed) and any(s.tags for s in listed)
        assert any(s.sources for s in listed) and all(s.actors for s in listed)
        order = [s.id for s in listed]
        random.Random(27).shuffle(order)
        missing = max(order) + 1000
        # Unknown ids are left out; an id asked twice comes twice, the same record.
        asked = [order[0], missing, *order, order[0]]
        found = scenes_by_ids(conn, asked)
        by_id = {s.id: s for s in listed}
        assert found == [by_id[i] for i in asked if i != missing]
        assert found[0] is found[-1]
        assert scenes_by_ids(conn, []) == []
    finally:
        conn.close()
