"""The explorer's web app (Starlette, the toolkit FastAPI is built on, without FastAPI's half
second of imports): one page, two JSON endpoints, its own script and style.

    GET  /                 the page (?plan=ID&lang=zh|en)
    POST /api/view         the plan under the page's adjustments and target values
    POST /api/scenario     the adjustments saved as data/scenarios/<id>.yaml
    GET  /static/<name>    explore.js, explore.css (served from the package: no CDN)

Every request body is read into a strict pydantic model (unknown fields, NaN and out-of-
range numbers refused) and every id is checked against the run; a bad request gets a 4xx
with a one-line JSON error, never a traceback. Requests must name this server as their Host
(no DNS rebinding) and, when they say where they come from, come from its own page (no
cross-site posts). The app reads only the run folder it was started on and writes only
validated scenario files into that run's workspace.
"""

from __future__ import annotations

import logging
from importlib.resources import files
from typing import Annotated
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from forecast.errors import InputError
from forecast.explore.saving import ScenarioExists, save_scenario
from forecast.explore.session import Explorer
from forecast.explore.words import words

LOG = logging.getLogger("forecast.explore")
HERE = files("forecast.explore")
STATIC = {"explore.js": "text/javascript", "explore.css": "text/css"}
# the reports' Chinese face (Fandol, shipped with the package), for machines without one
FONT = ("fandol-fang.otf", files("forecast.outputs.reports") / "fandol" / "FandolFang-Regular.otf")
MAX_BODY = 1_000_000  # bytes: a request's body (a page's state is a few kilobytes)
MAX_ADJUSTMENTS = 60
MAX_VALUES = 2000
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; "
    "frame-ancestors 'none'; "
    "base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

Id = Annotated[str, StringConstraints(min_length=1, max_length=64,
                                      pattern=r"^[^./\\\x00-\x1f][^/\\\x00-\x1f]*$")]
Number = Annotated[float, Field(allow_inf_nan=False, ge=-1e12, le=1e12)]
Year = Annotated[int, Field(ge=1949, le=2100)]
Lang = Annotated[str, StringConstraints(pattern="^(zh|en)$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AdjustmentIn(Strict):
    """One adjustment as a scenario file writes it (one change each)."""

    indicator: Id
    growth_shift: Annotated[float, Field(allow_inf_nan=False, gt=-100, le=100)] | None = None
    from_year: Year | None = None
    shock: Annotated[float, Field(allow_inf_nan=False, gt=-100, le=1000)] | None = None
    year: Year | None = None
    volatility: Annotated[float, Field(allow_inf_nan=False, gt=0, le=20)] | None = None

    def doc(self) -> dict:
        return self.model_dump(exclude_none=True)


class ViewIn(Strict):
    plan: Id
    region: Id | None = None
    indicator: Id | None = None
    adjustments: list[AdjustmentIn] = Field(default_factory=list, max_length=MAX_ADJUSTMENTS)
    values: dict[Id, Number] = Field(default_factory=dict, max_length=MAX_VALUES)
    selected: Id | None = None
    lang: Lang = "zh"


class ScenarioIn(Strict):
    id: Id
    title: Annotated[str, StringConstraints(max_length=200)] | None = None
    plan: Id
    adjustments: list[AdjustmentIn] = Field(min_length=1, max_length=MAX_ADJUSTMENTS)


class PageQuery(BaseModel):
    """The page's query string (other parameters are ignored)."""

    plan: Id | None = None
    lang: Lang | None = None


def _valid(model: type[BaseModel], raw: bytes | dict) -> BaseModel:
    """``raw`` (a JSON body or query parameters) as ``model``; else a 422 naming the field."""
    try:
        return model.model_validate_json(raw) if isinstance(raw, bytes) else \
            model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()))
        raise HTTPException(422, f"{where or 'request'}: {first.get('msg', 'invalid')}") \
            from None


def create_app(explorer: Explorer, lang: str = "zh", hosts: tuple[str, ...] = ()) -> Starlette:
    """The app over an opened run. ``hosts``: the names requests may give as their Host
    besides the loopback ones (``*`` when --host is not a loopback address)."""
    env = Environment(loader=FileSystemLoader(str(HERE / "templates")),
                      autoescape=select_autoescape(["html", "j2"]))
    page = env.get_template("page.html.j2")
    table = env.get_template("targets.html.j2")

    def known_plan(plan: str) -> str:
        if plan not in dict(explorer.plans()):
            raise HTTPException(404, f"no plan {plan!r} in this run")
        return plan

    def index_html(query: PageQuery) -> str:
        lang_ = query.lang or lang
        plans = explorer.plans()
        if not plans:
            raise HTTPException(404, "this run has no plans")
        chosen = known_plan(query.plan) if query.plan is not None else plans[0][0]
        regions = explorer.regions(chosen)
        region = regions[0] if regions else None
        series = {r: [(i, _name(explorer, i, lang_)) for i in explorer.series_of(r)]
                  for r in regions}
        indicator = _first_target_indicator(explorer, chosen, region, series)
        view = explorer.view(chosen, region, indicator, [], {}, None, lang_)
        return page.render(
            w=words(lang_), lang=lang_, other_lang="en" if lang_ == "zh" else "zh",
            run_id=explorer.run_id, plans=plans, plan=chosen,
            regions=[(r, explorer.region_name(r, lang_)) for r in regions], region=region,
            series=series, indicator=indicator, controls=explorer.controls(chosen, lang_),
            view=view, table=table.render(rows=view["targets"], w=words(lang_),
                                          selected=view["selected"]),
            can_save=explorer.workspace is not None)

    def view_json(body: ViewIn) -> dict:
        known_plan(body.plan)
        out = explorer.view(body.plan, body.region, body.indicator,
                            [a.doc() for a in body.adjustments], body.values, body.selected,
                            body.lang)
        out["table"] = table.render(rows=out["targets"], w=words(body.lang),
                                    selected=out["selected"])
        out["probabilities"] = {r["id"]: r["p"] for r in out.pop("targets")}
        return out

    def save_json(body: ScenarioIn) -> dict:
        known_plan(body.plan)
        if explorer.workspace is None:
            raise HTTPException(403, "this run's workspace is not known: scenarios cannot be "
                                "saved")
        scenario = explorer.scenario(body.plan, [a.doc() for a in body.adjustments],
                                     body.title or body.id, body.id)
        written = save_scenario(explorer.workspace, scenario, explorer.catalogue,
                                explorer.run_id)
        return {"id": scenario.id, "file": written.relative_to(explorer.workspace).as_posix()}

    async def index(request: Request) -> Response:
        query = _valid(PageQuery, dict(request.query_params))
        return HTMLResponse(await run_in_threadpool(index_html, query))

    async def view(request: Request) -> Response:
        body = _valid(ViewIn, await request.body())
        return JSONResponse(await run_in_threadpool(view_json, body))

    async def save(request: Request) -> Response:
        body = _valid(ScenarioIn, await request.body())
        return JSONResponse(await run_in_threadpool(save_json, body), status_code=201)

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        if name == FONT[0]:
            return Response(FONT[1].read_bytes(), media_type="font/otf",
                            headers={"Cache-Control": "max-age=86400"})
        if name not in STATIC:
            raise HTTPException(404, "not found")
        return Response((HERE / "static" / name).read_bytes(), media_type=STATIC[name])

    async def guard(request: Request, call_next) -> Response:
        length = request.headers.get("content-length", "0")
        if not length.isdigit() or int(length) > MAX_BODY or \
                request.headers.get("transfer-encoding"):
            return _error(413, f"request body over {MAX_BODY} bytes, or of no stated length")
        origin = request.headers.get("origin")
        if request.method != "GET" and origin is not None and \
                urlsplit(origin).netloc != request.headers.get("host"):
            return _error(403, "cross-site request refused")
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            response.headers.setdefault(key, value)
        return response

    async def input_error(request: Request, exc: Exception) -> Response:
        return _error(409 if isinstance(exc, ScenarioExists) else 422, str(exc))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return _error(exc.status_code, str(exc.detail))

    async def internal(request: Request, exc: Exception) -> Response:
        LOG.error("internal error on %s", request.url.path, exc_info=exc)
        return _error(500, "internal error (the terminal running forecast explore has the "
                      "details)")

    return Starlette(
        routes=[Route("/", index, methods=["GET"]),
                Route("/api/view", view, methods=["POST"]),
                Route("/api/scenario", save, methods=["POST"]),
                Route("/static/{name}", static, methods=["GET"])],
        middleware=[Middleware(BaseHTTPMiddleware, dispatch=guard),
                    Middleware(TrustedHostMiddleware,
                               allowed_hosts=["127.0.0.1", "localhost", "[::1]", *hosts])],
        exception_handlers={InputError: input_error, HTTPException: http_error,
                            Exception: internal})


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=SECURITY_HEADERS)


def _name(explorer: Explorer, indicator: str, lang: str) -> str:
    from forecast.outputs.names import indicator_name

    return indicator_name(indicator, explorer.catalogue, lang)


def _first_target_indicator(explorer: Explorer, plan: str, region: str | None,
                            series: dict[str, list]) -> str | None:
    """The indicator the page opens on: the region's first target's, else its first series."""
    if region is None:
        return None
    have = [i for i, _ in series.get(region, [])]
    named = [t.indicator for _, t in explorer.replay.plan_targets(plan)
             if t.region == region and t.indicator in have]
    return named[0] if named else (have[0] if have else None)
