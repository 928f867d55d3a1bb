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

import errno
import os
import re
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import yaml

from forecast import interruptions
from forecast.config import MAX_YAML_BYTES
from forecast.errors import InputError

try:  # POSIX: the claims below are kernel locks, released when their process dies
    import fcntl
except ImportError:  # pragma: no cover - Windows: no claims, the checks at the move remain
    fcntl = None  # type: ignore[assignment]


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
    at it. A write the system refuses (disk full, read-only) is a one-line InputError."""
    path = Path(path)
    tmp = _new_sibling(path, f".tmp{path.suffix}", _new_file)
    try:
        yield tmp
        os.replace(tmp, path)
    except OSError as exc:
        if (error := write_error(exc, path)) is None:
            raise
        raise error from exc
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def scratch_file(beside: Path, suffix: str) -> Iterator[Path]:
    """A new hidden file beside ``beside`` for the block to fill (a part of a folder written
    before the folder itself), removed when the block ends unless it was moved away."""
    tmp = _new_sibling(Path(beside), suffix, _new_file)
    try:
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def write_new_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8, whole or not at all, and never over a file that
    exists (FileExistsError, also when another writer makes it meanwhile: the finished file
    is linked into place, which refuses an existing name)."""
    with scratch_file(path, f".tmp{path.suffix}") as tmp:
        tmp.write_text(text, encoding="utf-8", newline="")
        try:
            os.link(tmp, path)
        except OSError as exc:  # FileExistsError is no refused write: raised as it is
            if (error := write_error(exc, path)) is None:
                raise
            raise error from exc


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8, whole or not at all (line ends as given)."""
    with atomic_file(path) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="")


@contextmanager
def atomic_folder(out: Path, publish: Callable[[Callable[[], None]], object] | None = None
                  ) -> Iterator[Path]:
    """A temporary sibling of ``out`` to write into; moved into place only on success.

    ``out`` is claimed for the whole block (another process writing it is refused at once,
    and what killed writers left beside it is cleared). ``publish``, when given, is called
    with the move and must call it: the run's history records the run, moves the folder and
    commits, so that a run and its record never disagree; if anything fails after the move
    the folder is withdrawn again. On any failure, an interruption included, the temporary
    folder is removed."""
    out = Path(out)
    with claimed(out, nested=True):
        prepare_out_dir(out)
        tmp = _new_sibling(out, "", _new_folder)
        moved: list[bool] = []  # once moved: whether ``out`` was there (empty) before
        whole = False  # moved and recorded: nothing may take it back
        holding: list[bool] = []
        watched = interruptions.stops()  # a stop from here on, even one Python lost, counts

        def move() -> None:
            interruptions.hold(watched)  # a stop waits until the record is committed too
            holding.append(True)
            existed = out.exists()
            _move_into_place(tmp, out)
            moved.append(existed)

        try:
            yield tmp
            try:
                if publish is None:
                    move()
                else:
                    publish(move)
                whole = True
            finally:
                if holding:
                    interruptions.resume()  # a stop that waited ends the command here
        except BaseException as exc:
            if whole:  # stopped once whole: the run stays, with its record
                raise
            if moved:  # published, then the record failed: withdraw it
                os.replace(out, tmp)
                if moved[0]:
                    out.mkdir(exist_ok=True)
            shutil.rmtree(tmp, ignore_errors=True)
            if isinstance(exc, OSError) and (error := write_error(exc, out)) is not None:
                raise error from exc
            raise


def _move_into_place(tmp: Path, out: Path) -> None:
    try:
        if out.exists():
            out.rmdir()
        os.replace(tmp, out)
    except OSError as exc:  # another process filled the folder meanwhile
        raise InputError("the folder was written by another process meanwhile", file=out,
                         fix="run again into a new folder") from exc


# errors of a write the system refused: disk full, over quota, read-only, not permitted
REFUSED_WRITES = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES,
                            errno.EPERM})


def write_error(exc: OSError, path: Path) -> InputError | None:
    """The one-line error of a write the system refused (a full disk, a read-only folder),
    or None for any other OSError (a bug, kept as it is)."""
    if exc.errno not in REFUSED_WRITES and "No space left" not in str(exc):
        return None
    reason = exc.strerror or str(exc).split(":")[0]
    return InputError(f"cannot write here ({reason}); nothing was written", file=path,
                      fix="free some disk space, or choose a folder you can write to")


def prepare_out_dir(out: Path) -> None:
    """Refuse an --out folder that already holds files (nothing is overwritten), or that is a
    symbolic link (the finished folder is moved into its place, which would replace the
    link, not fill the folder it points to)."""
    if out.is_symlink():
        raise InputError(f"the output folder is a symbolic link to {out.resolve()}", file=out,
                         fix="give the folder it points to, or a new folder")
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        problem = ("output folder exists and is not empty" if out.is_dir()
                   else "--out is a file, not a folder")
        raise InputError(problem, file=out, fix="choose a new --out folder or remove this one")


# Claims: a folder being written is held through a kernel lock on ``.<name>.lock`` beside it,
# which also marks the temporary ``.<name>.<hex>`` folders as forecast's. The kernel releases
# the lock when its process dies, however it dies, so a free lock beside a temporary folder
# means its writer is gone.
LOCK_MARK = "forecast"  # the lock file's first word, then the owner's pid
# a writer's temporary folder beside ``name`` (``.name.1a2b3c4d``), or its scratch file
# (``scratch_file``: ``.name.1a2b3c4d.paths.parquet``)
_TEMPORARY = re.compile(r"^\.(.+?)\.[0-9a-f]{8}(\.[A-Za-z0-9.]+)?$")
_held: dict[str, list[int]] = {}  # lock file -> [descriptor, depth]: this process's claims


def _lock_file(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


def _lock(lock: Path) -> int | None:
    """A descriptor of ``lock`` locked by this process, or None when another holds it."""
    while True:
        fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o666)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            here = os.stat(lock)
        except FileNotFoundError:
            here = None
        mine = os.fstat(fd)
        if here is not None and (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino):
            return fd
        os.close(fd)  # its owner removed it as it finished: lock the file there now


def _unlock(lock: Path, fd: int) -> None:
    lock.unlink(missing_ok=True)  # while still locked: a waiter then sees a removed file
    os.close(fd)


def try_claim(out: Path) -> bool:
    """Claim the folder ``out`` for this process (True), or False when another live process
    holds it. Claims nest within a process; each is ended by ``release``. The first claim
    clears what dead writers left beside ``out`` (``clear_stale``)."""
    lock = _lock_file(Path(out))
    key = str(lock.absolute())
    if key in _held:
        _held[key][1] += 1
        return True
    if fcntl is None:
        _held[key] = [-1, 1]
        return True
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        fd = _lock(lock)
        if fd is None:
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{LOCK_MARK} {os.getpid()}\n".encode())
    except OSError as exc:
        raise InputError(f"cannot write here ({exc.strerror or exc})", file=out,
                         fix="choose a folder you can write to") from exc
    _held[key] = [fd, 1]
    with suppress(OSError):  # what a killed writer of this very folder left
        _remove_temporaries(list(out.parent.iterdir()), out.name)
    clear_stale(out.parent)
    return True


def release(out: Path) -> None:
    """End one claim of ``out`` (the last one removes its lock file)."""
    lock = _lock_file(Path(out))
    key = str(lock.absolute())
    held = _held[key]
    held[1] -= 1
    if held[1] == 0:
        del _held[key]
        if held[0] >= 0:
            _unlock(lock, held[0])


def held(out: Path) -> bool:
    """Whether this process holds a claim of ``out``."""
    return str(_lock_file(Path(out)).absolute()) in _held


@contextmanager
def claimed(out: Path, nested: bool = False) -> Iterator[None]:
    """Hold ``out`` for the block; a folder another run is writing is a one-line error, and
    so is one this process is writing unless ``nested`` (the writer inside a run that
    claimed its folder)."""
    if (held(out) and not nested) or not try_claim(out):
        raise InputError(f"the folder is in use by another run{_owner(_lock_file(out))}",
                         file=out, fix="wait for that run to finish, or choose another "
                         "--out folder")
    try:
        yield
    finally:
        release(out)


def _owner(lock: Path) -> str:
    try:
        words = lock.read_text(encoding="utf-8").split()
    except (OSError, UnicodeDecodeError):
        return ""
    return f" (process {words[1]})" if len(words) == 2 and words[0] == LOCK_MARK else ""


def clear_stale(parent: Path) -> None:
    """Remove the temporary folders, scratch files and lock files that writers killed
    mid-write left in
    ``parent``: only forecast's (beside a lock file it wrote) and only those whose writer is
    gone (its lock is free); a live run's are never touched."""
    if fcntl is None:
        return
    try:
        entries = list(parent.iterdir())
    except OSError:
        return
    for lock in entries:
        name = lock.name
        if not (name.startswith(".") and name.endswith(".lock")) or _owner(lock) == "" \
                or str(lock.absolute()) in _held:
            continue
        try:
            fd = _lock(lock)
        except OSError:
            continue
        if fd is None:
            continue
        try:
            _remove_temporaries(entries, name[1:-5])
        finally:
            _unlock(lock, fd)


def _remove_temporaries(entries: list[Path], name: str) -> None:
    """Remove the temporary folders and scratch files of ``name`` among ``entries`` (its
    lock is held)."""
    for entry in entries:
        found = _TEMPORARY.match(entry.name)
        if not found or found.group(1) != name or entry.is_symlink():
            continue
        if found.group(2) is None and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        elif found.group(2) is not None and entry.is_file():
            entry.unlink(missing_ok=True)


# libyaml's C loader where installed: ten times faster for thousands of plan files
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, fix: str = "check the indentation and quoting"):
    """The YAML document in ``path`` (UTF-8), read with the safe loader; a document that is
    not YAML is an InputError of one line naming the file.

    A file over ``MAX_YAML_BYTES`` is refused before it is read, and so is one with anchors
    or aliases (``&x``, ``*x``): no plan needs them, and a few hundred bytes of nested aliases
    expand into gigabytes (a "billion laughs")."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read the file ({exc.strerror or exc})", file=path,
                         fix="check the path and its permissions") from exc
    if size > MAX_YAML_BYTES:
        raise InputError(f"the file is {size / 2**20:.1f} MB, more than the "
                         f"{MAX_YAML_BYTES // 2**20} MB a YAML input may hold", file=path,
                         fix="split it into several files, or check that it is the right file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=path, fix="save the file as UTF-8") from None
    try:
        if _MAY_ALIAS.search(text):  # "R&D" or "注*" cannot start one: not scanned
            _refuse_aliases(text, path)
        return yaml.load(text, Loader=SafeLoader)
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML ({exc})".replace("\n", " "), file=path,
                         fix=fix) from exc


# where an anchor (&x) or alias (*x) can begin: at a line's start or after a space, "[", "{"
# or ","; a superset (quoted text matches too), so only what matches is scanned token by token
_MAY_ALIAS = re.compile(r"(?:^|[\s\[{,])[&*]", re.MULTILINE)


def _refuse_aliases(text: str, path: Path) -> None:
    """An InputError at the first anchor or alias of ``text`` (scanned, not composed)."""
    loader = SafeLoader(text)
    try:
        while loader.check_token():
            token = loader.get_token()
            if isinstance(token, yaml.AliasToken | yaml.AnchorToken):
                line = token.start_mark.line + 1
                raise InputError(f"line {line}: YAML anchors and aliases (&name, *name) are "
                                 "not accepted", file=path,
                                 fix="write each value out in full (quote text that starts "
                                 "with * or &)")
    finally:
        loader.dispose()
