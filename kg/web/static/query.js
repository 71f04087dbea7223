/* The query page: a SPARQL editor (CodeMirror 6, vendored), the example questions of queries/,
   and the answer as a table, a timeline (vis-timeline) or a graph (Cytoscape.js), chosen by the
   query's `# view:` comment as the Wikidata Query Service does with `#defaultView:`. The query
   and the view live in the URL, so a link shares both. Nothing is loaded from another host. */
(function () {
  "use strict";

  const page = JSON.parse(document.getElementById("page-data").textContent);
  const BASE = page.base;
  const ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9";
  const MAX_LABELLED = 1500;       // IRIs whose labels one request fetches
  const VIEWS = ["table", "timeline", "graph"];
  const STATUS = { 400: "Bad Request", 403: "Forbidden", 404: "Not Found", 406: "Not Acceptable",
    413: "Payload Too Large", 415: "Unsupported Media Type", 500: "Internal Server Error", 503: "Service Unavailable" };
  // Terms of the standard vocabularies that queries of this graph use most, for completion.
  const COMMON_TERMS = {
    rdf: ["type", "subject", "predicate", "object", "Statement", "first", "rest"],
    rdfs: ["label", "comment", "subClassOf", "subPropertyOf", "domain", "range", "isDefinedBy"],
    skos: ["prefLabel", "altLabel", "exactMatch", "closeMatch", "scopeNote", "note", "notation", "inScheme"],
    prov: ["wasDerivedFrom", "wasAttributedTo"],
    oa: ["hasSelector", "hasSource", "hasTarget", "hasBody", "exact", "prefix", "suffix", "start", "end",
      "TextQuoteSelector", "TextPositionSelector", "SpecificResource", "Annotation"],
    dcterms: ["title", "creator", "date", "identifier", "rights", "language", "hasPart"],
    org: ["Membership", "member", "organization", "role", "memberDuring", "Post", "holds", "postIn"],
    owl: ["Class", "ObjectProperty", "DatatypeProperty", "sameAs"],
    xsd: ["date", "gYear", "gYearMonth", "integer", "string", "decimal", "dateTime"],
  };
  const KEYWORDS = ["SELECT", "DISTINCT", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH", "VALUES",
    "BIND", "AS", "ORDER BY", "GROUP BY", "HAVING", "LIMIT", "OFFSET", "ASK", "CONSTRUCT", "DESCRIBE",
    "PREFIX", "COUNT", "SAMPLE", "GROUP_CONCAT", "LANG", "STR", "YEAR", "EXISTS", "NOT EXISTS", "CONTAINS",
    "STRSTARTS", "REGEX", "DESC", "ASC", "COALESCE", "IF"];

  const $ = (id) => document.getElementById(id);
  const form = $("query-form");
  const textarea = $("query");
  const select = $("examples");
  const runButton = $("run");
  const V = window.KgViews(page, { get result() { return result; }, get view() { return view; } });
  const exampleText = {};          // slug → its text as served, to tell whether the editor still holds it
  let editor = null;
  let result = null;
  let view = "table";
  let urlView = VIEWS.find((v) => v === new URLSearchParams(location.search).get("view")) || null;
  let runs = 0;
  let jsonUrl = null;

  // ---- the editor ---------------------------------------------------------------------------

  function getText() { return editor ? editor.state.doc.toString() : textarea.value; }

  function setText(text) {
    if (editor) editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: text } });
    else textarea.value = text;
  }

  function declared(text) {
    const out = {};
    for (const m of text.matchAll(/PREFIX\s+([\w-]*):\s*<([^>]*)>/gi)) out[m[1]] = m[2];
    return out;
  }

  /** Where to add `PREFIX p: <ns>` if the query lacks it: after the last PREFIX line, else above
      the first line that is not a comment. */
  function prefixChange(doc, prefix) {
    if (!(prefix in page.prefixes) || prefix in declared(doc.toString())) return null;
    let pos = null;
    let firstCode = null;
    for (let i = 1; i <= doc.lines; i++) {
      const line = doc.line(i);
      if (/^\s*(PREFIX|BASE)\b/i.test(line.text)) pos = line.to;
      else if (firstCode === null && line.text.trim() && !line.text.trim().startsWith("#")) firstCode = line.from;
    }
    const decl = `PREFIX ${prefix}: <${page.prefixes[prefix]}>`;
    if (pos !== null) return { from: pos, insert: "\n" + decl };
    return { from: firstCode === null ? doc.length : firstCode, insert: decl + "\n" };
  }

  function applyName(prefix, text) {
    return (view, completion, from, to) => {
      const changes = view.state.changes([{ from, to, insert: text }, prefixChange(view.state.doc, prefix)]
        .filter(Boolean));
      view.dispatch({ changes, selection: { anchor: changes.mapPos(to, 1) }, userEvent: "input.complete" });
    };
  }

  function complete(context) {
    const line = context.state.doc.lineAt(context.pos);
    const before = line.text.slice(0, context.pos - line.from);
    let m = before.match(/^\s*PREFIX\s+([\w-]*:?)$/i);
    if (m) {
      return {
        from: context.pos - m[1].length, validFor: /^[\w-]*:?$/,
        options: Object.entries(page.prefixes).map(([p, ns]) => ({ label: `${p}: <${ns}>`, type: "namespace" })),
      };
    }
    m = before.match(/(?:^|[\s(){}.;,/^|!*+?])([A-Za-z][\w-]*):([\w-]*)$/);
    if (m) {
      const [, prefix, local] = m;
      const names = prefix === "kg"
        ? Object.entries(page.terms).map(([name, [kind, label]]) => ({ label: name, detail: label,
          type: kind === "class" ? "class" : "property", apply: applyName(prefix, name) }))
        : (COMMON_TERMS[prefix] || []).map((name) => ({ label: name, type: /^[A-Z]/.test(name) ? "class" : "property",
          apply: applyName(prefix, name) }));
      if (!names.length && !(prefix in page.prefixes)) return null;
      return { from: context.pos - local.length, options: names, validFor: /^[\w-]*$/ };
    }
    const word = context.matchBefore(/[A-Za-z][\w-]*/);
    if (!word || (word.from === word.to && !context.explicit)) return null;
    if (word.from > line.from && /[?$<"'@]/.test(line.text[word.from - line.from - 1])) return null;
    const options = Object.entries(page.prefixes).map(([p, ns]) => ({ label: p + ":", detail: ns, type: "namespace",
      apply: (view, completion, from, to) => {
        applyName(p, p + ":")(view, completion, from, to);
        window.CM.startCompletion(view);
      } }));
    for (const k of KEYWORDS) options.push({ label: k, type: "keyword", boost: -1 });
    return { from: word.from, options, validFor: /^[\w-]*$/ };
  }

  function makeEditor() {
    const CM = window.CM;
    if (!CM) return;                 // the plain textarea keeps working
    const runKey = () => { run(); return true; };
    editor = new CM.EditorView({
      state: CM.EditorState.create({
        doc: textarea.value,
        extensions: [
          CM.lineNumbers(), CM.highlightActiveLineGutter(), CM.history(), CM.drawSelection(),
          CM.bracketMatching(), CM.closeBrackets(), CM.highlightActiveLine(),
          CM.StreamLanguage.define(CM.sparql), CM.syntaxHighlighting(CM.defaultHighlightStyle),
          CM.autocompletion({ override: [complete] }),
          CM.keymap.of([{ key: "Mod-Enter", run: runKey }, { key: "Shift-Enter", run: runKey },
            ...CM.closeBracketsKeymap, ...CM.completionKeymap, ...CM.historyKeymap, ...CM.defaultKeymap,
            CM.indentWithTab]),
          CM.EditorView.updateListener.of((u) => { if (u.docChanged) edited(); }),
          CM.EditorView.contentAttributes.of({ "aria-label": "SPARQL query" }),
        ],
      }),
    });
    // long lines scroll sideways on a phone: the scroller itself takes the keyboard then
    editor.scrollDOM.tabIndex = 0;
    editor.scrollDOM.setAttribute("aria-label", "SPARQL query, scrollable");
    textarea.hidden = true;
    textarea.before(editor.dom);
  }

  function edited() {
    textarea.value = getText();
    updateShareLink();
    const slug = select.value;
    const info = page.examples[slug];
    $("example-description").textContent = !info ? "" :
      info.description + (exampleText[slug] !== undefined && exampleText[slug] !== textarea.value ? " (edited)" : "");
  }

  // ---- URL state ----------------------------------------------------------------------------

  function headerView(text) {
    const m = text.match(/^#\s*view\s*:\s*(\w+)/im);
    return m && VIEWS.includes(m[1].toLowerCase()) ? m[1].toLowerCase() : "table";
  }

  function stateUrl() {
    const params = new URLSearchParams();
    const text = getText();
    if (select.value && exampleText[select.value] === text) params.set("example", select.value);
    else params.set("query", text);
    if (view !== headerView(text)) params.set("view", view);
    return location.pathname + "?" + params.toString();
  }

  function updateShareLink() { $("share").href = stateUrl(); }

  function saveState(push) {
    const url = stateUrl();
    if (url === location.pathname + location.search) return;
    history[push ? "pushState" : "replaceState"]({ view }, "", url);
    updateShareLink();
  }

  // ---- running a query ----------------------------------------------------------------------

  function parseNTriples(text) {
    const term = /<([^>]*)>|_:(\S+)|"((?:[^"\\]|\\.)*)"(?:@([\w-]+)|\^\^<([^>]*)>)?/g;
    const unescape = (s) => { try { return JSON.parse('"' + s + '"'); } catch (e) { return s; } };
    const rows = [];
    for (const line of text.split("\n")) {
      if (!line.trim() || line.startsWith("#")) continue;
      const terms = [];
      term.lastIndex = 0;
      let m;
      while (terms.length < 3 && (m = term.exec(line))) {
        if (m[1] !== undefined) terms.push({ type: "uri", value: m[1] });
        else if (m[2] !== undefined) terms.push({ type: "bnode", value: m[2] });
        else {
          const t = { type: "literal", value: unescape(m[3]) };
          if (m[4]) t["xml:lang"] = m[4];
          if (m[5]) t.datatype = m[5];
          terms.push(t);
        }
      }
      if (terms.length === 3) rows.push({ subject: terms[0], predicate: terms[1], object: terms[2] });
    }
    return { kind: "graph", vars: ["subject", "predicate", "object"], rows };
  }

  function parseResult(body, contentType) {
    if (contentType.includes("json")) {
      const data = JSON.parse(body);
      if ("boolean" in data) return { kind: "boolean", vars: [], rows: [], boolean: data.boolean };
      return { kind: "select", vars: data.head.vars, rows: data.results.bindings };
    }
    return parseNTriples(body);
  }

  async function run() {
    const text = getText();
    textarea.value = text;
    const id = ++runs;
    // The view: the URL's on the first run, the user's choice when the same query runs again,
    // else the query's own `# view:` comment.
    if (urlView) view = urlView;
    else if (!result || result.text !== text) view = headerView(text);
    urlView = null;
    saveState(true);
    $("results").hidden = false;
    $("error").hidden = true;
    $("status").textContent = "Running…";
    runButton.disabled = true;
    const started = performance.now();
    let response;
    let body;
    try {
      response = await fetch("/sparql", { method: "POST", headers: { Accept: ACCEPT },
        body: new URLSearchParams({ query: text }) });
      body = await response.text();
    } catch (e) {
      if (id === runs) fail(`The endpoint could not be reached: ${e.message}`);
      return;
    } finally {
      if (id === runs) runButton.disabled = false;
    }
    if (id !== runs) return;         // a later run took over
    const ms = Math.round(performance.now() - started);
    if (!response.ok) {
      fail(`${response.status} ${response.statusText || STATUS[response.status] || ""}: ${body.trim()}`);
      return;
    }
    const res = parseResult(body, response.headers.get("Content-Type") || "");
    Object.assign(res, { text, ms, raw: body, rawType: response.headers.get("Content-Type"),
      labels: {}, categories: {} });
    result = res;
    // A table shows at once and gets its labels after; a timeline or graph waits for them (one
    // small query), to be laid out once, with names and colours.
    const early = view === "table" || !(view === "timeline" ? V.timelineItems(res) : V.graphElements(res));
    if (early) markShown();
    await fetchLabels(res);
    if (result !== res) return;
    if (early && res.kind !== "boolean" && res.rows.length) relabel(res);
    else if (!early) markShown();
  }

  function markShown() {
    show();
    if (!performance.getEntriesByName("kg-first-result").length) performance.mark("kg-first-result");
    document.body.dataset.runs = String(runs);
  }

  /** Put the labels fetched after the table was drawn into its links. */
  function relabel(res) {
    if (view !== "table") { show(); return; }
    // in place (links a reader may be about to click stay the same elements): labels, date
    // phrases and passage links fetched after the first drawing
    for (const a of $("view-table").querySelectorAll("a.term")) {
      const fresh = V.termNode({ type: "uri", value: a.title });
      a.textContent = fresh.textContent;
      a.className = fresh.className;
    }
    for (const span of $("view-table").querySelectorAll("span.literal:not(.date)")) {
      if (res.passages && res.passages[span.textContent]) {
        span.replaceWith(V.termNode({ type: "literal", value: span.textContent }));
      }
    }
  }

  function fail(message) {
    result = null;
    $("status").textContent = "";
    $("error").textContent = message;
    $("error").hidden = false;
    for (const v of VIEWS) $("view-" + v).hidden = true;
    $("view-note").hidden = true;
    $("detail").hidden = true;
    for (const a of ["download-csv", "download-json"]) $(a).hidden = true;
    document.querySelector(".result-bar").classList.add("failed");
  }

  /** Labels (and, for the graph, the top class) of the IRIs in a result, in one query. */
  async function fetchLabels(res) {
    const iris = new Set();
    for (const row of res.rows) {
      for (const v of res.vars) {
        const t = row[v];
        if (t && t.type === "uri" && t.value.startsWith(BASE) && !V.isOntologyTerm(t.value)) iris.add(t.value);
      }
      if (iris.size >= MAX_LABELLED) break;
    }
    if (!iris.size) return;
    const values = [...iris].map((i) => `<${i}>`).join(" ");
    const tops = V.CATEGORIES.map(([, cls]) => `<${BASE}ontology#${cls}>`).join(" ");
    const KG = BASE + "ontology#";
    // labels and top classes; date nodes as the text gives them; statements' passages, so that a
    // quote in the same row links to its place in the source
    const query = `SELECT ?s ?label ?top ?original ?cal ?lo ?hi ?src ?a ?b ?quote WHERE { VALUES ?s { ${values} }
      { OPTIONAL { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER (LANG(?label) = "en" || LANG(?label) = "") } }
      UNION { VALUES ?top { ${tops} } ?s a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?top }
      UNION { ?s <${KG}earliestGregorian> ?lo ; <${KG}latestGregorian> ?hi .
              OPTIONAL { ?s <${KG}originalValue> ?original } OPTIONAL { ?s <${KG}calendarModel> ?cal } }
      UNION { ?s <${KG}statedIn> ?src ; <http://www.w3.org/ns/prov#wasDerivedFrom> ?ev .
              ?ev <http://www.w3.org/ns/oa#hasSelector> ?ps , ?qs . ?ps <http://www.w3.org/ns/oa#start> ?a ;
              <http://www.w3.org/ns/oa#end> ?b . ?qs <http://www.w3.org/ns/oa#exact> ?quote } }`;
    try {
      const r = await fetch("/sparql", { method: "POST", headers: { Accept: "application/sparql-results+json" },
        body: new URLSearchParams({ query }) });
      if (!r.ok) return;
      const rank = Object.fromEntries(V.CATEGORIES.map(([, cls], i) => [`${BASE}ontology#${cls}`, i]));
      const best = {};
      for (const b of (await r.json()).results.bindings) {
        const s = b.s.value;
        if (b.label && !(s in res.labels)) res.labels[s] = b.label.value;
        if (b.lo) (res.dates = res.dates || {})[s] = { lo: b.lo.value, hi: b.hi.value,
          original: b.original && b.original.value, calendar: b.cal && b.cal.value };
        if (b.quote) (res.passages = res.passages || {})[b.quote.value] =
          `${V.localUrl(b.src.value) || b.src.value}?highlight=${b.a.value}-${b.b.value}#c${b.a.value}`;
        if (b.top && (!(s in best) || rank[b.top.value] < best[s])) best[s] = rank[b.top.value];
      }
      for (const [s, i] of Object.entries(best)) res.categories[s] = V.CATEGORIES[i][0];
    } catch (e) {
      // labels are a nicety: the short IRIs stay
    }
  }

  // ---- showing a result ---------------------------------------------------------------------

  function show() {
    const res = result;
    document.querySelector(".result-bar").classList.remove("failed");
    const n = res.kind === "boolean" ? "" : `${res.rows.length} ${res.kind === "graph" ? "triples" : "rows"} · `;
    $("status").textContent = `${n}${res.ms} ms`;
    const available = { table: true, timeline: !!V.timelineItems(res), graph: !!V.graphElements(res) };
    for (const b of document.querySelectorAll(".views button")) {
      const v = b.dataset.view;
      b.disabled = !available[v];
      b.title = available[v] ? "" : v === "timeline" ? "No dates in this result" : "No links between entities in this result";
      b.setAttribute("aria-selected", String(v === view));
    }
    const note = $("view-note");
    note.hidden = true;
    if (!available[view]) {
      note.textContent = `This result has nothing to show as a ${view}; here it is as a table.`;
      note.hidden = false;
      view = "table";
      document.querySelector('.views button[data-view="table"]').setAttribute("aria-selected", "true");
    }
    downloads(res);
    $("detail").hidden = true;
    for (const v of VIEWS) $("view-" + v).hidden = v !== view;
    if (view === "table") V.renderTable(res);
    else if (view === "timeline") V.renderTimeline(res);
    else V.renderGraph(res);
  }

  function switchView(v) {
    if (!result || v === view) return;
    view = v;
    saveState(false);
    show();
  }

  function downloads(res) {
    const csv = $("download-csv");
    const json = $("download-json");
    if (jsonUrl) URL.revokeObjectURL(jsonUrl);
    jsonUrl = URL.createObjectURL(new Blob([res.raw], { type: res.rawType || "application/octet-stream" }));
    json.href = jsonUrl;
    json.textContent = res.kind === "graph" ? "N-Triples" : "JSON";
    json.download = res.kind === "graph" ? "results.nt" : "results.json";
    json.hidden = false;
    csv.hidden = res.kind !== "select";
    csv.href = "/sparql?" + new URLSearchParams({ query: res.text, format: "csv" });
  }

  async function downloadCsv(event) {
    // Fetched and saved from a Blob: a long query would not fit in a link, and POST keeps it out of logs.
    event.preventDefault();
    if (!result) return;
    const r = await fetch("/sparql", { method: "POST", headers: { Accept: "text/csv" },
      body: new URLSearchParams({ query: result.text }) });
    const url = URL.createObjectURL(await r.blob());
    const a = V.el("a", { href: url, download: "results.csv" });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  }

  // ---- examples -----------------------------------------------------------------------------

  async function pickExample(slug) {
    const info = page.examples[slug];
    $("example-description").textContent = info ? info.description : "";
    if (!slug) return;
    if (!(slug in exampleText)) {
      const r = await fetch(`/queries/${encodeURIComponent(slug)}.rq`);
      if (!r.ok) { fail(`${r.status}: ${await r.text()}`); return; }
      exampleText[slug] = await r.text();
    }
    setText(exampleText[slug]);
    await run();
  }

  // ---- start --------------------------------------------------------------------------------

  function start() {
    makeEditor();
    if (select.value) exampleText[select.value] = textarea.value;
    form.addEventListener("submit", (e) => { e.preventDefault(); run(); });
    select.addEventListener("change", () => pickExample(select.value));
    for (const b of document.querySelectorAll(".views button")) {
      b.addEventListener("click", () => switchView(b.dataset.view));
    }
    $("download-csv").addEventListener("click", downloadCsv);
    $("share").addEventListener("click", async (e) => {
      updateShareLink();
      if (!navigator.clipboard) return;
      e.preventDefault();
      try {
        await navigator.clipboard.writeText(new URL($("share").href, location.href).href);
        $("share").textContent = "Link copied";
      } catch (err) {
        location.href = $("share").href;
      }
      setTimeout(() => { $("share").textContent = "Link to this query"; }, 2000);
    });
    window.addEventListener("popstate", () => location.reload());
    updateShareLink();
    if (form.dataset.autorun === "true") run();
  }

  start();
  window.kgQueryPage = { run, getText, setText, switchView, get result() { return result; }, get view() { return view; } };
}());
