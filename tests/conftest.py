"""Shared fixtures and helpers: the project, its graphs, the source article, the command line.

The source article lives outside the repository (../shared/source/, DETENTE_ARTICLE overrides
where): a test that needs it calls `require_article()` (or uses `article_text`) and is skipped,
with the reason shown, on a clone without it. With DETENTE_REQUIRE_ALL=1 (set by .ci/run) no
test may be skipped: a skip, whatever its cause, is reported as a failure.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import hashlib
import os
import re
import shutil
import tempfile
import traceback
from collections import OrderedDict
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import settings
from rdflib import Graph

import detente.cli
import detente.contribution
import detente.index
from detente.cli import main
from detente.kg import Project, Sources, find_project, load_sources
from detente.query import Question
from detente.reason import close

ROOT = Path(__file__).resolve().parents[1]
ARTICLE_NAME = "000_f14e525a7fdb3016.txt"
ARTICLE = ROOT.parent / "shared" / "source" / ARTICLE_NAME
ARTICLE_VARIABLE = "DETENTE_ARTICLE"  # another place for the article ("/nonexistent": none)
REQUIRE_ALL = "DETENTE_REQUIRE_ALL"  # set (not "" or "0"): every skip is a failure
PROJECT_FOLDERS = ("ontology", "shapes", "data", "scripts")


def pytest_configure(config: pytest.Config) -> None:
    """Collect cyclic garbage less often: judging builds millions of short-lived objects, and
    at the default thresholds the collector walks the live graphs over and over (the suite
    takes some 15 % longer). What is loaded by now (modules, no graphs) is never collected."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


# Property tests draw the same cases on every run, and keep no example database.
settings.register_profile("detente", derandomize=True, database=None)
settings.load_profile("detente")


# ------------------------------------------------------------------ the article, skips


def article_path() -> Path:
    """Where the source article is looked for: DETENTE_ARTICLE, or ../shared/source/."""
    given = os.environ.get(ARTICLE_VARIABLE)
    return Path(given) if given else ARTICLE


def require_all() -> bool:
    """Whether DETENTE_REQUIRE_ALL asks that nothing be skipped."""
    return os.environ.get(REQUIRE_ALL, "") not in ("", "0")


def require_article() -> Path:
    """The source article's path; the calling test is skipped, saying why, if it is absent."""
    path = article_path()
    if not path.is_file():
        shown = os.path.relpath(path, ROOT) if path == ARTICLE else str(path)
        pytest.skip(f"needs {shown} (the source article), not present")
    return path


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Under DETENTE_REQUIRE_ALL, a skipped test (not an expected failure) is a failed one."""
    report = yield
    if report.skipped and not hasattr(report, "wasxfail") and require_all():
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        reason = reason.removeprefix("Skipped: ")
        report.outcome = "failed"
        report.longrepr = f"{REQUIRE_ALL} is set and this test was skipped: {reason}"
    return report


# ------------------------------------------------------------------ the project and its graphs


@pytest.fixture(scope="session")
def project() -> Project:
    """The detente project this test suite belongs to."""
    return find_project(ROOT)


@pytest.fixture(scope="session")
def sources(project: Project) -> Sources:
    """The project's ontology, data and shapes graphs."""
    return load_sources(project)


@pytest.fixture(scope="session")
def closed(sources: Sources) -> Graph:
    """The OWL 2 RL closure of ontology + data."""
    return close(sources.merged())


@pytest.fixture(scope="session")
def article_text() -> str:
    """The source article, whitespace collapsed to single spaces (skips the test without it)."""
    return re.sub(r"\s+", " ", require_article().read_text(encoding="utf-8"))


# ------------------------------------------------------------------ sources loaded once

# The Sources read for each state of a project's files, the most recently used last.
_LOADED: OrderedDict[tuple[tuple[str, bytes], ...], tuple[Sources, tuple[object, ...]]] = (
    OrderedDict()
)
_KEEP = 8


def _sizes(sources: Sources) -> tuple[object, ...]:
    """The size of every graph of a Sources, to see that nobody changed a shared one."""
    return (
        len(sources.ontology),
        len(sources.data),
        len(sources.shapes),
        tuple(sorted((str(name), len(graph)) for name, graph in sources.graphs.items())),
    )


def files_state(project: Project) -> tuple[tuple[str, bytes], ...]:
    """The names and contents (digests) of a project's ontology, shapes and data files."""
    files = [*project.ontology_files, *project.shapes_files, *project.data_files]
    return tuple(
        (str(path.relative_to(project.root)), hashlib.sha256(path.read_bytes()).digest())
        for path in files
    )


def load_sources_once(project: Project, extra_data: list[Path] | None = None) -> Sources:
    """`load_sources`, read once for each state of a project's files (names and contents).

    The command line reads the project's graphs for every `check FILE`, `add` and `query`;
    judging hundreds of contributions against the same files needs them read once. Sources
    hold no path, so copies of a project with the same files share what was read.
    """
    if extra_data:
        return load_sources(project, extra_data)
    key = files_state(project)
    if key not in _LOADED:
        loaded = load_sources(project)
        _LOADED[key] = (loaded, _sizes(loaded))
        while len(_LOADED) > _KEEP:
            _LOADED.popitem(last=False)
    _LOADED.move_to_end(key)
    loaded, sizes = _LOADED[key]
    assert _sizes(loaded) == sizes, f"graphs read from {project.root} were changed by their user"
    return loaded


@pytest.fixture(scope="session", autouse=True)
def _sources_loaded_once() -> Iterator[None]:
    """The command line, run in-process, reads each state of a project's files once."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(detente.contribution, "load_sources", load_sources_once)
        patch.setattr(detente.cli, "load_sources", load_sources_once)
        yield


@pytest.fixture(scope="session", autouse=True)
def _own_index_of_the_repository(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each test worker keeps the repository's index in a folder of its own.

    A command holds its project's index exclusively while it runs: workers that checked
    contributions against the one repository waited for each other (test_contributions.py
    took as long on two workers as on one). Commands run in a subprocess still use
    the repository's .cache/index.
    """
    own = tmp_path_factory.mktemp("repository-index") / "index"
    usual = detente.index.index_folder

    def index_folder(project: Project) -> Path:
        return own if project.root.resolve() == ROOT else usual(project)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(detente.index, "index_folder", index_folder)
        yield


# ------------------------------------------------------------------ helpers


def copy_project(
    project: Project | Path,
    target: Path,
    extra: dict[str, str] | None = None,
    judged: bool = False,
) -> Path:
    """A copy of a project (ontology, shapes, data, scripts) under target, with `extra` data
    files (name: text) written into its data/; target returned.

    `judged`: the copy comes with its index built and its judgement recorded, as after
    `detente index --judge` (made once for each state of the files, then copied).
    """
    source = project.root if isinstance(project, Project) else project
    for folder in PROJECT_FOLDERS:
        shutil.copytree(
            source / folder, target / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    for name, text in (extra or {}).items():
        (target / "data" / name).write_text(text, encoding="utf-8")
    if judged:
        shutil.copytree(_judged_index(target) / ".cache", target / ".cache")
    return target


_JUDGED: dict[tuple[tuple[str, bytes], ...], Path] = {}


def _judged_index(root: Path) -> Path:
    """A project with the files of root whose index is built and judged: made once per state.

    Every `add` judges the whole graph first when its index has no judgement (2 s on the
    article); a copy of a judged index (same files, same sizes and times) starts from it.
    """
    key = files_state(Project(root))
    if key not in _JUDGED:
        template = Path(tempfile.mkdtemp(prefix="detente-judged-"))
        atexit.register(shutil.rmtree, template, True)
        for folder in PROJECT_FOLDERS:
            shutil.copytree(root / folder, template / folder)
        result = invoke("index", "--judge", "--project", template)
        assert result.exit_code == 0, result.output
        _JUDGED[key] = template
    return _JUDGED[key]


def digest(folder: Path) -> dict[str, str]:
    """The sha256 of every file under a folder (hidden files included), by relative path."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def invoke(*args: str | Path, stdin: str | bytes | None = None) -> Result:
    """Run the command line in-process; never an uncaught exception, never a traceback."""
    try:
        result = CliRunner().invoke(main, [str(arg) for arg in args], input=stdin)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as err:  # CliRunner keeps Exceptions, not other BaseExceptions
        pytest.fail(f"detente {' '.join(map(str, args))} crashed: {err!r}")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        shown = "".join(traceback.format_exception(*result.exc_info))
        pytest.fail(f"detente {' '.join(map(str, args))} raised {result.exception!r}\n{shown}")
    assert "Traceback" not in result.stdout + result.stderr
    return result


def run(*args: str | Path, stdin: str | bytes | None = None) -> tuple[int, str, str]:
    """Run the command line in-process (as `invoke`); exit code, stdout, stderr."""
    result = invoke(*args, stdin=stdin)
    return result.exit_code, result.stdout, result.stderr


# ------------------------------------------------------------------ comparing answers


def order_keys(question: Question, header: list[str]) -> list[int]:
    """Indexes of the projected columns the question orders by (empty: unordered)."""
    found = re.search(r"ORDER\s+BY\s+(.+)$", question.text, re.IGNORECASE | re.DOTALL)
    if not found:
        return []
    names = re.findall(r"\?(\w+)", found.group(1))
    return [header.index(name) for name in names if name in header]


# ------------------------------------------------------------------ the publication


def require_tool(name: str) -> str:
    """The path of a system tool (rapper, serdi, nginx, chromium...); the test is skipped,
    saying so, without it (a failure under DETENTE_REQUIRE_ALL, as in CI)."""
    found = shutil.which(name) or next(
        (p for p in (f"/usr/sbin/{name}", f"/usr/bin/{name}") if os.access(p, os.X_OK)), None
    )
    if found is None:
        pytest.skip(f"needs the system tool {name!r} (.ci/run installs it), not installed")
    return found


@pytest.fixture(scope="session")
def publication(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's publication (`detente build`), built once for all test workers."""
    from filelock import FileLock

    from detente.publish.build import build

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # this run's folder, above the workers' own
    out = shared / "publication"
    built = shared / "publication.built"  # written by the worker that built it
    with FileLock(str(shared / "publication.lock")):
        if not built.exists():
            build(project, out)
            built.touch()
    return out


@contextlib.contextmanager
def served_in_thread(app: Any, startup_seconds: float = 20.0) -> Iterator[str]:
    """An ASGI application behind uvicorn in a thread on a free loopback port, once it has
    started: its URL. Stopped on leaving."""
    import threading
    import time

    import uvicorn

    from detente.serve import listen, url_of

    listener = listen("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + startup_seconds
        while not server.started:
            assert thread.is_alive(), "the server stopped while starting"
            assert time.monotonic() < deadline, f"no server after {startup_seconds} s"
            time.sleep(0.01)
        yield url_of(listener)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listener.close()
