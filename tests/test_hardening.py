"""Hardening: no fallback project, hostile or odd input, SPARQL that would reach out, --bind,
result formats, the SHACL report in Turtle, literals kept as written, and prefixes kept.

Everything runs in-process through click's CliRunner with `--project` given explicitly; anything
that could write works on a copy of the project under tmp_path.
"""

from __future__ import annotations

import csv
import io
import json
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import Result
from conftest import copy_project, digest, invoke, run
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.query import Result as SparqlResult

from detente.kg import Project
from detente.read import parse_rdf

ROOT = Path(__file__).resolve().parents[1]
VALID_DIR = ROOT / "tests" / "contributions" / "valid"
INVALID_DIR = ROOT / "tests" / "contributions" / "invalid"
ID = "https://w3id.org/detente/id/"
LINE = URIRef("https://w3id.org/detente/report#line")
CHECK_NS = "https://w3id.org/detente/checks#"
LI = f"<{ID}person/li-shangfu>"
COMMENT = "<http://www.w3.org/2000/01/rdf-schema#comment>"


def assert_clean_error(result: Result, *names: str) -> None:
    """Exit 2 through the command's own error path: no exception escaped, no traceback, nothing
    on stdout, and the error names each of `names`."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    for name in names:
        assert name in result.stderr, result.stderr


@contextmanager
def listener() -> Iterator[tuple[int, list[str]]]:
    """A local socket (127.0.0.1, a free port) that records every connection made to it.

    Each connection is accepted, its first bytes kept, and closed at once, so that a client
    that does connect fails fast instead of waiting for an answer.
    """
    seen: list[str] = []
    stop = threading.Event()
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.settimeout(0.1)

        def take(connection: socket.socket) -> None:
            with connection:
                connection.settimeout(0.5)
                try:
                    seen.append(connection.recv(200).decode("latin-1"))
                except OSError:
                    seen.append("")

        def serve() -> None:
            while not stop.is_set():
                try:
                    connection, _ = server.accept()
                except OSError:  # the timeout: look at the stop flag again
                    continue
                take(connection)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        try:
            yield server.getsockname()[1], seen
        finally:
            stop.set()
            thread.join()
            server.setblocking(False)
            while True:  # connections made but not yet accepted
                try:
                    connection, _ = server.accept()
                except OSError:
                    break
                connection.setblocking(True)
                take(connection)


# ------------------------------------------------------------------ 1. no project, no fallback


@pytest.mark.parametrize(
    "command",
    [
        ["check"],
        ["fmt", "--check"],
        ["query", "--list"],
        ["query", "offices"],
        ["add", str(VALID_DIR / "visit.ttl")],
        ["check", str(VALID_DIR / "visit.ttl")],
    ],
    ids=lambda command: " ".join(Path(part).name for part in command),
)
@pytest.mark.parametrize("where", ["missing", "empty", "subfolder"])
def test_no_project_exits_2_and_never_falls_back(
    command: list[str],
    where: str,
    project: Project,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The working folder is inside the real project: a fallback would find it.
    monkeypatch.chdir(project.root)
    folder = {
        "missing": tmp_path / "nonexistent",
        "empty": tmp_path,
        "subfolder": project.root / "data",  # inside a project, but not one itself
    }[where]
    before = digest(project.root / "data")
    result = invoke(*command, "--project", str(folder))
    assert_clean_error(result, "no detente project", str(folder))
    assert digest(project.root / "data") == before


def test_nonexistent_root_path_is_no_project() -> None:
    assert not Path("/nonexistent").exists()
    assert_clean_error(invoke("check", "--project", "/nonexistent"), "no detente project")


# ------------------------------------------------------------------ 2. contributions (JSON-LD)


def _deep_json_ld(depth: int) -> str:
    """A JSON-LD object whose one value is nested `depth` arrays deep."""
    return (
        '{"@id": "https://w3id.org/detente/id/person/li-shangfu", '
        '"https://w3id.org/detente/ontology#quote": ' + "[" * depth + "]" * depth + "}"
    )


@pytest.mark.parametrize(
    "text",
    [_deep_json_ld(100_000), '{"a": ' * 100_000 + "1" + "}" * 100_000],
    ids=["arrays", "objects"],
)
def test_json_ld_nested_100000_deep_is_refused_naming_the_file(
    text: str, project: Project, tmp_path: Path
) -> None:
    path = tmp_path / "deep.jsonld"
    path.write_text(text, encoding="utf-8")
    result = invoke("check", str(path), "--format", "json", "--project", str(project.root))
    assert_clean_error(result, str(path))


def test_json_ld_nested_100000_deep_in_a_real_process(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonld"
    path.write_text(_deep_json_ld(100_000), encoding="utf-8")
    process = subprocess.run(
        [sys.executable, "-m", "detente", "check", str(path), "--project", str(project.root)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert process.returncode == 2
    assert process.stdout == ""
    assert f"detente: {path}" in process.stderr
    assert "internal error" not in process.stderr and "Traceback" not in process.stderr


@pytest.mark.parametrize("suffix", [".nt", ".ttl"])
def test_line_separator_in_a_literal_does_not_shift_finding_lines(
    suffix: str, project: Project, tmp_path: Path
) -> None:
    # U+2028 and U+0085 are line breaks for str.splitlines(), not for RDF.
    path = tmp_path / f"separator{suffix}"
    path.write_text(
        "# a literal with U+2028 and U+0085 on line 2; an undefined term on line 4\n"
        f'{LI} {COMMENT} "before\u2028after\u0085end" .\n'
        f'{LI} {COMMENT} "fine" .\n'
        f'{LI} <https://w3id.org/detente/ontology#nosuchProperty> "x" .\n',
        encoding="utf-8",
    )
    result = invoke("check", str(path), "--format", "json", "--project", str(project.root))
    assert result.exit_code == 1, result.stdout + result.stderr
    findings = json.loads(result.stdout)["findings"]
    # the file names no report either: that finding is at its first triple, line 2
    assert sorted((f["rule"], f["focus"], f["line"]) for f in findings) == [
        ("policy:no-report", "person:li-shangfu", 2),
        ("policy:undefined-term", "det:nosuchProperty", 4),
    ]


# ------------------------------------------------------------------ 3. limits


def test_more_triples_than_max_triples_is_refused(project: Project, tmp_path: Path) -> None:
    path = tmp_path / "many.nt"
    path.write_text(
        "".join(f'{LI} {COMMENT} "comment {n}" .\n' for n in range(60)), encoding="utf-8"
    )
    result = invoke("check", str(path), "--max-triples", "50", "--project", str(project.root))
    # refused while parsing, at the 51st statement: the rest of the file is never read
    assert_clean_error(result, f"{path}:51", "more than 50 statements, over the limit")


def test_as_many_triples_as_max_triples_is_judged(project: Project, tmp_path: Path) -> None:
    # 49 comments on a statement of the DW article, and the report they come from: 50 triples.
    statement = f"<{ID}statement/2023-cooper-china-strategy>"
    path = tmp_path / "enough.nt"
    path.write_text(
        "".join(f'{statement} {COMMENT} "comment {n}" .\n' for n in range(49))
        + f"{statement} <https://w3id.org/detente/ontology#source> <{ID}report/dw-2023-05-30> .\n",
        encoding="utf-8",
    )
    code, out, err = run("check", str(path), "--max-triples", "50", "--project", str(project.root))
    assert code == 0, out + err


@pytest.mark.parametrize(
    "name, options",
    [
        ("contribution.ttl", []),
        ("folder", ["--input-format", "turtle"]),
        ("folder", []),
    ],
    ids=["with-suffix", "with-input-format", "plain"],
)
def test_a_directory_is_not_a_contribution(
    name: str, options: list[str], project: Project, tmp_path: Path
) -> None:
    folder = tmp_path / name
    folder.mkdir()
    result = invoke("check", str(folder), *options, "--project", str(project.root))
    assert_clean_error(result, str(folder), "not a regular file")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_a_byte_order_mark_is_refused(
    encoding: str, project: Project, tmp_path: Path
) -> None:
    text = (VALID_DIR / "visit.ttl").read_text(encoding="utf-8")
    path = tmp_path / "visit.ttl"
    # "utf-16" writes its own byte-order mark; the -le and -be codecs need one written.
    raw = text.encode("utf-16") if encoding == "utf-16" else ("\ufeff" + text).encode(encoding)
    assert raw[:2] in (b"\xff\xfe", b"\xfe\xff")
    path.write_bytes(raw)
    result = invoke("check", str(path), "--project", str(project.root))
    assert_clean_error(result, f"{path}:1:1:", "UTF-16")


# ------------------------------------------------------------------ 4. SPARQL reaching out

SERVICE_QUERY = (
    "# Calls another endpoint.\n"
    "SELECT ?s ?p ?o WHERE {{\n  SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }}\n}}\n"
)
FROM_QUERY = (
    "# Loads another graph.\n"
    "SELECT ?s ?p ?o\nFROM <http://127.0.0.1:{port}/graph.ttl>\nWHERE {{ ?s ?p ?o }}\n"
)
FROM_NAMED_QUERY = (
    "# Loads a named graph.\n"
    "SELECT * FROM NAMED <http://127.0.0.1:{port}/g.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}\n"
)


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
@pytest.mark.parametrize(
    "template",
    [SERVICE_QUERY, FROM_QUERY, FROM_NAMED_QUERY],
    ids=["service", "from", "from-named"],
)
def test_query_reaching_beyond_the_graph_is_refused(
    template: str, engine: str, project: Project, tmp_path: Path
) -> None:
    path = tmp_path / "remote.rq"
    with listener() as (port, seen):
        path.write_text(template.format(port=port), encoding="utf-8")
        result = invoke("query", str(path), "--engine", engine, "--project", str(project.root))
    assert seen == []
    assert_clean_error(result, str(path), "is refused")


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_query_with_service_spelt_with_a_unicode_escape_reaches_nothing(
    engine: str, project: Project, tmp_path: Path
) -> None:
    # SPARQL expands \u escapes before parsing: SERVI\u0043E is SERVICE.
    path = tmp_path / "escaped.rq"
    with listener() as (port, seen):
        path.write_text(
            "# Calls another endpoint, the keyword escaped.\n"
            f"SELECT * WHERE {{ SERVI\\u0043E <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}\n",
            encoding="utf-8",
        )
        result = invoke("query", str(path), "--engine", engine, "--project", str(project.root))
    assert seen == []
    assert_clean_error(result, str(path))


def _with_check(project: Project, tmp_path: Path, text: str) -> tuple[Path, Path]:
    """A project copy with one more check, scripts/checks/x-violation.rq; (root, check)."""
    root = copy_project(project, tmp_path / "project")
    check = root / "scripts" / "checks" / "x-violation.rq"
    check.write_text(text, encoding="utf-8")
    return root, check


@pytest.mark.parametrize("contribution", [False, True], ids=["whole-graph", "contribution"])
def test_check_script_with_service_is_refused(
    contribution: bool, project: Project, tmp_path: Path
) -> None:
    with listener() as (port, seen):
        root, check = _with_check(
            project,
            tmp_path,
            "# A check that calls another endpoint.\n# severity: ERROR\n"
            "SELECT ?this WHERE {\n"
            f"  SERVICE <http://127.0.0.1:{port}/sparql> {{ ?this ?p ?o }}\n}}\n",
        )
        files = [str(VALID_DIR / "visit.ttl")] if contribution else []
        result = invoke("check", *files, "--project", str(root))
    assert seen == []
    assert_clean_error(result, str(check), "SERVICE is refused")


@pytest.mark.parametrize(
    "text, message",
    [
        ("# No severity header.\nSELECT ?this WHERE { ?this ?p ?o }\n", "# severity:"),
        ("# A syntax error.\n# severity: ERROR\nSELECT ?this WHERE { ?this ?p }\n", "syntax"),
        (
            "# Not a SELECT.\n# severity: ERROR\nCONSTRUCT { ?this ?p ?o } WHERE { ?this ?p ?o }\n",
            "SELECT",
        ),
    ],
    ids=["no-severity", "syntax-error", "construct"],
)
def test_broken_check_script_exits_2_naming_it(
    text: str, message: str, project: Project, tmp_path: Path
) -> None:
    root, check = _with_check(project, tmp_path, text)
    assert_clean_error(invoke("check", "--project", str(root)), str(check), message)


# ------------------------------------------------------------------ 5. --bind


@pytest.mark.parametrize(
    "binds, message",
    [
        (["holder=http://x>}#"], "invalid IRI"),
        (["holder=<http://x>}#>"], "invalid IRI"),
        (["holder=http://x/a b"], "invalid IRI"),
        (["nosuch=person/li-shangfu"], "has no ?nosuch"),
        (["holder=person/li-shangfu", "holder=person/qin-gang"], "twice"),
        (["holder=person/li-shangfu", "?holder=person/qin-gang"], "twice"),
        (["ho lder=person/li-shangfu"], "--bind"),
        (["holder[0]=person/li-shangfu"], "--bind"),
        (["holder}=x"], "--bind"),
        (["holder"], "--bind"),
    ],
    ids=[
        "iri-with-gt-brace",
        "bracketed-iri-with-gt-brace",
        "iri-with-space",
        "unknown-variable",
        "twice",
        "twice-with-question-mark",
        "name-with-space",
        "name-with-brackets",
        "name-with-brace",
        "no-value",
    ],
)
def test_bad_bind_exits_2(binds: list[str], message: str, project: Project) -> None:
    options = [part for bind in binds for part in ("--bind", bind)]
    result = invoke("query", "offices", *options, "--project", str(project.root))
    assert_clean_error(result, message)


def test_bind_of_a_variable_named_only_in_a_comment_exits_2(
    project: Project, tmp_path: Path
) -> None:
    path = tmp_path / "ghost.rq"
    path.write_text(
        "# Bind ?ghost: only this comment names it.\nSELECT ?s WHERE { ?s a ?type } LIMIT 1\n",
        encoding="utf-8",
    )
    result = invoke("query", str(path), "--bind", "ghost=x", "--project", str(project.root))
    assert_clean_error(result, str(path), "has no ?ghost")


# ------------------------------------------------------------------ 6. result formats

TEXT = 'first line\nsecond\tcolumn "quoted", comma'
ODD_ANSWER = """# A literal with a newline and a tab, and a blank node.
SELECT ?text ?node ?lang WHERE {
  BIND ("first line\\nsecond\\tcolumn \\"quoted\\", comma" AS ?text)
  BIND (BNODE() AS ?node)
  BIND ("été"@fr AS ?lang)
}
"""


@pytest.fixture(scope="module")
def odd_question(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A question whose one answer holds a newline, a tab, quotes and a blank node."""
    path = tmp_path_factory.mktemp("questions") / "odd.rq"
    path.write_text(ODD_ANSWER, encoding="utf-8")
    return path


def _answer(question: Path, engine: str, output_format: str, root: Path) -> str:
    """The output of `detente query QUESTION` in a format."""
    code, out, err = run(
        "query",
        str(question),
        "--engine",
        engine,
        "--format",
        output_format,
        "--project",
        str(root),
    )
    assert code == 0, err
    return out


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_tsv_reads_back_as_the_same_terms(
    engine: str, odd_question: Path, project: Project
) -> None:
    out = _answer(odd_question, engine, "tsv", project.root)
    assert out.count("\n") == 2  # the header and one row: newlines in values are escaped
    parsed = SparqlResult.parse(io.StringIO(out), format="tsv")
    assert [str(v) for v in parsed.vars] == ["text", "node", "lang"]
    (row,) = list(parsed)
    assert row[0] == Literal(TEXT)
    assert isinstance(row[1], BNode)
    assert row[2] == Literal("été", lang="fr")


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_csv_quotes_values_and_writes_blank_nodes_as_underscore_colon(
    engine: str, odd_question: Path, project: Project
) -> None:
    out = _answer(odd_question, engine, "csv", project.root)
    header, row = list(csv.reader(io.StringIO(out, newline="")))
    assert header == ["text", "node", "lang"]
    assert row[0] == TEXT
    assert re.fullmatch(r"_:\S+", row[1]), row[1]
    assert row[2] == "été"


@pytest.mark.parametrize("engine", ["rdflib", "oxigraph"])
def test_json_results_keep_the_literal_and_the_blank_node(
    engine: str, odd_question: Path, project: Project
) -> None:
    document = json.loads(_answer(odd_question, engine, "json", project.root))
    assert document["head"]["vars"] == ["text", "node", "lang"]
    (binding,) = document["results"]["bindings"]
    assert binding["text"] == {"type": "literal", "value": TEXT}
    assert binding["node"]["type"] == "bnode"
    assert binding["lang"] == {"type": "literal", "value": "été", "xml:lang": "fr"}


@pytest.mark.parametrize(
    "args",
    [
        ["query", "--all", "--format", "json"],
        ["query", "--all", "--format", "csv"],
        ["query", "--all", "--format", "tsv"],
        ["query", "offices", "--all"],
    ],
    ids=["all-json", "all-csv", "all-tsv", "name-and-all"],
)
def test_all_with_a_machine_format_or_a_name_exits_2(args: list[str], project: Project) -> None:
    assert_clean_error(invoke(*args, "--project", str(project.root)), "--all")


# ------------------------------------------------------------------ 7. SHACL report in Turtle

# A meeting "at" a meeting instead of a conference (a shape), an ill-typed date (a check), a
# sameAs joining two persons (a policy) and a person declared an organisation (an
# inconsistency), all from one report.
MIXED = """@prefix det: <https://w3id.org/detente/ontology#> .
@prefix meeting: <https://w3id.org/detente/id/meeting/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix person: <https://w3id.org/detente/id/person/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix report: <https://w3id.org/detente/id/report/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

meeting:lonely a det:Meeting ;
    rdfs:label "a meeting at a meeting" ;
    det:atConference meeting:2023-austin-li-shangri-la ;
    det:proposedParticipant person:li-shangfu ;
    det:earliest "2023-02-30"^^xsd:date ;
    det:source report:dw-2023-05-30 ;
    det:quote "Li Shangfu" .
person:li-shangfu a det:Organization .
person:lloyd-austin owl:sameAs person:qin-gang .
"""


def _turtle_report(path: Path, root: Path) -> Graph:
    """`detente check PATH --format turtle`, parsed; the contribution must be rejected."""
    result = invoke("check", str(path), "--format", "turtle", "--project", str(root))
    assert result.exit_code == 1, result.stdout + result.stderr
    assert result.stderr.startswith("# rejected:")
    return Graph().parse(data=result.stdout, format="turtle")


def _results(report: Graph) -> list[BNode]:
    """The validation results of a report, each checked to be well formed."""
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == Literal(False)
    results = list(report.subjects(RDF.type, SH.ValidationResult))
    assert set(report.objects(node, SH.result)) == set(results)
    for result in results:
        for predicate in (
            SH.sourceConstraintComponent,
            SH.sourceShape,
            SH.focusNode,
            SH.resultSeverity,
            SH.resultMessage,
        ):
            assert len(list(report.objects(result, predicate))) == 1, (result, predicate)
        assert len(list(report.objects(result, LINE))) <= 1
    return results


def test_turtle_report_of_a_contribution_breaking_several_rules(
    project: Project, tmp_path: Path
) -> None:
    path = tmp_path / "mixed.ttl"
    path.write_text(MIXED, encoding="utf-8")
    report = _turtle_report(path, project.root)
    found = {
        (
            str(report.value(result, SH.sourceShape)),
            str(report.value(result, SH.focusNode)),
            report.value(result, LINE),
        )
        for result in _results(report)
    }

    def line(number: int) -> Literal:
        return Literal(number, datatype=XSD.integer)

    assert {(shape, focus) for shape, focus, _ in found} == {
        ("https://w3id.org/detente/shapes#EventShape-atConference", f"{ID}meeting/lonely"),
        (f"{CHECK_NS}ill-typed-literal", f"{ID}meeting/lonely"),
        ("https://w3id.org/detente/policy#same-as", f"{ID}person/lloyd-austin"),
        (f"{CHECK_NS}inconsistency", f"{ID}person/li-shangfu"),
    }
    lines = {shape.rsplit("#", 1)[1]: number for shape, _, number in found}
    assert lines["EventShape-atConference"] == line(11)  # the det:atConference triple
    assert lines["ill-typed-literal"] == line(13)
    assert lines["same-as"] == line(17)


def test_turtle_report_of_an_inconsistent_contribution(project: Project) -> None:
    # The one-line file names no report (a policy result) and breaks the graph (the other).
    path = INVALID_DIR / "breaks-graph-person-as-organization.ttl"
    report = _turtle_report(path, project.root)
    by_shape = {report.value(result, SH.sourceShape): result for result in _results(report)}
    assert set(by_shape) == {
        URIRef("https://w3id.org/detente/policy#no-report"),
        URIRef(f"{CHECK_NS}inconsistency"),
    }
    result = by_shape[URIRef(f"{CHECK_NS}inconsistency")]
    assert report.value(result, SH.focusNode) == URIRef(f"{ID}person/li-shangfu")
    assert report.value(result, SH.sourceShape) == URIRef(f"{CHECK_NS}inconsistency")
    assert report.value(result, SH.sourceConstraintComponent) == URIRef(
        f"{CHECK_NS}InconsistencyConstraintComponent"
    )
    assert report.value(result, SH.resultSeverity) == SH.Violation


def test_turtle_report_writes_the_line_with_the_report_namespace(project: Project) -> None:
    path = INVALID_DIR / "same-as-through-new-person.ttl"
    result = invoke("check", str(path), "--format", "turtle", "--project", str(project.root))
    assert result.exit_code == 1
    report = Graph().parse(data=result.stdout, format="turtle")
    found = sorted(
        (int(report.value(node, LINE)), str(report.value(node, SH.sourceShape)))
        for node in _results(report)
    )
    assert found == [
        (7, "https://w3id.org/detente/policy#no-report"),  # the first triple: no report named
        (9, "https://w3id.org/detente/policy#same-as"),
        (10, "https://w3id.org/detente/policy#same-as"),
    ]
    assert sorted(int(line) for line in report.objects(None, LINE)) == [7, 9, 10]


# ------------------------------------------------------------------ 8. literals as written

# Each case runs in a fresh process, and in-process after a `check` has run SHACL in the same
# process (as in a test session or any program that judges, then formats or adds).
PROCESSES = ["fresh-process", "after-check"]
DET = Namespace("https://w3id.org/detente/ontology#")
DET_X = DET.x
PREFIXES = (
    "@prefix det: <https://w3id.org/detente/ontology#> .\n"
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n"
)


def detente(process: str, *args: str) -> tuple[int, str, str]:
    """Run detente in a fresh process, or in-process after a `check` that runs SHACL."""
    if process == "fresh-process":
        done = subprocess.run(
            [sys.executable, "-m", "detente", *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        return done.returncode, done.stdout, done.stderr
    code, out, err = run("check", str(VALID_DIR / "visit.ttl"), "--project", str(ROOT))
    assert code == 0, out + err
    return run(*args)


def _values(path: Path, predicate: URIRef) -> list[tuple[str, URIRef | None]]:
    """(lexical form, datatype) of a predicate's values in a Turtle file, as detente reads it.

    detente keeps every literal as written, whatever rdflib's global normalisation says.
    """
    text = path.read_text(encoding="utf-8")
    graph = parse_rdf(text, str(path), "turtle").graph
    return [(str(o), getattr(o, "datatype", None)) for o in graph.objects(None, predicate)]


@pytest.mark.parametrize("process", PROCESSES)
def test_fmt_never_loses_a_padded_integer(process: str, tmp_path: Path) -> None:
    """rdflib's serializer wrote "01"^^xsd:integer as a bare 01, which reads back as 1; the
    canonical writer keeps every literal as written, so fmt formats and loses nothing."""
    path = tmp_path / "padded.ttl"
    original = PREFIXES + f'<{ID}person/b>   det:x "01"^^xsd:integer .\n'
    path.write_text(original, encoding="utf-8")
    code, _, err = detente(process, "fmt", str(path))
    assert code == 0, err
    assert path.read_text(encoding="utf-8") != original  # the spacing was not canonical
    assert '"01"^^xsd:integer' in path.read_text(encoding="utf-8")
    assert _values(path, DET_X) == [("01", XSD.integer)]


@pytest.mark.parametrize("process", PROCESSES)
def test_fmt_keeps_a_boolean_written_1(process: str, tmp_path: Path) -> None:
    """ "1"^^xsd:boolean is not "true"^^xsd:boolean as written: fmt keeps it as it is."""
    path = tmp_path / "boolean.ttl"
    original = PREFIXES + f'<{ID}person/b>   det:x "1"^^xsd:boolean .\n'
    path.write_text(original, encoding="utf-8")
    code, out, err = detente(process, "fmt", str(path))
    assert code == 0, out + err
    assert '"1"^^xsd:boolean' in path.read_text(encoding="utf-8")
    assert _values(path, DET_X) == [("1", XSD.boolean)]


def _boolean_written_1(tmp_path: Path) -> Path:
    """The valid request for comment, with det:respondedImmediately written "1"."""
    text = (VALID_DIR / "comment-request.rdf").read_text(encoding="utf-8")
    one = text.replace(">false</det:respondedImmediately>", ">1</det:respondedImmediately>")
    assert one != text
    path = tmp_path / "comment-request.rdf"
    path.write_text(one, encoding="utf-8")
    return path


@pytest.mark.parametrize("process", PROCESSES)
def test_add_of_a_boolean_written_1_keeps_it_as_written(
    process: str, project: Project, tmp_path: Path
) -> None:
    root = copy_project(project, tmp_path / "project", judged=True)
    path = _boolean_written_1(tmp_path)
    code, out, err = detente(process, "add", str(path), "--project", str(root))
    assert code == 0, out + err
    written = root / "data" / "example-daily-2023-06-03.ttl"
    assert '"1"^^xsd:boolean' in written.read_text(encoding="utf-8")
    assert _values(written, DET.respondedImmediately) == [("1", XSD.boolean)]


def test_add_to_a_file_keeps_its_literals_as_written(project: Project, tmp_path: Path) -> None:
    # The report's file holds a "1"^^xsd:boolean already; adding the report's own description
    # to it must write that literal as written, or refuse the add.
    root = copy_project(project, tmp_path / "project", judged=True)
    target = root / "data" / "example-daily-2023-06-03.ttl"
    target.write_text(
        PREFIXES
        + f"""<{ID}request/2023-example-comment> a det:CommentRequest ;
    <http://www.w3.org/2000/01/rdf-schema#label> "A request for comment" ;
    det:requester <{ID}org/example-daily> ;
    det:addressee <{ID}org/chinese-embassy-washington> ;
    det:respondedImmediately "1"^^xsd:boolean ;
    det:quote "did not immediately respond" ;
    det:source <{ID}report/example-daily-2023-06-03> .
""",
        encoding="utf-8",
    )
    source = VALID_DIR / "report-example-daily.nt"
    code, out, err = detente("fresh-process", "add", str(source), "--project", str(root))
    assert code in (0, 2), out + err
    assert _values(target, DET.respondedImmediately) == [("1", XSD.boolean)]


# ------------------------------------------------------------------ 9. add keeps our prefixes


def test_add_of_n_triples_writes_the_project_prefixes(project: Project, tmp_path: Path) -> None:
    root = copy_project(project, tmp_path / "project", judged=True)
    source = VALID_DIR / "report-example-daily.nt"
    code, out, err = run("add", str(source), "--project", str(root))
    assert code == 0, out + err
    written = root / "data" / "example-daily-2023-06-03.ttl"  # the file of the report
    text = written.read_text(encoding="utf-8")
    assert "@prefix det: <https://w3id.org/detente/ontology#> ." in text
    assert "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ." in text
    assert re.search(r"\bns\d+:", text) is None
    assert "det:NewsArticle" in text and "rdfs:label" in text
    body = "\n".join(line for line in text.splitlines() if not line.startswith(("@", "#")))
    assert "<https://w3id.org/detente/ontology#" not in body
    contributed = Graph().parse(source, format="nt")
    assert set(Graph().parse(written, format="turtle")) == set(contributed)


# ------------------------------------------------------------------ 10. help


def test_main_help_states_the_exit_codes() -> None:
    code, out, _ = run("--help")
    assert code == 0
    text = " ".join(out.split())
    assert "Exit codes" in text
    assert re.search(r"\b0 success", text)
    assert re.search(r"\b1 the input was judged and found wanting", text)
    assert re.search(r"\b2 the command could not run", text)


@pytest.mark.parametrize(
    ("document", "says"),
    [
        ('{"name": "x"}', True),  # no @context: the key maps to nothing
        (
            '{"@context": {"n": "http://www.w3.org/2000/01/rdf-schema#label"}, '
            '"@id": "not an iri", "n": "x"}',
            True,
        ),  # rdflib drops the node
        ("{}", False),
        ('{"@context": {"a": "http://e/"}}', False),
    ],
)
def test_json_ld_that_gives_no_triples_is_refused_saying_why(
    document: str, says: bool, project: Project, tmp_path: Path
) -> None:
    path = tmp_path / "quiet.jsonld"
    path.write_text(document, encoding="utf-8")
    result = invoke("check", str(path), "--project", str(project.root))
    assert_clean_error(result, str(path))
    if says:
        assert "the JSON-LD gives no triples" in result.stderr
    else:  # well-formed, but there is nothing to judge
        assert "the contribution holds no triples" in result.stderr
