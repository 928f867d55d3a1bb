"""The run history: every run recorded in a database, listed, and two runs compared.

By default an embedded SQLite file in the workspace (``reports/history.sqlite``); any
SQLAlchemy URL (``--history URL`` or ``FORECAST_HISTORY_URL``) lets an office share one
PostgreSQL database. A run is written in one transaction: a run killed halfway leaves no trace.
The transaction commits only once the run's folder is in place (``recording``), so a run and
its record never disagree. A database another program holds locked is waited for
``LOCK_TIMEOUT`` seconds, then refused in one line. The schema carries its version and is
upgraded in place by the migrations below, never dropped.
"""

from __future__ import annotations

import json
import math
import weakref
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from forecast.errors import InputError

SCHEMA_VERSION = 2
ENV_URL = "FORECAST_HISTORY_URL"  # the environment variable naming a shared history
LOCK_TIMEOUT = 30.0  # seconds a locked history is waited for (SQLite busy, PostgreSQL locks)
_WAITS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # engine -> its lock timeout
FIX_URL = ("give a SQLAlchemy URL such as sqlite:///history.sqlite or "
           "postgresql+psycopg://user@host/db")

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


def connect(url: str, timeout: float | None = None, create: bool = True) -> sa.Engine:
    """An engine on ``url`` with the schema created or upgraded to ``SCHEMA_VERSION``.

    A lock held by another program is waited for ``timeout`` seconds (``LOCK_TIMEOUT``
    when None). An in-memory database is refused: what is recorded there vanishes with the
    command. With ``create`` False (listing and comparing runs), a SQLite file that does
    not exist is not made: None... the InputError ``NoHistory`` says so instead."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError as exc:
        raise InputError(f"cannot open the run history: {str(exc).splitlines()[0]}",
                         column="--history", fix=FIX_URL) from None
    wait = LOCK_TIMEOUT if timeout is None else timeout
    options: dict = {}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database in ("", ":memory:") or parsed.query.get("mode") == "memory" \
                or "mode=memory" in database:
            raise InputError("an in-memory run history forgets every run when the command "
                             "ends", column="--history", fix="give a database file, e.g. "
                             "sqlite:///history.sqlite")
        file = Path(database.removeprefix("file:").split("?")[0])
        if not create and not file.exists():
            raise NoHistory(f"no run history at {file}", column="--history",
                            fix="run `forecast run` first; it records there")
        if create:
            try:
                file.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(f"cannot write the run history ({exc.strerror or exc})",
                                 file=file, fix="run on a workspace you can write to, or "
                                 "keep the history elsewhere: --history "
                                 "sqlite:////a/writable/folder/history.sqlite") from None
        options = {"timeout": wait}
    elif parsed.get_backend_name() == "postgresql":
        options = {"options": f"-c lock_timeout={int(wait * 1000)}",
                   "connect_timeout": max(1, int(wait))}
    try:
        engine = sa.create_engine(url, future=True, connect_args=options)
        with engine.begin() as conn:
            _upgrade(conn)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        raise InputError(f"cannot open the run history: {str(exc).splitlines()[0]}",
                         column="--history", fix=FIX_URL) from None
    except sa.exc.DBAPIError as exc:
        raise database_error(exc, url, wait) from None
    _WAITS[engine] = wait
    return engine


class NoHistory(InputError):
    """The run history asked for does not exist (and listing or comparing does not make
    one)."""


def database_error(exc: sa.exc.DBAPIError, url: str, timeout: float) -> InputError:
    """The one-line error of a database that refused: locked by another program (after
    waiting ``timeout`` s), read-only, full, or not a database at all."""
    text = str(exc.orig if exc.orig is not None else exc).splitlines()[0]
    where = sa.engine.make_url(url).render_as_string(hide_password=True)
    low = text.lower()
    if "locked" in low or "lock timeout" in low or "lock_timeout" in low:
        return InputError(f"the run history is locked by another program (waited "
                          f"{timeout:g} s): {text}", file=where,
                          fix="wait for the other program to finish and run again")
    if "readonly" in low or "read-only" in low or "read only" in low:
        return InputError(f"the run history cannot be written ({text}); nothing was "
                          "published", file=where, fix="use a history you can write to "
                          "(--history)")
    return InputError(f"cannot use the run history: {text}", file=where, column="--history",
                      fix=FIX_URL)


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
    return its id (a run id already recorded is a one-line error)."""
    with recording(engine, run_id, meta, probability_rows, histories, folder, created, user):
        pass
    return run_id


@contextmanager
def recording(engine: sa.Engine, run_id: str, meta: dict, probability_rows: Iterable[dict],
              histories: dict[str, dict], folder: Path | str, created: str,
              user: str) -> Iterator[None]:
    """Insert the run in one transaction, run the block (the run's folder moved into place)
    and commit only after it: a failure in the block, an interruption included, rolls the
    record back. A locked, read-only or full database is a one-line InputError."""
    try:
        with engine.connect() as conn:
            transaction = conn.begin()
            try:
                _insert(conn, run_id, meta, probability_rows, histories, folder, created,
                        user)
            except sa.exc.IntegrityError:
                transaction.rollback()
                raise InputError(f"run id {run_id!r} was recorded by another run meanwhile",
                                 fix="run again") from None
            yield
            transaction.commit()
    except sa.exc.DBAPIError as exc:
        raise _refused(engine, exc) from None


@contextmanager
def _reading(engine: sa.Engine) -> Iterator[sa.Connection]:
    """A connection to read with; a database that refuses is a one-line InputError."""
    try:
        with engine.connect() as conn:
            yield conn
    except sa.exc.DBAPIError as exc:
        raise _refused(engine, exc) from None


def run_recorded(engine: sa.Engine, run_id: str) -> bool:
    """Whether the history has a run of this id."""
    with _reading(engine) as conn:
        return conn.execute(sa.select(runs.c.run_id).where(runs.c.run_id == run_id)
                            ).first() is not None


def _refused(engine: sa.Engine, exc: sa.exc.DBAPIError) -> InputError:
    return database_error(exc, engine.url.render_as_string(hide_password=False),
                          _WAITS.get(engine, LOCK_TIMEOUT))


def run_in_folder(engine: sa.Engine, folder: Path) -> str | None:
    """The id of the run recorded as written into ``folder`` (the newest, if several)."""
    with _reading(engine) as conn:
        return conn.execute(sa.select(runs.c.run_id).where(
            runs.c.folder == str(Path(folder).resolve())).order_by(
                runs.c.created.desc())).scalar()


def _insert(conn: sa.Connection, run_id: str, meta: dict, probability_rows: Iterable[dict],
            histories: dict[str, dict], folder: Path | str, created: str, user: str) -> None:
    settings = meta.get("settings", {})
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


def recording_outputs(engine: sa.Engine, run_id: str, meta: dict,
                      probability_rows: pd.DataFrame, diagnostics: dict, folder: Path,
                      created: str, user: str):
    """``recording`` of the run a ``forecast run`` wrote for ``folder``, from its files as
    read back (probabilities.json's run metadata, rows and diagnostics), ``created`` (ISO
    time, UTC) by ``user``: the context to move the folder into place in."""
    histories = {k: v.get("history", {}) for k, v in diagnostics.get("series", {}).items()}
    records = probability_rows.astype(object).where(probability_rows.notna(), None)
    return recording(engine, run_id, meta, records.to_dict(orient="records"), histories,
                     Path(folder).resolve(), created, user)


def record_outputs(engine: sa.Engine, run_id: str, meta: dict, probability_rows: pd.DataFrame,
                   diagnostics: dict, folder: Path, created: str, user: str) -> str:
    """Record the run a ``forecast run`` wrote into ``folder`` now (see
    ``recording_outputs``)."""
    with recording_outputs(engine, run_id, meta, probability_rows, diagnostics, folder,
                           created, user):
        pass
    return run_id


def list_runs(engine: sa.Engine, plan: str | None = None) -> pd.DataFrame:
    """The recorded runs, newest first (only those with rows of ``plan`` if given)."""
    query = sa.select(runs.c.run_id, runs.c.created, runs.c.user, runs.c.model,
                      runs.c.scenarios, runs.c.code_version, runs.c.folder)
    if plan is not None:
        query = query.where(runs.c.run_id.in_(
            sa.select(rows.c.run_id).where(rows.c.plan_id == plan)))
    with _reading(engine) as conn:
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
    with _reading(engine) as conn:
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
    model_why = [f"{k}: {_shown(settings_a.get(k))} -> {_shown(settings_b.get(k))}"
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


def _shown(v: object) -> str:
    """A value in `forecast compare`'s words: "–" where there is none (never nan/None)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    return f"{v:g}" if isinstance(v, float) else str(v)


def _data_change(a: dict | None, b: dict | None) -> str:
    """Which years of a series differ between two runs, in words ('' if none)."""
    if a is None or b is None:
        return "" if a == b else ("added" if a is None else "removed")
    years = sorted(set(a) | set(b), key=int)
    def none(v: object) -> bool:
        return v is None or (isinstance(v, float) and math.isnan(v))

    changed = [y for y in years if not (none(a.get(y)) and none(b.get(y)))
               and a.get(y) != b.get(y)]
    if not changed:
        return ""
    parts = []
    for y in changed:
        if y not in a:
            parts.append(f"{y} added ({_shown(b[y])})")
        elif y not in b:
            parts.append(f"{y} removed")
        else:
            parts.append(f"{y}: {_shown(a[y])} -> {_shown(b[y])}")
    return "(" + ", ".join(parts) + ")"
