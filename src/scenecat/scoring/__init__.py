"""Pure ranking math for scenes (docs/DESIGN.md section 5).

A scene's score is one number for the whole catalogue, a weighted mean of three parts, each on
a 0..10 scale and each always counted with its weight (0.6, 0.2, 0.2):

- fan quality: the Bayesian average of its votes, shrunk toward ``C``
  (``WR = v/(v+m)*R + m/(v+m)*C``); ``C`` is the mean of the catalogue's current votes on other
  scenes, started from 5.5 as if from ``m`` votes; without votes the part is ``C``;
- head-to-head strength: a Bradley-Terry fit of the duels, with a prior that keeps every strength
  finite (3 virtual wins and losses); without duels the part is 5 (even odds against an
  average scene);
- popularity: ``10*log10(1+views)/log10(1+view_ref)``, clipped to 0..10; without a view count
  the part is that of ``view_prior`` views.

Filters choose the scenes a ranking shows; they never change a score. Missing evidence is the
prior, so evidence moves a score the way it points: a won duel never lowers it, a vote above
the scene's fan quality never lowers it (leaving the scene's own votes out of its ``C`` makes
that exact), and the reverse. docs/DESIGN.md section 5 has a worked example.

The Bradley-Terry fit separates exactly into the connected components of the duel graph (the
prior games are played against a fixed reference), so fitting the components that touch a scope
gives the same strengths as fitting every duel in the catalogue.

Everything here is deterministic and independent of the order in which votes and duels are given:
votes are summed as integers, and the duel fit works on aggregated integer counts in sorted key
order. Only the standard library is used; nothing here prints or touches storage.

The package: params.py (RankParams, ScoreParts, the scales), bradley_terry.py (the duel fit),
scores.py (the score of every scene of a scope: score_totals) and top_n.py
(ScopeRanker: the top of a broad scope worked out from score bounds, the same order).
"""
