"""The notebook API: a workspace opened once, then run, compared and reported on.

    import forecast
    ws = forecast.open_workspace("~/xiangtan")        # or None: the bundled example
    result = ws.run(model="trend", scenarios=["rd-push"])
    result.probabilities.query("plan_id == 'xiangtan-2023'")
    ws.history()                                       # the recorded runs, newest first
    ws.compare(ws.history().run_id[1], result.run_id)  # what moved since, and why

The `forecast` command is a skin over this: `forecast run`, `runs`, `compare`, `template`
and `report` call these methods and print what they return. This is the interface: the only
layer that reads the clock (the calendar year, the run's id and time), the environment
($FORECAST_HISTORY_URL, $DASK_SCHEDULER_ADDRESS, the user) and the current directory; the
pipeline below receives them as arguments.
"""

from forecast.api.documents import example, extract
from forecast.api.evaluation import backtest, calibrate
from forecast.api.records import compare_runs, runs
from forecast.api.workspace import OpenWorkspace, RunResult, open_workspace

__all__ = ["OpenWorkspace", "RunResult", "backtest", "calibrate", "compare_runs", "example",
           "extract", "open_workspace", "runs"]
