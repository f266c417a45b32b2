"""Clip links: which sources are YouTube videos, and their thumbnail images.

A thumbnail's address follows from the video id (https://i.ytimg.com/vi/ID/hqdefault.jpg),
so the site links the image and downloads nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com"}
_SHORT_HOSTS = {"youtu.be", "www.youtu.be"}


@dataclass(frozen=True)
class Clip:
    url: str
    title: str | None
    publisher: str | None
    video_id: str | None

    @property
    def thumbnail(self) -> str | None:
        if self.video_id is None:
            return None
        return f"https://i.ytimg.com/vi/{self.video_id}/hqdefault.jpg"

    @property
    def safe_url(self) -> str | None:
        """The URL if it is http(s); anything else (javascript:, data:) is not linked."""
        scheme = urlsplit(self.url).scheme.lower()
        return self.url if scheme in ("http", "https") else None


def youtube_id(url: str) -> str | None:
    """The video id of a YouTube watch, short, embed or shorts link; None for anything else."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    host = (parts.hostname or "").lower()
    candidate: str | None = None
    if host in _SHORT_HOSTS:
        candidate = parts.path.lstrip("/").split("/", 1)[0]
    elif host in _HOSTS:
        path = parts.path.rstrip("/")
        if path == "/watch":
            values = parse_qs(parts.query).get("v")
            candidate = values[0] if values else None
        else:
            for prefix in ("/embed/", "/shorts/", "/live/", "/v/"):
                if path.startswith(prefix):
                    candidate = path[len(prefix) :].split("/", 1)[0]
    if candidate and _VIDEO_ID.match(candidate):
        return candidate
    return None


def clip(url: str, title: str | None, publisher: str | None) -> Clip:
    return Clip(url, title, publisher, youtube_id(url))
