"""`detente add`: judge a contribution and, only if it is accepted, merge it into data/.

Every test works on a copy of the project (ontology/, shapes/, data/, scripts/ under tmp_path)
and passes `--project` to it: nothing here ever writes into the project's own data/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import copy_project, digest, invoke
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from detente.kg import GRAPHS, Project, load_sources
from detente.read import InputError, read_rdf
from detente.write import canonical_form, leading_comments

ID = "https://w3id.org/detente/id/"
DW = URIRef(ID + "report/dw-2023-05-30")
VALID_DIR = Path(__file__).parent / "contributions" / "valid"

# A second, made-up report, "Example Daily" of 2023-06-03, with one held meeting of two
# persons already in the graph, in a place already in the graph, and its status assertion.
# Every fact node (the report, the meeting, the assertion) cites its source and quotes its
# words; both dates have earliest, latest, the words and a precision.
CONTRIBUTION = (VALID_DIR / "example-daily-handshake.ttl").read_text(encoding="utf-8")
# The contribution's own file name says nothing about where it goes: its report does.
NAME = "handshake.ttl"
REPORT = URIRef(ID + "report/example-daily-2023-06-03")
TARGET = "example-daily-2023-06-03.ttl"  # data/<report slug>.ttl
MEETING = URIRef(ID + "meeting/2023-austin-li-handshake-singapore")
# A contribution from the DW article (its report is in the graph): it goes to DW's own file.
DW_CONTRIBUTION = VALID_DIR / "statement-dw-headline.nq"
DW_TARGET = "dw-2023-05-30.ttl"

PREFIXES = """@prefix det: <https://w3id.org/detente/ontology#> .
@prefix meeting: <https://w3id.org/detente/id/meeting/> .
@prefix person: <https://w3id.org/detente/id/person/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix report: <https://w3id.org/detente/id/report/> .
@prefix status: <https://w3id.org/detente/id/status/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

# Contributions that must be rejected (exit 1), with the rule that rejects each.
REJECTED = {
    "participant of a meeting not held": (
        PREFIXES
        + """meeting:2023-austin-li-shangri-la a det:Meeting ;
    det:participant person:li-shangfu ;
    det:source report:dw-2023-05-30 ;
    det:quote "Li Shangfu" .
""",
        "check:participant-not-held-violation",
    ),
    "held meeting without participant": (
        CONTRIBUTION.replace("    det:participant person:lloyd-austin, person:li-shangfu ;\n", ""),
        "check:held-meeting-without-participant-violation",
    ),
    "misspelt term": (
        CONTRIBUTION.replace("det:participant person:", "det:particpant person:"),
        "policy:undefined-term",
    ),
    "schema axiom": (
        PREFIXES + "det:Summit rdfs:subClassOf det:Meeting .\n",
        "policy:tbox",
    ),
    "second status": (
        PREFIXES
        + "status:2023-austin-li-shangri-la-dw-2023-05-30 det:status det:held ;\n"
        + "    det:source report:dw-2023-05-30 .\n",
        "policy:conflict",
    ),
    "padded date": (
        CONTRIBUTION.replace('det:dateText "on Friday evening"', 'det:dateText "in June"'),
        "dsh:DayDateShape-dateText",
    ),
    "sameAs across distinct things": (
        PREFIXES + "person:li-shangfu <http://www.w3.org/2002/07/owl#sameAs> "
        "person:lloyd-austin .\n",
        "policy:same-as",
    ),
    "no report": (
        PREFIXES + 'person:example-newcomer a det:Person ; rdfs:label "Example Newcomer" .\n',
        "policy:no-report",
    ),
    "several reports": (
        CONTRIBUTION
        + """
meeting:2023-austin-li-shangri-la a det:Meeting ;
    det:quote "a meeting between the defense ministers of the two countries in Singapore" ;
    det:source report:dw-2023-05-30 .
""",
        "policy:several-reports",
    ),
}


# ------------------------------------------------------------------ helpers


def graph_of(path: Path) -> Graph:
    """The triples of an RDF file, read the way detente reads them."""
    return read_rdf(path).graph


def triples(graph: Graph) -> set[tuple[object, object, object]]:
    """A graph's triples as a set (no blank nodes in detente data)."""
    return set(graph)


@pytest.fixture
def root(project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project; the working folder is the copy, so `--to data/X.ttl` is in it."""
    copy = copy_project(project, tmp_path / "project", judged=True)
    monkeypatch.chdir(copy)
    return copy


@pytest.fixture
def contribution(tmp_path: Path) -> Path:
    """The Example Daily contribution, outside the project copy."""
    path = tmp_path / "incoming" / NAME
    path.parent.mkdir()
    path.write_text(CONTRIBUTION, encoding="utf-8")
    return path


# ------------------------------------------------------------------ accepted


def test_valid_contribution_goes_to_its_reports_file_in_canonical_form(
    root: Path, contribution: Path
) -> None:
    expected = graph_of(contribution)
    before = digest(root / "data")
    result = invoke("add", contribution, "--project", root)
    assert result.exit_code == 0, result.output
    target = root / "data" / TARGET
    assert target.is_file()
    assert not (root / "data" / NAME).exists()
    assert result.stdout.strip().splitlines()[-1].startswith(f"accepted: {contribution}:")
    assert f"added {len(expected)} triples to {target}" in result.stderr
    # only the report's file appeared; the other data files are untouched
    after = digest(root / "data")
    assert set(after) == set(before) | {TARGET}
    assert {name: after[name] for name in before} == before
    # canonical, with a comment block naming where the facts came from and whose they are
    text = target.read_text(encoding="utf-8")
    assert text == canonical_form(target)
    assert text.startswith(
        f"# Contributed facts, added with `detente add` from {contribution}.\n"
        "# What report:example-daily-2023-06-03 says; loaded as its named graph.\n"
    )
    assert invoke("fmt", "--check", target).exit_code == 0
    # exactly the contributed triples, loaded as the report's own named graph
    assert triples(graph_of(target)) == triples(expected)
    sources = load_sources(Project(root))
    assert triples(sources.graphs[URIRef(GRAPHS + "example-daily-2023-06-03")]) == triples(expected)
    assert triples(expected) <= triples(sources.data)
    assert (MEETING, None, None) not in sources.graphs[URIRef(GRAPHS + "dw-2023-05-30")]
    # and the project still conforms with them
    checked = invoke("check", "--project", root, "--format", "json")
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["conforms"] is True


def test_adding_twice_changes_nothing(root: Path, contribution: Path) -> None:
    assert invoke("add", contribution, "--project", root).exit_code == 0
    first = digest(root / "data")
    again = invoke("add", contribution, "--project", root)
    assert again.exit_code == 0, again.output
    assert digest(root / "data") == first
    assert "(0 new)" in again.stdout
    assert "nothing new" in again.stderr and "unchanged" in again.stderr


def test_a_report_restates_what_another_report_already_says(
    root: Path, contribution: Path, tmp_path: Path
) -> None:
    # Li Shangfu's type and name are in DW's graph already; Example Daily says them too, so
    # they go to its file as well: "which report says T" must find both.
    restated = CONTRIBUTION + '\nperson:li-shangfu a det:Person ;\n    rdfs:label "Li Shangfu" .\n'
    path = tmp_path / "restated.ttl"
    path.write_text(restated, encoding="utf-8")
    li = URIRef(ID + "person/li-shangfu")
    known = {
        (li, RDF.type, URIRef("https://w3id.org/detente/ontology#Person")),
        (li, RDFS.label, Literal("Li Shangfu")),
    }
    dw_graph = load_sources(Project(root)).graphs[URIRef(GRAPHS + "dw-2023-05-30")]
    assert known <= triples(dw_graph)
    result = invoke("add", path, "--format", "json", "--project", root)
    assert result.exit_code == 0, result.output
    contributed = graph_of(path)
    # the verdict counts what is new to the graph; the report's file gets every triple
    assert json.loads(result.stdout)["newTriples"] == len(contributed) - len(known)
    assert f"added {len(contributed)} triples" in result.stderr
    written = triples(graph_of(root / "data" / TARGET))
    assert written == triples(contributed) and known <= written
    assert known <= triples(graph_of(root / "data" / DW_TARGET))  # DW keeps saying it too


@pytest.mark.parametrize("existing", [TARGET, DW_TARGET])
def test_a_reports_existing_file_is_merged_and_keeps_its_comments(
    root: Path, contribution: Path, existing: str
) -> None:
    target = root / "data" / existing
    if existing == TARGET:
        # the report's file exists already and holds two of the contribution's triples
        target.write_text(
            "# Example Daily, 2023-06-03: a data file with its own opening comments.\n"
            "# Second line of the block.\n"
            "@prefix det: <https://w3id.org/detente/ontology#> .\n"
            "@prefix org: <https://w3id.org/detente/id/org/> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n\n"
            'org:example-daily a det:NewsOutlet ;\n    rdfs:label "Example Daily" .\n',
            encoding="utf-8",
        )
        source = contribution
    else:
        source = DW_CONTRIBUTION
    header = leading_comments(target.read_text(encoding="utf-8"))
    old = graph_of(target)
    others = {k: v for k, v in digest(root / "data").items() if k != existing}

    result = invoke("add", source, "--project", root)
    assert result.exit_code == 0, result.output
    merged = graph_of(target)
    assert triples(merged) == triples(old) | triples(graph_of(source))
    added = len(triples(graph_of(source)) - triples(old))
    assert 0 < added < len(graph_of(source)) or existing == DW_TARGET
    assert f"added {added} triples to {target}" in result.stderr
    text = target.read_text(encoding="utf-8")
    assert text.startswith(header) and header.count("\n") >= 2
    assert text == canonical_form(target)
    # no other file was written
    assert {k: v for k, v in digest(root / "data").items() if k != existing} == others
    assert invoke("check", "--project", root).exit_code == 0


@pytest.mark.parametrize("to", [TARGET, f"data/{TARGET}", "absolute"])
def test_to_may_name_the_reports_own_file(root: Path, contribution: Path, to: str) -> None:
    target = root / "data" / TARGET
    given = str(target) if to == "absolute" else to
    if to == TARGET:  # relative to the working folder (the copy's root), not to data/
        result = invoke("add", contribution, "--to", given, "--project", root)
        assert result.exit_code == 2, result.output
        assert "must be a .ttl file directly in" in result.stderr
        return
    result = invoke("add", contribution, "--to", given, "--project", root)
    assert result.exit_code == 0, result.output
    assert triples(graph_of(target)) == triples(graph_of(contribution))


@pytest.mark.parametrize("other", ["other.ttl", DW_TARGET, "example-daily-2023-06-05.ttl"])
def test_to_naming_another_data_file_is_refused(root: Path, contribution: Path, other: str) -> None:
    before = digest(root / "data")
    result = invoke("add", contribution, "--to", f"data/{other}", "--project", root)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith("detente: ")
    assert str(REPORT) in result.stderr and TARGET in result.stderr
    assert "names another file" in result.stderr
    assert result.stdout == ""
    assert digest(root / "data") == before


@pytest.mark.parametrize(
    "to",
    ["../outside.ttl", "data/x.txt", "data/sub/x.ttl", "ontology/extra.ttl", "data", "x.ttl"],
)
def test_to_outside_data_or_not_turtle_is_refused(
    root: Path, contribution: Path, tmp_path: Path, to: str
) -> None:
    before = digest(tmp_path)
    result = invoke("add", contribution, "--to", to, "--project", root)
    assert result.exit_code == 2, result.output
    if to == "data":  # refused by the option parser itself
        assert "Invalid value for '--to'" in result.stderr
    else:
        assert result.stderr.startswith("detente: ")
        assert "must be a .ttl file directly in" in result.stderr
    assert digest(tmp_path) == before
    assert not (tmp_path / "outside.ttl").exists()


def test_dry_run_writes_nothing_and_says_what_it_would_add(root: Path, contribution: Path) -> None:
    """A dry run changes no project file (the index under .cache/ is a cache, not the project)."""
    before = project_files(root)
    result = invoke("add", contribution, "--dry-run", "--format", "json", "--project", root)
    assert result.exit_code == 0, result.output
    assert project_files(root) == before
    report = json.loads(result.stdout)
    assert report["accepted"] is True and report["newTriples"] == len(graph_of(contribution))
    target = root / "data" / TARGET
    assert f"would add (dry run) {len(graph_of(contribution))} triples to {target}" in (
        result.stderr
    )
    assert not target.exists()


def project_files(root: Path) -> dict[str, str]:
    """The digests of a project's files, the index's cache left out."""
    return {name: value for name, value in digest(root).items() if not name.startswith(".cache/")}


def test_add_reports_in_every_format(root: Path, contribution: Path) -> None:
    turtle = invoke("add", contribution, "--dry-run", "--format", "turtle", "--project", root)
    assert turtle.exit_code == 0
    Graph().parse(data=turtle.stdout, format="turtle")
    assert "# accepted:" in turtle.stderr
    text = invoke("add", contribution, "--dry-run", "--project", root)
    assert text.exit_code == 0 and text.stdout.startswith("accepted:")


def test_the_worked_example_of_contributing_md_is_accepted(
    project: Project, root: Path, tmp_path: Path
) -> None:
    text = (project.root / "CONTRIBUTING.md").read_text(encoding="utf-8")
    # the worked example is the ```turtle block that is a whole file (with its prefixes)
    blocks = [b for b in re.findall(r"```turtle\n(.*?)```", text, re.DOTALL) if "@prefix" in b]
    assert len(blocks) == 1, "CONTRIBUTING.md needs one whole-file ```turtle block"
    path = tmp_path / "handshake-and-refusal.ttl"
    path.write_text(blocks[0], encoding="utf-8")
    count = len(graph_of(path))
    # the figures the page shows for its own example are the ones detente gives
    claimed = re.search(r"would add \(dry run\) (\d+) triples to \S+/data/(\S+)\n", text)
    assert claimed, "CONTRIBUTING.md shows no dry run of its example"
    assert (int(claimed.group(1)), claimed.group(2)) == (count, TARGET)
    result = invoke("add", path, "--dry-run", "--project", root)
    assert result.exit_code == 0, result.output
    assert f"would add (dry run) {count} triples to {root / 'data' / TARGET}" in result.stderr


# ------------------------------------------------------------------ rejected


# Every case as a real add; a few as a dry run too (the same judgement, nothing to write).
@pytest.mark.parametrize(
    ("case", "dry_run"),
    [(case, False) for case in sorted(REJECTED)] + [(case, True) for case in sorted(REJECTED)[:3]],
)
def test_rejected_contribution_changes_nothing(
    root: Path, tmp_path: Path, case: str, dry_run: bool
) -> None:
    text, rule = REJECTED[case]
    path = tmp_path / "rejected.ttl"
    path.write_text(text, encoding="utf-8")
    before = digest(root / "data")
    args = ["add", path, "--format", "json", "--project", root] + (["--dry-run"] if dry_run else [])
    result = invoke(*args)
    assert result.exit_code == 1, result.output
    assert digest(root / "data") == before  # byte-identical, and no temporary file left
    report = json.loads(result.stdout)
    assert report["accepted"] is False and report["conforms"] is False
    assert rule in {finding["rule"] for finding in report["findings"]}
    assert "rejected: nothing written" in result.stderr


def test_misspelt_term_is_named_with_a_suggestion_and_its_line(root: Path, tmp_path: Path) -> None:
    text, _ = REJECTED["misspelt term"]
    path = tmp_path / "misspelt.ttl"
    path.write_text(text, encoding="utf-8")
    result = invoke("add", path, "--project", root)
    assert result.exit_code == 1
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "det:particpant" in row)
    assert (
        f"Violation ({path}, line {line}): det:particpant is not defined by the ontology; "
        "did you mean det:participant?" in result.stdout
    )


# ------------------------------------------------------------------ standard input


def test_standard_input_goes_to_its_reports_file(root: Path) -> None:
    # Standard input has no file name, and needs none: the report says where the facts go.
    before = digest(root / "data")
    refused = invoke(
        "add", "-", "--to", "data/from-stdin.ttl", "--project", root, stdin=CONTRIBUTION
    )
    assert refused.exit_code == 2
    assert refused.stderr.startswith("detente: ") and "names another file" in refused.stderr
    assert digest(root / "data") == before

    result = invoke("add", "-", "--project", root, stdin=CONTRIBUTION)
    assert result.exit_code == 0, result.output
    target = root / "data" / TARGET
    assert triples(graph_of(target)) == triples(Graph().parse(data=CONTRIBUTION, format="turtle"))
    assert "<stdin>" in target.read_text(encoding="utf-8").splitlines()[0]
    assert set(digest(root / "data")) == set(before) | {TARGET}


def test_standard_input_in_another_syntax(root: Path) -> None:
    ntriples = Graph().parse(data=CONTRIBUTION, format="turtle").serialize(format="nt")
    result = invoke("add", "-", "--input-format", "nt", "--project", root, stdin=ntriples)
    assert result.exit_code == 0, result.output
    assert triples(graph_of(root / "data" / TARGET)) == triples(
        Graph().parse(data=ntriples, format="nt")
    )


# ------------------------------------------------------------------ unusable input


def _unusable(tmp_path: Path) -> Iterator[tuple[str, Path, list[str], str]]:
    """Inputs `detente add` cannot use: (case, file, extra options, expected message)."""
    syntax = tmp_path / "syntax.ttl"
    syntax.write_text(CONTRIBUTION.replace(" ;\n    rdfs:label", "\n    rdfs:label", 1))
    yield "syntax error", syntax, [], f"{syntax}:"
    latin = tmp_path / "latin.ttl"
    latin.write_bytes(CONTRIBUTION.replace("Example Daily", "Exämple Daily").encode("latin-1"))
    yield "not UTF-8", latin, [], "not valid UTF-8"
    big = tmp_path / "big.ttl"
    big.write_text(CONTRIBUTION, encoding="utf-8")
    yield "over the size limit", big, ["--max-bytes", "100"], "over the limit of 100"
    unknown = tmp_path / "facts.txt"
    unknown.write_text(CONTRIBUTION, encoding="utf-8")
    yield "unknown extension", unknown, [], "unknown RDF file type"
    yield "missing file", tmp_path / "missing.ttl", [], "no such file"
    doctype = tmp_path / "doctype.rdf"
    doctype.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>\n',
        encoding="utf-8",
    )
    yield "DOCTYPE in RDF/XML", doctype, [], "DOCTYPE or entity declaration is refused"
    remote = tmp_path / "remote.jsonld"
    remote.write_text('{"@context": "https://example.org/context.jsonld"}', encoding="utf-8")
    yield "remote JSON-LD context", remote, [], "is refused"


def test_unusable_input_exits_2_and_writes_nothing(root: Path, tmp_path: Path) -> None:
    before = digest(root / "data")
    for case, path, options, message in _unusable(tmp_path):
        result = invoke("add", path, *options, "--project", root)
        assert result.exit_code == 2, (case, result.output)
        assert result.stderr.startswith(f"detente: {path}"), (case, result.stderr)
        assert message in result.stderr, (case, result.stderr)
        assert result.stdout == "", case
        assert digest(root / "data") == before, case


def test_unknown_file_type_names_the_option_that_sets_the_syntax(
    root: Path, contribution: Path
) -> None:
    facts = contribution.with_suffix(".txt")
    facts.write_text(CONTRIBUTION, encoding="utf-8")
    result = invoke("add", facts, "--dry-run", "--project", root)
    assert result.exit_code == 2
    # `--format` is the report's format; the contribution's syntax is `--input-format`
    assert "--input-format" in result.stderr, result.stderr
    with_syntax = invoke("add", facts, "--input-format", "turtle", "--dry-run", "--project", root)
    assert with_syntax.exit_code == 0, with_syntax.output


def test_a_file_cut_inside_a_string_is_named_with_line_and_column(
    root: Path, tmp_path: Path
) -> None:
    cut = tmp_path / "cut.ttl"
    text = CONTRIBUTION[: CONTRIBUTION.index('"on Friday') + 5]
    cut.write_text(text, encoding="utf-8")
    result = invoke("add", cut, "--project", root)
    assert result.exit_code == 2
    line = text.count("\n") + 1
    assert re.match(rf"detente: {re.escape(str(cut))}:{line}:\d+: ", result.stderr), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


@pytest.mark.parametrize("stray", [" ", "{", "|", "%zz", "\x19"])
def test_an_invalid_iri_is_refused_not_a_crash(root: Path, tmp_path: Path, stray: str) -> None:
    """An IRI with a space or another character IRIs cannot hold is the contributor's error."""
    path = tmp_path / "stray.ttl"
    path.write_text(CONTRIBUTION.replace("/id/org/>", f"/id/o{stray}rg/>"), encoding="utf-8")
    before = digest(root / "data")
    result = invoke("add", path, "--project", root)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(f"detente: {path}:"), result.stderr
    assert "invalid IRI" in result.stderr, result.stderr
    assert digest(root / "data") == before


def test_errors_never_print_a_traceback_in_a_real_process(root: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix det: <https://w3id.org/detente/ontology#> .\nx:y a det:Person .\n")
    for args, code in [
        ([str(broken)], 2),
        ([str(broken), "--to", "../nowhere.ttl"], 2),
        ([str(tmp_path / "absent.ttl")], 2),
        (["-"], 2),  # nothing on standard input: nothing to judge
        ([str(broken), "--format", "xml"], 2),
    ]:
        process = subprocess.run(
            [sys.executable, "-m", "detente", "add", *args, "--project", str(root)],
            capture_output=True,
            text=True,
            input="",
            check=False,
            timeout=60,
        )
        assert process.returncode == code, (args, process.stderr)
        assert "Traceback" not in process.stdout + process.stderr, args


# ------------------------------------------------------------------ how files are written


def test_written_files_keep_their_permissions(root: Path, contribution: Path) -> None:
    """A merge keeps the target's mode; a new file gets the usual mode (0666 less the umask)."""
    existing = root / "data" / DW_TARGET
    existing.chmod(0o640)
    old_umask = os.umask(0o022)
    try:
        merged = invoke("add", DW_CONTRIBUTION, "--project", root)
        assert merged.exit_code == 0, merged.output
        assert f"to {existing}" in merged.stderr
        assert invoke("add", contribution, "--project", root).exit_code == 0
    finally:
        os.umask(old_umask)
    created = root / "data" / TARGET
    assert stat.S_IMODE(existing.stat().st_mode) == 0o640
    assert stat.S_IMODE(created.stat().st_mode) == 0o644


def test_contribution_file_name_cannot_inject_triples(root: Path, tmp_path: Path) -> None:
    """The name of the contribution goes into the new file's comment; it must stay a comment."""
    name = "daily\n<urn:unjudged> <urn:p> <urn:o> .\n#.ttl"
    path = tmp_path / name
    path.write_text(CONTRIBUTION, encoding="utf-8")
    target = root / "data" / TARGET
    result = invoke("add", path, "--project", root)
    if result.exit_code == 0:
        assert set(leading_comments(target.read_text(encoding="utf-8")).splitlines()) >= {
            "# What report:example-daily-2023-06-03 says; loaded as its named graph."
        }
        assert triples(graph_of(target)) == triples(graph_of(path))
        for data_file in Project(root).data_files:
            read_rdf(data_file)
    else:
        assert result.exit_code == 2 and not target.exists()


# ------------------------------------------------------------------ interrupted add


REPORT_BLOCK = """@prefix org: <https://w3id.org/detente/id/org/> .
org:example-daily a det:NewsOutlet ; rdfs:label "Example Daily" .
report:example-daily-2023-06-03 a det:NewsArticle ;
    rdfs:label "Example Daily, 2023-06-03" ; det:publisher org:example-daily ;
    det:source report:example-daily-2023-06-03 ; det:quote "Example Daily, 3 June 2023" ;
    det:dateText "3 June 2023" ; det:earliest "2023-06-03"^^xsd:date ;
    det:latest "2023-06-03"^^xsd:date ; det:datePrecision det:day .
"""


def generated_contribution(count: int, report: str = "dw-2023-05-30") -> str:
    """A valid contribution from one report of count new persons, count held meetings and
    their status assertions (19 triples each); the report is described unless it is DW's."""
    rows = [PREFIXES] + ([] if report == "dw-2023-05-30" else [REPORT_BLOCK])
    for i in range(count):
        rows.append(f'person:generated-{i} a det:Person ; rdfs:label "Generated person {i}" .')
        rows.append(
            f"meeting:generated-{i} a det:Meeting ;\n"
            f'    rdfs:label "Generated meeting {i}" ;\n'
            f"    det:participant person:generated-{i}, person:li-shangfu ;\n"
            f'    det:source report:{report} ; det:quote "generated {i}" ;\n'
            '    det:dateText "in 2018" ; det:earliest "2018-01-01"^^xsd:date ;\n'
            '    det:latest "2018-12-31"^^xsd:date ; det:datePrecision det:year .'
        )
        rows.append(
            f"status:generated-{i}-{report} a det:StatusAssertion ;\n"
            f'    rdfs:label "Generated meeting {i}: held" ; det:statusOf meeting:generated-{i} ;\n'
            f'    det:status det:held ; det:asOf "{report[-10:]}"^^xsd:date ;\n'
            f'    det:source report:{report} ; det:quote "generated {i} took place" .'
        )
    return "\n".join(rows) + "\n"


TEMPORARY = re.compile(r"^\..+\.tmp$")
# The persons, meetings and status assertions an interrupted add brings (19 triples each).
COUNT = 30


def _data_triples(root: Path) -> set[tuple[object, object, object]]:
    """Every triple of the copy's data files; fails if one of them does not parse."""
    found: set[tuple[object, object, object]] = set()
    for path in Project(root).data_files:
        try:
            found |= triples(read_rdf(path).graph)
        except InputError as err:  # pragma: no cover - this is the failure being tested for
            pytest.fail(f"{path.name} does not parse after an interrupted add: {err}")
    return found


def test_interrupted_add_leaves_the_old_file_or_the_new_one(
    project: Project, tmp_path: Path
) -> None:
    """SIGKILL `detente add` at many moments: data/ always holds the old graph or the new one."""
    # "new file": a new report's facts go to its new file; "merge": DW's go to DW's file
    contributions = {
        "new file": tmp_path / "generated-new.ttl",
        "merge": tmp_path / "generated-dw.ttl",
    }
    contributions["new file"].write_text(
        generated_contribution(COUNT, "example-daily-2023-06-03"), encoding="utf-8"
    )
    contributions["merge"].write_text(generated_contribution(COUNT), encoding="utf-8")
    root = copy_project(project, tmp_path / "project", judged=True)
    pristine = tmp_path / "pristine-data"
    shutil.copytree(root / "data", pristine)
    old_names = {path.name for path in pristine.iterdir()}
    old_data = _data_triples(root)
    added = {mode: triples(graph_of(path)) for mode, path in contributions.items()}
    targets = {
        "new file": (root / "data" / TARGET, None),
        "merge": (root / "data" / DW_TARGET, (pristine / DW_TARGET)),
    }
    assert not (pristine / TARGET).exists()

    def start(mode: str) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "detente", "add", str(contributions[mode])]
        command += ["--project", str(root)]
        return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def reset() -> None:
        shutil.rmtree(root / "data")
        shutil.copytree(pristine, root / "data")

    def verify(mode: str) -> str:
        target, old_file = targets[mode]
        names = {path.name for path in (root / "data").iterdir()}
        for name in names - old_names - {target.name}:
            assert TEMPORARY.match(name), f"unexpected file left in data/: {name}"
            assert not name.endswith(".ttl")
            outcomes["temporary file left"] += 1
        loaded = {path.name for path in Project(root).data_files}
        assert loaded <= old_names | {target.name}
        data = _data_triples(root)
        new_data = old_data | added[mode]
        assert data in (old_data, new_data), "data/ holds neither the old nor the new graph"
        if old_file is None:
            assert not target.exists() or triples(graph_of(target)) == added[mode]
        else:
            same = target.read_bytes() == old_file.read_bytes()
            assert same or len(graph_of(target)) == len(graph_of(old_file)) + len(added[mode])
        return "new" if data == new_data else "old"

    outcomes = {"old": 0, "new": 0, "temporary file left": 0}

    # one uninterrupted run: how long an add takes, and the full result conforms
    began = time.monotonic()
    process = start("new file")
    _, err = process.communicate(timeout=120)
    full = time.monotonic() - began
    assert process.returncode == 0, err.decode()
    assert verify("new file") == "new"
    assert invoke("check", "--project", root).exit_code == 0
    reset()
    outcomes["new"] = 0

    # a kill halfway (while judging: nothing written yet), then ever closer to the end of the
    # run, where the file is written and renamed; the modes take turns
    fractions = [0.5, 0.97]
    for run, fraction in enumerate(fractions):
        mode = "merge" if run % 2 else "new file"
        process = start(mode)
        time.sleep(min(fraction * full, 6.0))
        process.kill()
        process.wait(timeout=60)
        outcomes[verify(mode)] += 1
        reset()
    # kill the moment the temporary file appears, that is, in the middle of the write
    for mode in ("new file", "merge"):
        target = targets[mode][0]
        process = start(mode)
        while process.poll() is None:
            if any(p.name.startswith(f".{target.name}.") for p in (root / "data").iterdir()):
                process.kill()
                break
            time.sleep(0.0005)
        process.wait(timeout=60)
        outcomes[verify(mode)] += 1
        reset()
    print(f"interrupted add: {outcomes}, one add {full:.2f} s")
