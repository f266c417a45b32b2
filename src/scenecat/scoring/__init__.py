"""Pure ranking math for scenes (docs/DESIGN.md section 5).

A scene's score is a weighted mean of up to three parts, each on a 0..10 scale:

- fan quality: the Bayesian average of its votes, shrunk toward the mean vote of the scope
  (``WR = v/(v+m)*R + m/(v+m)*C``);
- head-to-head strength: a Bradley-Terry fit of the duels, with a prior that keeps every strength
  finite, blended in with weight ``w_duels * n/(n+duel_k)`` once a scene has ``n`` duels;
- popularity: ``10*log10(1+views)/log10(1+view_ref)``, clipped to 0..10.

The prior mean ``C`` is the mean of every current vote in the scope being ranked, as the ranking
issue asks. Consequence, kept on purpose: "one 10/10 vote does not beat fifty 9/10 votes" holds
whenever the scope's mean vote is below 8.78 (with ``m = 5``), which every scope with a normal
spread of votes satisfies; in a scope whose mean is 9 or more, fifty 9s are themselves at or
below the scope's average and no shrinkage toward ``C`` can put them ahead of a single 10.

The Bradley-Terry fit separates exactly into the connected components of the duel graph (the
prior games are played against a fixed reference), so fitting the components that touch a scope
gives the same strengths as fitting every duel in the catalogue.

Everything here is deterministic and independent of the order in which votes and duels are given:
votes are summed as integers, and the duel fit works on aggregated integer counts in sorted key
order. Only the standard library is used; nothing here prints or touches storage.

The package: params.py (RankParams, ScoreParts, the scales), bradley_terry.py (the duel fit),
scores.py (the combined score of every scene of a scope: score_totals) and top_n.py
(ScopeRanker: the top of a broad scope worked out from score bounds, the same order).
"""
