"""The publication in a real browser (issue 9): headless Chromium, driven by Playwright.

`detente serve`'s application runs on a free loopback port, serving the built publication and
the SPARQL endpoint on the project's store. The pages a reader goes through (the dataset page,
Li Shangfu, a meeting held, the Austin-Li meeting China refused, the ontology, the query page)
must load with no failed request, no HTTP error and no console error; the pictures must be
drawn; the query page must answer a question and point at a malformed query's error.

Screenshots of every page (full length, and at a phone's width) go to dist/screenshots/, for
a person to look at; a rebuild keeps that folder.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from conftest import require_tool, served_in_thread
from rdflib import Graph

from detente.engines import oxigraph_store
from detente.kg import Sources
from detente.serve import create_app

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "dist" / "screenshots"
EXPECTED = Path(__file__).parent / "expected"
STARTUP_SECONDS = 20.0  # how long the server may take to start before the tests give up
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
MAX_SHOT = 3000  # px: a tall page is cut (rendering its whole length costs seconds)

PERSON = "doc/person/li-shangfu"
HELD = "doc/meeting/2023-sullivan-wang-yi-vienna"
REFUSED = "doc/meeting/2023-austin-li-shangri-la"
# Each page: its path, its screenshot's name, and words its heading must hold (from the article).
PAGES = [
    ("", "index", "detente"),
    (PERSON, "person", "Li Shangfu"),
    (HELD, "held-meeting", "Vienna"),
    (REFUSED, "refused-meeting", "Shangri-La"),
    ("ontology", "ontology", "detente"),
    ("sparql.html", "query", "Query"),
]
# The meetings the article says took place in May 2023, each with its two participants.
HELD_MEETINGS = {
    "Vienna": {"Jake Sullivan", "Wang Yi"},
    "Beijing": {"Qin Gang", "Nicholas Burns"},
    "Washington": {"Gina Raimondo", "Wang Wentao"},
}


# ------------------------------------------------------------------ the server and the browser


@pytest.fixture(scope="module")
def site(publication: Path, sources: Sources, closed: Graph) -> Iterator[str]:
    """The publication and its SPARQL endpoint behind uvicorn in a thread: the site's URL."""
    store: ox.Store = oxigraph_store(sources.dataset(closed))
    with served_in_thread(create_app(publication, store), STARTUP_SECONDS) as url:
        yield url


@dataclass
class Tab:
    """One browser page, reused, with what went wrong since the last visit."""

    page: Any
    problems: list[str] = field(default_factory=list)

    def visit(self, url: str) -> Any:
        """Open a URL, waiting until the page and all it loads are there; its response."""
        self.problems.clear()
        response = self.page.goto(url, wait_until="load")
        assert response is not None, url
        return response

    def failed(self, request: Any) -> None:
        """A request that got no answer at all."""
        self.problems.append(f"failed: {request.url} ({request.failure})")

    def answered(self, response: Any) -> None:
        """An answer, noted if it is an HTTP error."""
        if response.status >= 400:
            self.problems.append(f"{response.status}: {response.url}")

    def logged(self, message: Any) -> None:
        """A console message, noted if it is an error."""
        if message.type == "error":
            self.problems.append(f"console: {message.text} ({message.location.get('url')})")

    def crashed(self, error: Any) -> None:
        """An uncaught script error."""
        self.problems.append(f"script error: {error}")

    def shoot(self, name: str) -> None:
        """A full-length screenshot (at most MAX_SHOT px tall), and one of the first screen,
        into dist/screenshots/."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        size = self.page.viewport_size
        height = self.page.evaluate("document.documentElement.scrollHeight")
        clip = {"x": 0, "y": 0, "width": size["width"], "height": min(height, MAX_SHOT)}
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, clip=clip)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}-top.png"))


@pytest.fixture(scope="module")
def tab() -> Iterator[Tab]:
    """Headless Chromium (Debian's) with one page, its failures recorded as they happen."""
    chromium = require_tool("chromium")
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (python)")
    with sync_api.sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            page = browser.new_page(viewport=DESKTOP)
            page.set_default_timeout(10_000)
            opened = Tab(page)
            page.on("requestfailed", opened.failed)
            page.on("response", opened.answered)
            page.on("console", opened.logged)
            page.on("pageerror", opened.crashed)
            yield opened
        finally:
            browser.close()


# ------------------------------------------------------------------ the pages


@pytest.mark.parametrize(("path", "name", "words"), PAGES, ids=[p[1] for p in PAGES])
def test_each_page_loads_whole_without_an_error(
    site: str, tab: Tab, path: str, name: str, words: str
) -> None:
    response = tab.visit(site + path)
    assert response.status == 200
    if path == "sparql.html":  # the page asks the endpoint whether it answers
        tab.page.wait_for_selector("body[data-endpoint=yes]")
    heading = tab.page.locator("main h1")
    assert heading.is_visible()
    assert words in heading.inner_text()
    assert tab.page.title()
    broken = tab.page.evaluate(
        "[...document.images].filter(i => !i.complete || i.naturalWidth === 0).map(i => i.src)"
    )
    assert broken == []
    tab.shoot(name)
    assert tab.problems == []


def test_a_refused_meeting_says_plainly_that_it_did_not_take_place(site: str, tab: Tab) -> None:
    tab.visit(site + REFUSED)
    box = tab.page.locator(".not-held")
    assert box.is_visible()
    text = box.inner_text()
    assert "did not take place" in text
    assert "rejected" in text.lower()
    assert "China rejected the US request for a meeting" in text  # the report's words
    history = tab.page.locator("table.history tbody tr").all_inner_texts()
    assert len(history) == 1 and "rejected" in history[0], history
    # The U.S. request and China's refusal of it link here.
    named_in = tab.page.locator("article h3").all_inner_texts()
    assert any(h.startswith("Requests") for h in named_in), named_in
    assert any(h.startswith("Refusals") for h in named_in), named_in
    assert tab.problems == []


def test_a_held_meeting_says_it_took_place_and_nothing_else(site: str, tab: Tab) -> None:
    tab.visit(site + HELD)
    assert tab.page.locator(".not-held").count() == 0
    held = tab.page.locator(".status-box.status-held")
    assert held.is_visible()
    assert "took place" in held.inner_text()
    facts = tab.page.locator("table.facts").inner_text()
    assert "Jake Sullivan" in facts and "Wang Yi" in facts
    assert tab.problems == []


def test_the_pictures_are_drawn_on_the_dataset_page_and_on_their_own(site: str, tab: Tab) -> None:
    tab.visit(site)
    for selector in ("svg.detente-timeline", "svg.detente-network"):
        picture = tab.page.locator(f"main figure {selector}")
        assert picture.count() == 1, selector
        box = picture.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100, (selector, box)
        # Something is drawn in it: its content has a size of its own.
        drawn = picture.evaluate("svg => svg.getBBox().width * svg.getBBox().height")
        assert drawn > 0, selector
    for name in ("timeline", "network"):
        response = tab.visit(f"{site}pictures/{name}.svg")
        assert response.status == 200
        assert response.headers["content-type"].split(";")[0] == "image/svg+xml"
        root = tab.page.locator(f"svg.detente-{name}")
        box = root.bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100, (name, box)
        # An SVG document cannot name an icon, so the browser asks for /favicon.ico, which
        # the publication does not have: that 404 is the only complaint allowed here.
        assert [p for p in tab.problems if not p.endswith("/favicon.ico)")] == []


# ------------------------------------------------------------------ the query page


def test_the_query_page_answers_a_question_and_points_at_a_syntax_error(
    site: str, tab: Tab
) -> None:
    with (EXPECTED / "held-meetings.csv").open(encoding="utf-8") as expected:
        rows = len(list(csv.DictReader(expected)))
    assert rows == 2 * len(HELD_MEETINGS)  # one row per participant of each meeting held
    tab.visit(site + "sparql.html")
    page = tab.page
    page.wait_for_selector("body[data-endpoint=yes]")
    page.click("button[data-question=held-meetings]")
    page.wait_for_selector("#results table tbody tr")
    assert page.locator("#results tbody tr").count() == rows
    header = page.locator("#results thead th").all_inner_texts()
    meeting, participant = header.index("meeting"), header.index("participant")
    shown: dict[str, set[str]] = {}
    for row in page.locator("#results tbody tr").all():
        cells = row.locator("td").all()
        # A literal's cell is its text, then its language tag in a span of its own.
        name = cells[meeting].evaluate("td => td.firstChild.textContent")
        place = next(p for p in HELD_MEETINGS if p in name)
        shown.setdefault(place, set()).add(
            cells[participant].evaluate("td => td.firstChild.textContent")
        )
    assert shown == HELD_MEETINGS
    assert f"{rows} rows" in page.inner_text("#status")
    tab.shoot("query")
    assert tab.problems == []
    # A malformed query: an error naming where, not silence.
    page.fill("#query", "SELECT ?x WHERE {\n  ?x ?y\n}")
    page.click("#run")
    page.wait_for_selector("#error:not([hidden])")
    error = page.inner_text("#error")
    assert "line 3, column" in error, error
    assert page.locator("#results table").count() == 0
    tab.shoot("query-error")
    # The endpoint's 400 is the only complaint: the browser logs it, the page does not break.
    assert tab.problems, "the malformed query was not refused"
    for problem in tab.problems:
        assert problem.endswith("/sparql") or problem.endswith("/sparql)"), problem
        assert problem.startswith("400: ") or "status of 400" in problem, problem


# ------------------------------------------------------------------ a phone's width


@pytest.mark.parametrize(
    ("path", "name"),
    [("", "index-phone"), (PERSON, "person-phone"), (REFUSED, "refused-meeting-phone")],
)
def test_at_a_phone_width_nothing_runs_off_the_side(
    site: str, tab: Tab, path: str, name: str
) -> None:
    tab.page.set_viewport_size(PHONE)
    try:
        tab.visit(site + path)
        # Wide tables and pictures scroll inside their own box; the page itself does not.
        width = tab.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path or 'index'} is {width} px wide"
        tab.shoot(name)
        assert tab.problems == []
    finally:
        tab.page.set_viewport_size(DESKTOP)
