"""forecast: probabilities that plan targets will be met.

    import forecast
    ws = forecast.open_workspace("~/xiangtan")   # see forecast.api
"""

from forecast.config import VERSION

__version__ = VERSION


def __getattr__(name: str):
    """``forecast.open_workspace`` and friends, imported on first use (the package stays
    light to import)."""
    if name in ("open_workspace", "runs", "compare_runs", "example"):
        from forecast import api

        return getattr(api, name)
    raise AttributeError(name)
