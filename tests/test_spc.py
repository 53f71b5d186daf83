"""Tests for reportgen.evaluate.spc (NHS England "Making Data Count" XmR method)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reportgen.errors import DataError
from reportgen.evaluate.spc import RULES, classify_assurance, spc_latest, spc_summary, xmr_points

GMP_NAME = "gmp_monthly_total_2016-02_2019-01.csv"
REPO_ROOT = Path(__file__).resolve().parents[1]
LOCAL_GMP = REPO_ROOT / "tests" / "data" / GMP_NAME


def _shared_gmp() -> Path:
    """In a clean clone the repo sits at X/<clone> and the shared data at X/shared; a git worktree
    may sit one level deeper (X/wt/<name>), so look beside each ancestor, nearest first."""
    for parent in REPO_ROOT.parents:
        candidate = parent / "shared" / "acceptance-data" / "police-uk" / "gmp" / GMP_NAME
        if candidate.is_file():
            return candidate
    return REPO_ROOT.parent / "shared" / "acceptance-data" / "police-uk" / "gmp" / GMP_NAME


SHARED_GMP = _shared_gmp()


@pytest.fixture
def gmp_csv() -> Path:
    """The real GMP monthly series: the copy in tests/data, else the shared acceptance data."""
    for path in (LOCAL_GMP, SHARED_GMP):
        if path.is_file():
            return path
    pytest.skip(f"GMP acceptance data not found at {LOCAL_GMP} or {SHARED_GMP}")


def one_series(values, t=None, **kwargs) -> pd.Series:
    """spc_summary on a single series; returns its one summary row."""
    values = np.asarray(values, dtype=float)
    t = np.arange(len(values)) if t is None else np.asarray(t)
    frame = pd.DataFrame({"indicator": "x", "area": "a", "t": t, "value": values})
    out = spc_summary(frame, ["indicator", "area"], int(t.max()), **kwargs)
    assert len(out) == 1
    return out.iloc[0]


def alternating(n: int, first: float = -1.0) -> list[float]:
    """-1, 1, -1, ... : common-cause noise around 0 with no runs, trends or 2-sigma points."""
    return [first * (-1) ** i for i in range(n)]


# ----------------------------------------------------------------------------------------------
# The real series
# ----------------------------------------------------------------------------------------------
def test_gmp_copy_matches_shared_acceptance_data() -> None:
    if not (LOCAL_GMP.is_file() and SHARED_GMP.is_file()):
        pytest.skip("needs both tests/data copy and ../shared/acceptance-data to compare")
    assert LOCAL_GMP.read_bytes() == SHARED_GMP.read_bytes()


def test_gmp_xmr_matches_worked_example(gmp_csv: Path) -> None:
    gmp = pd.read_csv(gmp_csv)
    assert len(gmp) == 36
    pts = xmr_points(gmp["number_of_crimes"], baseline_points=36, polarity="lower")
    pts["date"] = gmp["date"]
    assert pts["baseline"].all()
    assert pts["mean"].iloc[0] == pytest.approx(32534.06, abs=0.005)
    assert pts["mr_bar"].iloc[0] == pytest.approx(1614.66, abs=0.005)
    assert pts["lcl"].iloc[0] == pytest.approx(28239.07, abs=0.005)
    assert pts["ucl"].iloc[0] == pytest.approx(36829.04, abs=0.005)
    outside = pts[pts["outside_limits"]]
    assert outside["date"].tolist() == ["2016-02", "2017-07"]
    assert outside["value"].tolist() == [26422, 37480]
    assert (outside["value"].iloc[0] < outside["lcl"].iloc[0]) and (
        outside["value"].iloc[1] > outside["ucl"].iloc[1]
    )
    assert pts["run_points"].max() == 9
    # Lower is better: the low point is improvement, the high one concern.
    assert outside["variation"].tolist() == ["improvement", "concern"]


def test_gmp_summary_matches_xmr(gmp_csv: Path) -> None:
    gmp = pd.read_csv(gmp_csv)
    period = pd.PeriodIndex(gmp["date"], freq="M")
    frame = pd.DataFrame(
        {
            "indicator": "all crime",
            "area": "GMP",
            "t": period.year * 12 + period.month,
            "value": gmp["number_of_crimes"],
        }
    )
    row = spc_summary(frame, ["indicator", "area"], 2019 * 12 + 1, baseline_points=36, polarity="lower")
    row = row.iloc[0]
    assert row["spc_n"] == 36
    assert (round(row["spc_mean"], 2), round(row["spc_mr_bar"], 2)) == (32534.06, 1614.66)
    assert (round(row["spc_lcl"], 2), round(row["spc_ucl"], 2)) == (28239.07, 36829.04)
    assert row["spc_t"] == 2019 * 12 + 1 and row["spc_value"] == 31063
    assert row["spc_signal"] == "" and row["spc_variation"] == "common_cause"
    # The default two-year window gives different limits: the window really is the last 24.
    two_year = spc_summary(frame, ["indicator", "area"], 2019 * 12 + 1).iloc[0]
    assert two_year["spc_n"] == 24
    assert two_year["spc_mean"] == pytest.approx(gmp["number_of_crimes"].iloc[-24:].mean())


# ----------------------------------------------------------------------------------------------
# Each rule on hand-built series
# ----------------------------------------------------------------------------------------------
def test_run_of_exactly_seven_fires_and_six_does_not() -> None:
    seven = alternating(17) + [0.5] * 7  # the last alternating point is -1: a run of exactly 7
    six = alternating(18, first=1.0) + [0.5] * 6  # ... of exactly 6
    pts7, pts6 = xmr_points(seven), xmr_points(six)
    assert pts7["run_points"].iloc[-1] == 7 and pts6["run_points"].iloc[-1] == 6
    row7, row6 = one_series(seven), one_series(six)
    assert (row7["spc_signal"], row7["spc_direction"]) == ("run", "high")
    assert row6["spc_signal"] == "" and row6["spc_variation"] == "common_cause"
    assert pts7["run"].iloc[-7:].all() and not pts7["run"].iloc[:-7].any()


def test_run_length_is_a_parameter() -> None:
    six = alternating(18, first=1.0) + [0.5] * 6
    assert one_series(six, run_length=6)["spc_signal"] == "run"


def test_point_on_the_mean_breaks_a_run() -> None:
    # 24 points with mean exactly 0: runs of 4 above, one on the mean, 4 above again.
    values = [-1.0] * 12 + [1.0] * 4 + [0.0] + [1.0] * 4 + [-1.0, 3.0, 2.0]
    assert sum(values) == 0
    pts = xmr_points(values)
    assert pts["run_points"].iloc[12:21].tolist() == [4, 4, 4, 4, 0, 4, 4, 4, 4]
    assert pts["run_points"].iloc[0] == 12  # the 12 low points do form a run
    assert pts["run"].iloc[:12].all() and not pts["run"].iloc[12:].any()


def test_trend_of_seven_fires_and_six_does_not() -> None:
    rising7 = alternating(17, first=1.0) + [-0.3, -0.2, -0.1, 0.0, 0.1, 0.2, 0.3]
    rising6 = alternating(18, first=-1.0) + [-0.2, -0.1, 0.0, 0.1, 0.2, 0.3]
    assert rising7[16] == 1.0 and rising6[17] == 1.0  # the point before each trend is higher
    row7, row6 = one_series(rising7, polarity="lower"), one_series(rising6, polarity="lower")
    assert (row7["spc_signal"], row7["spc_direction"], row7["spc_variation"]) == ("trend", "high", "concern")
    assert row6["spc_signal"] == ""
    falling7 = [-v for v in rising7]
    row = one_series(falling7, polarity="lower")
    assert (row["spc_signal"], row["spc_direction"], row["spc_variation"]) == ("trend", "low", "improvement")
    pts = xmr_points(rising7)
    assert pts["trend"].iloc[-7:].all() and not pts["trend"].iloc[:-7].any()


def test_equal_neighbours_break_a_trend() -> None:
    flat_step = alternating(17, first=1.0) + [-0.3, -0.2, -0.1, -0.1, 0.1, 0.2, 0.3]
    assert one_series(flat_step)["spc_signal"] == ""


def _two_of_three_series(last_three: list[float]) -> list[float]:
    return alternating(21, first=-1.0) + last_three


def test_two_of_three_beyond_two_sigma_fires() -> None:
    values = _two_of_three_series([5.0, 0.0, 5.0])
    pts = xmr_points(values, polarity="higher")
    last = pts.iloc[-1]
    # The two high points are beyond 2 sigma but inside the limits: only rule 4 can fire.
    assert last["upper_2sigma"] < 5.0 < last["ucl"]
    row = one_series(values, polarity="higher")
    assert (row["spc_signal"], row["spc_direction"], row["spc_variation"]) == (
        "two_of_three",
        "high",
        "improvement",
    )
    assert pts["two_of_three"].tolist()[-3:] == [True, False, True]


def test_two_of_three_needs_two_on_the_same_side() -> None:
    one_high = _two_of_three_series([0.0, 0.0, 5.0])
    pts = xmr_points(one_high)
    assert pts["upper_2sigma"].iloc[-1] < 5.0 < pts["ucl"].iloc[-1]
    assert one_series(one_high)["spc_signal"] == ""
    opposite = _two_of_three_series([-5.0, 0.0, 5.0])
    pts = xmr_points(opposite)
    assert pts["lcl"].iloc[-1] < -5.0 < pts["lower_2sigma"].iloc[-1]
    assert one_series(opposite)["spc_signal"] == ""


def test_outside_limits_fires() -> None:
    values = alternating(23) + [10.0]
    row = one_series(values, polarity="lower")
    assert row["spc_value"] > row["spc_ucl"]
    assert (row["spc_signal"], row["spc_direction"], row["spc_variation"]) == (
        "outside_limits",
        "high",
        "concern",
    )
    low = one_series(alternating(23) + [-10.0], polarity="lower")
    assert (low["spc_signal"], low["spc_variation"]) == ("outside_limits", "improvement")
    assert one_series(alternating(23) + [-10.0])["spc_variation"] == "neutral"


def test_outside_limits_takes_precedence_over_run() -> None:
    values = alternating(17) + [1.5] * 6 + [12.0]  # mean 0.83: seven points above it
    pts = xmr_points(values)
    assert bool(pts["run"].iloc[-1]) and bool(pts["outside_limits"].iloc[-1])
    assert one_series(values)["spc_signal"] == "outside_limits"


def test_insufficient_data_threshold_is_a_parameter() -> None:
    values = alternating(10) + [10.0]  # 11 points, the last far out
    row = one_series(values)
    assert (row["spc_n"], row["spc_variation"], row["spc_signal"]) == (11, "insufficient_data", "")
    row = one_series(values, min_points=10)
    assert (row["spc_variation"], row["spc_signal"]) == ("neutral", "outside_limits")


# ----------------------------------------------------------------------------------------------
# Assurance
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("polarity", "target", "expected"),
    [
        (-1, 25.0, "consistently_passing"),  # lower is better, both limits under the target
        (-1, 20.0, "consistently_passing"),  # a value equal to the target meets it
        (-1, 5.0, "consistently_failing"),
        (-1, 15.0, "inconsistent"),
        (1, 5.0, "consistently_passing"),
        (1, 10.0, "consistently_passing"),
        (1, 25.0, "consistently_failing"),
        (1, 15.0, "inconsistent"),
        (0, 15.0, "none"),  # neutral polarity: no passing side
        (1, np.nan, "none"),
    ],
)
def test_assurance_classes(polarity: int, target: float, expected: str) -> None:
    assert classify_assurance(10.0, 20.0, target, polarity).item() == expected


def test_assurance_in_summary() -> None:
    values = alternating(24)  # mean 0, limits +/- 5.32
    row = one_series(values, polarity="lower", target=6.0)
    assert row["spc_ucl"] < 6.0 and row["spc_assurance"] == "consistently_passing"
    assert one_series(values, polarity="higher", target=6.0)["spc_assurance"] == "consistently_failing"
    assert one_series(values, polarity="higher", target=0.0)["spc_assurance"] == "inconsistent"
    assert one_series(values, polarity="higher")["spc_assurance"] == "none"
    assert one_series(values[:8], polarity="higher", target=-9.0)["spc_assurance"] == "none"


# ----------------------------------------------------------------------------------------------
# Windows, gaps, reporting point, errors
# ----------------------------------------------------------------------------------------------
def test_gaps_are_consecutive_observations() -> None:
    values = alternating(17) + [0.5] * 7
    t_gappy = list(range(10)) + list(range(13, 27))  # three months missing in the middle
    assert one_series(values, t=t_gappy).drop("spc_t").equals(one_series(values).drop("spc_t"))
    nan_gap = values[:10] + [np.nan] * 3 + values[10:]
    assert one_series(nan_gap).drop("spc_t").equals(one_series(values).drop("spc_t"))


def test_rows_after_t_report_are_ignored_and_missing_month_reports_latest() -> None:
    rng = np.random.default_rng(5)
    frame = pd.DataFrame({"k": "s", "t": np.arange(40), "value": rng.normal(size=40)})
    at_30 = spc_summary(frame, ["k"], 30)
    assert at_30.equals(spc_summary(frame[frame["t"] <= 30], ["k"], 30))
    without_30 = frame[frame["t"] != 30]
    row = spc_summary(without_30, ["k"], 30).iloc[0]
    assert (row["spc_t"], row["spc_value"]) == (29, frame["value"].iloc[29])


def test_fixed_baseline_window() -> None:
    values = alternating(24, first=1.0) + [3.0] * 12  # baseline the first 24 points, then a shift
    row = one_series(values, baseline_start=0, baseline_end=23, polarity="higher")
    assert (row["spc_n"], row["spc_mean"]) == (24, 0.0)
    assert (row["spc_signal"], row["spc_variation"]) == ("run", "improvement")
    pts = xmr_points(values, baseline_start=0, baseline_end=23)
    assert pts["baseline"].tolist() == [True] * 24 + [False] * 12
    assert pts["run"].tolist() == [False] * 24 + [True] * 12


def test_per_series_settings_override_defaults() -> None:
    frame = pd.DataFrame(
        {
            "k": np.repeat(["a", "b"], 24),
            "t": np.tile(np.arange(24), 2),
            "value": alternating(23) * 2 + [0] * 2,
        }
    )
    frame.loc[23, "value"] = 10.0
    frame.loc[47, "value"] = 10.0
    series = pd.DataFrame({"k": ["b"], "polarity": ["higher"], "target": [-100.0], "baseline_points": [12]})
    out = spc_summary(frame, ["k"], 23, series=series, polarity="lower").set_index("k")
    assert out.loc["a", "spc_variation"] == "concern" and out.loc["b", "spc_variation"] == "improvement"
    assert out.loc["a", "spc_n"] == 24 and out.loc["b", "spc_n"] == 12
    assert out.loc["a", "spc_assurance"] == "none"
    assert out.loc["b", "spc_assurance"] == "consistently_passing"


def test_errors_are_data_errors() -> None:
    frame = pd.DataFrame({"k": ["a", "a"], "t": [1, 1], "value": [1.0, 2.0]})
    with pytest.raises(DataError, match="two rows for t=1"):
        spc_summary(frame, ["k"], 1)
    with pytest.raises(DataError, match="not found"):
        spc_summary(frame, ["area"], 1)
    with pytest.raises(DataError, match="unknown polarity"):
        spc_summary(frame.iloc[:1], ["k"], 1, polarity="up")
    with pytest.raises(DataError, match="both baseline_start and baseline_end"):
        xmr_points([1.0, 2.0], baseline_start=0)


# ----------------------------------------------------------------------------------------------
# Cross-check: the vectorised summary against the per-point implementation, series by series
# ----------------------------------------------------------------------------------------------
def _random_frame(seed: int, n_series: int = 300) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    rng = np.random.default_rng(seed)
    t_report = 200
    rows, settings_rows = [], []
    for i in range(n_series):
        length = int(rng.integers(3, 70))
        end = t_report + int(rng.integers(-3, 10))  # some end before t_report, some after it
        t = np.arange(end - length + 1, end + 1)
        t = t[rng.random(length) > 0.1]  # gaps
        kind = i % 5
        if kind == 0:  # Poisson counts: ties with the mean are possible
            v = rng.poisson(rng.uniform(2, 40), len(t)).astype(float)
        elif kind == 1:  # random walk: runs and trends
            v = np.cumsum(rng.normal(size=len(t)))
        elif kind == 2:  # a level shift near the end
            v = rng.normal(size=len(t)) + np.where(t > t_report - 8, 3.0, 0.0)
        elif kind == 3:  # monotone stretches, with ties at the turns after rounding
            v = np.round(np.sin(t / 4.0) * 10)
        else:  # noise, then a gentle steady rise over the last eight months: a trend
            v = np.where(t > t_report - 8, (t - t_report) * 0.2 + 0.5, rng.normal(size=len(t)))
        v[rng.random(len(t)) < 0.03] = np.nan
        rows.append(pd.DataFrame({"ind": f"i{i % 7}", "area": f"a{i}", "t": t, "value": v}))
        setting = {"ind": f"i{i % 7}", "area": f"a{i}", "polarity": ["lower", "higher", "neutral"][i % 3]}
        if i % 5 == 0:
            setting["target"] = float(rng.normal(np.nanmean(v) if np.isfinite(v).any() else 0, 3))
        if i % 6 == 1:
            setting["baseline_points"] = int(rng.integers(5, 30))
        if i % 9 == 2:
            setting["baseline_start"], setting["baseline_end"] = t_report - 40, t_report - 20
        settings_rows.append(setting)
    data = pd.concat(rows, ignore_index=True).sample(frac=1.0, random_state=seed)
    return data, pd.DataFrame(settings_rows), t_report


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_vectorised_summary_equals_xmr_points(seed: int) -> None:
    data, series, t_report = _random_frame(seed)
    keys = ["ind", "area"]
    out = spc_summary(data, keys, t_report, series=series, min_points=10).set_index(keys)
    seen_rules: set[str] = set()
    checked = 0
    for _, s in series.iterrows():
        rows = data[(data["ind"] == s["ind"]) & (data["area"] == s["area"]) & (data["t"] <= t_report)]
        rows = rows.dropna(subset=["value"]).sort_values("t")
        key = (s["ind"], s["area"])
        if rows.empty or rows["t"].max() <= t_report - 29:  # no recent point: stale, not reported
            assert key not in out.index
            continue
        fixed = pd.notna(s.get("baseline_start"))
        bp = int(s["baseline_points"]) if pd.notna(s.get("baseline_points")) else 24
        pts = xmr_points(
            rows["value"].to_numpy(),
            bp,
            t=rows["t"].to_numpy(),
            baseline_start=int(s["baseline_start"]) if fixed else None,
            baseline_end=int(s["baseline_end"]) if fixed else None,
            polarity=s["polarity"],
            min_points=10,
        )
        last, got = pts.iloc[-1], out.loc[key]
        assert got["spc_t"] == last["t"] and got["spc_value"] == last["value"]
        assert got["spc_n"] == pts["baseline"].sum()
        for mine, theirs in [
            ("spc_mean", "mean"),
            ("spc_mr_bar", "mr_bar"),
            ("spc_ucl", "ucl"),
            ("spc_lcl", "lcl"),
        ]:
            assert got[mine] == pytest.approx(last[theirs], rel=1e-12, abs=1e-12, nan_ok=True), (key, mine)
        assert (got["spc_signal"], got["spc_direction"], got["spc_variation"]) == (
            last["rule"],
            last["direction"],
            last["variation"],
        ), key
        target = s.get("target", np.nan)
        sign = {"lower": -1, "higher": 1, "neutral": 0}[s["polarity"]]
        expected = classify_assurance(last["lcl"], last["ucl"], target, sign).item()
        assert got["spc_assurance"] == (expected if pts["baseline"].sum() >= 10 else "none"), key
        seen_rules.add(got["spc_signal"])
        checked += 1
    assert checked == len(out)
    assert checked > 200
    assert set(RULES) | {""} <= seen_rules, "the random frame should exercise every rule"


@pytest.mark.parametrize(
    ("seed", "width", "baseline_points"), [(1, 36, 24), (2, 36, 24), (3, 20, 24), (4, 5, 3), (5, 36, 10)]
)
def test_dense_latest_equals_summary_to_the_bit(seed: int, width: int, baseline_points: int) -> None:
    """spc_latest on a (series x months) matrix gives exactly spc_summary's numbers and words."""
    data, series, t_report = _random_frame(seed)
    series = series.sort_values(["ind", "area"], ignore_index=True)  # spc_summary's row order
    data = data[(data["t"] > t_report - width) & (data["t"] <= t_report)]
    keys = ["ind", "area"]
    polarity = series[[*keys, "polarity"]]
    out = spc_summary(data, keys, t_report, series=polarity, baseline_points=baseline_points)
    grid = data.pivot_table(index=keys, columns="t", values="value", aggfunc="first", dropna=False)
    grid = grid.reindex(index=pd.MultiIndex.from_frame(series[keys]), columns=range(t_report - width + 1, t_report + 1))
    signs = polarity["polarity"].map({"lower": -1, "higher": 1, "neutral": 0}).to_numpy()
    got = spc_latest(grid.to_numpy(), signs, baseline_points=baseline_points)
    reported = pd.MultiIndex.from_frame(series[keys])[got["reported"]]
    assert list(reported) == list(pd.MultiIndex.from_frame(out[keys]))
    assert got["reported"].sum() > 100
    for mine, theirs in [("n", "spc_n"), ("mean", "spc_mean"), ("mr_bar", "spc_mr_bar"), ("ucl", "spc_ucl"),
                         ("lcl", "spc_lcl"), ("signal", "spc_signal"), ("direction", "spc_direction"),
                         ("variation", "spc_variation")]:  # fmt: skip
        np.testing.assert_array_equal(got[mine][got["reported"]], out[theirs].to_numpy(), err_msg=mine)
    assert (got["variation"][~got["reported"]] == "insufficient_data").all()
    assert np.isnan(got["mean"][~got["reported"]]).all()


# ----------------------------------------------------------------------------------------------
# Hypothesis laws
# ----------------------------------------------------------------------------------------------
ints = st.lists(st.integers(-1000, 1000), min_size=12, max_size=40)
LAW = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@LAW
@given(values=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=2, max_size=40))
def test_limits_contain_the_mean(values: list[float]) -> None:
    row = one_series(values)
    assert row["spc_lcl"] <= row["spc_mean"] <= row["spc_ucl"]
    pts = xmr_points(values)
    assert (pts["lcl"] <= pts["mean"]).all() and (pts["mean"] <= pts["ucl"]).all()


@LAW
@given(c=st.floats(-1e9, 1e9, allow_nan=False), n=st.integers(1, 40))
def test_constant_series_has_no_special_cause(c: float, n: int) -> None:
    row = one_series([c] * n, min_points=1)
    assert row["spc_mean"] == c and row["spc_signal"] == ""
    assert row["spc_variation"] == "common_cause"
    assert (xmr_points([c] * n, min_points=1)["rule"] == "").all()


@LAW
@given(
    values=ints, shift=st.integers(-(10**6), 10**6), polarity=st.sampled_from(["lower", "higher", "neutral"])
)
def test_shift_moves_mean_and_limits_and_keeps_signals(values: list[int], shift: int, polarity: str) -> None:
    base = one_series(values, polarity=polarity)
    moved = one_series([v + shift for v in values], polarity=polarity)
    for col in ("spc_mean", "spc_ucl", "spc_lcl"):
        assert moved[col] == pytest.approx(base[col] + shift, abs=1e-6)
    assert moved["spc_mr_bar"] == pytest.approx(base["spc_mr_bar"], abs=1e-9)
    for col in ("spc_signal", "spc_direction", "spc_variation"):
        assert moved[col] == base[col]
    pts, pts_moved = xmr_points(values), xmr_points([v + shift for v in values])
    assert pts["rule"].tolist() == pts_moved["rule"].tolist()


@LAW
@given(values=ints, factor=st.floats(1e-3, 1e3))
def test_scaling_scales_limits(values: list[int], factor: float) -> None:
    base = one_series(values)
    scaled = one_series([v * factor for v in values])
    for col in ("spc_mean", "spc_mr_bar", "spc_ucl", "spc_lcl"):
        assert scaled[col] == pytest.approx(base[col] * factor, rel=1e-9, abs=1e-9)


@LAW
@given(values=ints, power=st.integers(-8, 8))
def test_scaling_by_a_power_of_two_keeps_signals(values: list[int], power: int) -> None:
    base = one_series(values)
    scaled = one_series([v * 2.0**power for v in values])
    assert (scaled["spc_signal"], scaled["spc_direction"]) == (base["spc_signal"], base["spc_direction"])


SWAP = {"improvement": "concern", "concern": "improvement"}


@LAW
@given(values=ints)
def test_reversing_polarity_swaps_improvement_and_concern(values: list[int]) -> None:
    low, high = one_series(values, polarity="lower"), one_series(values, polarity="higher")
    assert high["spc_variation"] == SWAP.get(low["spc_variation"], low["spc_variation"])
    pts_low, pts_high = xmr_points(values, polarity="lower"), xmr_points(values, polarity="higher")
    assert pts_high["variation"].tolist() == [SWAP.get(v, v) for v in pts_low["variation"]]


@LAW
@given(values=ints, height=st.floats(1e5, 1e9))
def test_far_above_the_limits_is_concern_when_lower_is_better(values: list[int], height: float) -> None:
    row = one_series([*values, height], polarity="lower")
    assert row["spc_value"] > row["spc_ucl"]
    assert (row["spc_signal"], row["spc_variation"]) == ("outside_limits", "concern")
    pts = xmr_points([*values, height], polarity="lower")
    # Never improvement for a high special cause on a lower-is-better measure, at any point.
    assert not ((pts["direction"] == "high") & (pts["variation"] == "improvement")).any()


@LAW
@given(values=ints)
def test_signal_is_consistent_with_variation(values: list[int]) -> None:
    assume(len(values) >= 12)
    row = one_series(values, polarity="higher")
    assert (row["spc_signal"] == "") == (row["spc_variation"] == "common_cause")


def test_long_gap_reaches_back_for_older_points() -> None:
    # 20 points long ago, then 5 recent ones: the 24-point window spans the gap.
    t = np.r_[np.arange(20), np.arange(100, 105)]
    values = np.r_[alternating(20), [0.5, 0.6, 0.7, 0.8, 0.9]]
    row = one_series(values, t=t)
    pts = xmr_points(values, t=t)
    assert row["spc_n"] == 24 == pts["baseline"].sum()
    assert row["spc_mean"] == pytest.approx(pts["mean"].iloc[-1])
    assert row["spc_mr_bar"] == pytest.approx(pts["mr_bar"].iloc[-1])


def test_stale_series_is_left_out() -> None:
    frame = pd.DataFrame(
        {"k": ["old"] * 12 + ["new"] * 12, "t": np.r_[np.arange(12), np.arange(88, 100)], "value": 1.0}
    )
    out = spc_summary(frame, ["k"], 99, min_points=1)
    assert out["k"].tolist() == ["new"]
    # ... but it is reported at a reporting point when it was current.
    assert spc_summary(frame, ["k"], 20, min_points=1)["k"].tolist() == ["old"]


def test_key_and_value_dtypes_do_not_change_the_result() -> None:
    data, series, t_report = _random_frame(4, n_series=60)
    keys = ["ind", "area"]
    plain = spc_summary(data, keys, t_report, series=series)
    typed = data.astype({"ind": "category", "area": "category", "value": "Float64"})
    other = spc_summary(typed, keys, t_report, series=series)
    pd.testing.assert_frame_equal(
        plain.astype({"ind": str, "area": str}), other.astype({"ind": str, "area": str})
    )


def test_one_sided_per_series_window_is_rejected() -> None:
    frame = pd.DataFrame({"k": "a", "t": np.arange(30), "value": np.arange(30.0)})
    series = pd.DataFrame({"k": ["a"], "baseline_start": [3]})
    with pytest.raises(DataError, match="only one of baseline_start and baseline_end"):
        spc_summary(frame, ["k"], 29, series=series)


def test_xmr_points_on_empty_and_single_point_series() -> None:
    assert xmr_points([]).empty
    single = xmr_points([np.nan, 4.0])
    assert len(single) == 1 and single["variation"].iloc[0] == "insufficient_data"
