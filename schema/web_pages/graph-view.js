// The graph view: find a node, draw its neighbourhood with Cytoscape.js, click to expand.
// The address may carry #id=<node id> (start there) or #query=...&variables=... (draw
// the nodes and edges of that query's result), and lang=FR.
(function () {
  "use strict";

  var TEXTS = {
    EN: {
      title: "Graph view", searchButton: "Search", searchPlaceholder: "Search the graph…",
      language: "Language", toGraphiql: "GraphiQL", type: "Type", id: "Id",
      queryIt: "Query it in GraphiQL", clickHint: "Click a node to show its neighbours.",
      help: "Search for a country, plan, commitment, department or person, then click nodes to expand the graph.",
      counts: function (n, e) { return n + " nodes, " + e + " edges"; },
      truncated: " (some neighbours are not shown)", loading: "Loading…",
      noHits: "Nothing found.", nothingToDraw: "This result has no nodes and edges to draw (neighborhood and shortestPath give them).",
      unknown: "No node has this id.", failed: "The request failed: ",
    },
    FR: {
      title: "Vue du graphe", searchButton: "Chercher", searchPlaceholder: "Chercher dans le graphe…",
      language: "Langue", toGraphiql: "GraphiQL", type: "Type", id: "Identifiant",
      queryIt: "L’interroger dans GraphiQL", clickHint: "Cliquez sur un nœud pour afficher ses voisins.",
      help: "Cherchez un pays, un plan, un engagement, un ministère ou une personne, puis cliquez sur les nœuds pour étendre le graphe.",
      counts: function (n, e) { return n + " nœuds, " + e + " liens"; },
      truncated: " (certains voisins ne sont pas affichés)", loading: "Chargement…",
      noHits: "Aucun résultat.", nothingToDraw: "Ce résultat n’a pas de nœuds et de liens à dessiner (neighborhood et shortestPath en donnent).",
      unknown: "Aucun nœud n’a cet identifiant.", failed: "La requête a échoué : ",
    },
  };
  var COLOURS = {
    Partnership: "#6a3d9a", Country: "#1f78b4", Person: "#b15928", CoChairTerm: "#cab2d6",
    CoChair: "#fb9a99", Plan: "#e31a1c", Theme: "#fdbf6f", Commitment: "#ff7f00",
    Milestone: "#33a02c", Indicator: "#b2df8a", Department: "#a6cee3", Status: "#999999",
    ReportingPeriod: "#cccccc", ProgressUpdate: "#ffff99", Report: "#8dd3c7",
    Event: "#bebada", Initiative: "#80b1d3",
  };
  var EXPAND_LIMIT = 60;
  var endpoint = new URL("graphql", window.location.href).href;
  var params = new URLSearchParams(window.location.hash.slice(1));
  var lang = (params.get("lang") || (navigator.language || "en")).slice(0, 2).toUpperCase() === "FR" ? "FR" : "EN";
  var truncated = false;
  var fieldCache = {};

  var cy = cytoscape({
    container: document.getElementById("cy"),
    wheelSensitivity: 0.3,
    style: [
      { selector: "node", style: {
        "background-color": function (n) { return COLOURS[n.data("type")] || "#888"; },
        label: function (n) { var l = n.data("label") || n.id(); return l.length > 38 ? l.slice(0, 36) + "…" : l; },
        "font-size": 9, "text-valign": "bottom", "text-margin-y": 3, "text-wrap": "wrap",
        "text-max-width": 120, width: 18, height: 18, "border-width": 1, "border-color": "#555" } },
      { selector: "node.expanded", style: { "border-width": 3 } },
      { selector: "node:selected", style: { "border-color": "#0b5394", "border-width": 4 } },
      { selector: "edge", style: {
        width: 1.2, "line-color": "#9aa5b1", "target-arrow-color": "#9aa5b1",
        "target-arrow-shape": "triangle", "curve-style": "bezier", label: "data(type)",
        "font-size": 6, color: "#6b7785", "text-rotation": "autorotate" } },
    ],
  });

  function t(key) { return TEXTS[lang][key]; }

  function setBusy(busy, message) {
    document.body.dataset.busy = busy ? "1" : "0";
    var status = document.getElementById("status");
    status.classList.remove("error");
    status.textContent = message !== undefined ? message : busy ? t("loading") : countsText();
  }

  function fail(message) {
    document.body.dataset.busy = "0";
    var status = document.getElementById("status");
    status.classList.add("error");
    status.textContent = message;
  }

  function countsText() {
    return t("counts")(cy.nodes().length, cy.edges().length) + (truncated ? t("truncated") : "");
  }

  function applyTexts() {
    document.documentElement.lang = lang.toLowerCase();
    document.getElementById("lang").value = lang;
    document.querySelectorAll("[data-text]").forEach(function (el) { el.textContent = t(el.dataset.text); });
    document.querySelectorAll("[data-placeholder]").forEach(function (el) { el.placeholder = t(el.dataset.placeholder); });
    if (document.body.dataset.busy !== "1") setBusy(false);
  }

  function gql(query, variables) {
    return fetch(endpoint, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ query: query, variables: variables || {} }),
    }).then(function (response) { return response.json(); }).then(function (body) {
      if (body.errors && body.errors.length) throw new Error(body.errors[0].message);
      return body.data;
    });
  }

  function addView(view) {
    var added = [];
    cy.batch(function () {
      view.nodes.forEach(function (n) {
        if (cy.getElementById(n.id).empty()) {
          added.push(cy.add({ group: "nodes", data: { id: n.id, label: n.label || n.id, type: n.type || n.id.split(":")[0] } }));
        }
      });
      view.edges.forEach(function (e) {
        var id = e.source + "|" + e.type + "|" + e.target;
        if (cy.getElementById(id).empty()) {
          [e.source, e.target].forEach(function (end) {
            if (cy.getElementById(end).empty()) cy.add({ group: "nodes", data: { id: end, label: end, type: end.split(":")[0] } });
          });
          cy.add({ group: "edges", data: { id: id, source: e.source, target: e.target, type: e.type || "" } });
        }
      });
    });
    return added;
  }

  function layout() {
    cy.layout({ name: "cose", animate: false, fit: true, padding: 30, randomize: false,
      nodeRepulsion: function () { return 9000; }, idealEdgeLength: function () { return 70; } }).run();
  }

  var NEIGHBOURS = "query Neighbours($id: ID!, $limit: Int, $lang: Lang) { neighborhood(id: $id, depth: 1, limit: $limit, lang: $lang) { truncated nodes { id type label } edges { source target type } } }";

  function expand(id) {
    setBusy(true);
    return gql(NEIGHBOURS, { id: id, limit: EXPAND_LIMIT, lang: lang }).then(function (data) {
      if (!data.neighborhood) { fail(t("unknown") + " " + id); return; }
      var around = cy.getElementById(id);
      var added = addView(data.neighborhood);
      if (!around.empty()) added.forEach(function (n) { n.position({ x: around.position("x") + Math.random() * 40 - 20, y: around.position("y") + Math.random() * 40 - 20 }); });
      cy.getElementById(id).addClass("expanded");
      truncated = truncated || data.neighborhood.truncated;
      layout();
      select(id);
      setBusy(false);
    }).catch(function (error) { fail(t("failed") + error.message); });
  }

  function startAt(id) {
    cy.elements().remove();
    truncated = false;
    return expand(id);
  }

  // A query that reads every plain field of a type, for the "query it" link.
  function queryFor(id, type) {
    var known = fieldCache[type];
    var fields = known ? Promise.resolve(known) : gql(
      "query Fields($name: String!) { __type(name: $name) { fields { name args { type { kind } } type { kind ofType { kind } } } } }",
      { name: type }
    ).then(function (data) {
      var plain = ((data.__type && data.__type.fields) || []).filter(function (f) {
        var kind = f.type.kind === "NON_NULL" ? f.type.ofType.kind : f.type.kind;
        return (kind === "SCALAR" || kind === "ENUM") && f.args.every(function (a) { return a.type.kind !== "NON_NULL"; });
      }).map(function (f) { return f.name; });
      fieldCache[type] = plain;
      return plain;
    });
    return fields.then(function (names) {
      var inner = names.length ? names.join("\n      ") : "id";
      return "query " + type + "ById {\n  node(id: " + JSON.stringify(id) + ") {\n    __typename\n    ... on " + type + " {\n      " + inner + "\n    }\n  }\n}\n";
    });
  }

  function select(id) {
    var node = cy.getElementById(id);
    if (node.empty()) return;
    cy.nodes().unselect();
    node.select();
    document.getElementById("details").hidden = false;
    document.getElementById("details-label").textContent = node.data("label");
    document.getElementById("details-type").textContent = node.data("type");
    document.getElementById("details-id").textContent = id;
    var link = document.getElementById("details-query");
    link.href = "graphql#" + new URLSearchParams({ query: "query " + node.data("type") + "ById { node(id: " + JSON.stringify(id) + ") { id __typename } }" }).toString();
    queryFor(id, node.data("type")).then(function (query) {
      if (document.getElementById("details-id").textContent === id) link.href = "graphql#" + new URLSearchParams({ query: query }).toString();
    }).catch(function () { /* the simple query stays */ });
  }

  // Captions in the chosen language for many ids at once (aliases, 25 per request).
  function captions(ids) {
    var chunks = [];
    for (var i = 0; i < ids.length; i += 25) chunks.push(ids.slice(i, i + 25));
    return Promise.all(chunks.map(function (chunk) {
      var vars = { lang: lang }, decl = ["$lang: Lang"], parts = [];
      chunk.forEach(function (id, k) {
        vars["i" + k] = id; decl.push("$i" + k + ": ID!");
        parts.push("n" + k + ": neighborhood(id: $i" + k + ", depth: 1, limit: 0, lang: $lang) { nodes { id type label } }");
      });
      return gql("query Captions(" + decl.join(", ") + ") { " + parts.join(" ") + " }", vars).then(function (data) {
        return chunk.map(function (id, k) { var v = data["n" + k]; return v ? v.nodes[0] : { id: id, type: id.split(":")[0], label: id }; });
      });
    })).then(function (lists) { return [].concat.apply([], lists); });
  }

  function search(words) {
    var hits = document.getElementById("hits");
    hits.textContent = "";
    setBusy(true);
    return gql("query Find($q: String!) { search(query: $q, first: 10) { edges { node { entity { id } } } } }", { q: words })
      .then(function (data) {
        var ids = data.search.edges.map(function (e) { return e.node.entity.id; });
        if (!ids.length) { setBusy(false, t("noHits")); return; }
        return captions(ids).then(function (found) {
          found.forEach(function (n) {
            var item = document.createElement("li");
            var button = document.createElement("button");
            button.type = "button";
            button.className = "hit";
            button.dataset.id = n.id;
            button.textContent = n.label + " (" + n.type + ")";
            button.addEventListener("click", function () { startAt(n.id); });
            item.appendChild(button);
            hits.appendChild(item);
          });
          setBusy(false);
        });
      }).catch(function (error) { fail(t("failed") + error.message); });
  }

  // Every { nodes, edges } of a GraphQL result (neighborhood, shortestPath, or alike).
  function views(value, found) {
    if (Array.isArray(value)) value.forEach(function (v) { views(v, found); });
    else if (value && typeof value === "object") {
      var nodes = value.nodes, edges = value.edges;
      if (Array.isArray(nodes) && Array.isArray(edges) && nodes.every(function (n) { return n && n.id; }) &&
          edges.every(function (e) { return e && e.source && e.target; })) {
        found.push(value);
      } else Object.keys(value).forEach(function (k) { views(value[k], found); });
    }
    return found;
  }

  function drawQuery(query, variables) {
    setBusy(true);
    var vars = {};
    try { vars = variables ? JSON.parse(variables) : {}; } catch (e) { fail(t("failed") + e.message); return Promise.resolve(); }
    return gql(query, vars).then(function (data) {
      var found = views(data, []);
      if (!found.length) { fail(t("nothingToDraw")); return; }
      found.forEach(function (v) { addView(v); truncated = truncated || !!v.truncated; });
      layout();
      setBusy(false);
    }).catch(function (error) { fail(t("failed") + error.message); });
  }

  function relabel() {
    var ids = cy.nodes().map(function (n) { return n.id(); });
    if (!ids.length) return Promise.resolve();
    setBusy(true);
    return captions(ids).then(function (found) {
      found.forEach(function (n) { cy.getElementById(n.id).data("label", n.label); });
      var selected = cy.nodes(":selected");
      if (selected.length) select(selected[0].id());
      setBusy(false);
    }).catch(function (error) { fail(t("failed") + error.message); });
  }

  cy.on("tap", "node", function (event) { expand(event.target.id()); });
  document.getElementById("search").addEventListener("submit", function (event) {
    event.preventDefault();
    var words = document.getElementById("search-input").value.trim();
    if (words) search(words);
  });
  document.getElementById("lang").addEventListener("change", function (event) {
    lang = event.target.value;
    applyTexts();
    relabel();
  });

  window.ogpGraph = { cy: cy, expand: expand, startAt: startAt, search: search };
  applyTexts();
  if (params.get("query")) drawQuery(params.get("query"), params.get("variables"));
  else if (params.get("id")) startAt(params.get("id"));
  else setBusy(false);
})();
