"""Is a change beyond chance? Intervals and tests for many series at once.

Three methods, each from a well-kept library rather than written out here (see
``docs/statistics.md`` for why these, with a worked example each):

* **Wilson score interval** for a proportion with a count denominator (a survey's "excellent or
  good" share, treatment completions): ``statsmodels.stats.proportion.proportion_confint``
  with ``method="wilson"``. Unlike the textbook "Wald" interval it stays inside 0-100% and keeps
  close to its nominal 95% coverage for small samples and shares near 0 or 100%.
* **Two-proportion test** for a change between two such proportions (this year's survey
  against last year's): the pooled score test,
  ``statsmodels.stats.proportion.test_proportions_2indep(method="score", compare="diff",
  correction=False)``, which for "no difference" is the familiar pooled two-proportion z-test
  (``proportions_ztest``) and takes arrays, so tens of thousands of series are one call.
* **Exact Poisson comparison** for two counts of events over equal periods (offences this
  year against last): conditional on the total ``a + b``, ``a`` is binomial with
  ``p = 0.5`` when the two rates are equal (``p = e_a / (e_a + e_b)`` for exposures
  ``e_a``, ``e_b``). The two-sided p-value is twice the smaller tail,
  ``scipy.stats.binom.cdf`` / ``binom.sf``, capped at 1. For ``p = 0.5`` the distribution is
  symmetric and this *is* ``scipy.stats.binomtest(a, a + b, 0.5).pvalue`` (a test checks it);
  ``binomtest`` itself takes one pair at a time.

Counts where the larger of the two is below a minimum (``min_count_for_trend``, default
:data:`DEFAULT_MIN_COUNT`) are never judged: with 8 against 9 offences no test has the power
to tell a change, and a "similar" said with a reason is more honest than a p-value.

Every function is vectorised: it takes numpy arrays (NaN where a row has no figure) and
returns arrays of the same length, NaN where the method does not apply. The functions compute
with ``scipy.special`` (imported when one first runs) rather than calling scipy.stats and
statsmodels, whose imports would cost every run ~0.6 s of CPU: see the note above ``_wilson``.
"""

from __future__ import annotations

import numpy as np

ALPHA = 0.05  # 5% significance, 95% intervals
DEFAULT_MIN_COUNT = 20

# values of the ``*_test`` columns: which method judged a change
TWO_PROPORTION = "two_proportion"
POISSON_EXACT = "poisson_exact"
TOO_SMALL = "too_small"  # counts below the minimum: never judged, said as "similar"
NOT_TESTED = "none"  # no method applies (a percentage without counts, a mean, a score...)


# The three methods below are statsmodels' and scipy.stats' own formulas, written over
# ``scipy.special``'s functions (the normal distribution's ndtr/ndtri, Boost's regularised
# incomplete beta) because importing scipy.stats and statsmodels costs ~0.6 s of CPU in every
# `reportgen run`, a quarter of the board pack's print time, against ~0.1 s for scipy.special.
# Each gives the libraries' numbers to the bit or within 1e-14 (tests/test_significance.py
# checks them against statsmodels and scipy.stats; docs/performance.md has the measurement).


def _wilson(x: np.ndarray, n: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """statsmodels' ``proportion_confint(x, n, alpha, method="wilson")``, step for step."""
    from scipy.special import ndtri

    share = x / n
    crit = -ndtri(alpha / 2.0)  # scipy.stats.norm.isf(alpha / 2)
    crit2 = crit**2
    denom = 1 + crit2 / n
    center = (share + crit2 / (2 * n)) / denom
    dist = crit * np.sqrt(share * (1.0 - share) / n + crit2 / (4.0 * n**2))
    dist /= denom
    return np.clip(center - dist, 0, 1), np.clip(center + dist, 0, 1)


def _pooled_score_p(x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """statsmodels' ``test_proportions_2indep(method="score", compare="diff", correction=False)``
    p-value: for "no difference" its constrained estimate is the pooled share."""
    from scipy.special import ndtr

    pooled = (x1 + x2) / (n1 + n2)
    var = pooled * (1 - pooled) / n1 + pooled * (1 - pooled) / n2
    z = (x1 / n1 - x2 / n2) / np.sqrt(var)
    return ndtr(-np.abs(z)) * 2  # scipy.stats.norm.sf(|z|) * 2


def _binom_cdf(k: np.ndarray, n: np.ndarray, p: float | np.ndarray) -> np.ndarray:
    """``scipy.stats.binom.cdf(k, n, p)`` for whole 0 <= k, n: P(X <= k) = I_{1-p}(n - k, k + 1)."""
    from scipy.special import betainc

    k, n = np.broadcast_arrays(k, n)
    out = np.ones(k.shape)
    inside = k < n
    q = np.broadcast_to(1.0 - np.asarray(p, dtype=float), k.shape)
    out[inside] = betainc(n[inside] - k[inside], k[inside] + 1, q[inside])
    return out


def _binom_at_least(k: np.ndarray, n: np.ndarray, p: float | np.ndarray) -> np.ndarray:
    """``scipy.stats.binom.sf(k - 1, n, p)`` for whole 0 <= k, n: P(X >= k) = I_p(k, n - k + 1)."""
    from scipy.special import betainc

    k, n = np.broadcast_arrays(k, n)
    out = np.where(k <= 0, 1.0, 0.0)
    inside = (k > 0) & (k <= n)
    share = np.broadcast_to(np.asarray(p, dtype=float), k.shape)
    out[inside] = betainc(k[inside], n[inside] - k[inside] + 1, share[inside])
    return out


def _whole(x: np.ndarray) -> np.ndarray:
    """Finite, non-negative whole numbers (counts stored as floats)."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(x) & (x >= 0) & (np.abs(x - np.round(x)) < 1e-6)


def wilson_interval(successes: np.ndarray, trials: np.ndarray, alpha: float = ALPHA) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of ``successes / trials`` as proportions (0-1), per row;
    NaN where ``trials`` is not a positive count or ``successes`` is not a count within it."""
    x = np.asarray(successes, dtype=float)
    n = np.asarray(trials, dtype=float)
    low = np.full(x.shape, np.nan)
    high = np.full(x.shape, np.nan)
    with np.errstate(invalid="ignore"):
        ok = _whole(x) & _whole(n) & (n > 0) & (x <= n)
    if ok.any():
        lo, hi = _wilson(np.round(x[ok]), np.round(n[ok]), alpha)
        share = x[ok] / n[ok]
        # float dust must not push an end past the share it brackets (0 of 7 gave 2.8e-17)
        low[ok] = np.clip(np.minimum(lo, share), 0.0, 1.0)
        high[ok] = np.clip(np.maximum(hi, share), 0.0, 1.0)
    return low, high


def two_proportion_p(x1: np.ndarray, n1: np.ndarray, x2: np.ndarray, n2: np.ndarray) -> np.ndarray:
    """Two-sided p-value of the pooled two-proportion (score) test of ``x1/n1`` against
    ``x2/n2``; NaN where either is not a proportion of counts. Two proportions that are both 0%
    or both 100% cannot differ: p = 1 (the test statistic would be 0 / 0)."""
    x1, n1, x2, n2 = (np.asarray(a, dtype=float) for a in (x1, n1, x2, n2))
    p = np.full(x1.shape, np.nan)
    with np.errstate(invalid="ignore"):
        ok = _whole(x1) & _whole(n1) & _whole(x2) & _whole(n2) & (n1 > 0) & (n2 > 0) & (x1 <= n1) & (x2 <= n2)
        pooled = (x1 + x2) / (n1 + n2)
    degenerate = ok & ((pooled == 0) | (pooled == 1))
    p[degenerate] = 1.0
    run = ok & ~degenerate
    if run.any():
        p[run] = _pooled_score_p(x1[run], n1[run], x2[run], n2[run])
    return p


def poisson_exact_p(a: np.ndarray, b: np.ndarray, exposure_a: float | np.ndarray = 1.0,
                    exposure_b: float | np.ndarray = 1.0) -> np.ndarray:  # fmt: skip
    """Two-sided p-value of the exact conditional test that counts ``a`` and ``b`` (over
    exposures ``exposure_a``, ``exposure_b``, e.g. months) come from one Poisson rate: twice
    the smaller binomial tail of ``a`` out of ``a + b`` at ``p = e_a / (e_a + e_b)``, capped at
    1. NaN where either is not a count. No events at all (0 and 0): p = 1."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    ea = np.broadcast_to(np.asarray(exposure_a, dtype=float), a.shape)
    eb = np.broadcast_to(np.asarray(exposure_b, dtype=float), a.shape)
    p = np.full(a.shape, np.nan)
    with np.errstate(invalid="ignore"):
        ok = _whole(a) & _whole(b) & (ea > 0) & (eb > 0)
    if ok.any():
        k = np.round(a[ok])
        n = k + np.round(b[ok])
        share = ea[ok] / (ea[ok] + eb[ok])
        even = share == 0.5  # equal periods, nearly every row: the smaller tail is the one below min(a, b)
        tail = np.empty(len(k))
        tail[even] = _binom_cdf(np.minimum(k[even], n[even] - k[even]), n[even], 0.5)
        odd = ~even
        if odd.any():  # P(X <= a) and P(X >= a)
            tail[odd] = np.minimum(_binom_cdf(k[odd], n[odd], share[odd]), _binom_at_least(k[odd], n[odd], share[odd]))
        p[ok] = np.minimum(1.0, 2.0 * tail)
    return p


def too_small(a: np.ndarray, b: np.ndarray, min_count: float | np.ndarray = DEFAULT_MIN_COUNT) -> np.ndarray:
    """True where both counts are below ``min_count`` (the larger of the two is), so that the
    change is never judged: 8 against 9 is "similar", 15 against 60 is tested."""
    with np.errstate(invalid="ignore"):
        return np.fmax(np.asarray(a, dtype=float), np.asarray(b, dtype=float)) < np.asarray(min_count, dtype=float)


def count_change_significant(
    current: np.ndarray | float,
    previous: np.ndarray | float,
    min_count: float | np.ndarray = DEFAULT_MIN_COUNT,
    alpha: float = ALPHA,
) -> np.ndarray:
    """For documents that compare two counts over equal periods themselves (a neighbourhood's
    offences this quarter against the same quarter last year): True where the change is
    beyond chance (exact Poisson test at ``alpha``) and the counts reach ``min_count``; False
    otherwise, including where either is missing. Such a change may carry a direction word
    and a colour; any other is "similar"."""
    a = np.atleast_1d(np.asarray(current, dtype=float))
    b = np.atleast_1d(np.asarray(previous, dtype=float))
    p = poisson_exact_p(a, b)
    with np.errstate(invalid="ignore"):
        return (p < alpha) & ~too_small(a, b, min_count)
