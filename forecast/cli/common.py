"""What every `forecast` command shares: the typer app, the options several commands take,
progress bars, and how errors and results are said on the terminal.

Errors a user can fix are one line on stderr and exit status 2; anything else is a bug and
exits 1 with a traceback.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from tqdm import tqdm

from forecast.api import OpenWorkspace, open_workspace
from forecast.cli.console import echo
from forecast.cli.options import HistoryOpt, Lang, fail  # noqa: F401 (shared options)
from forecast.config import RunFolder
from forecast.models.fitting import poor
from forecast.models.registry import MODEL_NAMES
from forecast.outputs.reports.writers import Written
from forecast.outputs.safe_text import terminal_line

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="Probabilities that the numeric targets of innovation plans will be met.\n\n"
    "Run `forecast run` to assess the bundled example (real provincial statistics and five "
    "real local plans), or `forecast run PATH` on your own workspace.",
)


ModelName = Enum("ModelName", {m: m for m in MODEL_NAMES}, type=str)
MODEL_CHOICES = f"Forecasting model: {', '.join(MODEL_NAMES)}."  # its metavar is MODEL


WorkspaceArg = Annotated[Path | None, typer.Argument(
    help="Workspace folder (default: ./ if it has data/, else the bundled example).",
    show_default=False)]


PlanOpt = Annotated[str, typer.Option(help="The plan id (plan: id: in data/plans/*.yaml).")]


ScenarioOpt = Annotated[list[str] | None, typer.Option(
    help="A scenario id (repeatable). Default: every scenario in data/scenarios/.")]


Format = Enum("Format", {"md": "md", "csv": "csv"}, type=str)


class Bars:
    """Progress bars for a run: pooled fits, then series, then the own-data check; a line
    before the reports."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.fit = tqdm(desc="fitting pooled models", unit="indicator", disable=quiet,
                        file=sys.stderr, total=0, delay=0.5)
        self.series: tqdm | None = None
        self.check: tqdm | None = None
        self.callbacks = {"progress": lambda k: self.series.update(k),
                          "on_start": self._start,
                          "on_fit": lambda *a: _report_fit(self.fit, *a),
                          "on_check": self._check,
                          "check_progress": lambda k: self.check.update(k),
                          "on_reports": self._reports}

    def _start(self, n: int) -> None:
        self.fit.close()
        self.series = tqdm(total=n, desc="simulating series", unit="series",
                           disable=self.quiet, file=sys.stderr)

    def _check(self, n: int) -> None:
        self.close()
        self.check = tqdm(total=n, desc="checking the models on past years of your data",
                          unit="series", disable=self.quiet, file=sys.stderr, delay=0.5)

    def _reports(self) -> None:
        self.close()
        if not self.quiet:
            echo("writing reports (html, pdf, docx, xlsx)...", err=True)

    def close(self) -> None:
        self.fit.close()
        for bar in (self.series, self.check):
            if bar is not None:
                bar.close()


def say_written(written: Written, folder: Path) -> None:
    """Tell where the reports are (report.html first: the one to open) and what was not
    written and why."""
    names = [f.name for f in written.files]
    html = RunFolder(folder).report("html")
    if html.name in names:
        echo(f"report: {html}")
    others = [n for n in names if n != html.name]
    if others:
        echo(f"also wrote {', '.join(others)} in {folder}")
    for line in written.skipped:
        echo(f"warning: {line}", err=True)


def open_for_command(workspace: Path | None, quiet: bool,
                     history: str | None = None, strict: bool = False) -> OpenWorkspace:
    """The workspace opened through the API (saying so when it is the bundled example);
    ``strict`` refuses implausible observations (`--strict`)."""
    ws = open_workspace(workspace, history, strict=strict)
    if ws.loaded.bundled and not quiet:
        echo(f"No workspace given: running on the bundled example in "
                   f"{ws.loaded.workspace.root}", err=True)
    return ws


def _report_fit(bar: tqdm, indicator: str, diag: dict, cached: bool, total: int) -> None:
    bar.total = total
    # the indicator id is the user's: through the terminal filter, on the bar's one line
    bar.set_postfix_str(f"{terminal_line(indicator)} ({'cached' if cached else 'fitted'})",
                        refresh=False)
    bar.update(1)


def summarise_fits(fits: dict[str, dict], quiet: bool) -> None:
    """One line on the pooled fits, and one warning per fit whose convergence is poor: its
    numbers are less trustworthy."""
    if fits and not quiet:
        fresh = sum(not d.get("cached") for d in fits.values())
        echo(f"pooled model: {len(fits)} indicators ({fresh} fitted, "
                   f"{len(fits) - fresh} from models/posteriors/), R-hat max "
                   f"{max(d['r_hat_max'] for d in fits.values()):.3f}, "
                   f"{sum(d['divergences'] for d in fits.values())} divergences", err=True)
    for ind, diag in fits.items():
        problems = poor(diag)
        if problems:
            echo(f"warning: pooled fit of {ind}: {'; '.join(problems)}. Fix: more "
                       "--mcmc-draws, or check the series for outliers", err=True)
