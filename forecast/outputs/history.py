"""The run history: every run recorded in a database, listed, and two runs compared.

By default an embedded SQLite file in the workspace (``reports/history.sqlite``); any
SQLAlchemy URL (``--history URL`` or ``FORECAST_HISTORY_URL``) lets an office share one
PostgreSQL database. A run is written in one transaction: a run killed halfway leaves no trace.
The schema carries its version and is upgraded in place by the migrations below, never
dropped.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from forecast.errors import InputError

SCHEMA_VERSION = 2
ENV_URL = "FORECAST_HISTORY_URL"  # the environment variable naming a shared history

metadata = sa.MetaData()
schema = sa.Table("schema_version", metadata, sa.Column("version", sa.Integer, nullable=False))
runs = sa.Table(
    "runs", metadata,
    sa.Column("run_id", sa.String(200), primary_key=True),
    sa.Column("created", sa.String(40), nullable=False),  # ISO time, UTC
    sa.Column("user", sa.String(200), nullable=False),
    sa.Column("workspace", sa.Text, nullable=False),
    sa.Column("model", sa.String(40), nullable=False),
    sa.Column("settings", sa.Text, nullable=False),  # JSON
    sa.Column("scenarios", sa.Text, nullable=False),  # JSON: id, title, file
    sa.Column("inputs", sa.Text, nullable=False),  # JSON: file -> sha256
    sa.Column("code_version", sa.String(40), nullable=False),
    sa.Column("folder", sa.Text, nullable=False),  # added in version 2
)
rows = sa.Table(
    "rows", metadata,
    sa.Column("run_id", sa.String(200), sa.ForeignKey("runs.run_id"), nullable=False,
              index=True),
    sa.Column("plan_id", sa.String(200), nullable=False),
    sa.Column("target_id", sa.String(200), nullable=False),
    sa.Column("scenario", sa.String(200), nullable=False),
    sa.Column("region", sa.String(200), nullable=False),
    sa.Column("indicator", sa.String(200), nullable=False),
    sa.Column("probability", sa.Float, nullable=True),
    sa.Column("row", sa.Text, nullable=False),  # the whole probabilities.csv row, JSON
)
series = sa.Table(
    "series", metadata,
    sa.Column("run_id", sa.String(200), sa.ForeignKey("runs.run_id"), nullable=False,
              index=True),
    sa.Column("region", sa.String(200), nullable=False),
    sa.Column("indicator", sa.String(200), nullable=False),
    sa.Column("history", sa.Text, nullable=False),  # JSON year -> value the run used
)

# version -> the statements that bring a database of the version before it up to it
MIGRATIONS: dict[int, list[str]] = {
    2: ["ALTER TABLE runs ADD COLUMN folder TEXT NOT NULL DEFAULT ''"],
}


def history_url(history_file: Path, url: str | None = None, env_url: str | None = None
                ) -> str:
    """The database to use: ``url``, else ``env_url`` (the interface passes
    $FORECAST_HISTORY_URL), else the workspace's file."""
    return url or env_url or f"sqlite:///{history_file}"


def connect(url: str) -> sa.Engine:
    """An engine on ``url`` with the schema created or upgraded to ``SCHEMA_VERSION``."""
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = sa.create_engine(url, future=True)
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.exec_driver_sql("PRAGMA busy_timeout = 30000")
            _upgrade(conn)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, sa.exc.OperationalError) as exc:
        raise InputError(f"cannot open the run history: {str(exc).splitlines()[0]}",
                         column="--history", fix="give a SQLAlchemy URL such as "
                         "sqlite:///history.sqlite or postgresql+psycopg://user@host/db") from None
    return engine


def _upgrade(conn: sa.Connection) -> None:
    inspector = sa.inspect(conn)
    if not inspector.has_table("runs"):
        metadata.create_all(conn)
        conn.execute(schema.delete())
        conn.execute(schema.insert().values(version=SCHEMA_VERSION))
        return
    version = conn.execute(sa.select(schema.c.version)).scalar_one()
    if version > SCHEMA_VERSION:
        raise InputError(f"the run history has schema version {version}, newer than this "
                         f"forecast ({SCHEMA_VERSION})", fix="upgrade forecast")
    for target in range(version + 1, SCHEMA_VERSION + 1):
        for statement in MIGRATIONS[target]:
            conn.exec_driver_sql(statement)
        conn.execute(schema.update().values(version=target))


def record_run(engine: sa.Engine, run_id: str, meta: dict, probability_rows: Iterable[dict],
               histories: dict[str, dict], folder: Path | str, created: str,
               user: str) -> str:
    """Record one run, its probability rows and the series it used, in one transaction, and
    return its id in the history (``run_id``, with -2, -3... if another run took it; the
    run's own insert fails first, before any row is read)."""
    for attempt in range(1, 100):
        key = run_id if attempt == 1 else f"{run_id}-{attempt}"
        try:
            _insert(engine, key, meta, probability_rows, histories, folder, created, user)
            return key
        except sa.exc.IntegrityError:
            continue
    raise InputError(f"run id {run_id!r} is taken", fix="retry in a second")


def _insert(engine: sa.Engine, run_id: str, meta: dict, probability_rows: Iterable[dict],
            histories: dict[str, dict], folder: Path | str, created: str, user: str) -> None:
    settings = meta.get("settings", {})
    with engine.begin() as conn:
        conn.execute(runs.insert().values(
            run_id=run_id, created=created, user=user,
            workspace=str(meta.get("workspace", "")),
            model=str(settings.get("model", "")), settings=json.dumps(settings, sort_keys=True),
            scenarios=json.dumps(meta.get("scenarios", []), ensure_ascii=False),
            inputs=json.dumps(meta.get("inputs", {}), sort_keys=True),
            code_version=str(meta.get("version", "")), folder=str(folder)))
        batch = []
        for r in probability_rows:
            batch.append(dict(run_id=run_id, plan_id=r["plan_id"], target_id=r["target_id"],
                              scenario=r["scenario"], region=r["region"],
                              indicator=r["indicator"], probability=r.get("probability"),
                              row=json.dumps(r, ensure_ascii=False, default=str)))
            if len(batch) == 1000:
                conn.execute(rows.insert(), batch)
                batch = []
        if batch:
            conn.execute(rows.insert(), batch)
        items = [dict(run_id=run_id, region=k.rpartition("|")[0],
                      indicator=k.rpartition("|")[2], history=json.dumps(h, sort_keys=True))
                 for k, h in histories.items()]
        if items:
            conn.execute(series.insert(), items)


def record_outputs(engine: sa.Engine, run_id: str, meta: dict, probability_rows: pd.DataFrame,
                   diagnostics: dict, folder: Path, created: str, user: str) -> str:
    """Record the run a ``forecast run`` wrote into ``folder``, from its files as read back
    (probabilities.json's run metadata, rows and diagnostics), ``created`` (ISO time, UTC)
    by ``user``."""
    histories = {k: v.get("history", {}) for k, v in diagnostics.get("series", {}).items()}
    records = probability_rows.astype(object).where(probability_rows.notna(), None)
    return record_run(engine, run_id, meta, records.to_dict(orient="records"), histories,
                      folder.resolve(), created, user)


def list_runs(engine: sa.Engine, plan: str | None = None) -> pd.DataFrame:
    """The recorded runs, newest first (only those with rows of ``plan`` if given)."""
    query = sa.select(runs.c.run_id, runs.c.created, runs.c.user, runs.c.model,
                      runs.c.scenarios, runs.c.code_version, runs.c.folder)
    if plan is not None:
        query = query.where(runs.c.run_id.in_(
            sa.select(rows.c.run_id).where(rows.c.plan_id == plan)))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query.order_by(runs.c.created.desc(),
                                                         runs.c.run_id.desc())).all(),
                             columns=["run_id", "created", "user", "model", "scenarios",
                                      "code_version", "folder"])
    frame["scenarios"] = [", ".join(s["id"] for s in json.loads(x)) for x in frame["scenarios"]]
    return frame


def _run(conn: sa.Connection, run_id: str) -> dict:
    found = conn.execute(sa.select(runs).where(runs.c.run_id == run_id)).mappings().first()
    if found is None:
        raise InputError(f"no run {run_id!r} in the history",
                         fix="list the recorded runs with `forecast runs`")
    return dict(found)


def compare(engine: sa.Engine, run_a: str, run_b: str, threshold: float = 0.005
            ) -> pd.DataFrame:
    """The targets whose probability moved between two runs, by how much, and why: data
    changed (which series, which years), model or settings changed, scenario changed."""
    with engine.connect() as conn:
        a, b = _run(conn, run_a), _run(conn, run_b)
        frames = {}
        for key in (run_a, run_b):
            frames[key] = pd.DataFrame(conn.execute(
                sa.select(rows.c.plan_id, rows.c.target_id, rows.c.scenario, rows.c.region,
                          rows.c.indicator, rows.c.probability).where(rows.c.run_id == key)
            ).all(), columns=["plan_id", "target_id", "scenario", "region", "indicator",
                              "probability"])
        histories = {key: {(r.region, r.indicator): json.loads(r.history) for r in conn.execute(
            sa.select(series).where(series.c.run_id == key))} for key in (run_a, run_b)}
    keys = ["plan_id", "target_id", "scenario"]
    merged = frames[run_a].merge(frames[run_b], on=[*keys, "region", "indicator"],
                                 how="outer", suffixes=("_a", "_b"))
    merged["change"] = merged["probability_b"] - merged["probability_a"]
    moved = merged[(merged["change"].abs() > threshold)
                   | (merged["probability_a"].isna() != merged["probability_b"].isna())]
    settings_a, settings_b = json.loads(a["settings"]), json.loads(b["settings"])
    model_why = [f"{k}: {settings_a.get(k)} -> {settings_b.get(k)}"
                 for k in sorted(set(settings_a) | set(settings_b))
                 if settings_a.get(k) != settings_b.get(k)]
    if a["code_version"] != b["code_version"]:
        model_why.append(f"code {a['code_version']} -> {b['code_version']}")
    scen_a = {s["id"]: s for s in json.loads(a["scenarios"])}
    scen_b = {s["id"]: s for s in json.loads(b["scenarios"])}
    inputs_a, inputs_b = json.loads(a["inputs"]), json.loads(b["inputs"])
    out = []
    for r in moved.itertuples(index=False):
        why = []
        data = _data_change(histories[run_a].get((r.region, r.indicator)),
                            histories[run_b].get((r.region, r.indicator)))
        if data:
            why.append(f"data changed: {r.region} {r.indicator} {data}")
        if model_why:
            why.append("model or settings changed: " + "; ".join(model_why))
        if r.scenario != "baseline":
            file = (scen_b.get(r.scenario) or scen_a.get(r.scenario) or {}).get("file")
            path = f"data/scenarios/{file}" if file else None
            if r.scenario not in scen_a or r.scenario not in scen_b or (
                    path and inputs_a.get(path) != inputs_b.get(path)):
                why.append(f"scenario changed: {r.scenario}")
        out.append(dict(plan_id=r.plan_id, target_id=r.target_id, scenario=r.scenario,
                        probability_a=r.probability_a, probability_b=r.probability_b,
                        change=r.change, why="; ".join(why) or "other targets' data or "
                        "pooled fits changed (the pooled model shares information)"))
    return pd.DataFrame(out, columns=["plan_id", "target_id", "scenario", "probability_a",
                                      "probability_b", "change", "why"])


def _data_change(a: dict | None, b: dict | None) -> str:
    """Which years of a series differ between two runs, in words ('' if none)."""
    if a is None or b is None:
        return "" if a == b else ("added" if a is None else "removed")
    years = sorted(set(a) | set(b), key=int)
    changed = [y for y in years if a.get(y) != b.get(y)]
    if not changed:
        return ""
    parts = []
    for y in changed:
        if y not in a:
            parts.append(f"{y} added ({b[y]:g})")
        elif y not in b:
            parts.append(f"{y} removed")
        else:
            parts.append(f"{y}: {a[y]:g} -> {b[y]:g}")
    return "(" + ", ".join(parts) + ")"
