"""Refusals and warnings that the corpus of tests/contributions/ cannot hold as files.

Files too large to keep (over --max-triples, 1,001 prefixes, a 100 KB IRI, a literal over the
limit), files in another encoding than the corpus's, contributions that give only warnings (the
corpus's valid files have no finding at all), `detente add` of a file named like the background
file, and two files judged together. Every expectation is written from the rules
(read.CONTRIBUTION_LIMITS, the policy, the checks of scripts/checks/, the shapes), not copied
from the checker's output. Everything invented here says so in its own text ("made up").
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from detente.cli import main

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "contributions"
VALID_DIR = CORPUS / "valid"
INVALID_DIR = CORPUS / "invalid"
ID = "https://w3id.org/detente/id/"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
DEFAULT_MAX_TRIPLES = 10_000  # read.CONTRIBUTION_LIMITS, the default of --max-triples
MAX_PREFIXES = 1_000
MAX_IRI = 2_000
MAX_LITERAL = 20_000
# A refusal happens while the file is read, before the graph is loaded, so it costs less than
# judging a small valid contribution (about 80 MB); before streamed limits, these files took
# 3.8 to 5 GB. The bound leaves room for the interpreter and its libraries.
MEMORY_BOUND_MB = 300

MADE_UP_REPORT = """
org:example-daily a det:NewsOutlet ;
    rdfs:label "Example Daily (a news outlet made up for the test corpus)" .

report:example-daily-{date} a det:NewsArticle ;
    rdfs:label "Example Daily, {date} (a report made up for the test corpus)" ;
    det:publisher org:example-daily ;
    det:datePrecision det:day ;
    det:dateText "{words}" ;
    det:earliest "{date}"^^xsd:date ;
    det:latest "{date}"^^xsd:date ;
    det:quote "Example Daily, {words}" ;
    det:source report:example-daily-{date} .
"""

PREFIXES = """@prefix det: <https://w3id.org/detente/ontology#> .
@prefix meeting: <https://w3id.org/detente/id/meeting/> .
@prefix org: <https://w3id.org/detente/id/org/> .
@prefix person: <https://w3id.org/detente/id/person/> .
@prefix post: <https://w3id.org/detente/id/post/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix rejection: <https://w3id.org/detente/id/rejection/> .
@prefix report: <https://w3id.org/detente/id/report/> .
@prefix request: <https://w3id.org/detente/id/request/> .
@prefix state: <https://w3id.org/detente/id/state/> .
@prefix statement: <https://w3id.org/detente/id/statement/> .
@prefix status: <https://w3id.org/detente/id/status/> .
@prefix tenure: <https://w3id.org/detente/id/tenure/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""


# ------------------------------------------------------------------ helpers


def check(*args: str | Path, stdin: bytes | None = None) -> Result:
    """`detente check ARGS --format json` in-process, against this project; never a crash."""
    arguments = ["check", *map(str, args), "--format", "json", "--project", str(ROOT)]
    return checked(CliRunner().invoke(main, arguments, input=stdin))


def checked(result: Result) -> Result:
    """A result that ended through its exit code, not an exception, and printed no traceback."""
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.stdout + result.stderr
    return result


def assert_refused(result: Result, path: Path, line: int | None, *texts: str) -> None:
    """Exit 2, nothing on standard output, the file named (at its line, when one is given) and
    each text in the message."""
    assert result.exit_code == 2, result.stdout + result.stderr
    assert result.stdout == ""
    where = f"detente: {path}:" if line is None else f"detente: {path}:{line}:"
    assert result.stderr.startswith(where), (where, result.stderr)
    for text in texts:
        assert text in result.stderr, (text, result.stderr)


def digest(folder: Path) -> dict[str, str]:
    """The sha256 of every file under a folder, by relative path."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def line_of(text: str, start: str) -> int:
    """The 1-based number of the first line of text that starts with `start`."""
    return next(n for n, line in enumerate(text.splitlines(), 1) if line.startswith(start))


def warnings_of(result: Result) -> set[tuple[str, str, str, str, int | None]]:
    """(rule, focus, severity, value, line) of every finding of an accepted contribution."""
    assert result.exit_code == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["accepted"] is True and report["inconsistencies"] == []
    return {
        (f["rule"], f["focus"], f["severity"], f["value"], f["line"]) for f in report["findings"]
    }


def n_triples(count: int) -> str:
    """`count` plain N-Triples, one a line: labels of made-up persons."""
    return "".join(
        f'<{ID}person/made-up-{i}> {RDFS_LABEL} "made-up person {i}" .\n'
        for i in range(1, count + 1)
    )


def collection(items: int, one_line: bool = False) -> str:
    """A Turtle RDF collection of `items` made-up strings, one item a line (or all on one)."""
    head = f"<{ID}person/made-up-list> <{ID}made-up#list> ("
    if one_line:
        return head + " ".join(f'"{i}"' for i in range(items)) + " ) .\n"
    return head + "\n" + "".join(f'    "made-up item {i}"\n' for i in range(1, items + 1)) + ") .\n"


# ------------------------------------------------------------------ statements over the limit


@pytest.mark.parametrize("suffix", [".nt", ".ttl"])
def test_plain_triples_over_max_triples_are_refused_at_the_first_one_over(
    tmp_path: Path, suffix: str
) -> None:
    # A comment, then 20 triples on lines 2-21: with --max-triples 10, the 11th statement (line
    # 12) is the first one over the limit.
    path = tmp_path / f"plain{suffix}"
    path.write_text("# made-up triples, one a line\n" + n_triples(20), encoding="utf-8")
    result = check(path, "--max-triples", "10")
    assert_refused(result, path, 12, "more than 10 statements", "--max-triples")


def test_as_many_plain_triples_as_max_triples_are_judged(tmp_path: Path) -> None:
    # 20 triples under --max-triples 20 are read and judged: labels of new persons that have no
    # type (policy:iri, each at its line) in a file that names no report (policy:no-report, at
    # its first triple).
    path = tmp_path / "plain.nt"
    path.write_text("# made-up triples, one a line\n" + n_triples(20), encoding="utf-8")
    result = check(path, "--max-triples", "20")
    assert result.exit_code == 1, result.stdout + result.stderr
    found = {(f["rule"], f["focus"], f["line"]) for f in json.loads(result.stdout)["findings"]}
    assert found == {("policy:no-report", "person:made-up-1", 2)} | {
        ("policy:iri", f"person:made-up-{i}", i + 1) for i in range(1, 21)
    }


def test_collection_over_max_triples_is_refused_at_the_item_over_the_limit(
    tmp_path: Path,
) -> None:
    # Each item of a collection brings two statements (rdf:first, and the rdf:rest linking it),
    # and the collection one more (the triple whose object it is): by item k, 2k-1 or 2k
    # statements. With --max-triples 10 the 11th statement comes with item 6, on line 2 + 6.
    path = tmp_path / "list.ttl"
    path.write_text("# a made-up list, one item a line\n" + collection(40), encoding="utf-8")
    assert line_of(path.read_text(encoding="utf-8"), '    "made-up item 6"') == 8
    result = check(path, "--max-triples", "10")
    assert_refused(result, path, 8, "more than 10 statements", "--max-triples")


def test_plain_triples_over_the_default_limit_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "plain.nt"
    text = "# made-up triples, one a line\n" + n_triples(DEFAULT_MAX_TRIPLES + 1)
    path.write_text(text, encoding="utf-8")
    result = check(path)
    assert_refused(
        result, path, DEFAULT_MAX_TRIPLES + 2, f"more than {DEFAULT_MAX_TRIPLES} statements"
    )


def test_collection_over_the_default_limit_is_refused(tmp_path: Path) -> None:
    # Statement 10,001 comes with item 5,001, on line 2 + 5,001.
    path = tmp_path / "list.ttl"
    path.write_text("# a made-up list, one item a line\n" + collection(6_000), encoding="utf-8")
    result = check(path)
    assert_refused(result, path, 5_003, f"more than {DEFAULT_MAX_TRIPLES} statements")


# ------------------------------------------------------------------ bounded memory


def _plain(path: Path) -> None:
    path.write_text(n_triples(160_000), encoding="utf-8")
    assert 19_000_000 < path.stat().st_size < 20_000_000  # just under --max-bytes


def _long_list(path: Path) -> None:
    path.write_text(collection(1_000_000, one_line=True), encoding="utf-8")  # 9 MB


def _laughs_utf16(path: Path) -> None:
    # billion-laughs.rdf re-encoded as UTF-16 without a byte-order mark, its declaration still
    # saying utf-8.
    text = (INVALID_DIR / "billion-laughs.rdf").read_text(encoding="utf-8")
    path.write_bytes(text.encode("utf-16-le"))


def _prefixes(path: Path) -> None:
    path.write_text(
        "".join(f"@prefix p{i}: <https://example.org/made-up/{i}#> .\n" for i in range(40_000)),
        encoding="utf-8",
    )


def _long_iri(path: Path) -> None:
    path.write_text(f'<{ID}person/{"a" * 100_000}> {RDFS_LABEL} "made up" .\n', encoding="utf-8")


HOSTILE: dict[str, tuple[str, Callable[[Path], None], str]] = {
    "19 MB of plain triples": ("plain.nt", _plain, f"{DEFAULT_MAX_TRIPLES + 1}: more than"),
    "a collection of 1M items": ("list.ttl", _long_list, "--max-triples"),
    "billion laughs in UTF-16": ("laughs.rdf", _laughs_utf16, ""),
    "40,000 prefixes": ("prefixes.ttl", _prefixes, f"over the limit of {MAX_PREFIXES}"),
    "a 100 KB IRI": ("long.nt", _long_iri, f"over the limit of {MAX_IRI}"),
}
MEASURE = (
    "import resource, subprocess, sys\n"
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.stderr.write(done.stdout + done.stderr)\n"
)


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_oversized_and_hostile_files_are_refused_in_bounded_memory(
    tmp_path: Path, case: str
) -> None:
    name, write, text = HOSTILE[case]
    path = tmp_path / name
    write(path)
    command = [sys.executable, "-m", "detente", "check", str(path), "--project", str(ROOT)]
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *command],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    code, peak_kb = map(int, done.stdout.split())
    assert code == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"detente: {path}:"), done.stderr
    assert text in done.stderr
    assert peak_kb / 1024 < MEMORY_BOUND_MB, f"{peak_kb / 1024:.0f} MB"


# ------------------------------------------------------------------ prefixes


def test_more_prefixes_than_the_limit_are_refused_at_the_first_one_over(tmp_path: Path) -> None:
    # A comment, 1,001 @prefix lines (lines 2-1,002), one triple: the 1,001st prefix, on line
    # 1,002, passes the limit of 1,000.
    path = tmp_path / "prefixes.ttl"
    lines = [f"@prefix p{i}: <https://example.org/made-up/{i}#> ." for i in range(1, 1_002)]
    path.write_text(
        "# 1,001 made-up prefixes\n" + "\n".join(lines) + "\np1:a p1:b p1:c .\n", encoding="utf-8"
    )
    result = check(path)
    assert_refused(result, path, 1_002, f"over the limit of {MAX_PREFIXES}")


@pytest.mark.parametrize("extra", [0, 1])
def test_a_valid_contribution_with_as_many_prefixes_as_the_limit_is_accepted(
    tmp_path: Path, extra: int
) -> None:
    # valid/report-example-daily.ttl with made-up prefixes before its own, up to 1,000 in all:
    # accepted; one more and the file's last prefix is the first one over the limit.
    text = (VALID_DIR / "report-example-daily.ttl").read_text(encoding="utf-8")
    own = text.count("@prefix ")
    added = [f"@prefix p{i}: <https://example.org/made-up/{i}#> .\n" for i in range(1_000 - own)]
    added += ["@prefix made-up: <https://example.org/made-up#> .\n"] * extra
    path = tmp_path / "report.ttl"
    path.write_text("".join(added) + text, encoding="utf-8")
    result = check(path)
    if extra:
        last = len(added) + max(n for n, x in enumerate(text.splitlines(), 1) if "@prefix" in x)
        assert_refused(result, path, last, f"over the limit of {MAX_PREFIXES}")
    else:
        assert result.exit_code == 0, result.stdout + result.stderr
        assert json.loads(result.stdout)["findings"] == []


# ------------------------------------------------------------------ long IRIs and literals

REPORT_TRIPLE = "<https://w3id.org/detente/id/report/example-daily-2023-06-03> {} {} .\n"
EXACT_MATCH = "<http://www.w3.org/2004/02/skos/core#exactMatch>"
COMMENT = "<http://www.w3.org/2000/01/rdf-schema#comment>"


def made_up_iri(length: int) -> str:
    """An IRI of `length` characters that says it is made up."""
    head = "https://example.org/made-up/"
    return head + "a" * (length - len(head))


def made_up_literal(length: int) -> str:
    """A string of `length` characters that says it is made up."""
    head = "A comment made up for the test, padded: "
    return head + "x" * (length - len(head))


def test_a_100_kb_iri_is_refused_naming_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.nt"
    iri = ID + "person/" + "a" * 100_000
    path.write_text(f'# a made-up person\n<{iri}> {RDFS_LABEL} "made up" .\n', encoding="utf-8")
    result = check(path)
    assert_refused(result, path, 2, "IRI", f"over the limit of {MAX_IRI}")


def test_a_literal_over_the_limit_is_refused_naming_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "long.nt"
    literal = made_up_literal(MAX_LITERAL + 1)
    path.write_text(
        "# a made-up comment\n" + REPORT_TRIPLE.format(COMMENT, f'"{literal}"'), encoding="utf-8"
    )
    result = check(path)
    assert_refused(result, path, 2, "literal", f"over the limit of {MAX_LITERAL}")


@pytest.mark.parametrize(
    ("predicate", "term"),
    [
        (EXACT_MATCH, f"<{made_up_iri(MAX_IRI)}>"),
        (COMMENT, f'"{made_up_literal(MAX_LITERAL)}"'),
    ],
    ids=["iri", "literal"],
)
def test_an_iri_or_literal_as_long_as_the_limit_is_accepted(
    tmp_path: Path, predicate: str, term: str
) -> None:
    # The made-up report of valid/report-example-daily.nt, linked to a made-up IRI of 2,000
    # characters or commented with 20,000 characters: both terms a contribution may use.
    path = tmp_path / "report.nt"
    text = (VALID_DIR / "report-example-daily.nt").read_text(encoding="utf-8")
    path.write_text(text + REPORT_TRIPLE.format(predicate, term), encoding="utf-8")
    result = check(path)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["findings"] == []


# ------------------------------------------------------------------ encodings


def test_utf16_big_endian_turtle_without_a_byte_order_mark_is_refused(tmp_path: Path) -> None:
    # The corpus holds the little-endian file; big-endian, the first byte is already NUL.
    text = (INVALID_DIR / "utf16-without-bom.ttl").read_bytes().decode("utf-16-le")
    path = tmp_path / "utf16be.ttl"
    path.write_bytes(text.encode("utf-16-be"))
    result = check(path)
    assert_refused(result, path, 1, "UTF-16", "not UTF-8")
    assert result.stderr.startswith(f"detente: {path}:1:1:")


def test_billion_laughs_in_utf16_big_endian_is_refused_at_the_doctype(tmp_path: Path) -> None:
    text = (INVALID_DIR / "billion-laughs.rdf").read_text(encoding="utf-8")
    path = tmp_path / "laughs.rdf"
    path.write_bytes(text.replace('encoding="utf-8"', 'encoding="UTF-16"', 1).encode("utf-16-be"))
    result = check(path)
    assert_refused(result, path, 2, "DOCTYPE or entity declaration is refused")
    assert result.stderr.startswith(f"detente: {path}:2:1:")


def test_billion_laughs_in_utf16_declared_utf8_is_refused(tmp_path: Path) -> None:
    # Re-encoded without changing its declaration: the XML parser sees UTF-16 that says it is
    # UTF-8, and stops on line 1 before the DOCTYPE; refused either way, nothing expanded.
    path = tmp_path / "laughs.rdf"
    _laughs_utf16(path)
    result = check(path)
    assert_refused(result, path, 1)


# ------------------------------------------------------------------ warnings only: exit 0

POSSIBLE_OVERLAP = (
    "# Made up for the test: an invented report of Saturday 2023-06-03 quotes an invented\n"
    "# person as China's defence minister, on some day earlier that week (2023-05-29 to\n"
    "# 2023-06-02). DW names Li Shangfu in that single-holder post on 2023-05-30: one may\n"
    "# have succeeded the other within the week, or not.\n"
    + PREFIXES
    + """
tenure:made-up-minister-china-defense-minister a det:Tenure ;
    rdfs:label "Made-Up Minister as China's defence minister (made up for the test corpus)" ;
    det:holder person:made-up-minister ;
    det:post post:china-defense-minister ;
    det:attestedBy statement:2023-made-up-minister-remarks ;
    det:quote "China's defence minister, Made-Up Minister, said earlier this week (made up)" ;
    det:source report:example-daily-2023-06-03 .

statement:2023-made-up-minister-remarks a det:Statement ;
    rdfs:label "Made-Up Minister: China's forces stand ready (made up for the test corpus)" ;
    det:speaker person:made-up-minister ;
    det:content "China's armed forces stand ready (made up)" ;
    det:datePrecision det:week ;
    det:dateText "earlier this week" ;
    det:earliest "2023-05-29"^^xsd:date ;
    det:latest "2023-06-02"^^xsd:date ;
    det:quote "Made-Up Minister said earlier this week that China's forces stand ready (made up)" ;
    det:source report:example-daily-2023-06-03 .

person:made-up-minister a det:Person ;
    rdfs:label "Made-Up Minister (a person made up for the test corpus)" .
"""
    + MADE_UP_REPORT.format(date="2023-06-03", words="Saturday, 3 June 2023")
)


def test_possibly_overlapping_holders_of_a_single_holder_post_are_a_warning(
    tmp_path: Path,
) -> None:
    # The invented tenure is attested by a statement of the week 2023-05-29..2023-06-02 (no
    # inner bounds): possible span [05-29, 06-02], certain span empty (its latest start,
    # 06-02, is after its earliest end, 05-29). DW's tenure of Li Shangfu, attested by DW's
    # report of 2023-05-30: [05-30, 05-30] both. The possible spans overlap, the certain ones
    # cannot: the warning, once from each tenure, and no error; a warning-only contribution
    # is accepted.
    path = tmp_path / "possible-overlap.ttl"
    path.write_text(POSSIBLE_OVERLAP, encoding="utf-8")
    rule = "check:single-holder-possible-overlap-violation"
    new = "tenure:made-up-minister-china-defense-minister"
    old = "tenure:li-shangfu-defense-minister"
    line = line_of(POSSIBLE_OVERLAP, f"{new} a det:Tenure")
    assert warnings_of(check(path)) == {
        (rule, new, "Warning", old, line),
        (rule, old, "Warning", new, None),
    }


HELD_DESPITE_REJECTION = (
    "# Made up for the test: an invented report of Monday 2023-06-05 says that the US asked for\n"
    "# talks of Austin and Li, that China turned the request down, and that the talks were held\n"
    "# after all (invented talks, request, rejection and status).\n"
    + PREFIXES
    + """
meeting:2023-made-up-austin-li-talks a det:Meeting ;
    rdfs:label "Talks of Lloyd Austin and Li Shangfu (made up for the test corpus)" ;
    det:participant person:lloyd-austin, person:li-shangfu ;
    det:quote "Austin and Li held talks on Sunday after all (made up)" ;
    det:source report:example-daily-2023-06-05 .

request:2023-made-up-us-austin-li-talks a det:MeetingRequest ;
    rdfs:label "US request for talks of Austin and Li (made up for the test corpus)" ;
    det:requester state:united-states ;
    det:addressee state:china ;
    det:requestedMeeting meeting:2023-made-up-austin-li-talks ;
    det:quote "Washington asked for the talks (made up)" ;
    det:source report:example-daily-2023-06-05 .

rejection:2023-made-up-china-austin-li-talks a det:Rejection ;
    rdfs:label "China's rejection of the US request for talks (made up for the test corpus)" ;
    det:rejectedRequest request:2023-made-up-us-austin-li-talks ;
    det:rejecter state:china ;
    det:quote "Beijing first turned the request down (made up)" ;
    det:source report:example-daily-2023-06-05 .

status:2023-made-up-austin-li-talks-example-daily-2023-06-05 a det:StatusAssertion ;
    rdfs:label "Talks of Lloyd Austin and Li Shangfu: held (made up for the test corpus)" ;
    det:statusOf meeting:2023-made-up-austin-li-talks ;
    det:status det:held ;
    det:asOf "2023-06-05"^^xsd:date ;
    det:quote "Austin and Li held talks on Sunday after all (made up)" ;
    det:source report:example-daily-2023-06-05 .
"""
    + MADE_UP_REPORT.format(date="2023-06-05", words="Monday, 5 June 2023")
)


def test_a_held_meeting_whose_own_request_was_rejected_is_a_warning(tmp_path: Path) -> None:
    # The meeting's only status assertion says held (so it is its current status, and its
    # participants are allowed); the request for it was rejected: the warning, at the meeting's
    # first line (the check has no path), naming the rejection. Accepted.
    path = tmp_path / "held-despite-rejection.ttl"
    path.write_text(HELD_DESPITE_REJECTION, encoding="utf-8")
    meeting = "meeting:2023-made-up-austin-li-talks"
    assert warnings_of(check(path)) == {
        (
            "check:held-despite-rejection-violation",
            meeting,
            "Warning",
            "rejection:2023-made-up-china-austin-li-talks",
            line_of(HELD_DESPITE_REJECTION, f"{meeting} a det:Meeting"),
        )
    }


# ------------------------------------------------------------------ Background.TTL and add

BACKGROUND_STYLE = """# Made up for the test: a file named like the background file, in its style
# (a post marked as background, said to have no single holder), citing no report.
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix det: <https://w3id.org/detente/ontology#> .
@prefix post: <https://w3id.org/detente/id/post/> .

post:china-defense-minister a det:Post ;
    dcterms:type det:Background ;
    det:singleHolder false .
"""
DW_RESTATED = (INVALID_DIR / "background-only-single-holder-false.ttl").read_text(encoding="utf-8")
DW_RESTATED = DW_RESTATED[: DW_RESTATED.index("post:china-defense-minister det:singleHolder")]
RESERVED = (INVALID_DIR / "reserved-report-name-background.ttl").read_text(encoding="utf-8")
POST = "post:china-defense-minister"
BACKGROUND_ADDS: dict[str, tuple[str, list[str], int, set[tuple[str, str, int]] | str]] = {
    # name: (text, options, exit code, findings (rule, focus, line) or a message on stderr)
    "background style": (
        BACKGROUND_STYLE,
        [],
        1,
        {
            ("policy:no-report", POST, 7),
            ("policy:background-only", POST, 8),
            ("policy:background-only", POST, 9),
        },
    ),
    "background style, --to background.ttl": (
        BACKGROUND_STYLE,
        ["--to", "data/background.ttl"],
        1,
        {
            ("policy:no-report", POST, 7),
            ("policy:background-only", POST, 8),
            ("policy:background-only", POST, 9),
        },
    ),
    "report:background": (RESERVED, [], 1, {("policy:reserved-name", "report:background", 21)}),
    "report:background, --to background.ttl": (
        RESERVED,
        ["--to", "data/background.ttl"],
        1,
        {("policy:reserved-name", "report:background", 21)},
    ),
    "DW's facts, --to background.ttl": (
        DW_RESTATED,
        ["--to", "data/background.ttl"],
        2,
        "names another file",
    ),
    # DW's own triples, restated: accepted, bound for DW's file, where they already are.
    "DW's facts": (DW_RESTATED, [], 0, set()),
}


@pytest.mark.parametrize("case", sorted(BACKGROUND_ADDS))
def test_a_file_named_background_ttl_never_reaches_the_background_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    text, options, code, expected = BACKGROUND_ADDS[case]
    project = tmp_path / "project"
    for folder in ("ontology", "shapes", "data", "scripts"):
        shutil.copytree(ROOT / folder, project / folder)
    monkeypatch.chdir(project)
    path = tmp_path / "incoming" / "Background.TTL"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    before = digest(project / "data")
    arguments = ["add", str(path), "--format", "json", "--project", str(project), *options]
    result = checked(CliRunner().invoke(main, arguments))
    assert digest(project / "data") == before
    assert result.exit_code == code, result.stdout + result.stderr
    if isinstance(expected, str):
        assert result.stdout == ""
        assert expected in result.stderr
        return
    report: dict[str, Any] = json.loads(result.stdout)
    assert {(f["rule"], f["focus"], f["line"]) for f in report["findings"]} == expected


# ------------------------------------------------------------------ several files


def test_with_several_files_each_finding_names_its_file() -> None:
    # Two corpus files citing the same report (DW's), judged as one contribution: each finding
    # is at the line of its own file.
    place = INVALID_DIR / "not-a-property.ttl"
    participant = INVALID_DIR / "not-a-class-property.ttl"
    text = checked(
        CliRunner().invoke(main, ["check", str(place), str(participant), "--project", str(ROOT)])
    )
    assert text.exit_code == 1, text.stdout + text.stderr
    assert f"Violation ({place}, line 8): det:Place is not a property" in text.stdout
    assert f"Violation ({participant}, line 13): det:participant is not a class" in text.stdout
    assert text.stdout.strip().splitlines()[-1].startswith(f"rejected: {place}, {participant}:")
    result = check(place, participant)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["files"] == [str(place), str(participant)]
    assert {(f["rule"], f["focus"], f["file"], f["line"]) for f in report["findings"]} == {
        ("policy:not-a-property", "meeting:2023-austin-li-shangri-la", str(place), 8),
        ("policy:not-a-class", "person:li-shangfu", str(participant), 13),
    }
