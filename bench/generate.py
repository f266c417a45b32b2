#!/usr/bin/env python3
"""Deterministic synthetic scenecat catalogue for benchmarks.

    python bench/generate.py --scenes 1m -o /tmp/cat-1m.jsonl
    python bench/generate.py --scenes 10k --yaml -o /tmp/cat-10k.yaml

Writes a scenecat catalogue, format 1: JSON Lines by default (a {"format": "scenecat/1"} header
line, then one record per line with a "type" field: all actors, then dramas, scenes, votes and
duels, so every reference points backwards), or with --yaml the same catalogue as one YAML
document. Also writes FILE.meta.json naming the words and actors benchmarks should query.

The default shape scales from 1M scenes = 20,000 dramas, 50,000 actors, 3M votes, 100k duels.
Search words are planted at exact counts (rare 5 per 1M scenes, at least 1; typical 0.05% of
scenes; broad 27%), and no other generated text contains them or a word starting with them, so
the number of scenes a search for one of them should find is exact (printed, and in the meta). The other description words
follow a Zipf law over a fixed ~5,000-word vocabulary.

The same arguments give byte-identical output (one random.Random(seed), no set iteration).
Output is streamed: besides the name lists and per-drama casts, only a few compact arrays
(about 10 bytes per scene) are kept, so scene keys can be rebuilt for votes and duels.
Standard library only; PyYAML is imported for --yaml alone.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from array import array
from bisect import bisect
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TextIO

FORMAT = "scenecat/1"

# The 1M-scene shape every default scales from.
SCENES_PER_DRAMA = 50
SCENES_PER_ACTOR = 20
VOTES_PER_SCENE = 3
SCENES_PER_DUEL = 10

FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2026, 11, 1)  # no date in the catalogue is later than this

# --- search words planted at exact counts -------------------------------------------------

BROAD_WORD = "rain"
BROAD_RATE = 0.27
TYPICAL_WORDS = ("umbrella", "piggyback", "lighthouse", "bicycle", "snowman")
TYPICAL_RATE = 0.0005
RARE_WORD = "kaleidoscope"
RARE_PER_MILLION = 5
SPECIAL_WORDS = (BROAD_WORD, *TYPICAL_WORDS, RARE_WORD)

# --- name and word pools -------------------------------------------------------------------

# (romanised, Hangul, relative frequency); both spellings are one-to-one within the table.
SURNAMES: tuple[tuple[str, str, int], ...] = (
    ("Kim", "김", 10), ("Lee", "이", 8), ("Park", "박", 6), ("Choi", "최", 4), ("Jung", "정", 4),
    ("Kang", "강", 3), ("Cho", "조", 3), ("Yoon", "윤", 3), ("Jang", "장", 3), ("Lim", "임", 3),
    ("Han", "한", 2), ("Oh", "오", 2), ("Seo", "서", 2), ("Shin", "신", 2), ("Kwon", "권", 2),
    ("Hwang", "황", 2), ("Ahn", "안", 2), ("Song", "송", 2), ("Jeon", "전", 2), ("Hong", "홍", 2),
    ("Yoo", "유", 2), ("Ko", "고", 2), ("Moon", "문", 2), ("Yang", "양", 1), ("Son", "손", 1),
    ("Bae", "배", 1), ("Baek", "백", 1), ("Heo", "허", 1), ("Nam", "남", 1), ("Shim", "심", 1),
    ("Noh", "노", 1), ("Ha", "하", 1), ("Kwak", "곽", 1), ("Sung", "성", 1), ("Cha", "차", 1),
    ("Joo", "주", 1), ("Woo", "우", 1), ("Koo", "구", 1), ("Min", "민", 1), ("Ryu", "류", 1),
    ("Na", "나", 1), ("Jin", "진", 1), ("Ji", "지", 1), ("Uhm", "엄", 1), ("Chae", "채", 1),
    ("Won", "원", 1), ("Chun", "천", 1), ("Bang", "방", 1), ("Gong", "공", 1), ("Hyun", "현", 1),
    ("Byun", "변", 1), ("Yeo", "여", 1), ("Choo", "추", 1), ("Do", "도", 1), ("So", "소", 1),
    ("Seok", "석", 1), ("Sun", "선", 1), ("Ma", "마", 1), ("Gil", "길", 1), ("Pyo", "표", 1),
)  # fmt: skip

GIVEN: tuple[tuple[str, str], ...] = (
    ("Min", "민"), ("Ji", "지"), ("Seo", "서"), ("Hyun", "현"), ("Woo", "우"), ("Jin", "진"),
    ("Soo", "수"), ("Young", "영"), ("Eun", "은"), ("Hye", "혜"), ("Joon", "준"), ("Ho", "호"),
    ("Jae", "재"), ("Sung", "성"), ("Yeon", "연"), ("Ha", "하"), ("Yoon", "윤"), ("Chang", "창"),
    ("Wook", "욱"), ("Kyung", "경"), ("Hee", "희"), ("Sang", "상"), ("Dong", "동"), ("Tae", "태"),
    ("Hoon", "훈"), ("Won", "원"), ("Mi", "미"), ("Na", "나"), ("Ra", "라"), ("Bin", "빈"),
    ("Kyu", "규"), ("Seung", "승"), ("Hwan", "환"), ("Seok", "석"), ("Yong", "용"), ("Il", "일"),
    ("Chul", "철"), ("Gun", "건"), ("Ah", "아"), ("In", "인"), ("Hae", "해"), ("Bo", "보"),
    ("Da", "다"), ("Ye", "예"), ("Yu", "유"), ("Si", "시"), ("Do", "도"), ("Ki", "기"),
    ("Sol", "솔"), ("Rin", "린"), ("Hyuk", "혁"), ("Beom", "범"), ("Han", "한"), ("Joo", "주"),
    ("Byung", "병"), ("Nam", "남"), ("Kang", "강"), ("Chan", "찬"), ("Geun", "근"), ("Myung", "명"),
    ("So", "소"), ("Ok", "옥"), ("Ran", "란"), ("Sun", "선"), ("Jung", "정"), ("Hyo", "효"),
    ("Ae", "애"), ("Se", "세"), ("Ga", "가"), ("Ri", "리"), ("Kwang", "광"), ("Woong", "웅"),
    ("Jong", "종"), ("Bong", "봉"), ("Chae", "채"), ("Hwa", "화"), ("Yeol", "열"), ("Bit", "빛"),
    ("Rae", "래"), ("Yul", "율"), ("Kook", "국"), ("Taek", "택"), ("Gyeom", "겸"), ("Deok", "덕"),
    ("Eui", "의"), ("Doo", "두"), ("Eon", "언"), ("Sik", "식"), ("Pil", "필"), ("Seul", "슬"),
)  # fmt: skip

NETWORKS = ("tvN", "SBS", "KBS2", "MBC", "JTBC", "OCN", "Netflix", "Disney+", "ENA", "KakaoTV")
NETWORK_WEIGHTS = (18, 14, 14, 12, 12, 5, 12, 4, 5, 4)
EPISODE_COUNTS = (8, 10, 12, 16, 20, 24, 32, 50)
EPISODE_WEIGHTS = (3, 4, 12, 45, 12, 10, 6, 3)

KINDS = (
    "kiss", "confession", "fight", "reunion", "breakup", "proposal",
    "rescue", "hug", "funny", "action", "farewell", "first-meeting",
)  # fmt: skip
KIND_WEIGHTS = (22, 10, 9, 7, 6, 4, 7, 9, 10, 7, 5, 4)
# Kinds that are about the lead couple: the two leads are always in them.
COUPLE_KINDS = frozenset(
    i for i, k in enumerate(KINDS)
    if k in {"kiss", "confession", "reunion", "breakup", "proposal", "hug", "farewell",
             "first-meeting"}
)  # fmt: skip

ROLES = ("main", "support", "guest", "cameo")
ROLE_SCENE_WEIGHT = (12.0, 3.0, 1.0, 0.4)  # how often each role is in a scene of its drama

TITLE_ADJECTIVES = (
    "Secret", "Crimson", "Eternal", "Lonely", "Golden", "Silent", "Hidden", "Last", "Perfect",
    "Beautiful", "Wild", "Sweet", "Bitter", "Gentle", "Reckless", "Strange", "Lovely", "Fated",
    "Blue", "Scarlet", "Frozen", "Burning", "Midnight", "Distant", "Brave", "Tender", "Fragile",
    "Endless", "Shining", "Fallen", "Royal", "Hundred", "Thousand", "Second", "Little", "Dear",
    "Wonderful", "Strong", "Cheerful", "Quiet", "Clumsy", "Stubborn", "Heavenly", "Sunny",
    "Twisted", "Faithful", "Mysterious", "Warm", "Cold", "Young", "Old", "Honest", "Dangerous",
    "Extraordinary", "Weightlifting", "Romantic", "Crazy", "Lucky", "Blooming", "Starry",
)  # fmt: skip
TITLE_NOUNS = (
    "Garden", "Moon", "Sun", "Hotel", "Queen", "King", "Prince", "Princess", "Doctor", "Lawyer",
    "Secretary", "Goblin", "Guardian", "Descendants", "Lovers", "Heirs", "Palace", "Kingdom",
    "Flower", "Blossom", "Star", "Sky", "Ocean", "Island", "Village", "City", "Castle", "Letter",
    "Promise", "Memory", "Dream", "Destiny", "Summer", "Winter", "Spring", "Autumn", "Night",
    "Morning", "Season", "Melody", "Song", "Dance", "Heart", "Soul", "Angel", "Devil", "Ghost",
    "Fox", "Tiger", "Dragon", "Butterfly", "Wind", "Storm", "Sea", "River", "Mountain", "Road",
    "Station", "Bakery", "Cafe", "Kitchen", "Hospital", "School", "Office", "Company", "Family",
    "Sisters", "Brothers", "Couple", "Bride", "Groom", "Boss", "Detective", "Prosecutor", "Judge",
    "Chef", "Idol", "Teacher", "Student", "Stranger", "Neighbor", "Witch", "Mermaid", "Warrior",
    "Emperor", "Empress", "Concubine", "Scholar", "Swordsman", "Thief", "Spy", "Agent", "Youth",
    "Romance", "Tale", "Story", "Legend", "Chronicle", "Diary", "Signal", "Mask", "Mirror",
    "Crown", "Throne", "Temperature", "Distance", "Paradise", "Healer", "Pinocchio", "Vagabond",
)  # fmt: skip
TITLE_VERBS = (
    "Melting", "Finding", "Loving", "Saving", "Chasing", "Catching", "Healing", "Holding",
    "Touching", "Missing", "Hugging", "Remembering", "Forgetting", "Waiting", "Following",
    "Trusting", "Calling", "Meeting", "Leaving", "Choosing",
)  # fmt: skip
TITLE_ADVERBS = (
    "Softly", "Slowly", "Gently", "Again", "Forever", "Tonight", "Today", "Tomorrow", "Now",
    "Quietly", "Sweetly", "Madly", "Truly", "Once", "Always", "Secretly", "Bravely", "Deeply",
)  # fmt: skip
KOREAN_TITLE_WORDS = (
    "사랑", "비밀", "달", "봄", "꽃", "바다", "별", "기억", "우리", "당신", "그대", "첫", "마지막",
    "여름", "겨울", "눈물", "하늘", "바람", "시간", "운명", "왕", "여왕", "호텔", "정원", "도시",
    "밤", "꿈", "약속", "이야기", "연애", "청춘", "가족", "의사", "변호사", "비서", "괴물", "신",
    "천사", "악마", "너", "나", "날", "녹여주오", "사이", "온도", "향기", "노래", "편지", "길",
    "집", "학교", "병원", "궁", "전쟁", "계절", "소년", "소녀", "구미호", "도깨비", "왕자",
)  # fmt: skip

# Where a scene happens: the scene title is "The <place> <kind>", and the key uses it too.
PLACES = (
    "rooftop", "hospital", "elevator", "library", "bridge", "subway", "beach", "cafe", "palace",
    "office", "classroom", "airport", "alley", "park", "kitchen", "balcony", "hallway",
    "stairwell", "parking-lot", "garden", "bookstore", "bakery", "restaurant", "bus-stop",
    "convenience-store", "courtroom", "police-station", "crosswalk", "playground", "gym",
    "karaoke", "bar", "pojangmacha", "temple", "forest", "riverside", "seaside", "festival",
    "wedding", "funeral", "birthday", "car", "taxi", "train", "ferry", "hotel-lobby", "museum",
    "aquarium", "amusement-park", "ski-resort", "camping", "farm", "market", "studio", "backstage",
    "concert", "airplane", "laundromat", "pharmacy", "ward", "operating-room", "prison", "court",
    "throne-room", "village", "well", "doorstep", "staircase", "window", "bench", "tent", "sauna",
    "spa", "pool", "field", "hill", "cliff", "lake", "snowfield", "greenhouse",
)  # fmt: skip

TAGS = (
    "romantic", "sad", "iconic", "viral", "slow-burn", "enemies-to-lovers", "ost", "cliffhanger",
    "heartbreaking", "chemistry", "second-lead", "flashback", "jealousy", "time-skip",
    "childhood-friends", "fake-dating", "contract-marriage", "office-romance", "school",
    "historical", "fantasy", "thriller", "healing", "comedy", "tearjerker", "makjang", "revenge",
    "noona-romance", "love-triangle", "bromance",
)  # fmt: skip

VIEW_SOURCES = (
    "fan edit on YouTube", "Viki clip", "TikTok fan edit", "Netflix K-Content upload",
    "Instagram reel", "Naver TV clip",
)  # fmt: skip

# The most frequent description words, roughly in frequency order; the Zipf tail after them is
# made of invented words (see build_vocabulary).
CORE_TEXT = """
the and to her his he she a of in with him at for on as but they after finally their when
that from is by into while who them before again all then out up only back tells each other
not about what one over own down even still just how never through because so tries
hand face eyes heart love night home way time day door words moment tears voice feelings
truth secret past father mother brother sister friend boss doctor mansion company family
office car phone letter ring gift cake coffee soju ramyeon kimchi snow wind sea sky moon
star street city hospital school rooftop bridge station river garden promise memory dream
looks holds takes leaves stops turns asks says knows finds pulls runs walks waits hides
falls cries laughs smiles screams whispers shouts kneels stands sits sleeps wakes drinks
eats cooks sings dances plays writes reads opens closes breaks saves protects chases
catches grabs pushes hugs slaps punches kicks carries drives follows meets loses wins
remembers forgets believes lies reveals confesses admits refuses accepts agrees decides
realises notices watches hears feels wants needs hopes fears hates misses
jealous angry shy drunk sick hurt tired brave scared happy sad lonely quiet gentle cold warm
sudden slow quick long short last next same whole entire young old new rich poor
suddenly slowly quickly softly gently nearly almost already together alone outside inside
behind beside between under above across around toward against without
everyone someone nobody nothing something everything anyone whole crowd team staff
chaebol heir ceo secretary assistant lawyer prosecutor detective chef idol trainee teacher
student manager reporter actor actress singer soldier king queen prince princess ghost
goblin fox spirit grim reaper angel devil vampire witch nurse patient
stranger neighbour roommate ex fiance bride groom husband wife son daughter grandmother
grandfather uncle aunt cousin twin rival enemy bodyguard driver butler maid thief killer
contract marriage wedding divorce funeral birthday anniversary christmas date dinner lunch
breakfast picnic trip vacation concert audition interview meeting party festival
accident fire flood storm blackout kidnapping shooting surgery coma amnesia diagnosis
trial verdict scandal rumour article photo video clip message call voicemail
"""
CORE_WORDS = tuple(CORE_TEXT.split())


SURNAME_CUM: list[int] = []
for _surname in SURNAMES:
    SURNAME_CUM.append((SURNAME_CUM[-1] if SURNAME_CUM else 0) + _surname[2])


def normal_key(name: str) -> str:
    """Lower case without spaces or hyphens: the form two names must not share."""
    return name.lower().replace(" ", "").replace("-", "")


def slugify(text: str) -> str:
    out = []
    for ch in text.lower():
        out.append(ch if ("a" <= ch <= "z" or "0" <= ch <= "9") else "-")
    return "-".join(part for part in "".join(out).split("-") if part)


def is_reserved(word: str) -> bool:
    """True for a token a planted search word could match (itself, or it as a prefix)."""
    w = word.lower()
    return any(w.startswith(s) for s in SPECIAL_WORDS)


def parse_count(text: str) -> int:
    """'10k' -> 10000, '1m' -> 1000000, '2.5k' -> 2500, '1_000' -> 1000."""
    raw = text.strip().lower().replace("_", "").replace(",", "")
    scale = 1
    if raw.endswith("k"):
        scale, raw = 1_000, raw[:-1]
    elif raw.endswith("m"):
        scale, raw = 1_000_000, raw[:-1]
    try:
        value = float(raw) * scale if "." in raw else int(raw) * scale
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a count like 1000, 10k or 1m") from None
    if value < 0 or value != int(value):
        raise argparse.ArgumentTypeError(f"{text!r} must be a whole number of 0 or more")
    return int(value)


# --- vocabulary -----------------------------------------------------------------------------

VOCABULARY_SIZE = 5000
ZIPF_EXPONENT = 1.0
TABLE_BITS = 20  # the Zipf law is sampled from a 2**20-slot lookup table
DESCRIPTION_WORDS = (24, 36)  # inclusive range; 30 on average


def build_vocabulary() -> tuple[list[str], set[str]]:
    """Core words, then invented words, ~5,000 in all, most frequent first.

    Independent of --seed, so the same words have the same ranks in every catalogue. Invented
    words are consonant-vowel syllables ending in a, i, o or u (no English suffix a stemmer
    would strip), and none is also a token of any other generated text. Returns the words and
    the set of invented ones (whose hit counts come from the description alone).
    """
    other_tokens: set[str] = set()
    for pool in (TITLE_ADJECTIVES, TITLE_NOUNS, TITLE_VERBS, TITLE_ADVERBS, PLACES, TAGS, KINDS):
        for item in pool:
            other_tokens.update(t for t in item.lower().replace("-", " ").split())
    other_tokens.update(s.lower() for s, _, _ in SURNAMES)
    other_tokens.update(g.lower() for g, _ in GIVEN)
    clashes = sorted(t for t in other_tokens if is_reserved(t))
    assert not clashes, f"pools contain tokens a planted word would match: {clashes}"
    other_tokens.update(w.lower() for w in CORE_WORDS)

    words: list[str] = []
    seen: set[str] = set()
    for w in CORE_WORDS:
        if w not in seen and not is_reserved(w):
            seen.add(w)
            words.append(w)
    invented: set[str] = set()
    rng = random.Random(20191010)
    consonants = "bdghjklmnprstvz"
    vowels = "aeiou"
    while len(words) < VOCABULARY_SIZE:
        syllables = rng.choice((2, 2, 3, 3, 3, 4))
        word = "".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables))
        if word[-1] == "e" or word.endswith("iti") or word in other_tokens or word in seen:
            continue
        if is_reserved(word):
            continue
        seen.add(word)
        invented.add(word)
        words.append(word)
    return words, invented


def zipf_table(words: list[str]) -> tuple[list[str], list[int]]:
    """A lookup table in which word r fills a share of slots proportional to 1/(r+1)^s."""
    size = 1 << TABLE_BITS
    weights = [1.0 / (r + 1) ** ZIPF_EXPONENT for r in range(len(words))]
    total = sum(weights)
    slots = [max(1, round(w / total * size)) for w in weights]
    slots[0] += size - sum(slots)
    table: list[str] = []
    for word, n in zip(words, slots, strict=True):
        table.extend([word] * n)
    return table, slots


def expected_description_hits(share: float, scenes: int) -> float:
    """Scenes whose description has a word drawn with probability `share` per word."""
    lo, hi = DESCRIPTION_WORDS
    miss = sum((1.0 - share) ** n for n in range(lo, hi + 1)) / (hi - lo + 1)
    return scenes * (1.0 - miss)


# --- the generator --------------------------------------------------------------------------


class Drama:
    """What scenes, votes and duels need to know about a drama."""

    __slots__ = (
        "cast", "characters", "cum", "episodes", "mains", "network", "slug", "title", "total",
        "year",
    )  # fmt: skip

    def __init__(
        self, title: str, year: int, episodes: int, network: str, cast: list[int], roles: list[int]
    ) -> None:
        self.title = title
        self.slug = slugify(title)
        self.year = year
        self.episodes = episodes
        self.network = network
        self.cast = cast
        self.characters: dict[int, str] = {}  # actor -> given name of the character played
        self.mains = sum(1 for r in roles if r == 0)
        cum: list[float] = []
        running = 0.0
        for r in roles:
            running += ROLE_SCENE_WEIGHT[r]
            cum.append(running)
        self.cum = cum
        self.total = running


class Generator:
    def __init__(
        self, scenes: int, dramas: int, actors: int, votes: int, duels: int, seed: int
    ) -> None:
        self.n_scenes = scenes
        self.n_dramas = dramas
        self.n_actors = actors
        self.n_votes = votes
        self.n_duels = duels
        self.seed = seed
        self.rng = random.Random(seed)

        self.days = [
            (FIRST_DAY + timedelta(days=i)).isoformat()
            for i in range((LAST_DAY - FIRST_DAY).days + 1)
        ]
        self.last_day = len(self.days) - 1
        self.year_start = {y: (date(y, 1, 1) - FIRST_DAY).days for y in range(2000, 2027)}

        self.vocabulary, self.invented = build_vocabulary()
        self.table, self.slots = zipf_table(self.vocabulary)

        self.actor_names: list[str] = []
        self.dramas: list[Drama] = []
        self.drama_start = array("I")  # first scene index of each drama, plus the end
        self.actor_scene_count = array("I")
        # Enough per scene to rebuild its key: drama, episode, place, kind (+ a repeat suffix).
        self.s_drama = array("I")
        self.s_episode = array("H")
        self.s_place = array("H")
        self.s_kind = array("B")
        self.s_repeat: dict[int, int] = {}
        self.hits: dict[str, int] = {}
        self.votes_written = 0
        self.duels_written = 0

    # -- helpers ----------------------------------------------------------------------------

    def scene_key(self, i: int) -> str:
        key = (
            f"{self.dramas[self.s_drama[i]].slug}-e{self.s_episode[i]}"
            f"-{PLACES[self.s_place[i]]}-{KINDS[self.s_kind[i]]}"
        )
        n = self.s_repeat.get(i)
        return f"{key}-{n}" if n else key

    def day_after(self, start: int) -> str:
        """A date from day offset `start` to the last day."""
        return self.days[start + int(self.rng.random() * (self.last_day - start + 1))]

    def korean_name(self, syllables: int) -> tuple[str, str]:
        """(romanised, Hangul) with a surname and `syllables` given-name syllables."""
        rng = self.rng
        sur_roman, sur_hangul = self._surname()
        parts = [rng.choice(GIVEN) for _ in range(syllables)]
        roman = " ".join([sur_roman] + [p[0] for p in parts])
        hangul = sur_hangul + "".join(p[1] for p in parts)
        return roman, hangul

    def _surname(self) -> tuple[str, str]:
        i = bisect(SURNAME_CUM, self.rng.random() * SURNAME_CUM[-1])
        return SURNAMES[i][0], SURNAMES[i][1]

    # -- records ----------------------------------------------------------------------------

    def actors(self) -> Iterator[tuple[str, dict[str, Any]]]:
        rng = self.rng
        used: set[str] = set()
        names = self.actor_names
        while len(names) < self.n_actors:
            syllables = 1 if rng.random() < 0.08 else 2
            for attempt in range(60):
                # Past 30 clashes the three-part space is crowded: use four parts.
                roman, hangul = self.korean_name(syllables + (attempt >= 30))
                key = normal_key(roman)
                if key not in used:
                    break
            else:
                raise SystemExit(f"Error: could not make {self.n_actors} unique actor names")
            used.add(key)
            names.append(roman)
            record: dict[str, Any] = {"name": roman}
            if rng.random() < 0.5:
                record["native"] = hangul
            parts = roman.split(" ")
            if len(parts) == 3 and rng.random() < 0.3:
                record["aliases"] = [f"{parts[0]} {parts[1]}-{parts[2].lower()}"]
            if rng.random() < 0.8:
                record["born"] = 1950 + int(55 * rng.random() ** 0.6)
            yield "actor", record
        self.actor_scene_count = array("I", bytes(4 * self.n_actors))

    def _popularity(self) -> tuple[list[float], float]:
        """Cumulative weights 1/(i + c) over actors, c chosen so the favourite actor gets about
        0.09% of the credits in a 50,000-actor catalogue (and a flatter share in small ones)."""
        a = self.n_actors
        target = max(0.0009, 3.0 / a)
        lo, hi = 1e-6, 1e9
        for _ in range(200):
            c = math.sqrt(lo * hi)
            share = (1.0 / c) / math.log((a + c) / c) if a else 1.0
            if share > target:
                lo = c
            else:
                hi = c
        cum: list[float] = []
        running = 0.0
        for i in range(a):
            running += 1.0 / (i + c)
            cum.append(running)
        return cum, running

    def dramas_(self) -> Iterator[tuple[str, dict[str, Any]]]:
        rng = self.rng
        rand = rng.random
        a = self.n_actors
        d = self.n_dramas
        pop_cum, pop_total = self._popularity()
        # Every actor gets at least one credit: a shuffled queue handed out across the dramas.
        queue = list(range(a))
        rng.shuffle(queue)
        used_titles: set[str] = set()
        used_native: set[str] = set()
        net_cum = _cumulative(NETWORK_WEIGHTS)
        ep_cum = _cumulative(EPISODE_WEIGHTS)
        for di in range(d):
            title = self._title(used_titles)
            record: dict[str, Any] = {"title": title}
            if rand() < 0.4:
                native = " ".join(rng.choice(KOREAN_TITLE_WORDS) for _ in range(rng.choice((2, 3))))
                if native not in used_native:
                    used_native.add(native)
                    record["native"] = native
            network = NETWORKS[bisect(net_cum, rand() * net_cum[-1])]
            year = 2003 + int(24 * rand() ** 0.7)
            episodes = EPISODE_COUNTS[bisect(ep_cum, rand() * ep_cum[-1])]
            record["network"] = network
            record["country"] = "South Korea"
            record["year"] = year
            record["episodes"] = episodes

            quota = (a * (di + 1)) // d - (a * di) // d
            size = min(a, max(rng.randint(6, 14), quota + 2))
            members = queue[(a * di) // d : (a * di) // d + quota]
            chosen = set(members)
            misses = 0
            while len(members) < size:
                if misses < 50:
                    pick = bisect(pop_cum, rand() * pop_total)
                else:  # a tiny catalogue: take whoever is left
                    pick = next(i for i in range(a) if i not in chosen)
                if pick in chosen:
                    misses += 1
                    continue
                chosen.add(pick)
                members.append(pick)
            members.sort()  # the most popular actors (lowest index) lead
            roles = self._roles(len(members))
            info = Drama(title, year, episodes, network, members, roles)
            cast = []
            for actor, role in zip(members, roles, strict=True):
                character, _ = self.korean_name(2)
                info.characters[actor] = character.split(" ", 1)[1]
                cast.append(
                    {"actor": self.actor_names[actor], "character": character, "role": ROLES[role]}
                )
            record["cast"] = cast
            self.dramas.append(info)
            yield "drama", record

    def _roles(self, size: int) -> list[int]:
        rng = self.rng
        mains = min(size, 3 if size >= 7 and rng.random() < 0.25 else 2)
        rest = size - mains
        cameos = rng.randint(0, 2) if rest >= 5 else 0
        guests = rng.randint(0, (rest - cameos) // 3)
        supports = rest - cameos - guests
        return [0] * mains + [1] * supports + [2] * guests + [3] * cameos

    def _title(self, used: set[str]) -> str:
        rng = self.rng
        choice = rng.choice
        for _ in range(5):
            pattern = rng.randrange(8)
            if pattern == 0:
                words = [choice(TITLE_ADJECTIVES), choice(TITLE_NOUNS)]
            elif pattern == 1:
                words = [choice(TITLE_ADJECTIVES), choice(TITLE_ADJECTIVES), choice(TITLE_NOUNS)]
            elif pattern == 2:
                words = ["The", choice(TITLE_ADJECTIVES), choice(TITLE_NOUNS)]
            elif pattern == 3:
                words = [choice(TITLE_NOUNS), "of the", choice(TITLE_NOUNS)]
            elif pattern == 4:
                words = ["My", choice(TITLE_ADJECTIVES), choice(TITLE_NOUNS)]
            elif pattern == 5:
                words = [choice(TITLE_NOUNS), choice(TITLE_NOUNS)]
            elif pattern == 6:
                words = [choice(TITLE_VERBS), "Me", choice(TITLE_ADVERBS)]
            else:
                words = [choice(TITLE_ADJECTIVES), choice(TITLE_NOUNS), choice(TITLE_NOUNS)]
            title = " ".join(words)
            if normal_key(title) not in used:
                used.add(normal_key(title))
                return title
        n = 2
        while normal_key(f"{title} {n}") in used:
            n += 1
        title = f"{title} {n}"
        used.add(normal_key(title))
        return title

    def _plant(self) -> tuple[bytearray, list[tuple[int, str]]]:
        """Which scenes get which planted word: exact counts, one bit per word."""
        n = self.n_scenes
        flags = bytearray(n)
        plan = [(BROAD_WORD, round(BROAD_RATE * n))]
        plan += [(w, max(1, round(TYPICAL_RATE * n))) for w in TYPICAL_WORDS]
        plan.append((RARE_WORD, max(1, round(RARE_PER_MILLION * n / 1_000_000))))
        bits: list[tuple[int, str]] = []
        for bit, (word, count) in enumerate(plan):
            count = min(count, n)
            for i in self.rng.sample(range(n), count):
                flags[i] |= 1 << bit
            self.hits[word] = count
            bits.append((1 << bit, word))
        return flags, bits

    def scenes(self) -> Iterator[tuple[str, dict[str, Any]]]:
        rng = self.rng
        rand = rng.random
        n = self.n_scenes
        d = self.n_dramas
        flags, bits = self._plant()
        # Scenes per drama: random weights, then exact totals by cumulative rounding.
        weights = [rng.lognormvariate(0.0, 0.7) for _ in range(d)]
        total_w = sum(weights)
        kind_cum = _cumulative(KIND_WEIGHTS)
        kind_total = kind_cum[-1]
        n_places = len(PLACES)
        table = self.table
        draw = rng.getrandbits  # the table has exactly 2**TABLE_BITS slots
        words_lo, words_hi = DESCRIPTION_WORDS
        words_span = words_hi - words_lo + 1
        counts = self.actor_scene_count
        names = self.actor_names
        days = self.days
        last_day = self.last_day
        s_drama, s_episode = self.s_drama, self.s_episode
        s_place, s_kind = self.s_place, self.s_kind
        repeats = self.s_repeat
        self.drama_start.append(0)
        running = 0.0
        made = 0
        for di, drama in enumerate(self.dramas):
            running += weights[di]
            upto = n if di == d - 1 else min(n, int(n * running / total_w))
            count = upto - made
            cast = drama.cast
            title = drama.title
            characters = drama.characters
            cum = drama.cum
            cast_total = drama.total
            cast_len = len(cast)
            episodes = drama.episodes
            start_day = self.year_start[drama.year]
            official = f"{drama.network} official upload"
            used: dict[tuple[int, int, int], int] = {}
            for episode in sorted(1 + int(rand() * episodes) for _ in range(count)):
                i = made
                made += 1
                kind = bisect(kind_cum, rand() * kind_total)
                place = int(rand() * n_places)
                slot = (episode, place, kind)
                seen = used.get(slot, 0) + 1
                used[slot] = seen
                s_drama.append(di)
                s_episode.append(episode)
                s_place.append(place)
                s_kind.append(kind)
                if seen > 1:
                    repeats[i] = seen
                key = f"{drama.slug}-e{episode}-{PLACES[place]}-{KINDS[kind]}"
                if seen > 1:
                    key = f"{key}-{seen}"

                # Who is in it: the lead couple for couple scenes, then by role weight.
                r = rand()
                want = min(cast_len, 2 if r < 0.25 else 3 if r < 0.75 else 4)
                members: list[int] = []
                if kind in COUPLE_KINDS and drama.mains >= 2:
                    if drama.mains == 3 and rand() < 0.3:
                        members = [cast[0], cast[2]] if rand() < 0.5 else [cast[1], cast[2]]
                    else:
                        members = [cast[0], cast[1]]
                while len(members) < want:
                    pick = cast[bisect(cum, rand() * cast_total)]
                    if pick not in members:
                        members.append(pick)
                for m in members:
                    counts[m] += 1

                frac = episode / episodes
                r = rand()
                if frac >= 0.9:
                    spoiler = (
                        "none"
                        if r < 0.3
                        else "minor"
                        if r < 0.5
                        else ("major" if r < 0.75 else "ending")
                    )
                elif frac >= 0.5:
                    spoiler = "none" if r < 0.45 else "minor" if r < 0.75 else "major"
                else:
                    spoiler = "none" if r < 0.65 else "minor" if r < 0.9 else "major"

                r = rand()
                tags = [] if r < 0.2 else rng.sample(TAGS, 1 if r < 0.6 else 2 if r < 0.9 else 3)

                words = [
                    table[draw(TABLE_BITS)] for _ in range(words_lo + int(rand() * words_span))
                ]
                fl = flags[i]
                if fl:
                    for bit, word in bits:
                        if fl & bit:
                            words.insert(int(rand() * (len(words) + 1)), word)
                # Descriptions start with the first character's given name: "Dong Chan ...".
                description = f"{characters[members[0]]} {' '.join(words)}."

                source = official if rand() < 0.55 else VIEW_SOURCES[int(rand() * 6)]
                day = start_day + int(rand() * (last_day - start_day + 1))
                views_n = int(10 ** (2 + 5.2 * rand() ** 1.5))
                views = [{"count": views_n, "on": days[day], "source": source}]
                more = 0 if (r := rand()) < 0.5 else 1 if r < 0.8 else 2
                for _ in range(more):
                    later = day + int(rand() * (last_day - day + 1))
                    if later == day:
                        break
                    day = later
                    views_n = int(views_n * (1.0 + 2.0 * rand())) + 1
                    views.append({"count": views_n, "on": days[day], "source": source})

                label = KINDS[kind].replace("-", " ")
                yield (
                    "scene",
                    {
                        "key": key,
                        "drama": title,
                        "episode": episode,
                        "kind": KINDS[kind],
                        "title": f"The {PLACES[place].replace('-', ' ')} {label}",
                        "actors": [names[m] for m in members],
                        "spoiler": spoiler,
                        "tags": tags,
                        "description": description,
                        "views": views,
                    },
                )
            self.drama_start.append(made)

    def votes(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Votes, skewed: the scene of popularity rank p gets floor(V*sqrt((p+1)/N)) -
        floor(V*sqrt(p/N)) votes (exactly V in all), each from a different voter."""
        n = self.n_scenes
        v = self.n_votes
        if n == 0 or v == 0:
            return
        rng = self.rng
        rand = rng.random
        gauss = rng.gauss
        _, inv = _permutation(n)
        top = math.isqrt(v * v // n)
        voters = max(50, v // 30, 2 * top + 2)
        years = [self.dramas[di].year for di in range(self.n_dramas)]
        year_start = self.year_start
        last_day = self.last_day
        days = self.days
        s_drama = self.s_drama
        block: list[dict[str, Any]] = []
        for i in range(n):
            p = (i * inv) % n
            count = math.isqrt(v * v * (p + 1) // n) - math.isqrt(v * v * p // n)
            if not count:
                continue
            key = self.scene_key(i)
            quality = _quality(i)
            start = year_start[years[s_drama[i]]]
            who = [int(rand() * voters)]
            while len(who) < count:  # distinct voters for one scene
                w = int(rand() * voters)
                if w not in who:
                    who.append(w)
            for w in who:
                score = int(quality + gauss(0.0, 1.6) + 0.5)
                score = 1 if score < 1 else 10 if score > 10 else score
                block.append(
                    {
                        "scene": key,
                        "score": score,
                        "voter": f"fan{w}" if w else "me",
                        "on": days[start + int(rand() * (last_day - start + 1))],
                    }
                )
            if len(block) >= 65536:
                rng.shuffle(block)
                yield from (("vote", rec) for rec in block)
                self.votes_written += len(block)
                block = []
        rng.shuffle(block)
        yield from (("vote", rec) for rec in block)
        self.votes_written += len(block)

    def duels(self) -> Iterator[tuple[str, dict[str, Any]]]:
        """Head-to-head answers: half between two scenes of one drama, half across dramas;
        the better scene (by a hidden quality) wins 70% of the time."""
        n = self.n_scenes
        if n < 2 or self.n_duels == 0:
            return
        rng = self.rng
        rand = rng.random
        mult, _ = _permutation(n)
        voters = max(50, self.n_duels // 10)
        starts = self.drama_start
        seen: set[tuple[int, int, int]] = set()
        misses = 0
        while self.duels_written < self.n_duels:
            a = (int(n * rand() ** 2) * mult) % n
            di = self.s_drama[a]
            lo, hi = starts[di], starts[di + 1]
            if hi - lo >= 2 and rand() < 0.5:
                b = lo + int(rand() * (hi - lo))
            else:
                b = (int(n * rand() ** 2) * mult) % n
            voter = int(rand() * voters)
            if a == b or (a, b, voter) in seen or (b, a, voter) in seen:
                misses += 1
                if misses > 1000 + 10 * self.n_duels:
                    break
                continue
            seen.add((a, b, voter))
            better, worse = (a, b) if _quality(a) >= _quality(b) else (b, a)
            winner, loser = (better, worse) if rand() < 0.7 else (worse, better)
            year = max(self.dramas[self.s_drama[a]].year, self.dramas[self.s_drama[b]].year)
            self.duels_written += 1
            yield (
                "duel",
                {
                    "winner": self.scene_key(winner),
                    "loser": self.scene_key(loser),
                    "voter": f"fan{voter}" if voter else "me",
                    "on": self.day_after(self.year_start[year]),
                },
            )

    def records(self) -> Iterator[tuple[str, dict[str, Any]]]:
        yield from self.actors()
        yield from self.dramas_()
        yield from self.scenes()
        yield from self.votes()
        yield from self.duels()


def _cumulative(weights: tuple[int, ...]) -> list[int]:
    out: list[int] = []
    for w in weights:
        out.append((out[-1] if out else 0) + w)
    return out


def _permutation(n: int) -> tuple[int, int]:
    """A multiplier coprime to n (i -> i*mult % n is a shuffle of 0..n-1) and its inverse."""
    if n == 1:
        return 0, 0
    mult = int(n * 0.6180339887) | 1
    while math.gcd(mult, n) != 1:
        mult += 1
    return mult, pow(mult, -1, n)


def _quality(i: int) -> float:
    """A scene's hidden quality, 5.0 to 9.5: what its votes and duels scatter around."""
    return 5.0 + 4.5 * (((i * 2654435761) >> 7) & 0xFFFF) / 0xFFFF


# --- writers --------------------------------------------------------------------------------

SECTIONS = {"actor": "actors", "drama": "dramas", "scene": "scenes", "vote": "votes",
            "duel": "duels"}  # fmt: skip


def write_jsonl(out: TextIO, records: Iterator[tuple[str, dict[str, Any]]]) -> None:
    encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    out.write(encode({"format": FORMAT}) + "\n")
    buf: list[str] = []
    for kind, record in records:
        if kind == "vote":
            # The bulk of the file: every value is an ASCII slug, name, date or number, so
            # formatting by hand gives the same text as the encoder, several times faster.
            buf.append(
                f'{{"type": "vote", "scene": "{record["scene"]}", "score": {record["score"]}, '
                f'"voter": "{record["voter"]}", "on": "{record["on"]}"}}\n'
            )
        else:
            buf.append(f'{{"type": "{kind}", {encode(record)[1:]}\n')
        if len(buf) >= 8192:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))


def write_yaml(out: TextIO, records: Iterator[tuple[str, dict[str, Any]]]) -> None:
    """One YAML document, written a chunk of records at a time so memory stays bounded.

    Style as in DESIGN.md: actors, dramas and scenes as blocks; cast entries, views, votes and
    duels as one-line flow mappings; dates as YAML dates. PyYAML quotes the key 'on' (YAML 1.1
    would read a bare on: as the boolean true).
    """
    import yaml

    base = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

    class Dumper(base):  # type: ignore[misc, valid-type]
        pass

    class Block(dict):  # type: ignore[type-arg]
        """A record written in block style even when all its values are scalars."""

    def represent_block(dumper: Any, data: Block) -> Any:
        return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=False)

    Dumper.add_representer(Block, represent_block)

    order = list(SECTIONS)
    out.write(f"format: {FORMAT}\n")
    done = 0  # sections started so far
    chunk: list[dict[str, Any]] = []

    def flush() -> None:
        # A few hundred records per dump call give the same text as one call per record.
        if chunk:
            out.write(yaml.dump(chunk, Dumper=Dumper, allow_unicode=True, sort_keys=False,
                                default_flow_style=None, width=1000))  # fmt: skip
            chunk.clear()

    for kind, record in records:
        section = order.index(kind)
        if section >= done:
            flush()
            for empty in order[done:section]:
                out.write(f"{SECTIONS[empty]}: []\n")
            out.write(f"{SECTIONS[kind]}:\n")
            done = section + 1
        if kind == "vote":
            # The bulk of the file, and PyYAML's representer is slow: written by hand, the same
            # text yaml.dump gives (keys are slugs with "-e<n>-", never a YAML bool or number).
            out.write(
                f"- {{scene: {record['scene']}, score: {record['score']}, "
                f"voter: {record['voter']}, 'on': {record['on']}}}\n"
            )
            continue
        if kind == "actor":
            record = Block(record)
        elif kind == "scene":
            for view in record["views"]:
                view["on"] = date.fromisoformat(view["on"])
        elif "on" in record:
            record["on"] = date.fromisoformat(record["on"])
        chunk.append(record)
        if len(chunk) >= 500:
            flush()
    flush()
    for empty in order[done:]:
        out.write(f"{SECTIONS[empty]}: []\n")


# --- command line ---------------------------------------------------------------------------


def default_sizes(args: argparse.Namespace) -> tuple[int, int, int, int, int]:
    n = args.scenes
    dramas = args.dramas if args.dramas is not None else max(1, round(n / SCENES_PER_DRAMA))
    actors = args.actors if args.actors is not None else max(10, round(n / SCENES_PER_ACTOR))
    votes = args.votes if args.votes is not None else VOTES_PER_SCENE * n
    duels = args.duels if args.duels is not None else n // SCENES_PER_DUEL
    return n, dramas, actors, votes, duels


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write a deterministic synthetic scenecat catalogue for benchmarks.",
        epilog="example: python bench/generate.py --scenes 1m -o /tmp/cat-1m.jsonl",
    )
    parser.add_argument("--scenes", type=parse_count, required=True,
                        help="number of scenes: 1000, 10k, 100k, 1m")  # fmt: skip
    parser.add_argument("--dramas", type=parse_count, help="default: scenes / 50")
    parser.add_argument("--actors", type=parse_count, help="default: scenes / 20 (at least 10)")
    parser.add_argument("--votes", type=parse_count, help="default: 3 x scenes")
    parser.add_argument("--duels", type=parse_count, help="default: scenes / 10")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--yaml", action="store_true",
                        help="write a YAML document (format 1) instead of JSON Lines")  # fmt: skip
    parser.add_argument("-o", "--output", type=Path, required=True, help="file to write")
    args = parser.parse_args(argv)
    n, dramas, actors, votes, duels = default_sizes(args)
    if n > 0 and (dramas < 1 or actors < 1):
        parser.error("a catalogue with scenes needs at least one drama and one actor")
    if dramas > 0 and actors < 1:
        parser.error("dramas need at least one actor for their cast")

    started = time.perf_counter()
    gen = Generator(n, dramas, actors, votes, duels, args.seed)
    writer = write_yaml if args.yaml else write_jsonl
    with open(args.output, "w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
        writer(out, gen.records())
    elapsed = time.perf_counter() - started

    meta = build_meta(gen)
    meta_path = args.output.with_name(args.output.name + ".meta.json")
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    report(gen, meta, args.output, meta_path, elapsed)
    return 0


def build_meta(gen: Generator) -> dict[str, Any]:
    counts = gen.actor_scene_count
    busiest = typical = None
    if gen.n_actors and gen.n_scenes:
        order = sorted(range(gen.n_actors), key=lambda a: (counts[a], a))
        busiest = gen.actor_names[order[-1]]
        typical = gen.actor_names[order[len(order) // 2]]
    return {
        "scenes": gen.n_scenes,
        "dramas": gen.n_dramas,
        "actors": gen.n_actors,
        "votes": gen.votes_written,
        "duels": gen.duels_written,
        "seed": gen.seed,
        "rare_word": RARE_WORD,
        "typical_word": TYPICAL_WORDS[0],
        "broad_word": BROAD_WORD,
        "busiest_actor": busiest,
        "typical_actor": typical,
        "busiest_actor_scenes": counts[gen.actor_names.index(busiest)] if busiest else 0,
        "typical_actor_scenes": counts[gen.actor_names.index(typical)] if typical else 0,
        "typical_words": list(TYPICAL_WORDS),
        "word_hits": dict(gen.hits),
    }


def report(gen: Generator, meta: dict[str, Any], path: Path, meta_path: Path,
           elapsed: float) -> None:  # fmt: skip
    err = sys.stderr
    size = path.stat().st_size
    print(
        f"wrote {path} ({size / 1e6:.1f} MB) in {elapsed:.1f}s: {gen.n_actors} actors, "
        f"{gen.n_dramas} dramas, {gen.n_scenes} scenes, {gen.votes_written} votes, "
        f"{gen.duels_written} duels; meta in {meta_path}",
        file=err,
    )
    hits = gen.hits
    print("planted search words (exact number of scenes whose text contains the word; no other "
          "text has it or a word starting with it):", file=err)  # fmt: skip
    print(f"  rare     {RARE_WORD}: {hits.get(RARE_WORD, 0)}", file=err)
    for w in TYPICAL_WORDS:
        print(f"  typical  {w}: {hits.get(w, 0)}", file=err)
    print(f"  broad    {BROAD_WORD}: {hits.get(BROAD_WORD, 0)}", file=err)
    print("Zipf description words (expected scenes with the word in their description; an "
          "invented word appears nowhere else):", file=err)  # fmt: skip
    total = sum(gen.slots)
    for rank in (1, 10, 100, 1000, 2500, len(gen.vocabulary)):
        word = gen.vocabulary[rank - 1]
        expected = expected_description_hits(gen.slots[rank - 1] / total, gen.n_scenes)
        note = " (invented)" if word in gen.invented else ""
        print(f"  rank {rank:>4} {word}: ~{expected:,.0f}{note}", file=err)
    print(
        f"busiest actor: {meta['busiest_actor']} ({meta['busiest_actor_scenes']} scenes); "
        f"typical (median) actor: {meta['typical_actor']} ({meta['typical_actor_scenes']} scenes)",
        file=err,
    )


if __name__ == "__main__":
    sys.exit(main())
