// detente query page: runs SPARQL on the endpoint at the relative URL `sparql` and shows
// the answer. Plain JavaScript, no framework, no CDN. Data from the endpoint is only ever
// written as text (textContent, never parsed as markup), and only http(s) IRIs become links.
"use strict";

(function () {
  const ENDPOINT = "sparql";
  const ACCEPT = "application/sparql-results+json, text/turtle;q=0.9";
  const ID = "https://w3id.org/detente/id/";
  const ONTOLOGY = "https://w3id.org/detente/ontology";
  const XSD_STRING = "http://www.w3.org/2001/XMLSchema#string";
  const KNOWN_PREFIXES = {
    det: ONTOLOGY + "#",
    rdf: "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    rdfs: "http://www.w3.org/2000/01/rdf-schema#",
    owl: "http://www.w3.org/2002/07/owl#",
    xsd: "http://www.w3.org/2001/XMLSchema#",
    skos: "http://www.w3.org/2004/02/skos/core#",
    prov: "http://www.w3.org/ns/prov#",
    dcterms: "http://purl.org/dc/terms/",
    wd: "http://www.wikidata.org/entity/",
  };
  const DOWNLOADS = {
    select: [["JSON", "json"], ["XML", "xml"], ["CSV", "csv"], ["TSV", "tsv"]],
    graph: [["Turtle", "turtle"], ["N-Triples", "nt"], ["JSON-LD", "jsonld"]],
  };
  const MAX_LINK_LENGTH = 8000; // longer GET URLs are refused by some servers

  const $ = (id) => document.getElementById(id);
  const form = $("query-form");
  const editor = $("query");
  const runButton = $("run");
  const statusLine = $("status");
  const errorBox = $("error");
  const downloads = $("downloads");
  const results = $("results");
  const banner = $("no-endpoint");
  let latest = 0; // the number of the latest run: older answers arriving late are dropped

  function element(name, text, className) {
    const node = document.createElement(name);
    if (text !== undefined) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function noEndpoint(why) {
    $("no-endpoint-why").textContent = why;
    banner.hidden = false;
  }

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
  }

  function clear() {
    errorBox.hidden = true;
    errorBox.textContent = "";
    downloads.hidden = true;
    downloads.replaceChildren();
    results.replaceChildren();
  }

  // The prefixes a query declares, then the usual ones, for showing IRIs compactly.
  function prefixesOf(text) {
    const found = [];
    const declaration = /PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^<>\s]*)>/gi;
    let match;
    while ((match = declaration.exec(text)) !== null) found.push([match[1] || "", match[2]]);
    for (const [name, iri] of Object.entries(KNOWN_PREFIXES)) found.push([name, iri]);
    return found;
  }

  function compact(iri, prefixes) {
    if (iri.startsWith(ID)) {
      const rest = iri.slice(ID.length);
      const slash = rest.indexOf("/");
      if (slash > 0) return rest.slice(0, slash) + ":" + rest.slice(slash + 1);
    }
    for (const [name, namespace] of prefixes) {
      const local = iri.slice(namespace.length);
      if (namespace && iri.startsWith(namespace) && /^[\w.-]*$/.test(local)) {
        return name + ":" + local;
      }
    }
    return "<" + iri + ">";
  }

  // Where a link to an IRI goes: the published document for detente's own things (a relative
  // path, so it works on any host), the IRI itself for other web IRIs, nowhere otherwise.
  function linkFor(iri) {
    if (iri.startsWith(ID)) {
      const rest = iri.slice(ID.length);
      if (/^[a-z]+\/[^/?#]+$/.test(rest)) return "doc/" + rest + ".html";
    }
    if (iri === ONTOLOGY) return "ontology.html";
    if (iri.startsWith(ONTOLOGY + "#")) return "ontology.html" + iri.slice(ONTOLOGY.length);
    if (/^https?:\/\//i.test(iri)) return iri;
    return null;
  }

  function termCell(term, prefixes) {
    const cell = element("td");
    if (!term) return cell;
    if (term.type === "uri") {
      const href = linkFor(term.value);
      const shown = compact(term.value, prefixes);
      if (href === null) {
        cell.textContent = shown;
      } else {
        const link = element("a", shown);
        link.href = href;
        link.title = term.value;
        cell.appendChild(link);
      }
    } else if (term.type === "bnode") {
      cell.textContent = "_:" + term.value;
    } else if (term.type === "literal" || term.type === "typed-literal") {
      cell.appendChild(document.createTextNode(term.value));
      if (term["xml:lang"]) {
        cell.appendChild(element("span", " @" + term["xml:lang"], "type"));
      } else if (term.datatype && term.datatype !== XSD_STRING) {
        cell.appendChild(element("span", " ^^" + compact(term.datatype, prefixes), "type"));
      }
    } else {
      cell.textContent = JSON.stringify(term.value);
    }
    return cell;
  }

  function showTable(data, prefixes) {
    const variables = data.head.vars || [];
    const rows = data.results.bindings || [];
    const table = element("table");
    const header = element("tr");
    for (const name of variables) header.appendChild(element("th", name));
    table.appendChild(element("thead")).appendChild(header);
    const body = element("tbody");
    for (const row of rows) {
      const line = element("tr");
      for (const name of variables) line.appendChild(termCell(row[name], prefixes));
      body.appendChild(line);
    }
    table.appendChild(body);
    results.appendChild(table);
    return rows.length;
  }

  function showDownloads(text, kind) {
    const links = DOWNLOADS[kind];
    const first = new URLSearchParams({ query: text, format: links[0][1] }).toString();
    if (first.length > MAX_LINK_LENGTH) return;
    downloads.appendChild(document.createTextNode("Download this answer: "));
    for (const [label, format] of links) {
      const link = element("a", label);
      link.href = ENDPOINT + "?" + new URLSearchParams({ query: text, format: format }).toString();
      downloads.appendChild(link);
    }
    downloads.hidden = false;
  }

  // Put the caret where the endpoint says a syntax error is ("line L, column C").
  function pointAt(message) {
    const found = /line (\d+), column (\d+)/.exec(message);
    if (!found) return;
    const lines = editor.value.split("\n");
    const line = Math.min(Number(found[1]), lines.length);
    let at = 0;
    for (let i = 0; i < line - 1; i += 1) at += lines[i].length + 1;
    at = Math.min(at + Number(found[2]) - 1, editor.value.length);
    editor.focus();
    editor.setSelectionRange(at, Math.min(at + 1, editor.value.length));
  }

  async function run() {
    const text = editor.value;
    const mine = ++latest;
    clear();
    statusLine.textContent = "Running…";
    runButton.disabled = true;
    const started = performance.now();
    try {
      let response;
      try {
        response = await fetch(ENDPOINT, {
          method: "POST",
          headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: ACCEPT },
          body: new URLSearchParams({ query: text }),
        });
      } catch (err) {
        if (mine !== latest) return;
        statusLine.textContent = "";
        noEndpoint("The endpoint could not be reached (" + err.message + ").");
        showError("No answer: the SPARQL endpoint could not be reached.");
        return;
      }
      const type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
      const body = await response.text();
      if (mine !== latest) return;
      const took = Math.round(performance.now() - started) + " ms";
      if (type === "text/html" || [404, 405, 501, 502, 504].includes(response.status)) {
        statusLine.textContent = "";
        noEndpoint("The server answered " + response.status + " without a SPARQL endpoint.");
        showError("No answer: there is no SPARQL endpoint at this address.");
        return;
      }
      if (!response.ok) {
        statusLine.textContent = "Refused (" + response.status + ") in " + took + ".";
        showError(response.status + " " + response.statusText + ": " + body.trim());
        pointAt(body);
        return;
      }
      const prefixes = prefixesOf(text);
      let said;
      if (type === "application/sparql-results+json") {
        const data = JSON.parse(body);
        if (typeof data.boolean === "boolean") {
          results.appendChild(element("p", "Answer: " + (data.boolean ? "yes" : "no") + "."));
          said = "ASK answered";
        } else {
          const count = showTable(data, prefixes);
          said = count + (count === 1 ? " row" : " rows");
          showDownloads(text, "select");
        }
      } else {
        results.appendChild(element("pre", body));
        said = "Graph answer (" + (type || "unknown type") + ")";
        showDownloads(text, "graph");
      }
      const cut = response.headers.get("X-Detente-Truncated");
      statusLine.textContent =
        said + " in " + took + "." + (cut ? " Cut at " + cut + " (the endpoint's limit)." : "");
    } finally {
      if (mine === latest) runButton.disabled = false;
    }
  }

  // Whether an endpoint answers here; if not, say so at once rather than on the first run.
  // The outcome is also left on <body data-endpoint="yes|no">.
  async function probe() {
    let found = false;
    if (location.protocol === "file:") {
      noEndpoint("This page was opened from disk.");
    } else {
      try {
        const response = await fetch(ENDPOINT + "?query=" + encodeURIComponent("ASK {}"), {
          headers: { Accept: "application/sparql-results+json" },
        });
        const type = (response.headers.get("Content-Type") || "").split(";")[0].trim();
        found = response.ok && type === "application/sparql-results+json";
        if ([502, 504].includes(response.status)) {
          noEndpoint("The server forwards queries to an endpoint that is not running.");
        } else if (!found) {
          noEndpoint("This copy of the publication is served as plain files.");
        }
      } catch (err) {
        noEndpoint("The endpoint could not be reached (" + err.message + ").");
      }
    }
    document.body.dataset.endpoint = found ? "yes" : "no";
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run();
  });
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });
  for (const button of document.querySelectorAll("button.question")) {
    button.addEventListener("click", () => {
      const source = $("question-" + button.dataset.question);
      if (!source) return;
      editor.value = source.textContent;
      editor.scrollIntoView({ block: "nearest" });
      run();
    });
  }
  probe();
})();
