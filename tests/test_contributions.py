"""`detente check FILE`: the contribution corpus of tests/contributions/, judged file by file.

Valid files are accepted (exit 0, nothing found); every invalid file declares in its sidecar
`.expect` exactly what must come out (tests/contributions/README.md). Hostile input is refused
without touching the network, data/ is never written, and no run prints a traceback.

The command runs in-process, the project's graphs read once for all the files (conftest.py);
a few files are also judged by `python -m detente` in a process of its own.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from conftest import digest, invoke
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from detente.read import read_rdf

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "contributions"
VALID_DIR = CORPUS / "valid"
INVALID_DIR = CORPUS / "invalid"
DATA = ROOT / "data"
VALID = sorted(path for path in VALID_DIR.iterdir() if path.is_file())
INVALID = sorted(
    path for path in INVALID_DIR.iterdir() if path.is_file() and path.suffix != ".expect"
)
SUFFIXES = {".ttl", ".trig", ".nt", ".nq", ".jsonld", ".rdf"}
LINE = URIRef("https://w3id.org/detente/report#line")
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


# ------------------------------------------------------------------ expectations


@dataclass
class Expected:
    """What a `.expect` sidecar declares must come out of `detente check FILE`."""

    exit: int
    findings: set[tuple[str, str, str]] = field(default_factory=set)
    inconsistent: set[str] = field(default_factory=set)
    messages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    positions: list[str] = field(default_factory=list)


def read_expectation(path: Path) -> Expected:
    """The expectation of a corpus file, from `<file>.expect`."""
    sidecar = path.with_name(path.name + ".expect")
    items: dict[str, list[str]] = {}
    for number, raw in enumerate(sidecar.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition(": ")
        if not sep or key not in {
            "exit",
            "finding",
            "inconsistent",
            "message",
            "error",
            "position",
        }:
            raise ValueError(f"{sidecar}:{number}: cannot read {raw!r}")
        items.setdefault(key, []).append(value.strip())
    (code,) = items.pop("exit")
    findings = set()
    for text in items.get("finding", []):
        rule, focus, line = text.split(" ")
        findings.add((rule, focus, line))
    expected = Expected(
        exit=int(code),
        findings=findings,
        inconsistent=set(items.get("inconsistent", [])),
        messages=items.get("message", []),
        errors=items.get("error", []),
        positions=items.get("position", []),
    )
    if expected.exit == 1:
        assert expected.findings or expected.inconsistent, f"{sidecar}: exit 1 needs a finding"
        assert not expected.errors and not expected.positions, sidecar
    else:
        assert expected.exit == 2 and expected.errors, f"{sidecar}: exit 2 needs an error"
        assert not expected.findings and not expected.inconsistent, sidecar
    return expected


def node_name(name: str | None) -> str:
    """A node as the expectations write it: blank nodes as `_:`, since their labels vary."""
    if name is None:
        return "-"
    return "_:" if name.startswith("_:") else name


def finding_key(finding: dict[str, Any]) -> tuple[str, str, str]:
    """(rule, focus, line) of a JSON finding, as a `.expect` file writes it."""
    line = "-" if finding["line"] is None else str(finding["line"])
    return finding["rule"], node_name(finding["focus"]), line


def assert_outcome(expected: Expected, path: Path, code: int, out: str, err: str) -> None:
    """The exit code, findings, inconsistencies and messages are exactly those expected."""
    assert "Traceback" not in out + err
    assert code == expected.exit, f"exit {code}, expected {expected.exit}\n{out}\n{err}"
    if expected.exit == 2:
        assert out == ""
        assert str(path) in err
        for text in expected.errors:
            assert text in err
        for position in expected.positions:
            assert f"{path}:{position}:" in err
        return
    report = json.loads(out)
    assert report["accepted"] is False and report["conforms"] is False
    assert {finding_key(f) for f in report["findings"]} == expected.findings
    assert {node_name(i["node"]) for i in report["inconsistencies"]} == expected.inconsistent
    messages = [f["message"] for f in report["findings"]]
    for text in expected.messages:
        assert any(text in message for message in messages), (text, messages)


# ------------------------------------------------------------------ running detente


def check(path: Path | str, *options: str, stdin: bytes | None = None) -> Result:
    """`detente check PATH --format json` in-process, against this project."""
    return invoke("check", path, "--format", "json", "--project", ROOT, *options, stdin=stdin)


def run_detente(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m detente ARGS` in a process of its own."""
    return subprocess.run(
        [sys.executable, "-m", "detente", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def assert_no_crash(result: Result) -> None:
    """The command ended through its exit code, not an exception, and printed no traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.stdout + result.stderr


def data_digest() -> dict[str, str]:
    """The sha256 of every file under data/."""
    return digest(DATA)


# ------------------------------------------------------------------ the corpus


def test_corpus_is_complete() -> None:
    sidecars = {path.name for path in INVALID_DIR.glob("*.expect")}
    assert sidecars == {path.name + ".expect" for path in INVALID}
    assert len(INVALID) >= 35
    assert {path.suffix for path in VALID} == SUFFIXES
    assert {path.suffix for path in INVALID} == SUFFIXES
    assert {read_expectation(path).exit for path in INVALID} == {1, 2}


@pytest.mark.parametrize("path", VALID, ids=lambda path: path.name)
def test_valid_contribution_is_accepted(path: Path) -> None:
    result = check(path)
    assert_no_crash(result)
    assert result.exit_code == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["accepted"] is True and report["conforms"] is True
    assert report["findings"] == []
    assert report["inconsistencies"] == []
    assert report["triples"] > 0 and report["files"] == [str(path)]


REPORT_CLASSES = {
    URIRef(f"https://w3id.org/detente/ontology#{name}")
    for name in ("NewsArticle", "Readout", "PressRelease", "Transcript", "SpeechText")
}
SOURCE = URIRef("https://w3id.org/detente/ontology#source")


@pytest.mark.parametrize("path", VALID, ids=lambda path: path.name)
def test_valid_contribution_comes_from_one_report_it_types(path: Path) -> None:
    # The corpus follows the model it tests: every det:source in a file names one report, and
    # a report the file describes is typed with one of the report classes, not det:Report.
    graph = read_rdf(path).graph
    reports = set(graph.objects(None, SOURCE))
    assert len(reports) == 1, reports
    (report,) = reports
    described = set(graph.objects(report, RDF.type))
    assert not described or described <= REPORT_CLASSES, described


@pytest.mark.parametrize("path", INVALID, ids=lambda path: path.name)
def test_invalid_contribution_gives_exactly_what_it_declares(path: Path) -> None:
    expected = read_expectation(path)
    before = data_digest()
    result = check(path)
    assert data_digest() == before
    assert_no_crash(result)
    assert_outcome(expected, path, result.exit_code, result.stdout, result.stderr)


@pytest.mark.parametrize(
    "name",
    [
        "syntax-error.ttl",
        "billion-laughs.rdf",
        "remote-context.jsonld",
        "held-meeting-without-participant.ttl",
    ],
)
def test_real_process_gives_the_exit_code_and_no_traceback(name: str) -> None:
    path = INVALID_DIR / name
    before = data_digest()
    process = run_detente("check", str(path), "--format", "json", "--project", str(ROOT))
    assert data_digest() == before
    assert_outcome(read_expectation(path), path, process.returncode, process.stdout, process.stderr)


# ------------------------------------------------------------------ status over time

# A made-up report of 2023-06-03 says that as of 2023-05-30 the Austin-Li meeting at the
# Shangri-La Dialogue was cancelled; DW says that on the same day it was rejected. Two
# assertions share the latest det:asOf with different statuses: the current status is not
# known, which is a warning about the meeting, and warnings do not reject.
STATUS_TIE = (
    (VALID_DIR / "report-example-daily.ttl")
    .read_text(encoding="utf-8")
    .replace(
        "@prefix xsd:",
        "@prefix meeting: <https://w3id.org/detente/id/meeting/> .\n"
        "@prefix status: <https://w3id.org/detente/id/status/> .\n@prefix xsd:",
    )
    + """
status:2023-austin-li-shangri-la-example-daily-2023-06-03 a det:StatusAssertion ;
    rdfs:label "Austin-Li meeting at the 2023 Shangri-La Dialogue: cancelled (Example Daily)" ;
    det:statusOf meeting:2023-austin-li-shangri-la ;
    det:status det:cancelled ;
    det:asOf "2023-05-30"^^xsd:date ;
    det:quote "the meeting was called off on May 30" ;
    det:source report:example-daily-2023-06-03 .
"""
)


def test_two_statuses_on_the_same_latest_day_warn_but_do_not_reject(tmp_path: Path) -> None:
    path = tmp_path / "status-tie.ttl"
    path.write_text(STATUS_TIE, encoding="utf-8")
    before = data_digest()
    result = check(path)
    assert data_digest() == before
    assert_no_crash(result)
    assert result.exit_code == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["accepted"] is True and report["inconsistencies"] == []
    found = {(f["rule"], f["focus"], f["severity"], f["value"]) for f in report["findings"]}
    meeting = "meeting:2023-austin-li-shangri-la"
    assert found == {
        ("check:status-tie-violation", meeting, "Warning", "det:rejected"),
        ("check:status-tie-violation", meeting, "Warning", "det:cancelled"),
    }


def test_a_later_status_assertion_decides_whether_participants_are_allowed() -> None:
    # The same participants of the 2023 Shangri-La Dialogue: rejected while DW's "scheduled"
    # (2023-05-30) is the current status, accepted with the later report's "held" (2023-06-03).
    text = (VALID_DIR / "status-update-later-report.ttl").read_text(encoding="utf-8")
    without = text[: text.index("status:2023-shangri-la-dialogue-example-daily-2023-06-03 a")]
    result = check("-", "--input-format", "turtle", stdin=without.encode("utf-8"))
    assert_no_crash(result)
    assert result.exit_code == 1, result.stdout + result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert {(f["rule"], f["focus"], f["value"]) for f in findings} == {
        ("check:participant-not-held-violation", "conference:2023-shangri-la-dialogue", person)
        for person in ("person:lloyd-austin", "person:li-shangfu")
    }
    assert check(VALID_DIR / "status-update-later-report.ttl").exit_code == 0


# ------------------------------------------------------------------ no network


def test_remote_context_and_external_entity_never_reach_the_network(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.settimeout(0.5)
        base = f"http://127.0.0.1:{server.getsockname()[1]}"
        meeting = "https://w3id.org/detente/id/meeting/2023-austin-li-x"
        remote = tmp_path / "remote.jsonld"
        remote.write_text(
            json.dumps({"@context": f"{base}/context.jsonld", "@id": meeting, "@type": "Meeting"}),
            encoding="utf-8",
        )
        nested = tmp_path / "nested.jsonld"
        nested.write_text(
            json.dumps(
                {
                    "@context": {"det": "https://w3id.org/detente/ontology#"},
                    "@id": meeting,
                    "det:place": {"@context": {"@import": f"{base}/import.jsonld"}, "@id": "x"},
                }
            ),
            encoding="utf-8",
        )
        entity = tmp_path / "entity.rdf"
        entity.write_text(
            '<?xml version="1.0" encoding="utf-8"?>\n'
            f'<!DOCTYPE rdf:RDF [<!ENTITY e SYSTEM "{base}/e">]>\n'
            f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:det="https://w3id.org/detente/ontology#">\n'
            f'  <det:Meeting rdf:about="{meeting}"><det:quote>&e;</det:quote></det:Meeting>\n'
            "</rdf:RDF>\n",
            encoding="utf-8",
        )
        for path in (remote, nested, entity):
            process = run_detente("check", str(path), "--project", str(ROOT))
            assert process.returncode == 2, process.stdout + process.stderr
            assert "Traceback" not in process.stdout + process.stderr
            assert f"detente: {path}" in process.stderr
            assert "refused" in process.stderr
        with pytest.raises(TimeoutError):
            server.accept()


# ------------------------------------------------------------------ standard input, limits


def test_valid_n_triples_on_standard_input_is_accepted() -> None:
    text = (VALID_DIR / "report-example-daily.nt").read_bytes()
    result = check("-", "--input-format", "nt", stdin=text)
    assert_no_crash(result)
    assert result.exit_code == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["accepted"] is True and report["files"] == ["<stdin>"]
    assert report["triples"] == 11


def test_broken_n_triples_on_standard_input_names_stdin() -> None:
    text = (INVALID_DIR / "syntax-error.nt").read_bytes()
    result = check("-", "--input-format", "nt", stdin=text)
    assert_no_crash(result)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "<stdin>:3:" in result.stderr and "syntax error" in result.stderr


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    big = tmp_path / "big.ttl"
    big.write_text(
        "# padding\n" * 100 + (VALID_DIR / "report-example-daily.ttl").read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    assert big.stat().st_size > 1000
    result = check(big, "--max-bytes", "1000")
    assert_no_crash(result)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert f"{big}: file is {big.stat().st_size} bytes, over the limit of 1000" in result.stderr


def test_standard_input_over_the_size_limit_is_refused() -> None:
    text = (VALID_DIR / "report-example-daily.nt").read_bytes()
    assert len(text) > 1000
    result = check("-", "--input-format", "nt", "--max-bytes", "1000", stdin=text)
    assert_no_crash(result)
    assert result.exit_code == 2
    assert "<stdin>: input is over the limit of 1000 bytes" in result.stderr


EMPTY_DOCUMENTS = {
    "empty.ttl": "",
    "only-prefixes.ttl": "# nothing to add\n@prefix det: <https://w3id.org/detente/ontology#> .\n",
    "empty.nt": "",
    "empty.jsonld": "{}",
    "empty.rdf": f'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="{RDF_NS}"/>\n',
}


@pytest.mark.parametrize("name", sorted(EMPTY_DOCUMENTS))
def test_empty_contribution_is_refused_as_nothing_to_judge(name: str, tmp_path: Path) -> None:
    # An RDF document with no triples is well-formed, but it names no report and says
    # nothing: there is nothing to judge, so it cannot be used (exit 2), not rejected.
    path = tmp_path / name
    path.write_text(EMPTY_DOCUMENTS[name], encoding="utf-8")
    before = data_digest()
    result = check(path)
    assert data_digest() == before
    assert_no_crash(result)
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(f"detente: {path}: ")
    assert "holds no triples" in result.stderr


@pytest.mark.parametrize("name", ["empty.jsonld", "empty.rdf"])
def test_zero_bytes_is_no_json_ld_or_xml_document(name: str, tmp_path: Path) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    result = check(path)
    assert_no_crash(result)
    assert result.exit_code == 2
    assert f"detente: {path}:1:" in result.stderr


# ------------------------------------------------------------------ output formats


def test_turtle_output_of_a_rejected_contribution_is_a_shacl_report() -> None:
    path = INVALID_DIR / "held-meeting-without-participant.ttl"
    result = invoke("check", path, "--format", "turtle", "--project", ROOT)
    assert_no_crash(result)
    assert result.exit_code == 1
    assert result.stderr.startswith("# rejected:")
    report = Graph().parse(data=result.stdout, format="turtle")
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == Literal(False)
    (outcome,) = report.subjects(RDF.type, SH.ValidationResult)
    assert report.value(outcome, SH.focusNode) == URIRef(
        "https://w3id.org/detente/id/meeting/2023-austin-li-third-country"
    )
    assert report.value(outcome, SH.sourceShape) == URIRef(
        "https://w3id.org/detente/checks#held-meeting-without-participant-violation"
    )
    assert report.value(outcome, SH.sourceConstraintComponent) == SH.SPARQLConstraintComponent
    assert report.value(outcome, SH.resultPath) == URIRef(
        "https://w3id.org/detente/ontology#participant"
    )
    assert report.value(outcome, LINE) == Literal(11, datatype=XSD.integer)


def test_turtle_output_of_an_accepted_contribution_conforms() -> None:
    path = VALID_DIR / "visit.ttl"
    result = invoke("check", path, "--format", "turtle", "--project", ROOT)
    assert_no_crash(result)
    assert result.exit_code == 0
    report = Graph().parse(data=result.stdout, format="turtle")
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert report.value(node, SH.conforms) == Literal(True)
    assert list(report.subjects(RDF.type, SH.ValidationResult)) == []


def test_text_output_names_rule_and_line_and_ends_with_the_verdict() -> None:
    path = INVALID_DIR / "held-meeting-without-participant.ttl"
    result = invoke("check", path, "--project", ROOT)
    assert_no_crash(result)
    assert result.exit_code == 1
    assert f"Violation ({path}, line 11): A meeting whose current status" in result.stdout
    assert "needs at least one participant" in result.stdout
    assert "rule:  check:held-meeting-without-participant-violation" in result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith(f"rejected: {path}: 13 triples")
