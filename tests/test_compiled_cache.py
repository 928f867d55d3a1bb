"""Compiled models kept on disk: a new process loads a model structure's C callbacks instead
of compiling them again, and samples exactly what nutpie's own compile samples."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import scipy.special

from forecast.models.hierarchy.compiled import callback_key, register_cacheable_digamma

# a small count model (flows of 12 regions): the quickest of our structures to compile
MODEL = textwrap.dedent("""
    import numpy as np
    from forecast.models.counts.model import build_model
    from forecast.models.counts.panel import build_count_panel

    def small_model():
        rng = np.random.default_rng(4)
        series = {f"r{k}": rng.poisson(3 + k, 7) for k in range(12)}
        return build_model(build_count_panel("c", series, {r: "" for r in series}, True))
""")


def _small_model():
    scope: dict = {}
    exec(MODEL, scope)  # the fixed source above, shared with the child process
    return scope["small_model"]()


def _draws(compiled) -> np.ndarray:
    import nutpie

    trace = nutpie.sample(compiled, draws=60, tune=60, chains=2, seed=9, progress_bar=False)
    return np.concatenate([trace.posterior[v].values.ravel()
                           for v in sorted(trace.posterior.data_vars)])


def test_the_cacheable_digamma_is_scipy_s_own():
    """PyTensor's compiled digamma (the Student-t's gradient) gives SciPy's numbers bit for bit
    and now has a cache key, so the pooled model's graph can be cached."""
    import pytensor
    import pytensor.tensor as pt
    from pytensor.link.numba.dispatch.basic import numba_funcify_and_cache_key

    register_cacheable_digamma()
    x = pt.dvector("x")
    f = pytensor.function([x], pt.psi(x), mode="NUMBA")
    grid = np.r_[np.linspace(-7.5, 40, 997), 1e-8, 1e5, 0.5, 1.0]
    assert np.array_equal(f(grid), scipy.special.digamma(grid))
    node = pt.psi(x).owner.op.scalar_op.make_node(pytensor.scalar.float64())
    assert numba_funcify_and_cache_key(node.op, node=node)[1] is not None


def test_the_key_changes_with_the_structure_and_the_wrapper():
    base = ("src", "('counts', 64, 64, True)", 10, 20, "rec", ["float64"])
    key = callback_key(*base)
    assert key == callback_key(*base)
    for k, other in enumerate(["src2", "('counts', 128, 64, True)", 11, 21, "rec2", ["int64"]]):
        changed = list(base)
        changed[k] = other
        assert callback_key(*changed) != key


@pytest.mark.xdist_group("compile")
def test_a_new_process_loads_the_compiled_model_from_disk(tmp_path):
    """On a fresh machine (an empty compile folder) the first process compiles the callbacks
    and keeps them; a second loads both (numba's cache hits); both draw the bytes of
    nutpie's own compile."""
    script = MODEL + textwrap.dedent("""
        import hashlib, nutpie
        from forecast.models.hierarchy.compiled import compile_model, on_disk
        before = on_disk("test")
        compiled = compile_model(small_model(), identity="test")
        trace = nutpie.sample(compiled, draws=60, tune=60, chains=2, seed=9, progress_bar=False)
        draws = np.concatenate([trace.posterior[v].values.ravel()
                                for v in sorted(trace.posterior.data_vars)])
        print(before, on_disk("test"), compiled.compiled_logp_func.cache_hits,
              compiled.compiled_expand_func.cache_hits,
              hashlib.sha256(draws.tobytes()).hexdigest())
    """)
    env = {**os.environ, "PYTENSOR_FLAGS": f"base_compiledir={tmp_path}"}

    def run() -> list[str]:
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=900, check=True, env=env)
        return done.stdout.split()[-5:]

    first, second = run(), run()
    # on_disk (what `run_grouped` reads to share fits out) turns true once a process kept it
    assert first[:4] == ["False", "True", "0", "0"]
    assert second[:4] == ["True", "True", "1", "1"]
    assert first[4] == second[4]
    import nutpie

    theirs = _draws(nutpie.compile_pymc_model(_small_model()))
    assert hashlib.sha256(theirs.tobytes()).hexdigest() == first[4]
