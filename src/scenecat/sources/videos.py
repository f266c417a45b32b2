"""Video clips: what a clip page says about itself (title, channel, upload time, duration,
views), read from `yt-dlp -J` output, yt-dlp's Python API (no download), or the YouTube
Data API when YOUTUBE_API_KEY is set; and guessing drama and episode from a clip title.

Fields read from yt-dlp's info dict (its README, "OUTPUT TEMPLATE"): `id`, `extractor_key`,
`webpage_url`, `original_url`, `title`, `channel`/`uploader`, `timestamp` (the upload's
UNIX time), `upload_date` (the same day in UTC, used only without a timestamp), `duration`,
`view_count`, `tags`, `epoch` (when the page was read); for a scene's moment inside the
clip, `start_time`/`end_time` (yt-dlp's reading of the URL's `t=`/`start=`/`end=`),
`chapters` (start_time, end_time, title) and `heatmap` (YouTube's "most replayed" graph:
start_time, end_time and a value normalised to 0..1), as yt-dlp's InfoExtractor documents
them (yt_dlp/extractor/common.py).
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from dataclasses import dataclass
from typing import Any

from scenecat.errors import InvalidInput
from scenecat.sources.http import Http, SourceUnavailable, Unreachable
from scenecat.text import MAX_CLIP_TIME, clean_name, name_key, parse_clip_time

YOUTUBE_API = "https://www.googleapis.com/youtube/v3/videos"
# What the `clips` extra's yt-dlp needs (pyproject.toml; current yt-dlp releases need 3.11).
NEEDS_PYTHON = "Python 3.11 or later"
_YOUTUBE_ID = re.compile(r"(?:v=|youtu\.be/|/shorts/|/embed/|/live/)([A-Za-z0-9_-]{11})")
_YOUTUBE_HOSTS = ("youtube.com", "m.youtube.com", "music.youtube.com", "youtube-nocookie.com")
_NAVER = re.compile(r"^(?:m\.)?tv\.naver\.com/(?:v|embed)/(\d+)")
# Query parameters that say where to start playing, not which video: `t=83`, `start=83`.
_TIME_PARAMS = {"t", "start", "end", "time_continue"}
# Broadcasters' time zones, by the drama's country; none of them keeps daylight saving time
# (Korea has not since 1988), so a fixed offset is exact.
ZONE_HOURS = {"South Korea": 9, "Japan": 9, "China": 8, "Taiwan": 8, "Thailand": 7}
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


class ClipsUnreachable(Unreachable):
    """The video site cannot be reached at all (offline, refused, name not resolved):
    no other clip would do better, so a run over many clips stops at the first one."""


@dataclass(frozen=True)
class Span:
    """A stretch of a clip: a chapter (with its title) or a point of the heatmap (with its
    value), in seconds as yt-dlp gives them."""

    start: float
    end: float
    title: str | None = None
    value: float | None = None


@dataclass
class ClipInfo:
    url: str
    title: str
    channel: str | None = None
    uploaded: str | None = None  # YYYY-MM-DD in UTC (yt-dlp's upload_date)
    duration_s: int | None = None
    views: int | None = None
    observed: str | None = None  # the day the view count was read, YYYY-MM-DD
    tags: tuple[str, ...] = ()
    timestamp: float | None = None  # the upload's UNIX time, when known
    extractor: str | None = None  # yt-dlp's extractor_key, lower case: "youtube"
    video_id: str | None = None  # the site's id of the video
    original_url: str | None = None  # the URL the clip was read from
    # Where the URL said to start and stop playing (`t=83`), in whole seconds.
    start_time: int | None = None
    end_time: int | None = None
    chapters: tuple[Span, ...] = ()  # the clip's chapters, in order
    heatmap: tuple[Span, ...] = ()  # "most replayed": a value 0..1 per stretch of the clip
    # Fields of the clip's page left out as unusable, and why (from_ytdlp).
    warnings: tuple[str, ...] = ()

    def identities(self) -> set[tuple[str, str]]:
        """What identifies the clip: (site, video id), and its URLs' keys."""
        found = {clip_key(u) for u in (self.url, self.original_url) if u}
        if self.extractor and self.video_id:
            found.add((self.extractor, self.video_id))
        return found

    def upload_day(self, country: str | None) -> str | None:
        """The upload's date where the drama is broadcast (a KST 02:00 upload is that day
        in Korea, the day before in UTC): the drama's country, else Korea when the clip's
        title or channel is in Hangul; yt-dlp's UTC date when neither is known."""
        hours = ZONE_HOURS.get(country or "")
        if hours is None and _HANGUL.search(f"{self.title} {self.channel or ''}"):
            hours = ZONE_HOURS["South Korea"]
        if self.timestamp is None or hours is None:
            return self.uploaded
        zone = dt.timezone(dt.timedelta(hours=hours))
        return dt.datetime.fromtimestamp(self.timestamp, zone).date().isoformat()


def clip_key(url: str) -> tuple[str, str]:
    """A clip link's identity: ("youtube", ID) for every form of a YouTube link (watch,
    youtu.be, Shorts, embed, with or without `t=`), ("naver", ID) for Naver TV, else the
    URL without its scheme, `www.`, fragment and start-time parameters."""
    from urllib.parse import parse_qsl, urlencode, urlsplit

    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if host in _YOUTUBE_HOSTS or host == "youtu.be":
        match = _YOUTUBE_ID.search(f"{host}{parts.path}?{parts.query}")
        if match:
            return ("youtube", match.group(1))
    naver = _NAVER.match(f"{host}{parts.path}")
    if naver:
        return ("naver", naver.group(1))
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in _TIME_PARAMS]
    rest = parts.path.rstrip("/") + (f"?{urlencode(query)}" if query else "")
    return ("url", f"{host}{rest}")


def _day(value: Any) -> str | None:
    if isinstance(value, str) and re.fullmatch(r"(19|20)\d{6}", value):
        try:
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:])).isoformat()
        except ValueError:
            return None
    return None


def from_ytdlp(data: Any, observed: str | None = None) -> ClipInfo:
    """A clip from `yt-dlp -J URL` output (or yt-dlp's sanitised info dict). The link and
    title must pass the catalogue's text rule (InvalidInput otherwise); any other field
    that is unusable (a view count of -1, a duration of NaN, an epoch in the year 10^292,
    a channel with terminal escapes) is left out, and said in the clip's `warnings`."""
    if not isinstance(data, dict):
        raise InvalidInput("not yt-dlp -J output (expected a JSON object)")
    warnings: list[str] = []
    url = data.get("webpage_url") or data.get("original_url")
    original = data.get("original_url")
    title = data.get("title") or data.get("fulltitle")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise InvalidInput("yt-dlp -J output without a webpage_url")
    url = _clean(url, "webpage_url")
    if not _URL.match(url):
        raise InvalidInput(f"yt-dlp -J output whose webpage_url {url!r:.80} is not a link")
    if not isinstance(title, str) or not title.strip():
        raise InvalidInput("yt-dlp -J output without a title")
    title = _clean(title, "title")
    epoch = _moment(data, "epoch", warnings)
    if observed is None and epoch is not None and epoch > 0:
        observed = dt.datetime.fromtimestamp(epoch, dt.timezone.utc).date().isoformat()
        if observed > dt.date.today().isoformat():
            # A count is never from the future (import refuses one): today's it is.
            warnings.append(f"epoch {epoch:.0f} is in the future; left out")
            observed = None
    duration = data.get("duration")
    seconds = _number(duration)
    if duration is not None and seconds is None:
        warnings.append(f"duration {duration!r:.40} is not a length in seconds; left out")
    views = data.get("view_count")
    counted = _count(views)
    if views is not None and counted is None:
        warnings.append(f"view_count {views!r:.40} is not a count of views; left out")
    tags = data["tags"] if isinstance(data.get("tags"), list) else []
    extractor = data.get("extractor_key")
    video_id = data.get("id")
    return ClipInfo(
        # Stored without `t=` (a webpage_url has none; an extractor's might): each scene
        # linking the clip keeps its own moment in it.
        url=without_time(url),
        title=title,
        channel=_field(data.get("channel"), "channel", warnings)
        or _field(data.get("uploader"), "uploader", warnings),
        uploaded=_day(data.get("upload_date")),
        duration_s=round(seconds) if seconds is not None else None,
        views=counted,
        observed=observed,
        # Tags only help guess the drama: an unusable one is dropped without a word.
        tags=tuple(t for t in (_field(t, "tag", []) for t in tags) if t),
        timestamp=_moment(data, "timestamp", warnings),
        extractor=extractor.lower()
        if isinstance(extractor, str) and extractor.isascii() and extractor.isalnum()
        else None,
        video_id=video_id
        if isinstance(video_id, str) and video_id and video_id.isprintable()
        else None,
        original_url=original if isinstance(original, str) and original.isprintable() else None,
        start_time=_seconds(data.get("start_time")),
        end_time=_seconds(data.get("end_time")),
        chapters=_spans(data.get("chapters"), "title"),
        heatmap=_spans(data.get("heatmap"), "value"),
        warnings=tuple(warnings),
    )


_URL = re.compile(r"^https?://\S+$")
MAX_VIEWS = 10**13  # format 1's range for a view count (domain/records.py)
# A UNIX time the catalogue takes a date of: 1970 .. 2100-01-01 (format 1's years).
MAX_MOMENT = 4_102_444_800


def _count(value: Any) -> int | None:
    """A view count format 1 takes (0 to 10^13), else None."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_VIEWS:
        return value
    return None


def _clean(value: str, what: str, source: str = "yt-dlp -J output") -> str:
    try:
        return clean_name(value, "")
    except InvalidInput as exc:
        raise InvalidInput(f"{source} whose {what} {exc.message}") from None


def _field(value: Any, what: str, warnings: list[str]) -> str | None:
    """A text field by the catalogue's rule, or None (said in `warnings`)."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return clean_name(value, "")
    except InvalidInput as exc:
        warnings.append(f"{what} {value[:60]!r} {exc.message}; left out")
        return None


def _moment(data: dict[str, Any], key: str, warnings: list[str]) -> float | None:
    """A UNIX time (`epoch`, `timestamp`) a date can be made of, else None."""
    value = data.get(key)
    if value is None:
        return None
    number = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if number is not None and math.isfinite(number) and 0 <= number <= MAX_MOMENT:
        return float(number)
    warnings.append(f"{key} {value!r:.40} is not a time; left out")
    return None


def _number(value: Any) -> float | None:
    """A finite, non-negative number of seconds (or heatmap value), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value) if math.isfinite(value) and 0 <= value <= MAX_CLIP_TIME else None


def _seconds(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else int(number)  # whole seconds, as `t=` gives them


def _spans(value: Any, extra: str) -> tuple[Span, ...]:
    """Chapters (`extra` "title") or heatmap points ("value"), in order; an entry without
    a start before its end is left out."""
    if not isinstance(value, list):
        return ()
    spans = []
    for item in value:
        if not isinstance(item, dict):
            continue
        start, end = _number(item.get("start_time")), _number(item.get("end_time"))
        if start is None or end is None or end <= start:
            continue
        if extra == "title":
            spans.append(Span(start, end, title=_field(item.get("title"), "chapter", [])))
        else:
            level = _number(item.get("value"))
            if level is not None:
                spans.append(Span(start, end, value=level))
    return tuple(sorted(spans, key=lambda s: s.start))


def url_moment(url: str) -> tuple[int | None, int | None]:
    """Where a link says to start and stop playing: `t=`/`start=` and `end=` in its query
    or fragment, read as yt-dlp reads them (83, 83s, 1m23s, 1h2m3s, 1:23); InvalidInput
    for a value that is none of these."""
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(url.strip())
    found: dict[str, int] = {}
    for component in (parts.fragment, parts.query):
        for key, values in parse_qs(component).items():
            name = "start" if key in ("t", "start") else "end" if key == "end" else None
            if name is None or name in found:
                continue
            try:
                found[name] = parse_clip_time(values[0])
            except InvalidInput as exc:
                raise InvalidInput(f"{key}= in the link: {exc.message}") from None
    return found.get("start"), found.get("end")


def without_time(url: str) -> str:
    """The link without where to start playing (`t=83`, `start=`, `end=`, `#t=83`): a clip
    is stored once, and each scene keeps its own moment in it."""
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url.strip())
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = [(k, v) for k, v in pairs if k not in _TIME_PARAMS]
    fragment = "" if parts.fragment.startswith("t=") else parts.fragment
    if len(query) == len(pairs) and fragment == parts.fragment:
        return url.strip()
    return urlunsplit(parts._replace(query=urlencode(query), fragment=fragment))


def fetch(url: str) -> ClipInfo:
    """The clip behind `url`: the YouTube Data API when YOUTUBE_API_KEY is set, else yt-dlp."""
    key = os.environ.get("YOUTUBE_API_KEY", "").strip()
    if key and _YOUTUBE_ID.search(url):
        return fetch_youtube_api(url, key)
    return fetch_ytdlp(url)


def fetch_ytdlp(url: str) -> ClipInfo:
    try:
        import yt_dlp
    except ImportError:
        import sys

        running = f"Python {sys.version_info[0]}.{sys.version_info[1]}"
        needs = (
            f"; yt-dlp needs {NEEDS_PYTHON}, this is {running}"
            if sys.version_info < (3, 11)
            else ""
        )
        raise InvalidInput(
            f"reading a clip needs yt-dlp, which is not installed{needs}",
            hint=f"pip install 'scenecat[clips]' ({NEEDS_PYTHON}), set YOUTUBE_API_KEY, "
            "or save `yt-dlp -J URL` to a file and use --clip-json FILE",
        ) from None
    options = {
        "quiet": True,
        "no_warnings": True,
        "skip_download": True,
        "noplaylist": True,
        # Metadata only: a clip whose formats cannot be read (an upcoming premiere, a
        # format yt-dlp cannot decipher yet) still has a title and a view count. (The
        # maintainers' advice, yt-dlp issue #11966.)
        "ignore_no_formats_error": True,
        # scenecat reports the failure itself, once.
        "logger": _QuietLogger(),
    }
    try:
        with yt_dlp.YoutubeDL(options) as ydl:
            info = ydl.sanitize_info(ydl.extract_info(url, download=False))
    except yt_dlp.utils.DownloadError as exc:
        message = str(exc).removeprefix("ERROR: ").splitlines()[0]
        # "... (caused by TransportError('...'))" repeats what the message said.
        message = re.sub(r"\s*\(caused by \w+\(.*\)\)$", "", message)
        if _unreachable(exc):
            raise ClipsUnreachable(
                f"cannot reach the video site: {message}",
                hint="check the network connection, or read saved `yt-dlp -J URL` output "
                "(add-scene --clip-json FILE, views refresh --from-json DIR)",
            ) from None
        raise SourceUnavailable(f"cannot read the clip: {message}") from None
    return from_ytdlp(info, dt.date.today().isoformat())


class _QuietLogger:
    """yt-dlp's logger, silenced: its own error lines would come before scenecat's one
    `Error:` line; what went wrong reaches scenecat as the exception."""

    def debug(self, msg: str) -> None:
        pass

    def info(self, msg: str) -> None:
        pass

    def warning(self, msg: str) -> None:
        pass

    def error(self, msg: str) -> None:
        pass


def _unreachable(exc: BaseException) -> bool:
    """Whether yt-dlp failed for want of a connection (its TransportError: refused, no
    route, name not resolved, timed out, TLS), not because of this clip."""
    seen: list[object] = [exc]
    info = getattr(exc, "exc_info", None)
    if isinstance(info, tuple) and len(info) > 1:
        seen.append(info[1])
    for error in list(seen):
        seen += [getattr(error, "cause", None), getattr(error, "__cause__", None)]
    try:
        from yt_dlp.networking.exceptions import TransportError

        if any(isinstance(e, TransportError) for e in seen):
            return True
    except ImportError:  # an older yt-dlp: judged by the message alone
        pass
    return bool(
        re.search(
            r"Unable to download [^:]*: .*(Errno|timed out|resolve|refused|unreachable)",
            str(exc),
        )
    )


def fetch_youtube_api(url: str, key: str) -> ClipInfo:
    match = _YOUTUBE_ID.search(url)
    if not match:
        raise InvalidInput(f"{url!r} is not a YouTube video link")
    with Http(cache=False) as http:
        data = http.get_json(
            YOUTUBE_API,
            {"part": "snippet,statistics,contentDetails", "id": match.group(1), "key": key},
        )
    items = data.get("items") if isinstance(data, dict) else None
    if not items or not isinstance(items[0], dict):
        raise InvalidInput(f"YouTube has no video {match.group(1)}")
    return from_youtube_api(items[0], dt.date.today().isoformat())


def from_youtube_api(item: dict[str, Any], observed: str) -> ClipInfo:
    snippet = _dict(item.get("snippet"))
    stats = _dict(item.get("statistics"))
    details = _dict(item.get("contentDetails"))
    published = snippet.get("publishedAt")
    timestamp = None
    if isinstance(published, str):
        try:
            timestamp = dt.datetime.fromisoformat(published.replace("Z", "+00:00")).timestamp()
        except ValueError:
            timestamp = None
    views = stats.get("viewCount")
    title = snippet.get("title")
    if not isinstance(title, str) or not title.strip():
        raise InvalidInput("the YouTube answer has no title")
    title = _clean(title, "title", "the YouTube answer")
    video_id = item.get("id")
    return ClipInfo(
        url=f"https://www.youtube.com/watch?v={video_id}",
        title=title,
        channel=_field(snippet.get("channelTitle"), "channel", []),
        uploaded=_day(published[:10].replace("-", "")) if isinstance(published, str) else None,
        duration_s=_iso_duration(details.get("duration")),
        views=_count(int(views)) if isinstance(views, str) and _digits(views) else None,
        observed=observed,
        tags=tuple(t for t in _list(snippet.get("tags")) if isinstance(t, str)),
        timestamp=timestamp if timestamp is not None and "T" in str(published) else None,
        extractor="youtube",
        video_id=video_id if isinstance(video_id, str) else None,
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _digits(text: str) -> bool:
    return 0 < len(text) <= 15 and text.isascii() and text.isdigit()


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _iso_duration(value: Any) -> int | None:
    match = re.fullmatch(r"PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?", value or "")
    if not match or not any(match.groups()):
        return None
    h, m, s = (int(g or 0) for g in match.groups())
    return h * 3600 + m * 60 + s


# Guessing


@dataclass
class DramaNames:
    id: int
    title: str
    names: tuple[str, ...]  # title, native title, aliases
    aired: dict[str, int]  # air date -> episode number
    episodes: int | None = None


@dataclass
class Guess:
    drama: DramaNames | None
    episode: int | None
    why: list[str]


_EPISODE = [
    re.compile(r"\bEP?\.?\s*(\d{1,3})\b", re.IGNORECASE),
    re.compile(r"\bEpisode\s*(\d{1,3})\b", re.IGNORECASE),
    re.compile(r"(\d{1,3})\s*[화회]"),
]
_STAMP = re.compile(r"(?<!\d)(\d{2})(\d{2})(\d{2})(?!\d)\s*(?:방송|방영)?")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
# Shorter titles match too much by accident; Hangul packs a word in fewer letters (도깨비).
MIN_KEY = 4
MIN_HANGUL = 3


def _names_in(text: str, name: str) -> bool:
    key = name_key(name)
    if _HANGUL.search(name):
        return len(key) >= MIN_HANGUL and key in name_key(text)
    if len(key) < MIN_KEY:
        return False
    # Latin titles match at word boundaries, with any spacing or punctuation between words.
    words = [re.escape(w) for w in re.findall(r"[0-9A-Za-z]+", name)]
    if not words:
        return False
    return re.search(r"\b" + r"[\W_]*".join(words) + r"\b", text, re.IGNORECASE) is not None


def guess(clip: ClipInfo, dramas: list[DramaNames]) -> Guess:
    """Drama and episode named by the clip's title and tags; None where unsure: a title that
    names no drama, or several, is left to the user, never guessed."""
    text = " ".join([clip.title, *(f"#{t}" for t in clip.tags)])
    hits = [d for d in dramas if any(_names_in(text, n) for n in d.names)]
    why: list[str] = []
    if len(hits) > 1:
        # One title inside another ("Healer" in "The Healer's Return"): the longest named wins
        # only when it contains every other.
        longest = max(hits, key=lambda d: max(len(name_key(n)) for n in d.names))
        longest_keys = {name_key(n) for n in longest.names}
        if all(any(name_key(n) in k for n in d.names for k in longest_keys) for d in hits):
            hits = [longest]
    if len(hits) != 1:
        if hits:
            why.append("the clip title names several dramas: " + ", ".join(d.title for d in hits))
        else:
            why.append("the clip title names no drama in the catalogue")
        return Guess(None, None, why)
    drama = hits[0]
    why.append(f"drama {drama.title!r} named in the clip title")
    numbers = {int(m.group(1)) for p in _EPISODE for m in p.finditer(clip.title)}
    numbers = {n for n in numbers if n > 0 and (drama.episodes is None or n <= drama.episodes)}
    by_date: set[int] = set()
    for m in _STAMP.finditer(clip.title):
        day = f"20{m.group(1)}-{m.group(2)}-{m.group(3)}"
        if day in drama.aired:
            by_date.add(drama.aired[day])
            why.append(f"{m.group(0).strip()} is the air date of episode {drama.aired[day]}")
    found = numbers | by_date
    if len(found) == 1:
        episode = found.pop()
        if numbers:
            why.append(f"episode {episode} named in the clip title")
        return Guess(drama, episode, why)
    if len(found) > 1:
        why.append(f"episode unclear (the title points at {sorted(found)})")
    return Guess(drama, None, why)
