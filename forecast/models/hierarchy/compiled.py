"""Compiled models that a new process loads from disk instead of compiling again.

nutpie compiles a PyMC model in two steps. PyTensor turns the log-density, its gradient and the
stored variables into numba functions, and caches most pieces of them on disk. nutpie then
wraps them in C callbacks for its sampler, and numba compiles those, with everything they call,
again in every process (15–20 s per model structure on one core): nutpie's wrappers hold the
model's arrays, which numba cannot cache, and PyTensor's key of the whole graph changes from
process to process (its rewrites order some shape checks differently each time).
``compile_model`` builds the same callbacks from generated source instead. They read every
array through the pointers nutpie passes at run time, and are kept in PyTensor's numba cache
folder under a key of our own: the model's structure and padded sizes (``identity``), a hash
of the model code, the wrapper's source and the libraries' versions. A second process loads
them, and builds the model around them, in a second or two.

One piece of the pooled model was never cached: the digamma in the Student-t's gradient, which
PyTensor reaches through a pointer into SciPy that numba cannot cache, so every process
compiled the code around it again. ``register_cacheable_digamma`` gives PyTensor one that
calls the same SciPy function through a pointer looked up when the code first runs.

The sampler sees the same functions either way: draws are byte-identical to
``nutpie.compile_pymc_model``'s for a given seed (tests/test_compiled_cache.py). Where nutpie's
internals differ from what this module expects, it falls back to nutpie's own compile.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging

import numpy as np

WRAPPER_VERSION = "1"  # bump when the generated source changes in a way its text does not show
_LOG = logging.getLogger(__name__)
_DIGAMMA_REGISTERED = False


def _digamma_address() -> int:
    """The address of SciPy's C digamma for one double (``scipy.special.cython_special``)."""
    import ctypes

    import scipy.special.cython_special as special

    capsule = special.__pyx_capi__["__pyx_fuse_1psi"]
    get_name = ctypes.pythonapi.PyCapsule_GetName
    get_name.restype, get_name.argtypes = ctypes.c_char_p, (ctypes.py_object,)
    name = get_name(capsule)
    if name != b"double (double, int __pyx_skip_dispatch)":
        raise LookupError(f"unexpected signature of scipy's psi: {name!r}")
    get_pointer = ctypes.pythonapi.PyCapsule_GetPointer
    get_pointer.restype = ctypes.c_void_p
    get_pointer.argtypes = (ctypes.py_object, ctypes.c_char_p)
    return int(get_pointer(capsule, name))


def register_cacheable_digamma() -> None:
    """Give PyTensor's numba backend a digamma it can cache: SciPy's own C function, called
    through a pointer that is looked up the first time the compiled code runs (PyTensor's
    way for LAPACK). Other dtypes keep PyTensor's implementation. Idempotent."""
    global _DIGAMMA_REGISTERED
    if _DIGAMMA_REGISTERED:
        return
    try:
        _digamma_address()
    except (AttributeError, LookupError) as exc:  # another SciPy: PyTensor keeps its own
        _LOG.debug("SciPy's digamma not found as expected (%s)", exc)
        return
    import numba
    from numba import types
    from pytensor.link.numba.cache import _call_cached_ptr
    from pytensor.link.numba.dispatch.basic import numba_njit, register_funcify_and_cache_key
    from pytensor.link.numba.dispatch.scalar import numba_funcify_ScalarOp, scalar_op_cache_key
    from pytensor.scalar.math import Psi

    function_type = types.FunctionType(types.float64(types.float64, types.intc))

    @numba_njit
    def digamma_pointer():
        with numba.objmode(ptr=types.intp):
            ptr = _digamma_address()
        return ptr

    @numba_njit
    def digamma(x):
        fn = _call_cached_ptr(get_ptr_func=digamma_pointer, func_type_ref=function_type,
                              unique_func_name_lit="scipy.special.cython_special.psi_f64")
        return fn(x, np.intc(0))

    @register_funcify_and_cache_key(Psi)
    def numba_funcify_psi(op, node, **kwargs):
        dtypes = {v.type.dtype for v in (*node.inputs, *node.outputs)}
        if dtypes != {"float64"}:
            return numba_funcify_ScalarOp(op, node, **kwargs)
        return digamma, scalar_op_cache_key(op, implementation=f"forecast-{WRAPPER_VERSION}")

    _DIGAMMA_REGISTERED = True


def _reads(names: list[str], shared: dict[str, np.ndarray]) -> tuple[list[str], list[str]]:
    """Source lines that view each shared array through nutpie's user data, and their names."""
    lines, arrays = [], []
    for i, name in enumerate(names):
        ndim = shared[name].ndim
        shape = "".join(f"int(shape{i}[{d}]), " for d in range(ndim))
        lines += [f"shape{i} = shared['shape'][{name!r}]",
                  f"a{i} = numba.carray(address_as_void_pointer(shared['data'][{name!r}][()]), "
                  f"int(shared['size'][{name!r}][()]), DTYPE{i}).reshape(({shape}))"]
        arrays.append(f"a{i}")
    return lines, arrays


def wrapper_source(kind: str, names: list[str], shared: dict[str, np.ndarray]) -> str:
    """The C callback nutpie calls, as source: ``logp`` (log-density and gradient) or
    ``expand`` (the stored variables). The body is a separate function because numba's
    analysis of a ``try`` block grows fast with its length; the callback returns nutpie's
    error codes exactly as nutpie's own wrapper does."""
    lines, arrays = _reads(names, shared)
    call = ", ".join(["x", *arrays])
    if kind == "logp":
        args, fail = "dim, x_, out_, logp_, user_data_", 1
        checks = ["if dim != N_DIM:", "    return -1"]
        body = ["out = numba.carray(out_, (N_DIM,))", "logp = numba.carray(logp_, ())",
                f"logp_val, grad = inner({call})", "logp[()] = logp_val", "out[...] = grad",
                "if not np.all(np.isfinite(out)):", "    return 3",
                "if not np.isfinite(logp_val):", "    return 4", "return 0"]
    else:
        args, fail = "dim, expanded, x_, out_, user_data_", -2
        checks = ["if dim != N_DIM:", "    return -1",
                  "if expanded != N_EXPANDED:", "    return -1"]
        body = ["out = numba.carray(out_, (N_EXPANDED,))", f"(values,) = inner({call})",
                "out[...] = values", "return 0"]
    statements = [*checks, "user_data = numba.carray(user_data_, (), RECORD)",
                  'shared = user_data["shared"]', *lines, "x = numba.carray(x_, (N_DIM,))",
                  *body]
    return (f"@numba.njit\ndef {kind}_body({args}):\n"
            + "".join(f"    {s}\n" for s in statements)
            + f"\n\ndef {kind}_wrapper({args}):\n    try:\n"
            + f"        return {kind}_body({args})\n"
            + f"    except Exception:  # noqa: BLE001\n        return {fail}\n")


def _signature(kind: str):
    """The C signature nutpie calls: (dim, x, gradient, logp, user data) for ``logp``,
    (dim, expanded, x, values, user data) for ``expand``; an int64 status comes back."""
    from numba import types

    double = types.CPointer(types.double)
    if kind == "logp":
        return types.int64(types.uint64, double, double, double, types.voidptr)
    return types.int64(types.uint64, types.uint64, double, double, types.voidptr)


@functools.cache
def models_source() -> str:
    """A hash of the model code (every module of ``forecast.models``): a compiled callback
    is found again only for the code that built it."""
    from pathlib import Path

    h = hashlib.sha256()
    for path in sorted(Path(__file__).parents[1].rglob("*.py")):
        h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def _made_by() -> list[str]:
    """What every compiled callback also depends on: the wrapper's version, the model code
    and the versions of the libraries that compile it."""
    import numba
    import nutpie
    import pytensor

    return [WRAPPER_VERSION, models_source(), numba.__version__, pytensor.__version__,
            nutpie.__version__]


def _marker(identity: str):
    """The empty file that says the compiled model of ``identity`` is on disk (for this
    model code and these libraries)."""
    from pytensor.link.numba.cache import NUMBA_CACHE_PATH

    name = hashlib.sha256("\x1f".join([identity, *_made_by()]).encode()).hexdigest()
    return NUMBA_CACHE_PATH / "forecast-models" / name


def on_disk(identity: str) -> bool:
    """Whether a process has kept the compiled model of ``identity`` on disk: a new process
    then loads it in a second or two instead of compiling it."""
    return _marker(identity).exists()


def callback_key(source: str, identity: str, n_dim: int, n_expanded: int, record: str,
                 dtypes: list[str]) -> str:
    """The disk cache's key of one callback: everything its compiled code depends on."""
    return hashlib.sha256("\x1f".join([
        identity, source, str(n_dim), str(n_expanded), record, *dtypes, *_made_by(),
    ]).encode()).hexdigest()


def _callback(kind: str, function, identity: str | None, n_dim: int, n_expanded: int,
              shared: dict[str, np.ndarray], user_data: np.ndarray):
    """numba's C callback for one of PyTensor's compiled functions; with an ``identity``
    (what determines the model's graph) kept on disk under ``callback_key``."""
    import numba
    from nutpie.compile_pymc import address_as_void_pointer
    from pytensor.link.numba.cache import compile_numba_function_src

    names = [v.name for v in function.get_shared()]
    source = wrapper_source(kind, names, shared)
    cache = identity is not None
    key = callback_key(source, str(identity), n_dim, n_expanded, str(user_data.dtype),
                       [str(shared[n].dtype) for n in names])
    env = {"__name__": __name__, "numba": numba, "np": np, "inner": function.vm.jit_fn,
           "address_as_void_pointer": address_as_void_pointer, "N_DIM": n_dim,
           "N_EXPANDED": n_expanded, "RECORD": user_data.dtype,
           **{f"DTYPE{i}": shared[n].dtype for i, n in enumerate(names)}}
    wrapper = compile_numba_function_src(source, f"{kind}_wrapper", global_env=env,
                                         local_env=env, cache_key=key if cache else None)
    return numba.cfunc(_signature(kind), cache=cache)(wrapper)


def _compile(model, identity: str | None):
    import nutpie.compile_pymc as nc
    import pytensor
    from pymc.initial_point import make_initial_point_fn

    identity = identity if pytensor.config.numba__cache else None  # caching turned off

    point_fn = nc._wrap_with_lock(make_initial_point_fn(
        model=model, jitter_rvs=set(model.free_RVs), return_transformed=True))
    n_dim, n_expanded, logp_pt, expand_pt, initial_point_fn, shape_info = nc._make_functions(
        model, mode="NUMBA", compute_grad=True, join_expanded=True,
        pymc_initial_point_fn=point_fn)
    shared, variables = {}, {}
    for var in [*logp_pt.get_shared(), *expand_pt.get_shared()]:
        shared[var.name] = np.array(var.get_value(), order="C", copy=True)
        shared[var.name].flags.writeable = False
        variables[var.name] = var
    user_data = nc.make_user_data(variables, shared)
    logp = _callback("logp", logp_pt, identity, n_dim, n_expanded, shared, user_data)
    expand = _callback("expand", expand_pt, identity, n_dim, n_expanded, shared, user_data)
    if identity is not None:  # both callbacks are on disk
        marker = _marker(identity)
        with contextlib.suppress(OSError):  # a folder we cannot write: numba kept nothing either
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
    dims, coords = nc._prepare_dims_and_coords(model, shape_info)
    return nc.CompiledPyMCModel(
        _n_dim=n_dim, dims=dims, _coords=coords,
        _shapes={name: tuple(shape) for name, _, shape in zip(*shape_info, strict=True)},
        compiled_logp_func=logp, compiled_expand_func=expand,
        initial_point_func=initial_point_fn, shared_data=shared, user_data=user_data,
        n_expanded=n_expanded, shape_info=shape_info, logp_func=logp_pt,
        expand_func=expand_pt)


def compile_model(model, identity: str | None = None):
    """``nutpie.compile_pymc_model(model)``, with callbacks a new process loads from disk
    when ``identity`` is given. ``identity`` must name everything the model's graph depends
    on besides the model code (``models_source``): its structure and padded sizes, never
    its data, which nutpie swaps in at run time. Falls back to nutpie's own compile where
    its internals are not the expected ones."""
    import nutpie

    register_cacheable_digamma()
    try:
        return _compile(model, identity)
    except (AttributeError, ImportError, TypeError, ValueError, KeyError) as exc:
        _LOG.debug("cacheable compile not available (%s); nutpie compiles", exc)
        return nutpie.compile_pymc_model(model)
