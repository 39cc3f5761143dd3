// GraphiQL for ogp-graph: the example tabs, and a button that draws the current result.
(function () {
  "use strict";
  var h = React.createElement;
  var data = JSON.parse(document.getElementById("OGP_EXAMPLES").textContent);
  var endpoint = new URL("graphql", window.location.href).href;
  var fetcher = GraphiQL.createFetcher({ url: endpoint });

  // A query given in the address (#query=...&variables=...) opens in a tab of its own.
  var given = new URLSearchParams(window.location.hash.slice(1));

  function graphViewLink(query, variables) {
    var params = new URLSearchParams();
    if (query) params.set("query", query);
    if (variables && variables.trim()) params.set("variables", variables);
    return "graph" + (query ? "#" + params.toString() : "");
  }

  // The toolbar button: opens the graph view with the query of the current tab.
  function DrawButton() {
    var editors = GraphiQL.React.useEditorContext({ nonNull: true });
    function open() {
      var query = editors.queryEditor ? editors.queryEditor.getValue() : "";
      var variables = editors.variableEditor ? editors.variableEditor.getValue() : "";
      window.open(graphViewLink(query, variables), "_blank");
    }
    return h(
      GraphiQL.React.ToolbarButton,
      { onClick: open, label: "Draw the nodes and edges of this query in the graph view", id: "ogp-draw" },
      h("span", { className: "ogp-draw-icon", "aria-hidden": "true" }, "◍")
    );
  }

  // GraphiQL takes its logo from a child of type GraphiQL.Logo (not a wrapper of it).
  var logo = h(
    GraphiQL.Logo,
    null,
    h("span", null, "ogp-graph "),
    h("a", { href: "graph", id: "ogp-graph-view-link", className: "ogp-logo-link" }, "graph view")
  );

  // Opens the address's query in a tab of its own (or the tab that already holds it),
  // beside the examples and whatever tabs the browser kept.
  var pending = given.get("query");
  function AddressTab() {
    var editors = GraphiQL.React.useEditorContext({ nonNull: true });
    React.useEffect(function () {
      if (!pending || !editors.queryEditor) return;
      var query = pending;
      pending = null;
      var index = editors.tabs.findIndex(function (tab) { return tab.query === query; });
      if (index >= 0) editors.changeTab(index);
      else editors.addTab();  // a new tab opens with defaultQuery, the address's query
      var variables = given.get("variables");
      if (variables) {
        setTimeout(function () { if (editors.variableEditor) editors.variableEditor.setValue(variables); }, 0);
      }
    }, [editors.queryEditor]);
    return null;
  }

  var props = {
    fetcher: fetcher,
    defaultTabs: data.examples,
    defaultEditorToolsVisibility: false,
    toolbar: { additionalContent: [h(DrawButton, { key: "draw" }), h(AddressTab, { key: "address" })] },
  };
  if (pending) props.defaultQuery = pending;
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(h(GraphiQL, props, logo));
})();
