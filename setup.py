"""Build hook: the wheel carries the bundled example workspace as package data.

In a checkout the package reads the example from the repository's own ``data/``
(``forecast.config``). A wheel has no repository around it, so the build copies the parts of
``data/`` a run, `forecast example` and `forecast calibrate` need into
``forecast/example/data/`` of the wheel. Everything else is in ``pyproject.toml``.
"""

import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))  # forecast.config imports nothing outside the standard library
from forecast.config import WHEEL_EXAMPLE_PARTS  # noqa: E402


class BuildPyWithExample(build_py):
    """build_py, then the example workspace's files into the build's forecast/example/data/."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):  # an editable install reads the checkout
            return
        target = Path(self.build_lib) / "forecast" / "example" / "data"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for part in WHEEL_EXAMPLE_PARTS:
            source = ROOT / "data" / part
            if source.is_dir():
                shutil.copytree(source, target / part)
            else:
                shutil.copyfile(source, target / part)


setup(cmdclass={"build_py": BuildPyWithExample})
