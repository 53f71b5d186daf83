"""reportgen.evaluate.significance against hand-worked values and other libraries' own functions.

Oracles: the Wilson formula written out by hand (and scipy's ``binomtest(...).proportion_ci``),
statsmodels' scalar ``proportions_ztest`` and the pooled z formula by hand, and
``scipy.stats.binomtest`` one pair at a time: none of them is the vectorised call the module makes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binomtest, norm
from statsmodels.stats.proportion import proportions_ztest

from reportgen.evaluate import labels
from reportgen.evaluate import significance as sig

Z = 1.959963984540054  # the 97.5% point of the standard normal


def wilson_by_hand(x: int, n: int) -> tuple[float, float]:
    p = x / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def test_wilson_interval_of_the_demo_survey_by_hand() -> None:
    # 150 of 536 rated the police excellent or good: 27.99%, 95% CI 24.35% to 31.93%
    low, high = sig.wilson_interval(np.array([150.0]), np.array([536.0]))
    assert low[0] == pytest.approx(0.243515, abs=1e-6)
    assert high[0] == pytest.approx(0.319319, abs=1e-6)
    assert (low[0], high[0]) == pytest.approx(wilson_by_hand(150, 536), abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 5000), frac=st.floats(0, 1))
def test_wilson_interval_matches_scipy(n: int, frac: float) -> None:
    x = round(frac * n)
    low, high = sig.wilson_interval(np.array([x], dtype=float), np.array([n], dtype=float))
    ci = binomtest(x, n).proportion_ci(confidence_level=0.95, method="wilson")
    assert low[0] == pytest.approx(ci.low, abs=1e-9)
    assert high[0] == pytest.approx(ci.high, abs=1e-9)
    assert 0.0 <= low[0] <= x / n <= high[0] <= 1.0


def test_wilson_interval_is_nan_where_there_is_no_proportion_of_counts() -> None:
    low, high = sig.wilson_interval(np.array([5.0, np.nan, 3.5, 7.0, 1.0]), np.array([0.0, 10.0, 10.0, 5.0, np.nan]))
    assert np.isnan(low).all() and np.isnan(high).all()


def test_two_proportion_test_of_the_demo_survey_by_hand() -> None:
    # 150/536 (27.99%) against 151/548 (27.55%): pooled p = 301/1084
    pooled = 301 / 1084
    z = (150 / 536 - 151 / 548) / math.sqrt(pooled * (1 - pooled) * (1 / 536 + 1 / 548))
    assert z == pytest.approx(0.158170, abs=1e-6)
    p = sig.two_proportion_p(np.array([150.0]), np.array([536.0]), np.array([151.0]), np.array([548.0]))
    assert p[0] == pytest.approx(2 * norm.sf(z), rel=1e-12)
    assert p[0] == pytest.approx(0.8743, abs=1e-4)  # far from 5%: no significant change


def test_two_proportion_test_of_treatment_completions() -> None:
    # 113/343 (32.94%) against 78/279 (27.96%): up 5.0 points, p = 0.18, not significant
    p = sig.two_proportion_p(np.array([113.0]), np.array([343.0]), np.array([78.0]), np.array([279.0]))
    assert p[0] == pytest.approx(proportions_ztest([113, 78], [343, 279])[1], rel=1e-12)
    assert 0.17 < p[0] < 0.19


@settings(max_examples=60, deadline=None)
@given(n1=st.integers(5, 3000), n2=st.integers(5, 3000), f1=st.floats(0.01, 0.99), f2=st.floats(0.01, 0.99))
def test_two_proportion_test_matches_statsmodels_ztest(n1: int, n2: int, f1: float, f2: float) -> None:
    x1, x2 = round(f1 * n1), round(f2 * n2)
    if x1 + x2 in (0, n1 + n2):
        return  # degenerate: covered below
    p = sig.two_proportion_p(*(np.array([v], dtype=float) for v in (x1, n1, x2, n2)))
    assert p[0] == pytest.approx(proportions_ztest([x1, x2], [n1, n2])[1], rel=1e-9, abs=1e-12)


def test_two_proportions_both_zero_or_both_whole_cannot_differ() -> None:
    p = sig.two_proportion_p(
        np.array([0.0, 10.0]), np.array([10.0, 10.0]), np.array([0.0, 12.0]), np.array([12.0, 12.0])
    )
    assert list(p) == [1.0, 1.0]


def test_poisson_exact_comparison_by_hand() -> None:
    # 30 against 50 over equal periods: P(X <= 30 | X ~ Bin(80, 1/2)), doubled
    tail = sum(math.comb(80, k) for k in range(31)) / 2**80
    p = sig.poisson_exact_p(np.array([30.0]), np.array([50.0]))
    assert p[0] == pytest.approx(2 * tail, rel=1e-9)
    assert p[0] == pytest.approx(0.03299, abs=1e-5)  # significant at 5%
    # 8 against 9: P = 1 (the two tails overlap)
    assert sig.poisson_exact_p(np.array([8.0]), np.array([9.0]))[0] == 1.0


@settings(max_examples=80, deadline=None)
@given(a=st.integers(0, 3000), b=st.integers(0, 3000))
def test_poisson_exact_comparison_matches_scipy_binomtest(a: int, b: int) -> None:
    p = sig.poisson_exact_p(np.array([a], dtype=float), np.array([b], dtype=float))[0]
    expected = binomtest(a, a + b, 0.5).pvalue if a + b else 1.0
    assert p == pytest.approx(expected, rel=1e-9, abs=1e-300)


@pytest.mark.parametrize(("a", "b", "ea", "eb"), [(40, 30, 12, 6), (10, 40, 3, 12), (100, 150, 12, 24)])
def test_poisson_exact_comparison_with_unequal_periods(a: int, b: int, ea: float, eb: float) -> None:
    # twice the smaller one-sided exact p-value at p = ea / (ea + eb)
    share = ea / (ea + eb)
    one_sided = min(
        binomtest(a, a + b, share, alternative="less").pvalue, binomtest(a, a + b, share, alternative="greater").pvalue
    )
    p = sig.poisson_exact_p(np.array([float(a)]), np.array([float(b)]), np.array([ea]), np.array([eb]))
    assert p[0] == pytest.approx(min(1.0, 2 * one_sided), rel=1e-9)


def test_small_counts_are_never_judged() -> None:
    # the neighbourhood leaflet: 8 -> 9 offences and 5 -> 6 are not news
    assert list(sig.count_change_significant(np.array([9.0, 6.0]), np.array([8.0, 5.0]))) == [False, False]
    # 3 -> 19 is a big rise, but both counts are under 20: too small to judge by default
    assert sig.too_small(np.array([19.0]), np.array([3.0]))[0]
    assert not sig.count_change_significant(19.0, 3.0)[0]
    assert sig.count_change_significant(19.0, 3.0, min_count=10)[0]  # the minimum is configurable
    # 15 -> 60: the larger count reaches 20 and the change is far beyond chance
    assert sig.count_change_significant(60.0, 15.0)[0]
    # 450 -> 480 is within chance (p = 0.33)
    assert not sig.count_change_significant(480.0, 450.0)[0]
    # missing figures are never significant
    assert not sig.count_change_significant(np.nan, 40.0)[0]


def test_similar_words_cover_every_test_that_can_say_similar() -> None:
    assert set(labels.SIMILAR_WORDS) == {sig.TWO_PROPORTION, sig.POISSON_EXACT, sig.TOO_SMALL}
    assert labels.SIMILAR_WORDS[sig.TWO_PROPORTION] == "No significant change"
    assert labels.SIMILAR_WORDS[sig.POISSON_EXACT] == "Similar to a year ago"


def test_the_vectorised_functions_give_the_library_calls_they_stand_in_for() -> None:
    # The module computes with scipy.special (a cheap import) what statsmodels' and scipy.stats'
    # vectorised calls give; here are those calls, on every kind of row at once.
    from scipy.stats import binom
    from statsmodels.stats.proportion import proportion_confint, test_proportions_2indep

    rng = np.random.default_rng(16)
    n = rng.integers(1, 3000, 20_000).astype(float)
    x = np.floor(rng.random(20_000) * (n + 1))
    x[:50], x[50:100] = 0, n[50:100]  # 0% and 100%
    low, high = sig.wilson_interval(x, n)
    lib_low, lib_high = proportion_confint(x, n, alpha=sig.ALPHA, method="wilson")
    share = x / n
    np.testing.assert_array_equal(low, np.clip(np.minimum(lib_low, share), 0, 1))
    np.testing.assert_array_equal(high, np.clip(np.maximum(lib_high, share), 0, 1))

    n2 = rng.integers(1, 3000, 20_000).astype(float)
    x2 = np.floor(rng.random(20_000) * (n2 + 1))
    run = ~(((x + x2) == 0) | ((x + x2) == (n + n2)))  # the module answers p = 1 for these itself
    with np.errstate(divide="ignore", invalid="ignore"):
        lib = test_proportions_2indep(x[run], n[run], x2[run], n2[run], method="score", compare="diff",
                                      correction=False).pvalue
    np.testing.assert_array_equal(sig.two_proportion_p(x, n, x2, n2)[run], lib)

    a = rng.integers(0, 5000, 20_000).astype(float)
    b = rng.integers(0, 5000, 20_000).astype(float)
    a[:10] = 0
    ea = rng.integers(1, 24, 20_000).astype(float)
    eb = np.where(np.arange(20_000) % 2 == 0, ea, rng.integers(1, 24, 20_000))  # equal and unequal periods
    share = ea / (ea + eb)
    k, total = a, a + b
    lib = np.where(share == 0.5, binom.cdf(np.minimum(k, total - k), total, 0.5),
                   np.minimum(binom.cdf(k, total, share), binom.sf(k - 1, total, share)))
    np.testing.assert_allclose(sig.poisson_exact_p(a, b, ea, eb), np.minimum(1.0, 2.0 * lib), rtol=1e-11, atol=0)


def test_judging_changes_does_not_import_scipy_stats_or_statsmodels() -> None:
    # Their imports cost ~0.6 s of CPU, which every `reportgen run` would pay (docs/performance.md).
    import subprocess
    import sys

    code = ("import sys, numpy as np; from reportgen.evaluate import significance as s; "
            "v = np.array([30.0, 0.0]); n = np.array([100.0, 5.0]); "
            "s.wilson_interval(v, n); s.two_proportion_p(v, n, n - v, n); s.poisson_exact_p(v, n, 1.0, 2.0); "
            "print(sorted(m for m in sys.modules if m.startswith(('scipy.stats', 'statsmodels'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
