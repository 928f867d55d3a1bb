"""Files written whole or not at all, and alike: the one atomic writer of the toolkit.

Every file a run, a cache, a report, an extraction or a template writes goes through
``atomic_file`` (one file) or ``atomic_folder`` (a run's folder): the content is written into a
temporary sibling and moved into place only when complete, so a killed process leaves the old
file or none, never half of one. The temporary names are unique, so two processes writing the
same file never write into each other's. Files and folders get the permissions any new file of
the user gets (their umask): the private 0600 that ``tempfile`` gives is never left behind, so
an office that shares a workspace's ``models/`` or ``reports/`` can read what a colleague wrote.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from forecast.errors import InputError


def _new_sibling(path: Path, suffix: str, make: Callable[[str], None]) -> Path:
    """A new file or folder beside ``path`` with a name no other writer has, made by ``make``
    with the mode of a plain new one (the kernel applies the umask), unlike ``tempfile``'s
    private 0600 and 0700."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(100):
            name = path.parent / f".{path.name}.{secrets.token_hex(4)}{suffix}"
            try:
                make(str(name))
                return name
            except FileExistsError:
                continue
    except OSError as exc:
        raise InputError(f"cannot write here ({exc.strerror or exc})", file=path,
                         fix="choose a folder you can write to") from exc
    raise InputError("no free temporary name", file=path, fix="clear the folder's .* files")


def _new_file(name: str) -> None:
    os.close(os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))


def _new_folder(name: str) -> None:
    os.mkdir(name, 0o777)


@contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """A temporary sibling of ``path`` to write the file's content into; moved over ``path``
    only when the block succeeds. The temporary name keeps the suffix, for writers that look
    at it."""
    path = Path(path)
    tmp = _new_sibling(path, f".tmp{path.suffix}", _new_file)
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8, whole or not at all (line ends as given)."""
    with atomic_file(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="")


@contextmanager
def atomic_folder(out: Path) -> Iterator[Path]:
    """A temporary sibling of ``out`` to write into; moved into place only on success."""
    prepare_out_dir(out)
    tmp = _new_sibling(out, "", _new_folder)
    try:
        yield tmp
        try:
            if out.exists():
                out.rmdir()
            os.replace(tmp, out)
        except OSError as exc:  # another process filled the folder meanwhile
            raise InputError("the folder was written by another process meanwhile", file=out,
                             fix="run again into a new folder") from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def prepare_out_dir(out: Path) -> None:
    """Refuse an --out folder that already holds files (nothing is overwritten)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise InputError("output folder exists and is not empty", file=out,
                         fix="choose a new --out folder or remove this one")


# libyaml's C loader where installed: ten times faster for thousands of plan files
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, fix: str = "check the indentation and quoting"):
    """The YAML document in ``path`` (UTF-8), read with the safe loader; a document that is
    not YAML is an InputError of one line naming the file."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SafeLoader)
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML ({exc})".replace("\n", " "), file=path,
                         fix=fix) from exc
