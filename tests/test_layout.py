"""The package laid out as its pipeline, checked on its source: imports run one way (inputs ->
models -> simulation -> targets -> assessment -> evaluation/outputs -> api -> cli) with no
circle, even through imports inside functions; the clock and the environment are read only
by the interface; modules stay small; nothing reads outside the repository."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "forecast"
# the rank of each top-level module or subpackage: a module may import from lower ranks and
# from its own package, never from a higher or an equal one
RANKS = {"errors": 0, "config": 1, "interruptions": 1, "timings": 1, "files": 2, "streams": 2,
         "execution": 2, "inputs": 3, "extract": 4, "models": 4, "simulation": 5,
         "targets": 6, "assessment": 7, "evaluation": 8, "outputs": 8, "api": 9, "explore": 9,
         "cli": 10}
INTERFACE = {"api", "cli"}  # where the clock, the environment and the current folder are read
CLOCK_AND_ENVIRONMENT = re.compile(
    r"date\.today|datetime\.now|datetime\.today|time\.time\(|os\.environ|os\.getenv|"
    r"Path\.cwd|os\.getcwd|getpass")
MAX_LINES = 400


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(REPO).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    assert len(found) > 80
    return found


def imports(path: Path, known: dict[str, Path]) -> set[str]:
    """Every forecast module ``path`` imports, at module level or inside a function
    (``from forecast.x import y`` imports the module forecast.x.y where there is one, else
    forecast.x)."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                out.add(sub if sub in known else node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {m for m in out if m in known}


def area(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_imports_run_down_the_pipeline():
    known = modules()
    wrong = []
    for name, path in known.items():
        here = area(name)
        for target in imports(path, known):
            there = area(target)
            if here and there and here != there and RANKS[there] >= RANKS[here]:
                wrong.append(f"{name} -> {target}")
    assert not wrong, wrong
    assert set(RANKS) >= {area(n) for n in known if area(n)}  # every part has its place


def test_no_import_circles_even_through_imports_inside_functions():
    known = modules()
    graph = {name: imports(path, known) - {name} for name, path in known.items()}
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    circles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                circles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not circles, circles


def test_the_clock_and_the_environment_are_read_only_by_the_interface():
    readers = [f"{name}: {m.group(0)}" for name, path in modules().items()
               if area(name) not in INTERFACE
               for m in CLOCK_AND_ENVIRONMENT.finditer(path.read_text(encoding="utf-8"))]
    assert not readers, readers


def test_every_module_fits_on_a_few_screens():
    long = {name: n for name, path in modules().items()
            if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, long


@pytest.mark.parametrize("folder", ["forecast", "tests", "benchmarks", "scripts"])
def test_nothing_reads_outside_the_repository(folder):
    pattern = re.compile(r"\.\./shared|parents\[\d\] / \"shared\"|/ \"shared\"")
    readers = [str(p.relative_to(REPO)) for p in sorted((REPO / folder).rglob("*.py"))
               if p != Path(__file__) and pattern.search(p.read_text(encoding="utf-8"))]
    assert not readers, readers
