"""`detente check` and `detente fmt`: exit codes, report formats, errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import copy_project, run
from rdflib import Graph
from rdflib.namespace import RDF, SH

import detente.write
from detente.kg import Project
from detente.validate import SHACL_ENGINES, SHACL_VARIABLE
from detente.write import canonical_form

BROKEN_TURTLE = """@prefix det: <https://w3id.org/detente/ontology#> .
<https://w3id.org/detente/id/person/x> a det:Person ;
    rdfs:label "no prefix for rdfs" .
"""

# The file of a made-up report (data/example-daily-2023-06-03.ttl, its named graph): a meeting
# its status assertion says was held, with no participant named: one violation of
# check:held-meeting-without-participant-violation, and nothing else.
HELD_WITHOUT_PARTICIPANT = """@prefix det: <https://w3id.org/detente/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/detente/id/org/example-daily> a det:NewsOutlet ;
    rdfs:label "Example Daily" .
<https://w3id.org/detente/id/report/example-daily-2023-06-03> a det:NewsArticle ;
    rdfs:label "Example Daily, 2023-06-03" ;
    det:publisher <https://w3id.org/detente/id/org/example-daily> ;
    det:source <https://w3id.org/detente/id/report/example-daily-2023-06-03> ;
    det:quote "Example Daily, 3 June 2023" ;
    det:dateText "3 June 2023" ;
    det:earliest "2023-06-03"^^xsd:date ;
    det:latest "2023-06-03"^^xsd:date ;
    det:datePrecision det:day .
<https://w3id.org/detente/id/meeting/lonely> a det:Meeting ;
    rdfs:label "a meeting of nobody" ;
    det:proposedParticipant <https://w3id.org/detente/id/person/li-shangfu> ;
    det:source <https://w3id.org/detente/id/report/example-daily-2023-06-03> ;
    det:quote "Li Shangfu" .
<https://w3id.org/detente/id/status/lonely-example-daily-2023-06-03> a det:StatusAssertion ;
    rdfs:label "a meeting of nobody: held" ;
    det:statusOf <https://w3id.org/detente/id/meeting/lonely> ;
    det:status det:held ;
    det:asOf "2023-06-03"^^xsd:date ;
    det:source <https://w3id.org/detente/id/report/example-daily-2023-06-03> ;
    det:quote "Li Shangfu" .
"""
EXTRA = "example-daily-2023-06-03.ttl"  # the file of the report the extra facts cite


def test_check_conforming_graph_exits_0(project: Project) -> None:
    code, out, _ = run("check", "--project", str(project.root))
    assert code == 0, out
    assert out.strip().splitlines()[-1].startswith("conforms:")
    assert " 0 violations" in out


def test_check_with_violation_exits_1_and_names_node_path_shape(
    project: Project, tmp_path: Path
) -> None:
    root = copy_project(project, tmp_path, {EXTRA: HELD_WITHOUT_PARTICIPANT})
    code, out, _ = run("check", "--project", str(root), "--format", "json")
    assert code == 1
    report = json.loads(out)
    assert report["conforms"] is False
    found = {(f["focus"], f["path"], f["rule"]) for f in report["findings"]}
    assert found == {
        (
            "meeting:lonely",
            "det:participant",
            "check:held-meeting-without-participant-violation",
        )
    }


def test_check_text_report_shows_message_path_value_shape(project: Project, tmp_path: Path) -> None:
    root = copy_project(project, tmp_path, {EXTRA: HELD_WITHOUT_PARTICIPANT})
    code, out, _ = run("check", "--project", str(root))
    assert code == 1
    assert "is det:held needs at least one participant" in out
    assert "path:  det:participant" in out
    assert "rule:  check:held-meeting-without-participant-violation" in out
    assert out.strip().splitlines()[-1].startswith("does not conform:")


def test_check_turtle_is_a_shacl_validation_report(project: Project, tmp_path: Path) -> None:
    root = copy_project(project, tmp_path, {EXTRA: HELD_WITHOUT_PARTICIPANT})
    code, out, _ = run("check", "--project", str(root), "--format", "turtle")
    assert code == 1
    report = Graph().parse(data=out, format="turtle")
    (node,) = report.subjects(RDF.type, SH.ValidationReport)
    assert str(report.value(node, SH.conforms)) == "false"
    assert len(list(report.subjects(RDF.type, SH.ValidationResult))) == 1


def test_check_json_on_conforming_graph(project: Project) -> None:
    code, out, _ = run("check", "--project", str(project.root), "--format", "json")
    assert code == 0
    report = json.loads(out)
    assert report["conforms"] is True
    assert report["findings"] == [] and report["inconsistencies"] == []
    assert report["factNodes"] > 0


def test_check_inconsistency_exits_1(project: Project, tmp_path: Path) -> None:
    both = """@prefix det: <https://w3id.org/detente/ontology#> .
<https://w3id.org/detente/id/person/li-shangfu> a det:Organization ."""
    root = copy_project(project, tmp_path, {EXTRA: both})
    code, out, _ = run("check", "--project", str(root), "--format", "json")
    assert code == 1
    nodes = [item["node"] for item in json.loads(out)["inconsistencies"]]
    assert "person:li-shangfu" in nodes


def test_syntax_error_names_file_line_column_without_traceback(
    project: Project, tmp_path: Path
) -> None:
    root = copy_project(project, tmp_path, {EXTRA: BROKEN_TURTLE})
    process = subprocess.run(
        [sys.executable, "-m", "detente", "check", "--project", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert process.returncode == 2
    assert "Traceback" not in process.stderr + process.stdout
    assert f"{root / 'data' / EXTRA}:3:" in process.stderr


def test_unknown_format_is_a_usage_error(project: Project) -> None:
    code, _, _ = run("check", "--project", str(project.root), "--format", "xml")
    assert code == 2


def test_fmt_check_flags_non_canonical_file_and_fmt_fixes_it(tmp_path: Path) -> None:
    messy = tmp_path / "messy.ttl"
    messy.write_text(
        "# kept header\n@prefix det: <https://w3id.org/detente/ontology#> .\n"
        "<https://w3id.org/detente/id/person/b> a det:Person .\n"
        "<https://w3id.org/detente/id/person/a>   a det:Person .\n",
        encoding="utf-8",
    )
    before = Graph().parse(messy)
    code, out, _ = run("fmt", "--check", str(messy))
    assert code == 1 and "not canonical" in out
    assert run("fmt", str(messy))[0] == 0
    text = messy.read_text(encoding="utf-8")
    assert text.startswith("# kept header\n@prefix det: <https://w3id.org/detente/ontology#> .\n")
    assert text.index("person/a>") < text.index("person/b>")
    assert len(Graph().parse(messy) ^ before) == 0
    assert run("fmt", "--check", str(messy))[0] == 0


def test_fmt_refuses_broken_file_and_leaves_it_untouched(tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text(BROKEN_TURTLE, encoding="utf-8")
    code, _, err = run("fmt", str(broken))
    assert code == 2
    assert f"{broken}:3:" in err
    assert broken.read_text(encoding="utf-8") == BROKEN_TURTLE


@pytest.mark.parametrize("command", ["check", "fmt"])
def test_help_explains_exit_codes_and_options(command: str) -> None:
    code, out, _ = run(command, "--help")
    assert code == 0
    assert "--check" in out if command == "fmt" else "--format" in out


def test_an_error_check_fails_check_and_a_warning_does_not(
    project: Project, tmp_path: Path
) -> None:
    # Said to come from DW, so it goes in DW's own file (its named graph).
    second_minister = """
<https://w3id.org/detente/id/tenure/qin-gang-defense-minister> a det:Tenure ;
    rdfs:label "Qin Gang as China's defense minister" ;
    det:holder <https://w3id.org/detente/id/person/qin-gang> ;
    det:post <https://w3id.org/detente/id/post/china-defense-minister> ;
    det:attestedBy <https://w3id.org/detente/id/report/dw-2023-05-30> ;
    det:source <https://w3id.org/detente/id/report/dw-2023-05-30> ;
    det:quote "Chinese Foreign Minister Qin Gang" .
"""
    root = copy_project(project, tmp_path)
    with (root / "data" / "dw-2023-05-30.ttl").open("a", encoding="utf-8") as dw:
        dw.write(second_minister)
    code, out, _ = run("check", "--project", str(root), "--format", "json")
    assert code == 1
    shapes = {(f["focus"], f["rule"], f["severity"]) for f in json.loads(out)["findings"]}
    assert shapes == {
        (
            "tenure:li-shangfu-defense-minister",
            "check:single-holder-overlap-violation",
            "Violation",
        ),
        ("tenure:qin-gang-defense-minister", "check:single-holder-overlap-violation", "Violation"),
    }


def test_a_warning_check_does_not_fail_check(project: Project, tmp_path: Path) -> None:
    # A second report says the Austin-Li meeting was cancelled as of the day DW says it was
    # rejected: two statuses on the same latest day, a WARN check; the graph still conforms.
    tie = HELD_WITHOUT_PARTICIPANT[
        : HELD_WITHOUT_PARTICIPANT.index("<https://w3id.org/detente/id/meeting/lonely>")
    ]
    tie += """<https://w3id.org/detente/id/status/2023-austin-li-shangri-la-example-daily-2023-06-03>
    a det:StatusAssertion ;
    rdfs:label "Austin-Li meeting at the 2023 Shangri-La Dialogue: cancelled (Example Daily)" ;
    det:statusOf <https://w3id.org/detente/id/meeting/2023-austin-li-shangri-la> ;
    det:status det:cancelled ;
    det:asOf "2023-05-30"^^xsd:date ;
    det:source <https://w3id.org/detente/id/report/example-daily-2023-06-03> ;
    det:quote "the meeting was called off on May 30" .
"""
    root = copy_project(project, tmp_path, {EXTRA: tie})
    code, out, _ = run("check", "--project", str(root), "--format", "json")
    report = json.loads(out)
    assert code == 0, out
    assert report["conforms"] is True
    assert {(f["focus"], f["rule"], f["severity"], f["value"]) for f in report["findings"]} == {
        (
            "meeting:2023-austin-li-shangri-la",
            "check:status-tie-violation",
            "Warning",
            status,
        )
        for status in ("det:rejected", "det:cancelled")
    }


def test_every_project_turtle_file_is_canonical(project: Project) -> None:
    not_canonical = [
        path.name
        for path in project.turtle_files
        if path.read_text(encoding="utf-8") != canonical_form(path)
    ]
    assert not_canonical == []


def test_fmt_refuses_to_write_when_the_graph_would_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "two.ttl"
    original = (
        "@prefix det: <https://w3id.org/detente/ontology#> .\n"
        "<https://w3id.org/detente/id/person/b>   a det:Person .\n"
        "<https://w3id.org/detente/id/person/a> a det:Person .\n"
    )
    path.write_text(original, encoding="utf-8")

    def lossy(graph: Graph, header: str = "") -> str:
        """A formatter that loses a triple."""
        smaller = Graph()
        smaller += list(graph)[:1]
        return header + smaller.serialize(format="turtle")

    monkeypatch.setattr(detente.write, "canonical_turtle", lossy)
    code, _, err = run("fmt", str(path))
    assert code == 2
    assert "formatting would change the graph" in err
    assert path.read_text(encoding="utf-8") == original


# ------------------------------------------------------------------ the SHACL engine

UNLABELLED = Path(__file__).parent / "fixtures" / "shapes" / "fail" / "fact-without-label.ttl"


def test_both_shacl_engines_give_the_same_report(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """DETENTE_SHACL=pyshacl (the reference) and turbo (the default) find the same."""
    root = copy_project(project, tmp_path, {EXTRA: UNLABELLED.read_text(encoding="utf-8")})
    findings = {}
    for engine in SHACL_ENGINES:
        monkeypatch.setenv(SHACL_VARIABLE, engine)
        code, out, _ = run("check", "--project", str(root), "--format", "json", "--no-index")
        assert code == 1, out
        said = json.loads(out)["findings"]
        findings[engine] = sorted(json.dumps(f, sort_keys=True) for f in said)
    assert findings["turbo"] == findings["pyshacl"]
    # the fixture's own expectation (its header): meeting:test-held has no rdfs:label
    wanted = {"focus": "meeting:test-held", "path": "rdfs:label", "rule": "dsh:FactShape-label"}
    assert any(wanted.items() <= json.loads(f).items() for f in findings["turbo"])


def test_an_unknown_shacl_engine_is_one_line_and_exit_2(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SHACL_VARIABLE, "nope")
    code, out, err = run("check", "--project", str(project.root))
    assert code == 2
    assert "DETENTE_SHACL: 'nope' is no SHACL engine: choose turbo or pyshacl" in out + err
    assert "Traceback" not in out + err
