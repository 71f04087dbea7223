/* The result views of the query page: a table, a timeline (vis-timeline) and a graph
   (Cytoscape.js), and the IRI helpers they share with query.js. The two libraries are loaded
   from this server's static/vendor/ only when their view is first shown. */
(function () {
  "use strict";

  /** The views for one page; `state.result` and `state.view` are what the page shows now. */
  window.KgViews = function (page, state) {
    const BASE = page.base;
    const XSD = "http://www.w3.org/2001/XMLSchema#";
    const DATE_TYPES = new Set(["date", "dateTime", "gYear", "gYearMonth"].map((t) => XSD + t));
    const MAX_TABLE_ROWS = 2000;     // a browser table past this is slow and no one reads it: download instead
    const MAX_TIMELINE_GROUPS = 80;  // past this, one row per name is too tall: items stack freely
    // Colours of the graph view, by the top class an entity belongs to (first match wins).
    const CATEGORIES = [
      ["soviet", "Soviet", "#b3261e"], ["party", "Party", "#1f5fa8"], ["party", "Faction", "#1f5fa8"],
      ["person", "Person", "#2e7d32"], ["body", "Organisation", "#8d5a00"], ["place", "Place", "#6a4c93"],
      ["event", "Event", "#c2185b"], ["source", "Publication", "#546e7a"], ["source", "SourceDocument", "#546e7a"],
    ];
    const CATEGORY_NAMES = { soviet: "soviet", party: "party or faction", person: "person", body: "other body",
      place: "place", event: "event", source: "publication or source", other: "other" };

    const $ = (id) => document.getElementById(id);
    let timeline = null;
    let graph = null;

    // ---- IRIs ---------------------------------------------------------------------------------

    const prefixList = Object.entries(page.prefixes).sort((a, b) => b[1].length - a[1].length);

    function short(iri) {
      for (const [p, ns] of prefixList) {
        if (iri.startsWith(ns) && iri.length > ns.length) return p + ":" + iri.slice(ns.length);
      }
      return "<" + iri + ">";
    }

    /** The path under which this server shows an IRI of ours (as kg/web/urls.py), or null. */
    function localUrl(iri) {
      if (!iri.startsWith(BASE)) return null;
      const rest = iri.slice(BASE.length);
      if (rest.startsWith("ontology#")) return "/ontology#" + rest.split("#")[1];
      if ((rest.startsWith("statement/") || rest.startsWith("source/")) && rest.includes("#")) {
        return "/" + rest.split("#")[0];
      }
      return "/" + rest;
    }

    /** Where a link to an IRI may lead: our page for it, or the IRI itself when it is http(s).
        Any other scheme (javascript:, data:, file:, …) is shown as text, never made a link. */
    function linkFor(iri) {
      const local = localUrl(iri);
      if (local !== null && local.startsWith("/") && !local.startsWith("//")) return local;
      return /^https?:\/\//i.test(iri) ? iri : null;
    }

    const isOntologyTerm = (iri) => iri.startsWith(BASE + "ontology#");
    const isEntity = (iri) => iri.startsWith(BASE + "id/");

    function labelOf(iri) {
      if (isOntologyTerm(iri)) return short(iri);
      return (state.result && state.result.labels[iri]) || short(iri);
    }

    function el(tag, attrs, ...children) {
      const node = document.createElement(tag);
      for (const [k, v] of Object.entries(attrs || {})) {
        if (v === null || v === undefined || v === false) continue;
        if (k === "class") node.className = v; else node.setAttribute(k, v);
      }
      for (const c of children) node.append(c instanceof Node ? c : String(c));
      return node;
    }

    // Calendar models as words: what a reader needs, the IRI stays in the title.
    const CALENDARS = { "http://www.wikidata.org/entity/Q1985786": "Julian calendar (O.S.)",
      "http://www.wikidata.org/entity/Q1985727": "Gregorian calendar (N.S.)" };
    CALENDARS[BASE + "ontology#AmbiguousCalendar"] = "calendar not stated";
    const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
      "October", "November", "December"];

    /** kg:partOfEvent → "part of event", kg:AuthorAttribution → "author" (as kg/web/words.py). */
    function words(iri) {
      const local = iri.split("#").pop().replace(/Attribution$/, "");
      return local.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
    }

    /** "1905-10-13" → "13 October 1905"; "1905-10" → "October 1905"; a year stays. */
    function spelled(value) {
      const m = /^(-?\d{4})(?:-(\d\d))?(?:-(\d\d))?$/.exec(value);
      if (!m) return value;
      if (m[3]) return `${Number(m[3])} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
      return m[2] ? `${MONTHS[Number(m[2]) - 1]} ${m[1]}` : m[1];
    }

    /** A date node as the text gives it, with its calendar and the Gregorian equivalent (as words.py). */
    function datePhrase(d) {
      const span = d.lo === d.hi ? spelled(d.lo) : `${spelled(d.lo)} – ${spelled(d.hi)}`;
      if (!d.original) return `between ${span} (N.S.)`;
      if (d.calendar === "http://www.wikidata.org/entity/Q1985727") return `${spelled(d.original)} (N.S.)`;
      if (d.calendar === "http://www.wikidata.org/entity/Q1985786") return `${spelled(d.original)} (O.S.) = ${span} (N.S.)`;
      return `${spelled(d.original)} (calendar not stated: ${span} N.S.)`;
    }

    function termNode(term) {
      if (!term) return "";
      if (term.type === "uri") {
        const dates = state.result && state.result.dates;
        if (dates && dates[term.value]) {
          return el("a", { href: localUrl(term.value) || term.value, title: term.value, class: "term date" },
            datePhrase(dates[term.value]));
        }
        const href = linkFor(term.value);
        if (href === null) return el("span", { title: term.value, class: "term unlinked" }, labelOf(term.value));
        const local = href !== term.value;
        const text = CALENDARS[term.value] || (isOntologyTerm(term.value) ? words(term.value) : labelOf(term.value));
        return el("a", { href, title: term.value, class: local ? "term" : "term external" }, text);
      }
      if (term.type === "bnode") return el("span", { class: "bnode" }, "_:" + term.value);
      const hint = term["xml:lang"] ? "@" + term["xml:lang"] : term.datatype ? short(term.datatype) : null;
      // typed dates of the graph are Gregorian values (the calendar a text used is on its date node)
      if (DATE_TYPES.has(term.datatype)) {
        return el("span", { class: "literal date", title: `${term.value} (${hint})` }, `${spelled(term.value)} (N.S.)`);
      }
      const passage = state.result && state.result.passages && state.result.passages[term.value];
      if (passage) return el("a", { href: passage, class: "literal quote" }, term.value);
      return el("span", { class: "literal", title: hint }, term.value);
    }

    function renderTable(res) {
      const box = $("view-table");
      box.replaceChildren();
      if (res.kind === "boolean") {
        box.append(el("p", { class: "boolean" }, "Answer: ", el("strong", {}, res.boolean ? "yes (true)" : "no (false)")));
        return;
      }
      if (!res.rows.length) {
        box.append(el("p", { class: "empty" }, "No results."));
        return;
      }
      const table = el("table", { class: "results" });
      const head = el("tr", {}, el("th", { class: "num" }, "#"));
      for (const v of res.vars) head.append(el("th", { scope: "col" }, "?" + v));
      table.append(el("thead", {}, head));
      const body = el("tbody");
      res.rows.slice(0, MAX_TABLE_ROWS).forEach((row, i) => {
        const tr = el("tr", {}, el("td", { class: "num" }, i + 1));
        for (const v of res.vars) tr.append(el("td", {}, termNode(row[v])));
        body.append(tr);
      });
      table.append(body);
      box.append(table);
      if (res.rows.length > MAX_TABLE_ROWS) {
        box.append(el("p", { class: "note" }, `The first ${MAX_TABLE_ROWS} of ${res.rows.length} rows; download for all.`));
      }
    }

    function detail(row, vars, heading) {
      const box = $("detail");
      const dl = el("dl");
      for (const v of vars) {
        if (!row[v]) continue;
        dl.append(el("dt", {}, "?" + v), el("dd", {}, termNode(row[v])));
      }
      box.replaceChildren(el("h3", {}, heading), dl);
      box.hidden = false;
    }

    // ---- timeline -----------------------------------------------------------------------------

    function toDate(term) {
      if (!term || term.type !== "literal") return null;
      const typed = DATE_TYPES.has(term.datatype);
      const m = term.value.match(/^(-?\d{4})(?:-(\d\d))?(?:-(\d\d))?(?:T.*)?$/);
      if (!m || (!typed && !term.value.includes("-"))) return null;
      const d = new Date(Number(m[1]), m[2] ? Number(m[2]) - 1 : 0, m[3] ? Number(m[3]) : 1);
      d.setFullYear(Number(m[1]));           // years below 100 are not 19xx
      return isNaN(d) ? null : { date: d, precision: m[3] ? "day" : m[2] ? "month" : "year" };
    }

    function isTypedDate(term) { return !!term && term.type === "literal" && DATE_TYPES.has(term.datatype); }

    function endOf(d) {
      const e = new Date(d.date);
      if (d.precision === "year") e.setFullYear(e.getFullYear() + 1);
      else if (d.precision === "month") e.setMonth(e.getMonth() + 1);
      else e.setDate(e.getDate() + 1);
      return e;
    }

    /** Items for the timeline: the start from the first date column (or one named start/earliest),
        the end from a column named end/latest; a year or month without an end spans its length. */
    function timelineItems(res) {
      if (res.kind !== "select") return null;
      const cols = res.vars.filter((v) => res.rows.some((r) => isTypedDate(r[v])));
      if (!cols.length) return null;
      const startCol = cols.find((v) => /^(start|begin|from|earliest)/i.test(v)) || cols[0];
      const endCol = cols.find((v) => v !== startCol && /^(end|until|to|latest)/i.test(v));
      // The item's text: a name or label column; else the column that holds an entity (or else a
      // property) in most dated rows; else the first other literal.
      const dated = res.rows.filter((r) => toDate(r[startCol]));
      const most = (test) => res.vars.find((v) => v !== startCol && v !== endCol &&
        dated.filter((r) => r[v] && test(r[v])).length * 2 > dated.length);
      const textCol = res.vars.find((v) => /name|label|title/i.test(v) && dated.some((r) => r[v] && r[v].type === "literal"))
        || most((t) => t.type === "uri" && isEntity(t.value))
        || most((t) => t.type === "uri" && isOntologyTerm(t.value) && /#[a-z]/.test(t.value))
        || most((t) => t.type === "literal" && !toDate(t))
        || most((t) => t.type === "uri");
      const propCol = most((t) => t.type === "uri" && isOntologyTerm(t.value) && /#[a-z]/.test(t.value));
      const nameOf = (row, i) => {
        const t = textCol && row[textCol];
        return !t ? `row ${i + 1}` : t.type === "uri" ? labelOf(t.value) : t.value;
      };
      const propOf = (row) => {
        const p = propCol && propCol !== textCol && row[propCol];
        return p ? words(p.value) : "";
      };
      const items = [];
      const groups = new Map();       // one row per name, as in a Gantt chart: the names stay readable
      const seen = new Set();
      res.rows.forEach((row, i) => {
        const start = toDate(row[startCol]);
        if (!start) return;
        const end = endCol ? toDate(row[endCol]) : null;
        const name = nameOf(row, i);
        const prop = propOf(row);
        const key = `${name}|${prop}|${row[startCol].value}|${end ? row[endCol].value : ""}`;
        if (seen.has(key)) return;   // the same fact stated by two sources is one item
        seen.add(key);
        if (!groups.has(name)) groups.set(name, { id: name, content: name, order: groups.size });
        const stop = end && end.date > start.date ? endOf(end) : start.precision !== "day" ? endOf(start) : null;
        const item = { id: i, group: name, content: prop || (stop ? "\u00a0" : row[startCol].value), start: start.date,
          title: `${name}${prop ? " — " + prop : ""}: ${row[startCol].value}` };
        if (stop) {
          item.end = stop;
          item.title += end && end.date > start.date ? ` – ${row[endCol].value}` : "";
          item.className = "range";
        }
        items.push(item);
      });
      if (groups.size > MAX_TIMELINE_GROUPS || groups.size === items.length && items.length < 4) {
        for (const item of items) {
          delete item.group;
          item.content = item.title.split(": ")[0];
        }
        return items.length ? { items, groups: null, startCol, endCol } : null;
      }
      return items.length ? { items, groups: [...groups.values()], startCol, endCol } : null;
    }

    function loadOnce(tag, url) {
      loadOnce.cache = loadOnce.cache || {};
      if (!loadOnce.cache[url]) {
        loadOnce.cache[url] = new Promise((resolve, reject) => {
          const node = tag === "script" ? el("script", { src: url }) : el("link", { rel: "stylesheet", href: url });
          node.onload = resolve;
          node.onerror = () => reject(new Error(`could not load ${url}`));
          document.head.append(node);
        });
      }
      return loadOnce.cache[url];
    }

    async function renderTimeline(res) {
      const box = $("view-timeline");
      const data = timelineItems(res);
      box.replaceChildren(el("p", { class: "note" }, "Loading the timeline…"));
      try {
        await Promise.all([loadOnce("script", page.vendor + "vis-timeline.min.js"),
          loadOnce("link", page.vendor + "vis-timeline.min.css")]);
      } catch (e) {
        box.replaceChildren(el("p", { class: "error" }, e.message));
        return;
      }
      if (state.result !== res || state.view !== "timeline") return;
      if (timeline) timeline.destroy();
      const holder = el("div", { class: "timeline-holder" });
      const caption = `Dates from ?${data.startCol}${data.endCol ? ` to ?${data.endCol}` : ""} (Gregorian). ` +
        "Click an item for its row; drag to move, scroll to zoom.";
      box.replaceChildren(holder, el("p", { class: "note" }, caption));
      const options = { stack: true, maxHeight: 560, zoomMin: 1000 * 60 * 60 * 24 * 7, showCurrentTime: false,
        tooltip: { followMouse: true }, orientation: { axis: "top", item: "top" }, margin: { item: { horizontal: 2, vertical: 3 } },
        groupOrder: "order", verticalScroll: true };
      // vis-timeline takes content and titles as HTML: the data's text is escaped, not trusted.
      const esc = (text) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
      const items = new window.VisTimeline.DataSet(data.items.map((it) => ({ ...it, content: esc(it.content),
        title: esc(it.title) })));
      const groups = data.groups && data.groups.map((g) => ({ ...g, content: esc(g.content) }));
      timeline = groups
        ? new window.VisTimeline.Timeline(holder, items, new window.VisTimeline.DataSet(groups), options)
        : new window.VisTimeline.Timeline(holder, items, options);
      timeline.on("select", (props) => {
        if (!props.items.length) return;
        const row = res.rows[props.items[0]];
        detail(row, res.vars, data.items.find((it) => it.id === props.items[0]).title);
      });
    }

    // ---- graph --------------------------------------------------------------------------------

    /** Nodes and edges: each row links its first entity to the other entities in it, the edge
        labelled by a relation column or a property IRI; a CONSTRUCT links subject to object. */
    function graphElements(res) {
      const nodes = new Map();
      const edges = new Map();
      const nameOf = (row, v) => {
        for (const c of [v + "Name", v + "Label", v + "_label"]) {
          if (row[c] && row[c].type === "literal") return row[c].value;
        }
        return null;
      };
      const addNode = (iri, name) => {
        if (!nodes.has(iri)) nodes.set(iri, { iri, name });
        else if (name && !nodes.get(iri).name) nodes.get(iri).name = name;
      };
      const addEdge = (a, b, label) => {
        const key = `${a}|${b}|${label}`;
        if (a !== b && !edges.has(key)) edges.set(key, { source: a, target: b, label });
      };
      if (res.kind === "graph") {
        const linking = res.rows.filter((row) => row.object.type === "uri" && !isOntologyTerm(row.object.value)
          && !row.predicate.value.endsWith("#type"));
        // Links between entities, when there are any: statement and mention nodes only clutter.
        const entityish = (iri) => isEntity(iri) || !iri.startsWith(BASE);
        const between = linking.filter((row) => entityish(row.subject.value) && entityish(row.object.value)
          && !CALENDARS[row.object.value]);
        for (const row of between) {
          addNode(row.subject.value);
          addNode(row.object.value);
          addEdge(row.subject.value, row.object.value, short(row.predicate.value));
        }
      } else if (res.kind === "select") {
        const relCol = res.vars.find((v) => /relation|predicate|property|role|rel$/i.test(v));
        // who claims a statement is not a party to it: a quoted claim is not the claimant's relation
        const claimCols = new Set(res.vars.filter((v) => /claimant|attribut|quoted|author|source|statedIn/i.test(v)));
        for (const row of res.rows) {
          const ents = res.vars.filter((v) => !claimCols.has(v) && row[v] && row[v].type === "uri"
            && !CALENDARS[row[v].value] && (isEntity(row[v].value) || /^https?:\/\/www\.wikidata\.org\/entity\/Q/.test(row[v].value)));
          if (ents.length < 2) continue;
          const rel = relCol && row[relCol] ? (row[relCol].type === "uri" ? short(row[relCol].value) : row[relCol].value) : "";
          const first = row[ents[0]].value;
          addNode(first, nameOf(row, ents[0]));
          for (const v of ents.slice(1)) {
            addNode(row[v].value, nameOf(row, v));
            addEdge(first, row[v].value, rel);
          }
        }
      }
      return edges.size ? { nodes: [...nodes.values()], edges: [...edges.values()] } : null;
    }

    async function renderGraph(res) {
      const box = $("view-graph");
      const data = graphElements(res);
      box.replaceChildren(el("p", { class: "note" }, "Loading the graph…"));
      try {
        await loadOnce("script", page.vendor + "cytoscape.min.js");
      } catch (e) {
        box.replaceChildren(el("p", { class: "error" }, e.message));
        return;
      }
      if (state.result !== res || state.view !== "graph") return;
      if (graph) graph.destroy();
      const colour = Object.fromEntries(CATEGORIES.map(([cat, , c]) => [cat, c]));
      const roots = data.nodes.filter((n) => !data.edges.some((e) => e.target === n.iri)).map((n) => n.iri);
      // One relation for every edge: say it once under the graph rather than on every arrow.
      const relations = new Set(data.edges.map((e) => e.label));
      const oneRelation = relations.size === 1 ? [...relations][0] : null;
      // Rows, like an organisation chart, when they stay narrow: who belonged to what reads from
      // top to bottom, the members (nothing points to them) above the bodies. Else a force layout.
      const rows = roots.length && Math.max(roots.length, data.nodes.length - roots.length) <= 12;
      const layout = rows
        ? { name: "breadthfirst", directed: true, spacingFactor: 1.1, avoidOverlap: true,
          nodeDimensionsIncludeLabels: true, padding: 24, roots }
        : { name: "cose", animate: false, nodeDimensionsIncludeLabels: true, nodeRepulsion: () => 40000,
          idealEdgeLength: () => 60, edgeElasticity: () => 100, componentSpacing: 60, padding: 24, randomize: false };
      const holder = el("div", { class: "graph-holder" });
      const used = new Set(data.nodes.map((n) => res.categories[n.iri] || "other"));
      const legend = el("p", { class: "legend" });
      for (const [cat, name] of Object.entries(CATEGORY_NAMES)) {
        if (used.has(cat)) legend.append(el("span", { class: "swatch cat-" + cat }), name, " ");
      }
      box.replaceChildren(legend, holder, el("p", { class: "note" },
        (oneRelation ? `Each arrow reads “${oneRelation}”. ` : "") + "Click a node for its page; drag to move, scroll to zoom."));
      graph = window.cytoscape({
        container: holder,
        elements: [
          ...data.nodes.map((n) => ({ data: { id: n.iri, label: n.name || labelOf(n.iri),
            colour: colour[res.categories[n.iri]] || "#777" } })),
          ...data.edges.map((e, i) => ({ data: { id: "e" + i, source: e.source, target: e.target,
            label: oneRelation ? "" : e.label } })),
        ],
        style: [
          { selector: "node", style: { "background-color": "data(colour)", label: "data(label)", "font-size": 13,
            "text-wrap": "wrap", "text-max-width": 130, "text-valign": "bottom", "text-margin-y": 4, width: 18, height: 18,
            color: "#222", "text-background-color": "#fdfcf8", "text-background-opacity": 0.8, "text-background-padding": 1 } },
          { selector: "edge", style: { width: 1.5, "line-color": "#b9aaa0", "target-arrow-color": "#b9aaa0",
            "target-arrow-shape": "triangle", "curve-style": "bezier", label: "data(label)", "font-size": 9, color: "#666",
            "text-rotation": "autorotate", "text-background-color": "#fdfcf8", "text-background-opacity": 0.8 } },
          { selector: "node:selected", style: { "border-width": 3, "border-color": "#222" } },
        ],
        layout,
        minZoom: 0.2, maxZoom: 3,
      });
      if (graph.zoom() > 1) {          // a small graph is not blown up to fill the box: labels stay readable
        graph.zoom(1);
        graph.center();
      }
      graph.on("tap", "node", (evt) => {
        const iri = evt.target.id();
        const box2 = $("detail");
        const href = linkFor(iri);
        box2.replaceChildren(el("h3", {}, evt.target.data("label")),
          el("p", {}, href === null ? "" : el("a", { href }, "Open its page"), href === null ? "" : " · ",
            el("code", {}, iri)));
        box2.hidden = false;
      });
      graph.on("dbltap", "node", (evt) => {
        const href = linkFor(evt.target.id());
        if (href !== null) location.href = href;
      });
    }

    return { short, localUrl, linkFor, labelOf, el, termNode, words, datePhrase, isOntologyTerm, isEntity, detail, renderTable,
      renderTimeline, renderGraph, timelineItems, graphElements, CATEGORIES };
  };
}());
