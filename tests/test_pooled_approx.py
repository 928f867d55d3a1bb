"""The fast approximation of the pooled model: its closed forms, its calibration on a panel with
a known truth, and its NetCDF round trip."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from forecast.models.hierarchy.cache import load_cached, save_cached
from forecast.models.hierarchy.settings import PooledSettings
from forecast.models.hierarchy.tree import MAX_DEPTH
from forecast.models.pooled.approx import fit_approx, sampled_leaves, sub_panel
from forecast.models.pooled.approx_draws import ConditionalDraws
from forecast.models.pooled.conjugate import Changes, Hyper, shock_prior, upper_drifts
from forecast.models.pooled.inference import diagnostics, used_levels
from forecast.models.pooled.panel import build_panel
from forecast.models.pooled.posterior import from_idata

pytest.importorskip("pymc")
pytest.importorskip("nutpie")

SETTINGS = PooledSettings(draws=300, tune=300, chains=2, method="approx", retries=0)


def known_panel(seed: int = 7, provinces: int = 3, counties: int = 60):
    """Nation -> provinces -> counties; county drifts around their province's, Gaussian shocks.
    Returns the panel and every region's true drift."""
    rng = np.random.default_rng(seed)
    series, parents, truth = {}, {}, {}

    def walk(drift: float, sigma: float, points: int) -> np.ndarray:
        return np.r_[0.0, np.cumsum(drift + sigma * rng.standard_normal(points - 1))]

    truth["nation"] = 0.05
    series["nation"] = walk(0.05, 0.02, 12)
    for p in range(provinces):
        province = f"province-{p}"
        parents[province] = "nation"
        truth[province] = 0.05 + 0.02 * rng.standard_normal()
        series[province] = walk(truth[province], 0.03, 12)
        for c in range(counties):
            county = f"county-{p}-{c:02d}"
            parents[county] = province
            truth[county] = truth[province] + 0.015 * rng.standard_normal()
            sigma = float(np.exp(np.log(0.04) + 0.3 * rng.standard_normal()))
            series[county] = walk(truth[county], sigma, int(rng.integers(6, 12)))
    return build_panel("sim", series, parents), truth


@pytest.fixture(scope="module")
def fitted():
    panel, truth = known_panel()
    idata = fit_approx(panel, SETTINGS, seed=3, max_leaves=40)  # most counties not sampled
    return panel, truth, idata


def test_county_drift_intervals_cover_the_truth(fitted):
    panel, truth, idata = fitted
    post = from_idata(idata, diagnostics(idata, used_levels(panel)))
    assert post.method == "approx"
    rng = np.random.default_rng(11)
    inside = []
    for k, region in enumerate(panel.nodes):
        if region.startswith("county"):
            drift = post.for_region(region, 0.0, int(panel.points[k])).draw(4000, rng)[0]
            lo, hi = np.quantile(drift, [0.05, 0.95])
            inside.append(lo <= truth[region] <= hi)
    assert len(inside) == 180
    assert 0.75 <= np.mean(inside) <= 0.98


def test_compact_and_round_trip_gives_identical_paths(fitted, tmp_path):
    panel, _, idata = fitted
    post = idata.posterior
    assert post.attrs["method"] == "approx"
    assert set(post["upper"].values) == {"nation", "province-0", "province-1", "province-2"}
    assert post["change"].shape == panel.change.shape  # the data, not draws, per region
    path = tmp_path / "sim.nc"
    save_cached(idata, path)
    back = load_cached(path, post.attrs["key"])
    assert back is not None
    for region in ("county-1-07", "province-2", "nation"):
        k = panel.nodes.index(region)
        paths = [from_idata(i, {}).for_region(region, 0.01, int(panel.points[k]))
                 .simulate(5, 500, np.random.default_rng(5), 1.0) for i in (idata, back)]
        assert paths[0].shape == (500, 5)
        np.testing.assert_array_equal(paths[0], paths[1])
    assert diagnostics(back, used_levels(panel)) == diagnostics(idata, used_levels(panel))


def test_subsample_is_stable_and_keeps_change_counts():
    panel, _ = known_panel(seed=1, provinces=2, counties=30)
    chosen = sampled_leaves(panel, 10)
    counties = [r for r in panel.nodes if r.startswith("county")]
    lowest = sorted(counties, key=lambda r: hashlib.sha256(r.encode()).digest()[:8][::-1])[:10]
    assert sorted(panel.nodes[i] for i in chosen) == sorted(lowest)
    sub, first = sub_panel(panel, chosen)
    for i in chosen:
        j = sub.nodes.index(panel.nodes[i])
        assert sub.points[j] == panel.points[i]
        np.testing.assert_allclose(sub.change[sub.node_of == j],
                                   panel.change[panel.node_of == i], atol=1e-12)
        np.testing.assert_array_equal(sub.year_of[sub.node_of == j] + first,
                                      panel.year_of[panel.node_of == i])


def test_subsample_keeps_calendar_years():
    """Series ending in different years keep their years, so year shocks line up."""
    series = {"a": np.array([0.0, 0.1, 0.2, 0.25]), "b": np.array([1.0, 1.1]),
              "c": np.array([2.0, 2.1, 2.3])}
    ends = {"a": 2020, "b": 2023, "c": 2022}
    panel = build_panel("x", series, dict.fromkeys(series, "root"), ends)
    sub, first = sub_panel(panel, np.array([panel.nodes.index(r) for r in ("b", "c")]))
    for r in ("b", "c"):
        np.testing.assert_array_equal(sub.year_of[sub.node_of == sub.nodes.index(r)] + first,
                                      panel.year_of[panel.node_of == panel.nodes.index(r)])


def test_shock_prior_matches_the_log_normal_on_the_log_scale():
    mean, spread, nu = np.array([np.log(0.05)]), np.array([0.4]), np.array([6.0])
    dof, scale2 = shock_prior(mean, spread, nu)
    v = dof * scale2 / np.random.default_rng(0).chisquare(dof[0], 400_000)
    target = 2 * mean[0] + np.log(nu[0] / (nu[0] - 2))
    assert np.mean(np.log(v)) == pytest.approx(target, abs=0.01)
    assert np.var(np.log(v)) == pytest.approx(4 * spread[0] ** 2, rel=0.02)


def pinned_hyper(s: int, phi: float, spread: list[float], scale2: float,
                 year_effect: np.ndarray) -> Hyper:
    """``s`` copies of one hyperparameter draw; Gaussian shocks (nu huge), leaf variance pinned
    at ``scale2`` by a huge prior dof; the given year effects."""
    full = np.zeros(MAX_DEPTH)
    full[:len(spread)] = spread
    return Hyper(np.full(s, 0.03), np.tile(full, (s, 1)), np.full(s, 1e6), np.full(s, phi),
                 np.full(s, 1e9), np.full(s, scale2), np.full(s, 0.01),
                 np.tile(year_effect, (s, 1)))


def regression_by_hand(panel, k: int, phi: float, effect: np.ndarray) -> tuple[float, float]:
    """a'a and a'y of node k's changes net of the year effects, from the panel's arrays."""
    idx = panel.node_of == k
    y = (panel.change[idx] - effect[panel.year_of[idx]]
         - phi * panel.has_previous[idx] * panel.previous[idx])
    a = 1 - phi * panel.has_previous[idx]
    return float(a @ a), float(a @ y)


def changes_of(panel) -> Changes:
    return Changes(panel.change, panel.previous, panel.has_previous, panel.year_of, panel.noise**2)


def test_conditional_drift_is_the_normal_normal_posterior():
    """With the shock variance pinned and persistence 0.3, a leaf's drift draws match the
    regression of c - year effect - phi h p on 1 - phi h, weighted with the parent's drift."""
    rng = np.random.default_rng(2)
    c = 0.04 + 0.05 * rng.standard_normal(9)
    panel = build_panel("x", {"a": np.r_[0.0, np.cumsum(c)]}, {"a": "root"})
    k = panel.nodes.index("a")
    phi, v, tau, centre = 0.3, 0.05**2, 0.02, 0.01
    effect = 0.03 * rng.standard_normal(panel.n_years)
    aa, ay = regression_by_hand(panel, k, phi, effect)
    precision = 1 / tau**2 + aa / v
    expected_mean = (centre / tau**2 + ay / v) / precision
    n = 200_000
    leaf = ConditionalDraws("a", changes_of(panel), np.full(n, centre), np.full(n, tau**2),
                            pinned_hyper(n, phi, [0.0, tau], v, effect), 0.0, "root", 10)
    drift, sigma, _, _, year = leaf.draw(n, np.random.default_rng(3))
    assert np.all(year == 0.01)
    assert np.mean(drift) == pytest.approx(expected_mean, abs=3e-4)
    assert np.std(drift) == pytest.approx(precision**-0.5, rel=0.01)
    np.testing.assert_allclose(sigma, np.sqrt(v), rtol=1e-3)


def test_upper_drifts_match_the_dense_gaussian_posterior():
    """The tree passes against the joint Gaussian of all drifts solved as one linear system."""
    rng = np.random.default_rng(4)
    tree = {"p1": "root", "p2": "root", "c11": "p1", "c12": "p1", "c21": "p2"}
    series = {r: np.r_[0.0, np.cumsum(0.03 + 0.04 * rng.standard_normal(int(rng.integers(3, 9))))]
              for r in ("root", *tree)}
    series["c12"] = np.array([0.0])  # an ancestor's child without data
    ends = {"root": 2023, "p1": 2022, "p2": 2023, "c11": 2021, "c12": 2023, "c21": 2023}
    panel = build_panel("x", series, tree, ends)
    phi, spread, v_leaf, sigma_up = 0.2, [0.0, 0.03, 0.015], 0.05**2, 0.04
    effect = 0.03 * rng.standard_normal(panel.n_years)
    upper = np.flatnonzero(np.isin(panel.nodes, ["root", "p1", "p2"]))
    s = 100_000
    draws = upper_drifts(panel.parent, panel.depth, changes_of(panel), panel.node_of, upper,
                         np.full((s, len(upper)), sigma_up),
                         pinned_hyper(s, phi, spread, v_leaf, effect),
                         np.random.default_rng(5).standard_normal((s, len(upper))))
    # the lone root's drift is drift_mean (0.03); the others are unknowns of one linear system
    free = [k for k in range(panel.n_nodes) if panel.parent[k] >= 0]
    q, b = np.zeros((len(free), len(free))), np.zeros(len(free))
    for i, k in enumerate(free):
        aa, ay = regression_by_hand(panel, k, phi, effect)
        v = sigma_up**2 if k in upper else v_leaf
        q[i, i] += aa / v + 1 / spread[panel.depth[k]] ** 2
        b[i] += ay / v
        p = panel.parent[k]
        if p in free:
            j = free.index(p)
            w = 1 / spread[panel.depth[k]] ** 2
            q[j, j] += w
            q[i, j] -= w
            q[j, i] -= w
        else:
            b[i] += 0.03 / spread[panel.depth[k]] ** 2
    cov = np.linalg.inv(q)
    mean = cov @ b
    np.testing.assert_allclose(draws[:, list(upper).index(panel.nodes.index("root"))], 0.03)
    for name in ("p1", "p2"):
        i, j = free.index(panel.nodes.index(name)), list(upper).index(panel.nodes.index(name))
        assert np.mean(draws[:, j]) == pytest.approx(mean[i], abs=4 * np.sqrt(cov[i, i] / s))
        assert np.std(draws[:, j]) == pytest.approx(np.sqrt(cov[i, i]), rel=0.015)


def test_conditional_drift_weights_each_change_by_its_rounding_noise():
    """A leaf of a small count: each change's precision is 1 / (v + its rounding variance),
    the normal-normal posterior computed by hand with those weights."""
    rng = np.random.default_rng(6)
    values = np.r_[0.0, np.cumsum(0.04 + 0.05 * rng.standard_normal(7))]
    rounding = 0.1 * rng.uniform(0.2, 1.0, len(values))
    panel = build_panel("x", {"a": values}, {"a": "root"}, rounding={"a": rounding})
    k = panel.nodes.index("a")
    v, tau, centre = 0.05**2, 0.02, 0.01
    effect = np.zeros(panel.n_years)
    weights = 1 / (v + rounding[1:] ** 2 + rounding[:-1] ** 2)
    y = panel.change[panel.node_of == k]
    precision = 1 / tau**2 + weights.sum()
    expected_mean = (centre / tau**2 + weights @ y) / precision
    n = 200_000
    leaf = ConditionalDraws("a", changes_of(panel), np.full(n, centre), np.full(n, tau**2),
                            pinned_hyper(n, 0.0, [0.0, tau], v, effect), 0.0, "root", 8)
    drift, *_ = leaf.draw(n, np.random.default_rng(7))
    assert np.mean(drift) == pytest.approx(expected_mean, abs=3e-4)
    assert np.std(drift) == pytest.approx(precision**-0.5, rel=0.01)
