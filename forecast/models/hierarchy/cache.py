"""The posterior cache in a workspace's ``models/posteriors/``: ArviZ NetCDF files that carry
the key of their fit (model version, settings, seed, data). A file whose key differs, or that
cannot be read, is never used: the fit is redone and the file replaced."""

from __future__ import annotations

from pathlib import Path

from forecast.files import atomic_file


def load_cached(path: Path, key: str):
    """The cached InferenceData if it exists, reads, and carries ``key``; else None."""
    if not path.exists():
        return None
    try:
        import arviz as az

        idata = az.from_netcdf(path)
        idata.posterior.load()
        idata.sample_stats.load()
        if idata.posterior.attrs.get("key") != key:
            return None
        return idata
    except Exception:  # a damaged or foreign file is refitted, never used
        return None


def save_cached(idata, path: Path) -> None:
    """Write atomically: a run that dies mid-write leaves the old file or none."""
    with atomic_file(path) as tmp:
        idata.to_netcdf(tmp, engine="h5netcdf")
