"""Old name of storage/actors.py, kept only for domain/articles.py until the articles split
(#14) imports `scenecat.storage.actors`; then this module goes."""

from scenecat.storage.actors import *  # noqa: F403
