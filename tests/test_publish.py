"""`detente build`: the pages people read, written from what the article says.

The expected facts come from the article (see data/dw-2023-05-30.ttl for where each is said):
Li Shangfu was to meet Lloyd Austin at the 2023 Shangri-La Dialogue, China refused; the U.S.
sanctioned Li in 2018; Sullivan met Wang Yi in Vienna; Qin Gang met Burns in early May.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import copy_project, digest, run
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF

from detente.kg import DET, ID, Project
from detente.publish.build import build
from detente.publish.pages import When, span

PERSON = "doc/person/li-shangfu"
AUSTIN = "doc/person/lloyd-austin"
REFUSED = "doc/meeting/2023-austin-li-shangri-la"
HELD = "doc/meeting/2023-sullivan-wang-yi-vienna"


class Page(HTMLParser):
    """An HTML page's links, alternates, embedded JSON-LD, and elements' classes and text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.alternates: dict[str, str] = {}
        self.json_ld: list[str] = []
        self.classes: list[str] = []
        self.statuses: list[str] = []
        self._in_json = False
        self.text_parts: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note links, alternates, classes, statuses; enter JSON-LD scripts."""
        found = dict(attrs)
        if tag == "a" and found.get("href"):
            self.links.append(found["href"] or "")
        if tag == "link" and found.get("rel") == "alternate":
            self.alternates[found.get("type") or ""] = found.get("href") or ""
        if tag == "script" and found.get("type") == "application/ld+json":
            self._in_json = True
        self.classes += (found.get("class") or "").split()
        if found.get("data-status"):
            self.statuses.append(found["data-status"] or "")

    def handle_endtag(self, tag: str) -> None:
        """Leave a script."""
        if tag == "script":
            self._in_json = False

    def handle_data(self, data: str) -> None:
        """Keep text, and the JSON-LD apart."""
        if self._in_json:
            self.json_ld.append(data)
        else:
            self.text_parts.append(data)

    @property
    def text(self) -> str:
        """The visible text, whitespace collapsed."""
        return re.sub(r"\s+", " ", " ".join(self.text_parts))


def page(publication: Path, path: str) -> Page:
    """A page of the publication, parsed."""
    return Page((publication / f"{path}.html").read_text(encoding="utf-8"))


# ------------------------------------------------------------------ dates in words


def test_vague_dates_read_as_the_report_wrote_them_with_their_bounds() -> None:
    import datetime

    def d(text: str) -> datetime.date:
        return datetime.date.fromisoformat(text)

    early_may = When("in early May", d("2023-05-01"), None, None, d("2023-05-10"), "tenDays", None)
    assert early_may.text == "in early May (1\u201310 May 2023)"
    since = When(
        "Since February this year",
        d("2023-02-01"),
        d("2023-02-28"),
        d("2023-05-30"),
        None,
        "",
        None,
    )
    assert (
        since.bounds == "began 1\u201328 February 2023; still going on 30 May 2023, end not known"
    )
    implied = When(None, None, None, None, d("2023-05-10"), None, None)
    assert implied.text == "on or before 10 May 2023"
    assert span(d("2018-01-01"), d("2018-12-31")) == "1 January \u2013 31 December 2018"


# ------------------------------------------------------------------ the pages


def test_a_person_page_lists_what_names_the_person(publication: Path) -> None:
    li = page(publication, PERSON)
    assert "Li Shangfu" in li.text
    # The refused meeting, the 2018 sanction and his two offices all name him.
    for target in (
        "meeting/2023-austin-li-shangri-la.html",
        "sanction/2018-us-li-shangfu.html",
        "tenure/li-shangfu-defense-minister.html",
        "tenure/li-shangfu-edd-head.html",
    ):
        assert f"../../doc/{target}" in li.links, target
    for group in ("Meetings", "Sanctions", "Offices (tenures)"):
        assert group in li.text


def test_requests_and_refusals_around_a_person_are_listed(publication: Path) -> None:
    austin = page(publication, AUSTIN)
    # Austin asked to speak with his Chinese counterparts and was refused; the U.S. asked
    # for his meeting with Li, and China refused that too.
    for target in (
        "request/2023-austin-talks-chinese-counterparts.html",
        "request/2023-us-austin-li-shangri-la.html",
        "rejection/2023-china-austin-talks.html",
        "rejection/2023-china-austin-li-shangri-la.html",
    ):
        assert f"../../doc/{target}" in austin.links, target
    assert "Refusals" in austin.text and "Requests" in austin.text


def test_a_meeting_that_did_not_happen_looks_different_from_a_held_one(
    publication: Path,
) -> None:
    refused = page(publication, REFUSED)
    held = page(publication, HELD)
    assert "not-held" in refused.classes and refused.statuses == ["rejected"]
    assert "This did not take place" in refused.text
    assert "not-held" not in held.classes and "status-held" in held.classes
    assert "This took place" in held.text
    # The refused meeting's date is a weekend window, shown with the report's words.
    assert "this weekend (June 2-4)" in refused.text and "2\u20134 June 2023" in refused.text
    # Its facts cite the report, and its quotes are the article's words.
    assert "Deutsche Welle, 2023-05-30" in refused.text
    assert "China rejected the US request for a meeting" in refused.text


def test_vague_dates_are_shown_with_words_and_bounds(publication: Path) -> None:
    qin = page(publication, "doc/meeting/2023-qin-gang-burns-beijing")
    assert "in early May" in qin.text and "1\u201310 May 2023" in qin.text
    sanction = page(publication, "doc/sanction/2018-us-li-shangfu")
    assert "In 2018" in sanction.text and "1 January \u2013 31 December 2018" in sanction.text


@pytest.mark.parametrize("path", [PERSON, REFUSED, HELD, "doc/report/dw-2023-05-30"])
def test_each_page_links_its_formats_and_embeds_its_json_ld(publication: Path, path: str) -> None:
    html = page(publication, path)
    slug = path.rsplit("/", 1)[1]
    assert html.alternates == {
        "text/html": f"{slug}.html",
        "text/turtle": f"{slug}.ttl",
        "application/ld+json": f"{slug}.jsonld",
        "application/n-triples": f"{slug}.nt",
    }
    embedded = Graph().parse(data="".join(html.json_ld), format="json-ld")
    turtle = Graph().parse(publication / f"{path}.ttl", format="turtle")
    triples = Graph().parse(publication / f"{path}.nt", format="nt")
    assert isomorphic(embedded, turtle) and isomorphic(turtle, triples)
    thing = URIRef(ID + path.removeprefix("doc/"))
    assert (thing, RDF.type, None) in turtle


def test_a_document_holds_the_triples_that_point_at_its_thing(publication: Path) -> None:
    doc = Graph().parse(publication / f"{PERSON}.ttl", format="turtle")
    li = URIRef(ID + "person/li-shangfu")
    sanction = URIRef(ID + "sanction/2018-us-li-shangfu")
    assert (sanction, DET.target, li) in doc
    assert (sanction, RDF.type, DET.Sanction) in doc  # the neighbour's type, to read it by


def test_every_thing_of_the_data_has_its_documents(publication: Path, sources: object) -> None:
    from detente.kg import Sources

    assert isinstance(sources, Sources)
    things = {
        str(s)[len(ID) :]
        for s in sources.data.subjects()
        if isinstance(s, URIRef) and str(s).startswith(ID)
    }
    assert len(things) > 100
    for thing in things:
        for extension in ("html", "ttl", "jsonld", "nt"):
            assert (publication / "doc" / f"{thing}.{extension}").is_file(), thing


def test_the_ontology_page_documents_every_term_and_the_shapes(
    publication: Path, sources: object
) -> None:
    from rdflib.namespace import OWL, SH

    from detente.kg import Sources

    assert isinstance(sources, Sources)
    text = (publication / "ontology.html").read_text(encoding="utf-8")
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in sources.ontology.subjects(RDF.type, kind):
            if str(term).startswith(str(DET)):
                assert f'id="{str(term)[len(str(DET)) :]}"' in text, term
    for shape in sources.shapes.subjects(RDF.type, SH.NodeShape):
        assert str(shape).split("#")[1] in text
    # The date rules are part of the documentation.
    assert "earliest &lt;= latestStart &lt;= earliestEnd &lt;= latest" in text
    assert "padded-date-violation" in text


def test_the_index_answers_every_question(publication: Path, project: Project) -> None:
    index = page(publication, "index")
    text = (publication / "index.html").read_text(encoding="utf-8")
    for script in sorted((project.root / "scripts" / "questions").glob("*.rq")):
        expected = project.root / "tests" / "expected" / f"{script.stem}.csv"
        rows = len(expected.read_text(encoding="utf-8").strip().splitlines()) - 1
        found = re.search(rf'id="q-{script.stem}">.*?(\d+) rows?</span>', text, re.DOTALL)
        assert found and int(found.group(1)) == rows, script.stem
    assert "pictures/timeline.svg" in index.links and "pictures/network.svg" in index.links
    assert "dumps/detente-data.ttl" in index.links and "sparql.html" in index.links
    assert text.count("<svg") >= 2  # both pictures inline, their links clickable


def test_no_page_needs_the_network(publication: Path) -> None:
    for path in publication.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for url in re.findall(r'(?:src|href)="(https?://[^"]+)"', text):
            assert not url.endswith((".css", ".js")), f"{path}: loads {url}"
        assert '<script src="http' not in text


# ------------------------------------------------------------------ the build


def test_a_second_build_with_nothing_changed_writes_nothing(
    publication: Path, project: Project
) -> None:
    before = digest(publication)
    again = build(project, publication)
    assert again.skipped
    assert digest(publication) == before


def test_invalid_data_is_not_published(project: Project, tmp_path: Path) -> None:
    bad = copy_project(
        project,
        tmp_path / "project",
        {"broken.ttl": (project.root / "data" / "dw-2023-05-30.ttl")
         .read_text(encoding="utf-8")
         .replace('det:latest "2018-12-31"^^xsd:date', 'det:latest "2017-12-31"^^xsd:date')},
    )  # fmt: skip
    out = tmp_path / "dist"
    out.mkdir()
    (out / ".build-stamp").write_text("an earlier build\n", encoding="utf-8")
    (out / "keep.txt").write_text("an earlier publication", encoding="utf-8")
    before = digest(out)
    code, stdout, stderr = run("build", "--project", bad, "--out", out)
    assert code == 1, stdout + stderr
    assert "does not pass `detente check`" in stderr
    assert digest(out) == before


def test_a_bad_base_url_is_refused_before_anything_is_written(
    tmp_path: Path, project: Project
) -> None:
    code, _, stderr = run(
        "build", "--project", project.root, "--out", tmp_path / "d", "--base-url", "ftp://x"
    )
    assert code == 2 and "--base-url" in stderr
    assert not (tmp_path / "d").exists()


def test_build_from_the_command_line_says_where_to_look(
    publication: Path, project: Project
) -> None:
    code, stdout, _ = run("build", "--project", project.root, "--out", publication)
    assert code == 0 and "up to date" in stdout
    void = json.dumps(sorted(p.name for p in publication.iterdir()))
    for name in ("index.html", "ontology.html", "sparql.html", "void.ttl", "context.jsonld", "doc"):
        assert name in void


def test_a_build_never_replaces_the_project_or_a_folder_of_other_things(
    project: Project, tmp_path: Path
) -> None:
    root = copy_project(project, tmp_path / "project")
    (root / "notes.txt").write_text("mine", encoding="utf-8")
    before = digest(root)
    for out in (root, root / "data", tmp_path):  # the project, a source folder, its parent
        code, _, stderr = run("build", "--project", root, "--out", out)
        assert code == 2, stderr
        assert "--out" in stderr and "Traceback" not in stderr
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "photo.jpg").write_bytes(b"not a build")
    code, _, stderr = run("build", "--project", root, "--out", other)
    assert code == 2 and "holds no earlier build" in stderr
    assert (other / "photo.jpg").read_bytes() == b"not a build"
    # The browser tests' screenshots alone (dist/screenshots/ before any build) are kept.
    shots = tmp_path / "shots-only"
    (shots / "screenshots").mkdir(parents=True)
    (shots / "screenshots" / "index.png").write_bytes(b"png")
    code, _, stderr = run("build", "--project", root, "--out", shots, "--no-check")
    assert code == 0, stderr
    assert (shots / "screenshots" / "index.png").read_bytes() == b"png"
    assert (shots / "index.html").is_file()
    assert digest(root) == before


def test_a_syntax_error_in_the_data_names_its_file_and_line(
    project: Project, tmp_path: Path
) -> None:
    root = copy_project(project, tmp_path / "project")
    data = root / "data" / "dw-2023-05-30.ttl"
    lines = data.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[40] = "this is not turtle ;;\n"
    data.write_text("".join(lines), encoding="utf-8")
    code, _, stderr = run("build", "--project", root, "--out", tmp_path / "dist")
    assert code == 2
    assert f"{data}:41:" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "dist").exists()
