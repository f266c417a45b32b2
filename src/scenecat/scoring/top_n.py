"""ScopeRanker: the order of :func:`~scenecat.scoring.scores.score_totals`, worked out only as
far as a ranking shows, from score bounds per class of scenes (same votes and duels).
tests/test_rank_top_n.py keeps it equal to scoring every scene.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import accumulate
from operator import itemgetter

from scenecat.scoring.params import SCALE, RankParams, ScoreParts
from scenecat.scoring.scores import (
    BASE,
    DUEL_VAR,
    SCORE,
    VIEW_VAR,
    SceneTotals,
    VoteTotals,
    bad_row,
    compute,
    duel_range,
    parts_of,
    popularity_of,
    rounded,
)

#: ``latest_views`` of a :data:`SceneCounts` row whose view count has not been read (yet).
NOT_LOADED = -1

#: One scene for :class:`ScopeRanker`: ``(scene_id, n_votes, vote_sum, latest_views)``, where
#: ``latest_views`` may be :data:`NOT_LOADED`; the number of duels comes apart, as a mapping from
#: scene id (scenes without duels left out).
SceneCounts = tuple[int, int, int, int | None]

# What the scenes with the same votes and duels share, without views and with views: the base
# (scores.BASE) and the shares by which a fitted strength and a popularity are added to it.
_Variant = tuple[float, float, float]


class _Class:
    """The scenes of a scope with one vote count, vote sum and number of duels whose scores are
    known only as bounds: their view count is not loaded (or does not matter) and, with duels,
    their strength is not known. The duel value (10*s/(s+1)) and the popularity both lie in
    0..10, and a score grows with each, so the bounds hold whatever they turn out to be; a
    class read from the stored histogram knows more: the most views and the strongest
    strength among its scenes (``view_high``, ``duel_high``)."""

    __slots__ = (
        "after",
        "duel_high",
        "duel_low",
        "high",
        "key",
        "low",
        "members",
        "size",
        "slack",
        "strength",
        "unloaded",
        "variants",
        "view_high",
        "views_matter",
    )

    def __init__(
        self,
        no_views: _Variant,
        with_views: _Variant,
        duel_low: float = 0.0,
        duel_high: float = SCALE,
        view_high: float = SCALE,
    ) -> None:
        self.variants = (no_views, with_views)
        self.members: list[int] = []  # row indices
        # A class read from a histogram (ScopeRanker.from_classes): members not read yet, the
        # key to read them by, and the last scene read, (views, scene id): most views first.
        self.unloaded = 0
        self.size = 0  # len(members) + unloaded, kept by ScopeRanker._resize
        self.key: ClassKey | None = None
        self.after: Cursor = None
        self.views_matter = no_views != with_views
        self.strength = any(v[1] for v in self.variants)  # a fitted strength changes the score
        # The base plus the learnt parts at both ends of their ranges. With a duel part to
        # learn and the view prior in the base, compute adds them in another order (vote +
        # duel + view), which may differ by an ulp: one quantum of slack keeps the bound a
        # bound.
        self.slack = 1 if self.strength else 0
        # The learnt head-to-head value lies in duel_low..duel_high (scores.duel_range), the
        # popularity in 0..view_high.
        self.duel_low, self.duel_high, self.view_high = duel_low, duel_high, view_high
        self.low = min(_low(v, duel_low, self.slack) for v in self.variants)
        self.high = 0
        self.bound()

    def bound(self) -> None:
        """The best possible score, from duel_high and view_high."""
        no_views, with_views = self.variants
        high = _high(no_views, self.duel_high, self.view_high, self.slack)
        if with_views is not no_views:
            high = max(high, _high(with_views, self.duel_high, self.view_high, self.slack))
        self.high = high


def _low(variant: _Variant, duel_low: float, slack: int) -> int:
    return rounded(variant[0] + duel_low * variant[1]) - slack


def _high(variant: _Variant, duel_high: float, view_high: float, slack: int) -> int:
    base, duel_share, view_share = variant
    # Below the ends of 0..10 a strength or view count under the top may round to the
    # top's value: one quantum more.
    extra = slack if duel_high == SCALE and view_high == SCALE else 1
    return rounded(base + duel_high * duel_share + view_high * view_share) + extra


#: A class of the histogram not made into a _Class yet: (best bound, key, the variant,
#: duel_low, duel_high, view_high, scenes).
_Unmade = tuple[int, "ClassKey", _Variant, float, float, float, int]

#: A score class as stored per scene (storage.scene_signals): (vote count, vote sum, duels,
#: whether it has a view count).
ClassKey = tuple[int, int, int, bool]
#: A class of the stored histogram: (vote count, vote sum, duels, has views, scenes, most
#: views, strongest strength), the last two None when not known (then 0..10 bounds hold).
StoredClass = tuple[int, int, int, bool, int, int | None, float | None]
#: One member of a class: (scene id, latest views or None, stored strength or None).
Member = tuple[int, int | None, float | None]
#: Where the reading of a class stopped: the (views, scene id) of the last member read, or
#: None before the first.
Cursor = tuple[int | None, int] | None
#: Reads members of a class, most views first, then highest scene id: (key, after this
#: cursor, at most n or None for all) -> members.
ClassLoader = Callable[[ClassKey, Cursor, int | None], list[Member]]


class ScopeRanker:
    """The order of :func:`score_totals`, worked out only as far as it is asked for.

    A broad scope has far more scenes than a ranking shows. Scenes with the same vote count,
    vote sum and number of duels share their vote part and shares (:class:`_Class`), so their
    scores are known up to the view part (without the view count) and the duel part (without
    the Bradley-Terry strength), each between 0 and its share times 10. Only scenes whose best
    possible score reaches the ``want``-th best worst possible score can be among the first
    ``want``; :meth:`missing` names, best bound first, the view counts and strengths that would
    settle them, the caller loads those (:meth:`add_views`, and a fit for the strengths), and
    when nothing is missing :meth:`contenders` and :meth:`ranked` give the exact order.

    Rows may come with their view counts (then only strengths can be missing), or the scope
    may be given as a histogram of classes (:meth:`from_classes`) whose members are read,
    with their view counts, only when a class can reach the part asked for. Every score is
    made with the operations of :func:`compute` in the same order, so
    ``ranked(contenders(w), keys)[:w]`` is exactly the first ``w`` scenes of
    ``score_totals(...).order``.
    """

    #: View counts asked for at first (in :meth:`missing`, best bound first); the batch
    #: doubles each time, so a few queries settle even a top whose bounds overlap a lot.
    BATCH = 256

    def __init__(
        self,
        rows: Sequence[SceneCounts],
        n_duels: Mapping[int, int],
        params: RankParams,
        totals: VoteTotals | None = None,
    ) -> None:
        """``totals``: the whole catalogue's votes (default: those of ``rows``)."""
        self.rows: Sequence[SceneCounts] = rows
        self.n_duels = n_duels
        self.params = params
        self.size = len(rows)
        self._load: ClassLoader | None = None
        # Integer sums, as in scores.totals_of: exact, whatever the order of the rows.
        self.totals: VoteTotals = totals or (
            sum(map(itemgetter(1), rows)),
            sum(map(itemgetter(2), rows)),
        )
        self._setup()
        # Sort the scenes into classes; the usual scene (no duels, views not loaded) by vote
        # count, then sum: two lookups cost less than building a key per scene.
        usual: dict[int, dict[int, list[int]]] = {}
        other: dict[tuple[int, int, int], list[int]] = {}
        loaded: list[int] = []
        not_loaded = NOT_LOADED
        for index, (scene_id, votes, total, views) in enumerate(rows):
            if views != not_loaded:
                loaded.append(index)
            elif scene_id in n_duels:
                key = (votes, total, n_duels[scene_id])
                members = other.get(key)
                if members is None:
                    other[key] = [index]
                else:
                    members.append(index)
            else:
                by_total = usual.get(votes)
                if by_total is None:
                    by_total = usual[votes] = {}
                members = by_total.get(total)
                if members is None:
                    by_total[total] = [index]
                else:
                    members.append(index)
        for votes, by_total in usual.items():
            for total, members in by_total.items():
                found = self._class((votes, total, 0), members[0])
                found.members = members
                self._resize(found)
        for key, members in other.items():
            found = self._class(key, members[0])
            found.members = members
            self._resize(found)
        self._resolve_loaded(loaded)

    def _setup(self) -> None:
        self._log_ref = math.log10(1 + self.params.view_ref)
        self._classes: dict[tuple[int, ...], _Class] = {}
        # Scenes taken out of their class, by row index: (lowest, highest) rounded score
        # (equal once exact).
        self._score: dict[int, tuple[int, int]] = {}
        self._pending: set[int] = set()  # of `_score`: exact once their strength is known
        # Strengths that came with the members of stored classes, by scene id; kept only when
        # duels weigh (without a weight no strength is fitted and the parts show the prior).
        self._known: dict[int, float] = {}
        self._keep_strengths = self.params.w_duels > 0
        self._views: dict[int, int | None] = {}  # view counts loaded later, by row index
        self._asked: set[int] = set()  # taken out of their class, waiting for their views
        self._batch = self.BATCH
        self._progressed = False
        # Classes of the histogram (from_classes) not made yet, best bound first, and how
        # many of them are made.
        self._unmade: list[_Unmade] = []
        self._made = 0

    @classmethod
    def from_classes(
        cls,
        classes: Iterable[StoredClass],
        load: ClassLoader,
        params: RankParams,
        totals: VoteTotals,
    ) -> ScopeRanker:
        """A ranker for a scope given as a histogram of score classes (:data:`StoredClass`):
        members are read with ``load`` only for the classes that can reach the top, with their
        view counts and stored strengths, so :meth:`missing` never asks for views, nor for the
        strengths that came with them. A class's most views and strongest strength, when
        given, bound its scores: they must be those of its scenes (or above), and a member's
        strength, when given, that of the fit (storage/duel_strengths.py keeps both).
        ``rows`` then holds the scenes read so far; ``size`` is the whole scope's.
        ``totals``: the whole catalogue's votes."""
        self = cls.__new__(cls)
        histogram = [h for h in classes if h[4] > 0]
        self.rows = []
        self.n_duels = {}
        self.params = params
        self.size = sum(h[4] for h in histogram)
        self._load = load
        self.totals = totals
        self._setup()
        # One compute over every class (a call per class costs more than the scoring): the
        # parts without views, or with a view count (0 stands for any), as _variants gives.
        computed = compute(
            [("class", h[0], h[1], 0 if h[3] else None, h[2], None) for h in histogram],
            totals,
            params,
        )
        log_ref, prior = self._log_ref, params.bt_prior
        ranges: dict[int, tuple[float, float]] = {}
        unmade: list[_Unmade] = []
        for (votes, total, duels, has_views, count, top_views, top_strength), parts in zip(
            histogram, computed, strict=True
        ):
            # Whether a member has a view count is known: one variant holds for all of them.
            chosen = (parts[BASE], parts[DUEL_VAR], parts[VIEW_VAR])
            low_high = ranges.get(duels)
            if low_high is None:
                low_high = ranges[duels] = duel_range(duels, prior)
            duel_low, duel_high = low_high
            if duels and top_strength is not None:
                # As compute makes the value; never above the fit's bound.
                duel_high = min(duel_high, SCALE * (top_strength / (top_strength + 1.0)))
            view_high = SCALE
            if has_views and top_views is not None:
                view_high = popularity_of(top_views, log_ref)
            high = _high(chosen, duel_high, view_high, 1 if chosen[1] else 0)
            key: ClassKey = (votes, total, duels, bool(has_views))
            unmade.append((high, key, chosen, duel_low, duel_high, view_high, count))
        # Most classes can never reach the part asked for: each is made (_make) only once the
        # threshold has come down to its best bound.
        unmade.sort(key=itemgetter(0), reverse=True)
        self._unmade = unmade
        return self

    def _make(self, head: int, enough: int | None = None) -> tuple[int | None, bool]:
        """Make classes of the histogram, best bound first, that can reach the first ``head``
        scenes: all of them, or (``enough``) at least that many scenes' worth when there are
        more. Gives the threshold (see _threshold) and whether every class that can reach it
        is made: those not made have a best bound under it, so their scenes, counted or not,
        cannot change it."""
        unmade = self._unmade
        # Making classes changes no scene's own score: their lows are sorted once per call.
        lows = self._sorted_lows()
        threshold = self._threshold(head, lows)
        added = 0
        while self._made < len(unmade):
            if threshold is not None and unmade[self._made][0] < threshold:
                break
            if enough is not None and added >= enough:
                return threshold, False
            # A few classes at a time: the threshold rises with each one's lowest score.
            for high, key, chosen, duel_low, duel_high, view_high, count in unmade[
                self._made : self._made + 16
            ]:
                found = self._classes[key] = _Class(chosen, chosen, duel_low, duel_high, view_high)
                assert found.high == high
                found.views_matter = key[3] and chosen[2] > 0.0
                found.key = key
                found.unloaded = count
                self._resize(found)
                added += count
                self._made += 1
            threshold = self._threshold(head, lows)
        return threshold, True

    def _resize(self, cls: _Class) -> None:
        """Count the members of ``cls`` again after they changed."""
        cls.size = len(cls.members) + cls.unloaded

    def _read(self, cls: _Class, limit: int | None) -> list[int]:
        """Read up to ``limit`` (None: all) unread members of lazy class ``cls`` into rows."""
        if self._load is None or cls.key is None or not cls.unloaded:
            return []
        if limit is not None:
            limit = min(limit, cls.unloaded)
        found = self._load(cls.key, cls.after, limit)
        votes, total, duels, _ = cls.key
        rows = self.rows
        n_duels = self.n_duels
        known = self._known
        keep = self._keep_strengths
        assert isinstance(rows, list) and isinstance(n_duels, dict)
        start = len(rows)
        for scene_id, views, strength in found:
            rows.append((scene_id, votes, total, views))
            if duels:
                n_duels[scene_id] = duels
                if keep and strength is not None:
                    known[scene_id] = strength
        cls.unloaded -= len(found)
        if limit is None or len(found) < limit:
            cls.unloaded = 0  # read to the end (a short read never loops)
        elif found:
            # Most views first: the members left have at most the views of the last one read.
            last_views, last_id = found[-1][1], found[-1][0]
            cls.after = (last_views, last_id)
            if last_views is not None and cls.views_matter:
                cls.view_high = min(cls.view_high, popularity_of(last_views, self._log_ref))
                cls.bound()
        return list(range(start, len(rows)))

    def _resolve_loaded(self, indices: list[int]) -> None:
        """:meth:`_resolve` for many scenes: the usual one (views, no duels) inline."""
        rows, n_duels, score = self.rows, self.n_duels, self._score
        log_ref = self._log_ref
        shared: dict[tuple[int, int], _Variant] = {}
        for index in indices:
            scene_id, votes, total, views = rows[index]
            if views is None or views < 0 or scene_id in n_duels:
                self._resolve(index, views)
                continue
            parts = shared.get((votes, total))
            if parts is None:
                parts = shared[(votes, total)] = self._class((votes, total, 0), index).variants[1]
            base, _, view_share = parts
            # As in _resolve: the same operations as compute, in the same order.
            exact = rounded(base + popularity_of(views, log_ref) * view_share)
            score[index] = (exact, exact)

    # -- scores

    def _class(self, key: tuple[int, int, int], index: int) -> _Class:
        found = self._classes.get(key)
        if found is None:
            found = self._classes[key] = _Class(
                *self._variants(key, str(self.rows[index][0])),
                *duel_range(key[2], self.params.bt_prior),
            )
        return found

    def _variants(self, key: tuple[int, int, int], name: str) -> tuple[_Variant, _Variant]:
        votes, total, duels = key
        # Any view count gives the same parts but the view part: 0 stands for them all.
        rows = [(name, votes, total, None, duels, None), (name, votes, total, 0, duels, None)]
        no_views, with_views = compute(rows, self.totals, self.params)
        return (
            (no_views[BASE], no_views[DUEL_VAR], no_views[VIEW_VAR]),
            (with_views[BASE], with_views[DUEL_VAR], with_views[VIEW_VAR]),
        )

    def _resolve(self, index: int, views: int | None) -> None:
        """Score scene ``index`` on its own, now that its view count is known."""
        scene_id, votes, total, _ = self.rows[index]
        duels = self.n_duels.get(scene_id, 0)
        if views is not None and views < 0:
            raise bad_row((str(scene_id), votes, total, views, duels, None))
        cls = self._class((votes, total, duels), index)
        base, duel_share, view_share = cls.variants[views is not None]
        # The same operations as compute, in the same order: the same floats (the base holds
        # vote part + duel prior, or that + view prior; + 0.0 changes nothing).
        view_part = 0.0 if views is None else popularity_of(views, self._log_ref) * view_share
        strength = self._known.get(scene_id) if duel_share else None
        if strength is not None:
            # Read with its stored strength: exact at once, as _settle makes it.
            row = (str(scene_id), votes, total, views, duels, strength)
            exact = rounded(next(compute([row], self.totals, self.params))[SCORE])
            self._score[index] = (exact, exact)
        elif duel_share:
            # Bounds until the strength is fitted, with the slack _Class explains.
            self._score[index] = (
                rounded(base + cls.duel_low * duel_share + view_part) - 1,
                rounded(base + cls.duel_high * duel_share + view_part) + 1,
            )
            self._pending.add(index)
        else:
            exact = rounded(base + view_part)
            self._score[index] = (exact, exact)

    def views_of(self, index: int) -> int | None:
        views = self.rows[index][3]
        return self._views.get(index, views) if views == NOT_LOADED else views

    def scene_totals(self, index: int, key: str, strengths: Mapping[int, float]) -> SceneTotals:
        """Scene ``index`` as a :data:`SceneTotals` row (``strengths`` by scene id)."""
        scene_id, votes, total, _ = self.rows[index]
        views = self.views_of(index)
        if views == NOT_LOADED:
            raise KeyError(f"scene {key!r}: its view count is not loaded")
        duels = self.n_duels.get(scene_id, 0)
        strength = strengths.get(scene_id, self._known.get(scene_id)) if duels else None
        if strength is None and index in self._pending:
            raise KeyError(f"scene {key!r} needs its Bradley-Terry strength")
        return (key, votes, total, views, duels, strength)

    def parts(self, index: int, key: str, strengths: Mapping[int, float]) -> ScoreParts:
        """How the score of scene ``index`` was made (the same as :meth:`ScoredScope.parts`)."""
        row = self.scene_totals(index, key, strengths)
        return parts_of(row, next(compute([row], self.totals, self.params)), self.params)

    def _settle(self, strengths: Mapping[int, float]) -> None:
        """Exact scores for the scenes whose strength has come."""
        rows, totals, params = self.rows, self.totals, self.params
        for index in [i for i in self._pending if rows[i][0] in strengths]:
            scene_id, votes, total, _ = rows[index]
            views = self.views_of(index)
            if views == NOT_LOADED:  # taken out of a class whose views do not matter
                views = None
            row = (str(scene_id), votes, total, views, self.n_duels[scene_id], strengths[scene_id])
            exact = rounded(next(compute([row], totals, params))[SCORE])
            self._score[index] = (exact, exact)
            self._pending.discard(index)

    # -- how far the order is known

    def _sorted_lows(self) -> list[int]:
        """The lowest scores of the scenes scored on their own, ascending."""
        return sorted(map(itemgetter(0), self._score.values()))

    def _threshold(self, head: int, lows: list[int] | None = None) -> int | None:
        """A rounded score that at least ``head`` scenes reach for sure (None: every scene
        counts, ``head`` reaches their number): the highest score ``t`` that ``head`` lowest
        scores reach, counting each class's members at its low. ``lows``: _sorted_lows(),
        when the caller has it."""
        if head >= self.size:
            return None
        if lows is None:
            lows = self._sorted_lows()
        # The classes' lows, ascending, with the members at or above each (suffix sums).
        by_low = sorted((c.low, c.size) for c in self._classes.values() if c.size)
        class_lows = [low for low, _ in by_low]
        above = list(accumulate((size for _, size in reversed(by_low)), initial=0))[::-1]
        n_lows = len(lows)

        def reached(score: int) -> int:  # how many lowest scores are >= score
            return n_lows - bisect_left(lows, score) + above[bisect_left(class_lows, score)]

        ends = lows[:1] + lows[-1:] + class_lows[:1] + class_lows[-1:]
        if not ends or reached(min(ends)) < head:
            if self._made < len(self._unmade):
                return None  # the rest are in classes not made yet
            raise AssertionError("fewer scenes than counted")  # pragma: no cover
        # reached() falls as the score rises: the highest score with head reached, by
        # bisection over the integers (it is one of the lows).
        low, high = min(ends), max(ends)
        while low < high:
            middle = (low + high + 1) // 2
            if reached(middle) >= head:
                low = middle
            else:
                high = middle - 1
        return low

    def _take(self, classes: list[_Class], limit: int | None) -> list[int]:
        """Take members out of ``classes`` (best bound first) to ask for their views. Members
        of a lazy class are read with their views and scored at once (nothing to ask for)."""
        classes.sort(key=lambda c: -c.high)
        taken: list[int] = []
        read = 0
        for cls in classes:
            room = cls.size if limit is None else limit - len(taken) - read
            if room <= 0:
                break
            if cls.members:
                part = cls.members[-room:]
                del cls.members[-room:]
                taken.extend(part)
                room -= len(part)
            if room > 0 and cls.unloaded:
                fresh = self._read(cls, None if limit is None else room)
                read += len(fresh)
                self._resize(cls)
                self._resolve_loaded(fresh)
            else:
                self._resize(cls)
        self._asked.update(taken)
        return taken

    def missing(self, want: int, strengths: Mapping[int, float]) -> tuple[list[int], list[int]]:
        """What is still needed to know the first ``want`` scenes: (row indices whose
        view counts to load with :meth:`add_views`, row indices whose Bradley-Terry strength
        to put into ``strengths``, by scene id). Call again after loading; when both lists are
        empty, :meth:`contenders` is ready."""
        if self._asked:
            raise RuntimeError("load the view counts missing() asked for first")
        while True:
            views, unfitted = self._missing(want, strengths)
            # Lazy classes are made, read and scored inside: go on until something is needed
            # from outside, or nothing is left to make or read.
            if views or unfitted or not self._progressed:
                return views, unfitted

    def _missing(self, want: int, strengths: Mapping[int, float]) -> tuple[list[int], list[int]]:
        self._progressed = False
        before = (len(self.rows), self._made)
        try:
            return self._missing_step(want, strengths)
        finally:
            self._progressed = (len(self.rows), self._made) != before

    def _missing_step(
        self, want: int, strengths: Mapping[int, float]
    ) -> tuple[list[int], list[int]]:
        classes = self._classes.values()
        self._settle(strengths)
        head = min(want, self.size)
        if head <= 0:
            return [], []
        batch = max(self._batch, 2 * head)
        threshold, complete = self._make(head, batch)

        def contends(high: int) -> bool:
            return threshold is None or high >= threshold

        # View counts that change scores, best bound first, a growing batch at a time.
        open_classes = [c for c in classes if c.size and c.views_matter and contends(c.high)]
        if open_classes:
            limit = None if threshold is None else batch
            self._batch *= 2
            return self._take(open_classes, limit), []
        if not complete:
            self._make(head)
            return [], []  # the classes just made are looked at in the next step
        # Strengths: of the scenes scored on their own, and of classes whose views do not
        # matter (taken out of them: they are exact once their strength comes).
        for cls in [c for c in classes if c.size and contends(c.high)]:
            if cls.strength:
                if cls.unloaded:  # read with their views: scored on their own, pending
                    self._take([cls], None)
                for index in cls.members:
                    self._score[index] = (cls.low, cls.high)
                    self._pending.add(index)
                cls.members = []
                self._resize(cls)
        need = [i for i in self._pending if contends(self._score[i][1])]
        if need:
            return [], sorted(need)
        # Every contender is exact now; those without a loaded view count need it for the
        # tie-breaks (more views first) and to be shown: in a class whose views do not matter,
        # or taken out of one for its strength.
        ties = [c for c in classes if c.size and contends(c.high)]
        lacking = [
            i
            for i, (_, high) in self._score.items()
            if contends(high) and self.views_of(i) == NOT_LOADED
        ]
        return self._take(ties, None) + lacking, []

    def add_views(self, views: Mapping[int, int | None]) -> None:
        """Latest view counts by row index (None: the scene has none)."""
        for index, count in views.items():
            if count == NOT_LOADED:
                raise ValueError(f"scene {self.rows[index][0]}: {count} is not a view count")
            self._views[index] = count
            if index in self._asked:
                self._asked.discard(index)
                self._resolve(index, count)
        if self._asked:
            raise KeyError(f"{len(self._asked)} scenes asked for still have no view count")

    def contenders(self, want: int) -> list[int]:
        """Row indices of the scenes that can be among the first ``want`` (after
        :meth:`missing` has found nothing missing), in no particular order."""
        if self._asked:
            raise RuntimeError("load the view counts missing() asked for first")
        head = min(want, self.size)
        if head <= 0:
            return []
        threshold, _ = self._make(head)
        found = [
            i for i, (_, high) in self._score.items() if threshold is None or high >= threshold
        ]
        if any(i in self._pending for i in found) or any(
            c.size and (threshold is None or c.high >= threshold) for c in self._classes.values()
        ):
            raise RuntimeError("missing() has not been satisfied")
        return found

    def ranked(self, indices: Iterable[int], keys: Mapping[int, str]) -> list[int]:
        """Scenes ``indices`` (from :meth:`contenders`) in ranking order: rounded score, then
        more votes, then more views, then key (``keys`` by scene id)."""
        rows, score, views_of = self.rows, self._score, self.views_of

        def order(i: int) -> tuple[int, int, int, str]:
            return (-score[i][0], -rows[i][1], -(views_of(i) or 0), keys[rows[i][0]])

        return sorted(indices, key=order)

    def lacking_views(self, indices: Iterable[int]) -> list[int]:
        """Those of ``indices`` whose view count is not loaded."""
        return [i for i in indices if self.views_of(i) == NOT_LOADED]
