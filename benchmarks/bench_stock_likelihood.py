"""The stock count model's likelihood: the compiled loop against the array form it replaced.

What: the seconds of one evaluation of the log-likelihood and its gradient for every stock
change of a count panel, (a) as ``forecast.models.counts.stock_likelihood`` computes it (one
loop over the exits each change allows, outward from the largest term) and (b) as the model
computed it before (PyTensor array operations over a rectangle of changes x every exit count
up to the panel's largest stock, as written out below), both compiled by PyTensor's numba
backend, at the same parameters; the two log-likelihoods must agree. Also the whole count
model's log-density and gradient (what NUTS evaluates at every step). Why: a stock fit of the
national workspace took over 20 minutes, almost all of it in this sum.

The panels are those `forecast run` fits with the count model on the SYNTHETIC national
workspace of ``make_national.py`` (written to a temporary folder). Usage:

    python benchmarks/bench_stock_likelihood.py [--regions 3000] [--repeats 300]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_national import temporary_workspace


def array_form(log_mu, logit_q, change, previous, exact_max: int):
    """The likelihood as the model wrote it before the loop (``counts-nb-rw-2``)."""
    import pytensor.tensor as pt
    from scipy.special import gammaln

    k, n = change[:, None], previous[:, None]
    x = np.arange(min(int(previous.max()) + 1, exact_max + 1), dtype=float)[None, :]
    entries = np.maximum(k + x, 0.0)
    possible = (x <= n) & (k + x >= 0)
    const = np.where(possible, gammaln(n + 1) - gammaln(np.minimum(x, n) + 1)
                     - gammaln(np.maximum(n - x, 0) + 1) - gammaln(entries + 1), -1e10)
    lq = logit_q[:, None]
    joint = (const + x * lq - n * pt.softplus(lq) + entries * log_mu[:, None]
             - pt.exp(log_mu)[:, None])
    return pt.logsumexp(joint, axis=1).flatten()


def seconds(fn, args, repeats: int) -> float:
    fn(*args)
    start = time.perf_counter()
    for _ in range(repeats):
        fn(*args)
    return (time.perf_counter() - start) / repeats


def stock_panels(regions: int):
    from forecast.assessment.run import planned_fits
    from forecast.assessment.settings import Settings
    from forecast.inputs.workspace import load_workspace
    from forecast.models.counts.panel import CountPanel

    with temporary_workspace(regions) as folder:
        ws = load_workspace(folder, 2026, Path.cwd())
        return [r.panel for r in planned_fits(ws.inputs, Settings())
                if isinstance(r.panel, CountPanel) and not r.panel.flow]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regions", type=int, default=3000)
    ap.add_argument("--repeats", type=int, default=300)
    args = ap.parse_args()

    import pytensor
    import pytensor.tensor as pt
    from scipy.special import logit

    from forecast.models.counts.model import EXACT_MAX, build_model, stock_log_factorials
    from forecast.models.counts.panel import EXIT_GUESS
    from forecast.models.counts.stock_likelihood import stock_loglik

    print("| panel | nodes | stock changes | largest stock | loop µs | array form µs | "
          "ratio | whole model µs | largest difference |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for panel in stock_panels(args.regions):
        summed = panel.obs_previous <= EXACT_MAX
        change = panel.obs_value[summed].astype(float)
        previous = panel.obs_previous[summed].astype(float)
        at_mu = np.log(panel.base[panel.state_node[panel.obs_state[summed]]])
        at_q = np.full(len(change), logit(EXIT_GUESS))
        lm, lq = pt.dvector("log_mu"), pt.dvector("logit_q")
        table = stock_log_factorials(panel)
        forms = {"loop": stock_loglik(lm, lq, change, previous, np.ones(len(change)), table),
                 "array": array_form(lm, lq, change, previous, EXACT_MAX)}
        timed, values = {}, {}
        for name, each in forms.items():
            total = each.sum()
            fn = pytensor.function([lm, lq], [total, each, *pytensor.grad(total, [lm, lq])],
                                   mode="NUMBA")
            timed[name] = seconds(fn, (at_mu, at_q), args.repeats)
            values[name] = fn(at_mu, at_q)[1]
        model = build_model(panel)
        density = model.logp()
        whole = pytensor.function(model.value_vars,
                                  [density, *pytensor.grad(density, model.value_vars)],
                                  mode="NUMBA")
        point = model.initial_point()
        model_s = seconds(whole, [point[v.name] for v in model.value_vars], args.repeats)
        diff = float(np.max(np.abs(values["loop"] - values["array"])))
        print(f"| {panel.indicator} | {panel.n_nodes} | {len(change):,} | "
              f"{int(previous.max(initial=0))} | {timed['loop'] * 1e6:.0f} | "
              f"{timed['array'] * 1e6:.0f} | {timed['array'] / timed['loop']:.1f} | "
              f"{model_s * 1e6:.0f} | {diff:.1e} |", flush=True)


if __name__ == "__main__":
    main()
