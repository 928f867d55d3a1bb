"""The fast approximation of the pooled model: its closed forms, its calibration on a panel with
a known truth, and its NetCDF round trip."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from forecast.models.pooled.approx import (
    MOMENTS,
    ConditionalDraws,
    fit_approx,
    moments,
    sampled_leaves,
    shock_prior,
    sub_panel,
)
from forecast.models.pooled.inference import PooledSettings, diagnostics, used_levels
from forecast.models.pooled.panel import build_panel
from forecast.models.pooled.posterior import from_idata, load_cached, save_cached

pytest.importorskip("pymc")
pytest.importorskip("nutpie")

SETTINGS = PooledSettings(draws=300, tune=300, chains=2, method="approx")


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
    assert post["moments"].shape == (panel.n_nodes, len(MOMENTS))
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
    sub = sub_panel(panel, chosen)
    for i in chosen:
        j = sub.nodes.index(panel.nodes[i])
        assert sub.points[j] == panel.points[i]
        np.testing.assert_allclose(np.sort(sub.change[sub.node_of == j]),
                                   np.sort(panel.change[panel.node_of == i]), atol=1e-12)


def test_shock_prior_matches_the_log_normal_on_the_log_scale():
    mean, spread, nu = np.array([np.log(0.05)]), np.array([0.4]), np.array([6.0])
    dof, scale2 = shock_prior(mean, spread, nu)
    v = dof * scale2 / np.random.default_rng(0).chisquare(dof[0], 400_000)
    target = 2 * mean[0] + np.log(nu[0] / (nu[0] - 2))
    assert np.mean(np.log(v)) == pytest.approx(target, abs=0.01)
    assert np.var(np.log(v)) == pytest.approx(4 * spread[0] ** 2, rel=0.02)


def test_conditional_drift_is_the_normal_normal_posterior():
    """With the shock variance pinned (huge prior dof) and persistence 0.3, the drift draws match
    the regression of c - phi h p on 1 - phi h, weighted with the parent's drift."""
    rng = np.random.default_rng(2)
    c = 0.04 + 0.05 * rng.standard_normal(9)
    panel = build_panel("x", {"a": np.r_[0.0, np.cumsum(c)]}, {"a": "root"})
    k = panel.nodes.index("a")
    idx = panel.node_of == k
    phi, v, tau2, centre = 0.3, 0.05**2, 0.02**2, 0.01
    y = panel.change[idx] - phi * panel.has_previous[idx] * panel.previous[idx]
    a = 1 - phi * panel.has_previous[idx]
    precision = 1 / tau2 + a @ a / v
    expected_mean = (centre / tau2 + a @ y / v) / precision
    nu = np.full(1, 1e6)  # Gaussian shocks: v equals sigma^2
    leaf = ConditionalDraws("a", moments(panel)[k], np.full(1, centre), np.full(1, tau2),
                            np.full(1, 1e9), np.full(1, v), nu, np.full(1, phi), 0.0, "root", 10)
    drift, sigma, _, _ = leaf.draw(200_000, np.random.default_rng(3))
    assert np.mean(drift) == pytest.approx(expected_mean, abs=3e-4)
    assert np.std(drift) == pytest.approx(precision**-0.5, rel=0.01)
    np.testing.assert_allclose(sigma, np.sqrt(v), rtol=1e-3)
