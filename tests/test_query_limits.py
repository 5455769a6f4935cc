"""Any engine answers within a time limit, or stops with a clear error; oxigraph is the default."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import invoke

from detente.kg import Sources
from detente.query import ENGINES, Engine, QueryError, Question, run_within

# Four unconstrained patterns: a cross product of the graph with itself, four times over.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . }"


# Every pair of triples, sorted: the engine must hold them all (millions of rows) at once.
GREEDY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . } ORDER BY ?a ?d ?c ?f"

# A query past each limit: its text, the limits, the error said.
LIMITS: dict[str, tuple[str, dict[str, Any], str]] = {
    "time": (ENDLESS, {"timeout": 0.5}, r"no answer within 0\.5 s \(--timeout\)"),
    "memory": (
        GREEDY,
        {"timeout": 120, "memory_mb": 16},
        r"more than 16 MB of memory \(--memory MB sets the limit\)",
    ),
}


@pytest.mark.parametrize("limit", LIMITS)
@pytest.mark.parametrize("engine", ENGINES)
def test_a_query_past_a_limit_is_stopped_with_a_clear_error(
    engine: Engine, limit: str, sources: Sources, tmp_path: Path
) -> None:
    text, limits, said = LIMITS[limit]
    question = Question(limit, tmp_path / f"{limit}.rq", text)
    with pytest.raises(QueryError, match=said):
        run_within(question, sources.dataset(), engine, **limits)


def test_a_syntax_error_inside_the_time_limit_keeps_its_position(
    sources: Sources, tmp_path: Path
) -> None:
    question = Question("bad", tmp_path / "bad.rq", "SELECT ?x WHERE {\n  ?x ?y \n}")
    with pytest.raises(QueryError) as raised:
        run_within(question, sources.dataset(), "oxigraph", timeout=10)
    assert raised.value.line == 3


def test_the_command_line_stops_a_slow_query_with_exit_2(tmp_path: Path) -> None:
    script = tmp_path / "endless.rq"
    script.write_text(ENDLESS, encoding="utf-8")
    result = invoke("query", script, "--timeout", "0.5")
    assert result.exit_code == 2
    assert "no answer within 0.5 s" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("store", ["--index", "--no-index"])
def test_the_command_line_fails_a_greedy_query_with_exit_2_and_one_line(
    store: str, tmp_path: Path
) -> None:
    """On the index (opened before the limit: what it takes does not count) or on a store of
    the loaded graph, the greedy query fails, the others answer."""
    script = tmp_path / "greedy.rq"
    script.write_text(GREEDY, encoding="utf-8")
    answered = invoke("query", "held-meetings", "--memory", "16", store)
    assert answered.exit_code == 0, answered.output
    result = invoke("query", script, "--memory", "16", "--timeout", "120", store)
    assert result.exit_code == 2
    assert "more than 16 MB of memory" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_oxigraph_is_the_default_engine() -> None:
    result = invoke("query", "--help")
    assert "[default: oxigraph]" in result.output


# Queries that hide SERVICE from a pattern-matching check: an escaped '#' in a local name
# (read as a comment by a pattern), a comment ended by a carriage return alone, an escaped
# quote at the end of a long string. Each must reach no server.
HIDDEN_SERVICE = [
    "PREFIX ex: <http://e/>\nSELECT * WHERE { BIND(ex:a\\# AS ?x) SERVICE <URL> { ?s ?p ?o } }",
    "SELECT * WHERE { BIND(1 AS ?x) # note\rSERVICE <URL> { ?s ?p ?o } }",
    'SELECT * WHERE { BIND("""a\\"""" AS ?x) SERVICE <URL> { ?s ?p ?o } }',
]


@pytest.mark.parametrize("text", HIDDEN_SERVICE, ids=["escaped-hash", "cr-comment", "long-string"])
def test_a_hidden_service_call_reaches_no_server(text: str, tmp_path: Path) -> None:
    import http.server
    import threading

    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            """Quiet."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        script = tmp_path / "hidden.rq"
        url = f"http://127.0.0.1:{server.server_address[1]}/sparql"
        script.write_text(text.replace("URL", url), encoding="utf-8")
        result = invoke("query", script)
    finally:
        server.shutdown()
        server.server_close()
    assert result.exit_code == 2, result.output
    assert asked == []
