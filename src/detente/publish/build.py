"""`detente build`: write the whole publication into one folder, ready to copy to a web server."""

from __future__ import annotations

import datetime
import hashlib
import shutil
import struct
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import OWL

from detente.kg import ONTOLOGY_IRI, Project, Sources, load_sources
from detente.publish import configs, home, pictures
from detente.publish.dumps import Dump, context_of, write_context, write_dumps, write_file
from detente.publish.layout import DEFAULT_BASE_URL
from detente.publish.pages import Site, write_documents
from detente.publish.vocabulary import ontology_documents
from detente.publish.void import describe
from detente.query import Question, Results, answer_all, questions
from detente.reason import close
from detente.validate import CheckResult, check_project
from detente.write import canonical_turtle

STAMP = ".build-stamp"
KEPT = ("screenshots",)  # what a build keeps of the folder it replaces (the browser tests')
Step = Callable[[str], None]


class BuildError(Exception):
    """A publication that must not be built: the data does not pass `detente check`."""


class OutFolderError(BuildError):
    """An --out folder a build must not replace."""


@dataclass
class Built:
    """What a build wrote (or that it found the folder up to date)."""

    out: Path
    skipped: bool
    seconds: float
    things: int = 0
    dumps: list[Dump] = field(default_factory=list)
    files: int = 0


def package_files() -> list[Path]:
    """The toolkit's own files that shape the publication (code, templates, static files)."""
    root = Path(str(resources.files("detente")))
    return sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def input_files(project: Project) -> list[Path]:
    """Every project file the publication is built from."""
    scripts = project.root / "scripts"
    return [
        *project.turtle_files,
        *sorted((scripts / "questions").glob("*.rq")),
        *sorted((scripts / "checks").glob("*.rq")),
    ]


def stamp_of(project: Project, options: str) -> str:
    """A digest of everything a build depends on: inputs, the toolkit, the options."""
    digest = hashlib.sha256(options.encode())
    for path in [*input_files(project), *package_files()]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def up_to_date(out: Path, stamp: str) -> bool:
    """Whether the folder holds a finished build of exactly these inputs."""
    path = out / STAMP
    return path.is_file() and path.read_text(encoding="utf-8").strip() == stamp


def valid_base_url(base_url: str) -> str:
    """The base URL, checked: absolute http(s), ending in '/'."""
    if not base_url.startswith(("http://", "https://")) or " " in base_url:
        raise BuildError(f"--base-url must be an absolute http(s) URL, got {base_url!r}")
    return base_url if base_url.endswith("/") else base_url + "/"


def refuse_unsafe_out(project: Project, out: Path) -> None:
    """Refuse an --out folder a build would wrongly replace: the project (or a folder holding
    it, or one of its source folders), or a folder that holds anything but an earlier build."""
    target, root = out.resolve(), project.root.resolve()
    if target == root or target in root.parents:
        raise OutFolderError(f"--out {out} holds the project itself; choose a folder of its own")
    for folder in ("ontology", "shapes", "data", "scripts", "src", "tests"):
        if target == root / folder or (root / folder) in target.parents:
            raise OutFolderError(f"--out {out} is inside the project's {folder}/ folder")
    if target.exists() and not target.is_dir():
        raise OutFolderError(f"--out {out} is a file, not a folder")
    others = [p.name for p in target.iterdir() if p.name not in KEPT] if target.is_dir() else []
    if others and not (target / STAMP).is_file():
        raise OutFolderError(
            f"--out {out} is not empty and holds no earlier build ({STAMP}); a build replaces "
            "its folder whole, so it will not write there"
        )


def refuse_invalid(result: CheckResult) -> None:
    """Refuse to publish data that does not pass `detente check`."""
    if not result.outcome.conforms:
        raise BuildError(
            "the data does not pass `detente check` (run it to see why); nothing was published"
        )


def build(
    project: Project,
    out: Path,
    base_url: str = DEFAULT_BASE_URL,
    force: bool = False,
    check: bool = True,
    web_root: Path | None = None,
    step: Step = lambda _: None,
) -> Built:
    """Write the publication into `out` (replaced whole, only once the build has succeeded)."""
    started = time.perf_counter()
    base_url = valid_base_url(base_url)
    refuse_unsafe_out(project, out)
    stamp = stamp_of(project, base_url + "\0" + str(web_root or out.resolve()))
    if not force and up_to_date(out, stamp):
        return Built(out, True, time.perf_counter() - started)
    if check:
        step("checking the data (detente check)")
        refuse_invalid(check_project(project))
    step("loading the project and its OWL 2 RL closure")
    sources = load_sources(project)
    closed = close(sources.merged())
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        built = write_publication(
            project, sources, closed, staging, base_url, web_root or out.resolve(), step
        )
        (staging / STAMP).write_text(stamp + "\n", encoding="utf-8")
        replace_folder(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    built.out = out
    built.seconds = time.perf_counter() - started
    return built


def replace_folder(new: Path, old: Path) -> None:
    """Put a finished folder in the place of another, the old one removed afterwards."""
    new.chmod(0o755)
    for name in KEPT:
        if (old / name).is_dir() and not (new / name).exists():
            shutil.copytree(old / name, new / name)
    if old.exists():
        trash = Path(tempfile.mkdtemp(prefix=f".{old.name}.old.", dir=old.parent))
        old.rename(trash / old.name)
        new.rename(old)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        new.rename(old)


def version_of(sources: Sources) -> str:
    """The published version: the ontology's owl:versionInfo."""
    info = sources.ontology.value(URIRef(ONTOLOGY_IRI), OWL.versionInfo)
    return str(info) if info is not None else "0"


def write_publication(
    project: Project,
    sources: Sources,
    closed: Graph,
    root: Path,
    base_url: str,
    web_root: Path,
    step: Step,
) -> Built:
    """Write every file of the publication under root (to be served from web_root)."""
    site = Site.of(sources, closed, version_of(sources), base_url)
    context = context_of(sources.data)
    for prefix, namespace in context_of(site.union).items():
        if namespace not in context.values():
            context.setdefault(prefix, namespace)
    write_context(root, context)
    dumps = write_dumps(root, sources, closed, context, step)
    step("documents: one per thing")
    written = write_documents(site, root, context, step)
    step("ontology documentation")
    checks = project.root / "scripts" / "checks"
    for extension, text in ontology_documents(site, checks, context).items():
        write_file(root, f"ontology.{extension}", text)
    step("answering the questions")
    chosen = questions(project.root / "scripts" / "questions")
    answered: list[tuple[Question, Results]] = [
        (question, results) for question, results, _ in answer_all(sources, chosen)
    ]
    step("pictures")
    timeline = pictures.timeline(site.union)
    network = pictures.network(site.union)
    write_file(root, "pictures/timeline.svg", timeline)
    write_file(root, "pictures/network.svg", network)
    step("index, query page, dataset description")
    write_file(
        root,
        "index.html",
        home.index_page(site, answered, dumps, len(written), timeline, network),
    )
    write_file(root, "sparql.html", site.render("sparql.html", "", questions=chosen))
    issued = datetime.date.today().isoformat()
    void = canonical_turtle(describe(sources, dumps, base_url, site.version, issued))
    write_file(root, "void.ttl", void)
    write_file(root, ".well-known/void", void)
    copy_static(root)
    (root / "favicon.ico").write_bytes(favicon())
    configs.write_configs(root, base_url, web_root)
    files = sum(1 for p in root.rglob("*") if p.is_file())
    return Built(root, False, 0.0, len(written), dumps, files)


def favicon(size: int = 16, bgra: bytes = b"\xa8\x5f\x1f\xff") -> bytes:
    """A small square icon in the ICO format (browsers ask every site for /favicon.ico)."""
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    pixels = bgra * size * size + b"\0" * (size * ((size + 31) // 32) * 4)  # colours, AND mask
    image = header + pixels
    entry = struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(image), 6 + 16)
    return struct.pack("<HHH", 0, 1, 1) + entry + image


def copy_static(root: Path) -> None:
    """Copy the stylesheet and scripts into root/static."""
    static = Path(str(resources.files("detente.publish") / "static"))
    target = root / "static"
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(static.iterdir()):
        if path.is_file():
            shutil.copyfile(path, target / path.name)
