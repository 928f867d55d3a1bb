"""``paths.parquet``: every simulated series of a run at the run's draws, for `forecast
explore` and for pandas/Arrow users.

One row per path of a series: ``region``, ``indicator``, ``path`` (0 .. draws − 1),
``first_year`` (its first simulated year) and ``values`` (a list: the simulated years from
``first_year`` on, in the indicator's unit). The observed years are not repeated: they are in
the file's metadata (``forecast.paths``, JSON) with what a replay of the run needs besides the
paths (``assessment.stored``). Written as the run's units come back, one row group each batch,
so a national run never holds all its paths at once; compressed with zstd.

    pd.read_parquet("reports/<run>/paths.parquet")  # the rows
    read_paths(Path("reports/<run>/paths.parquet"))  # the replayable run
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from forecast.assessment.stored import StoredRun, restore, series_record, series_result
from forecast.errors import InputError
from forecast.files import write_error
from forecast.simulation.simulate import SeriesResult

META_KEY = b"forecast.paths"
SCHEMA = pa.schema([("region", pa.string()), ("indicator", pa.string()),
                    ("path", pa.int32()), ("first_year", pa.int16()),
                    ("values", pa.list_(pa.float64()))])


class PathsWriter:
    """Streams simulated series into a Parquet file; ``close(record)`` adds the run's work
    (``stored.run_record``) and the series' histories as the file's metadata."""

    def __init__(self, path: Path):
        self.path = path
        self.series: list[dict] = []
        self.seconds = 0.0  # spent writing (a run's timings: "paths")
        started = time.perf_counter()
        with self._refused():
            self._writer = pq.ParquetWriter(path, SCHEMA, compression="zstd")
        self.seconds += time.perf_counter() - started

    @contextmanager
    def _refused(self):
        """A write the system refuses (a full disk) as the one-line InputError."""
        try:
            yield
        except OSError as exc:
            if (error := write_error(exc, self.path)) is None:
                raise
            raise error from exc

    def add(self, results: tuple[SeriesResult, ...]) -> None:
        """One batch of simulated series, as a row group (a series with no simulated year,
        all observed, has its history in the metadata and no rows). Built column by column
        in Arrow, not row by row in Python: a national batch is millions of rows."""
        started = time.perf_counter()
        kept, futures = [], []
        for res in results:
            start = res.history.values.shape[1]
            future = np.asarray(res.paths.values[:, start:], dtype=np.float64)
            self.series.append({**series_record(res), "horizon": future.shape[1]})
            if future.shape[1]:
                kept.append(res)
                futures.append(future)
        if kept:
            n = np.array([f.shape[0] for f in futures])
            horizon = np.repeat([f.shape[1] for f in futures], n)
            which = pa.array(np.repeat(np.arange(len(kept)), n))
            offsets = np.zeros(len(horizon) + 1, dtype=np.int64)
            np.cumsum(horizon, out=offsets[1:])
            table = pa.Table.from_arrays([
                pa.array([r.region for r in kept], pa.string()).take(which),
                pa.array([r.indicator for r in kept], pa.string()).take(which),
                pa.array(np.concatenate([np.arange(k, dtype=np.int32) for k in n])),
                pa.array(np.repeat([r.history.last_year + 1 for r in kept], n)
                         .astype(np.int16)),
                pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)),
                                         pa.array(np.concatenate([f.ravel() for f in futures]))),
            ], schema=SCHEMA)
            with self._refused():
                self._writer.write_table(table)
        self.seconds += time.perf_counter() - started

    def close(self, record: dict | None) -> None:
        """Finish the file with the run's work (None: a run that failed; the file is left
        for the caller to remove)."""
        started = time.perf_counter()
        with self._refused():
            if record is not None:
                self._writer.add_key_value_metadata({META_KEY: json.dumps(
                    {**record, "series": self.series}, ensure_ascii=False, allow_nan=False)})
            self._writer.close()
        self.seconds += time.perf_counter() - started


@dataclass(frozen=True)
class RunPaths:
    """A run restored from its paths.parquet: its work and every simulated series."""

    run: StoredRun
    series: dict[tuple[str, str], SeriesResult]  # (region, indicator) -> baseline paths


def read_paths(path: Path) -> RunPaths:
    """A run's paths.parquet, with its work, ready to replay (InputError if it is not one)."""
    try:
        file = pq.ParquetFile(path)
        raw = (file.metadata.metadata or {}).get(META_KEY)
        if raw is None:
            raise InputError("it has no stored run (forecast.paths metadata)", file=path,
                             fix="write it with `forecast run` (without --no-paths)")
        record = json.loads(raw)
        run = restore(record)
        table = file.read()
    except (OSError, pa.ArrowException, ValueError, KeyError, TypeError) as exc:
        raise InputError(f"cannot read the run's paths: {exc}", file=path,
                         fix="run `forecast run` again to write them") from exc
    paths = table.column("path").to_numpy()
    starts = iter(np.flatnonzero(paths == 0))  # the first row of each series, in file order
    values = table.column("values").combine_chunks()
    flat = values.flatten().to_numpy(zero_copy_only=False)
    offsets = values.offsets.to_numpy()
    series = {}
    for rec in record["series"]:
        future = np.empty((run.draws, 0))
        if rec["horizon"]:
            first = int(next(starts))
            future = flat[offsets[first]:offsets[first + run.draws]].reshape(
                run.draws, rec["horizon"])
        series[(rec["region"], rec["indicator"])] = series_result(rec, future)
    return RunPaths(run, series)
