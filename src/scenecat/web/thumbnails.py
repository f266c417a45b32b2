"""Clip links: which sources are YouTube videos, their thumbnail images, and the player
that plays a scene's moment in its clip.

A thumbnail's address follows from the video id (https://i.ytimg.com/vi/ID/hqdefault.jpg),
so the site links the image and downloads nothing. A clip holding the scene's moment is
embedded with YouTube's privacy-enhanced player (www.youtube-nocookie.com/embed/ID, from
`start=` to `end=`), behind its thumbnail: the frame shows the thumbnail (its `srcdoc`)
until the play button is pressed, so nothing is asked of YouTube but the image before then,
and a browser that cannot show the player still shows the image and the link.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode, urlsplit

_VIDEO_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com", "music.youtube.com"}
_SHORT_HOSTS = {"youtu.be", "www.youtu.be"}


@dataclass(frozen=True)
class Clip:
    url: str
    title: str | None
    publisher: str | None
    video_id: str | None
    start: int | None = None  # the scene's moment in the clip, seconds
    end: int | None = None

    @property
    def thumbnail(self) -> str | None:
        if self.video_id is None:
            return None
        return f"https://i.ytimg.com/vi/{self.video_id}/hqdefault.jpg"

    @property
    def safe_url(self) -> str | None:
        """The URL if it is http(s); anything else (javascript:, data:) is not linked. A
        clip's link plays from the scene's moment (`&t=83s`)."""
        scheme = urlsplit(self.url).scheme.lower()
        if scheme not in ("http", "https"):
            return None
        from scenecat.domain.moments import deep_link

        return deep_link(self.url, self.start)

    @property
    def moment(self) -> str | None:
        """ "1:23-1:41": where the scene is in the clip."""
        from scenecat.domain.moments import words

        return words(self.start, self.end)

    @property
    def embed_url(self) -> str | None:
        """The privacy-enhanced player of a YouTube clip holding the scene's moment,
        from its start to its end; None for other clips."""
        if self.video_id is None or (self.start is None and self.end is None):
            return None
        times = [(k, v) for k, v in (("start", self.start), ("end", self.end)) if v is not None]
        return f"{EMBED}{self.video_id}?{urlencode(times)}"

    @property
    def embed_srcdoc(self) -> str | None:
        """What the player's frame shows until it is played: the thumbnail and a play
        button, a link to the player (autoplay, as the click asked to play)."""
        if self.embed_url is None or self.thumbnail is None:
            return None
        play = html.escape(f"{self.embed_url}&autoplay=1")
        label = html.escape(f"Play {self.title or 'the clip'} from {self.moment}")
        return (
            "<style>*{margin:0;padding:0}html,body{height:100%;background:#000}"
            "a{display:block;height:100%;position:relative}"
            "img{width:100%;height:100%;object-fit:cover}"
            "span{position:absolute;left:50%;top:50%;transform:translate(-50%,-50%);"
            "background:rgba(0,0,0,.7);color:#fff;font:24px sans-serif;padding:.4em .8em;"
            "border-radius:.4em}</style>"
            f'<a href="{play}" aria-label="{label}">'
            # the link says what it plays: the image needs no words of its own
            f'<img src="{html.escape(self.thumbnail)}" alt="">'
            f"<span>&#9654; {html.escape(self.moment or '')}</span></a>"
        )


# YouTube's privacy-enhanced player: no cookies until the video is played.
EMBED = "https://www.youtube-nocookie.com/embed/"


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


def clip(
    url: str,
    title: str | None,
    publisher: str | None,
    start: int | None = None,
    end: int | None = None,
) -> Clip:
    return Clip(url, title, publisher, youtube_id(url), start, end)
