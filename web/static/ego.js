/* The ego network of an entity page, drawn with cytoscape.js from the JSON in #ego-data.
   Every text is cytoscape data (drawn on a canvas) or set with textContent: nothing from the graph
   becomes HTML. Clicking a link follows its evidence; clicking a name opens its page. */
(function () {
  "use strict";
  var box = document.getElementById("ego-graph");
  var source = document.getElementById("ego-data");
  if (!box || !source || typeof window.cytoscape !== "function") return;
  var data = JSON.parse(source.textContent);
  var colours = data.colours || {};

  function safeHref(h) {  // only our own pages (and absolute http links): never javascript: or the like
    return typeof h === "string" && (/^\/(?!\/)/.test(h) || /^https?:\/\//.test(h)) ? h : null;
  }

  var maxWeight = Math.max.apply(null, data.nodes.map(function (n) { return n.ego ? 1 : n.weight; }).concat([1]));
  var maxCount = Math.max.apply(null, data.edges.map(function (e) { return e.count; }).concat([1]));
  var elements = data.nodes.map(function (n) {
    return { group: "nodes", data: { id: n.id, label: n.label, type: n.type, href: n.href, ego: n.ego,
      weight: n.ego ? maxWeight : n.weight, colour: colours[n.type] || colours.Entity || "#777" } };
  }).concat(data.edges.map(function (e, i) {
    return { group: "edges", classes: e.kind, data: { id: "edge-" + i, source: e.source, target: e.target,
      label: e.count > 1 ? e.relation + " ×" + e.count : e.relation, relation: e.relation, count: e.count,
      evidence: e.evidence } };
  }));

  box.hidden = false;
  var cy = window.cytoscape({
    container: box,
    elements: elements,
    style: [
      { selector: "node", style: {
        "background-color": "data(colour)", "label": "data(label)", "color": "#1d232a",
        "font-family": "system-ui, sans-serif", "font-size": 11, "text-valign": "bottom", "text-margin-y": 3,
        "text-wrap": "wrap", "text-max-width": 110, "text-background-color": "#fff", "text-background-opacity": 0.75,
        "text-background-padding": 1,
        "width": "mapData(weight, 1, " + maxWeight + ", 16, 36)", "height": "mapData(weight, 1, " + maxWeight + ", 16, 36)" } },
      { selector: "node[?ego]", style: { "width": 46, "height": 46, "border-width": 3, "border-color": "#ffd54a",
        "font-size": 13, "font-weight": "bold" } },
      { selector: "edge", style: {
        "curve-style": "bezier", "width": "mapData(count, 1, " + maxCount + ", 1.2, 5)", "line-color": "#9aa8b4",
        "target-arrow-shape": "triangle", "target-arrow-color": "#9aa8b4", "arrow-scale": 0.9,
        "label": "data(label)", "font-family": "system-ui, sans-serif", "font-size": 9, "color": "#5f6b76",
        "text-rotation": "autorotate", "text-background-color": "#fff", "text-background-opacity": 0.85,
        "text-background-padding": 1 } },
      { selector: "edge.role", style: { "line-style": "dashed", "target-arrow-shape": "none" } },
      { selector: "edge.hover, edge:selected", style: { "line-color": "#1f5f8b", "target-arrow-color": "#1f5f8b",
        "color": "#1d232a", "z-index": 10 } },
      { selector: "node.hover", style: { "border-width": 2, "border-color": "#1d232a" } }
    ],
    layout: data.nodes.length > 30
      ? { name: "concentric", animate: false, minNodeSpacing: 18, nodeDimensionsIncludeLabels: true,
          concentric: function (n) { return n.data("ego") ? 1e9 : n.data("weight"); },
          levelWidth: function () { return Math.max(1, maxWeight / 4); } }
      : { name: "cose", animate: false, randomize: true, nodeDimensionsIncludeLabels: true, padding: 24,
          idealEdgeLength: function () { return 110; }, nodeRepulsion: function () { return 90000; } }
  });
  window.egoGraph = cy;

  var popup = null;
  function closePopup() { if (popup) { popup.remove(); popup = null; } }

  function showEvidence(edge, at) {
    closePopup();
    popup = document.createElement("div");
    popup.className = "ego-popup";
    popup.setAttribute("role", "dialog");
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", "Close");
    close.addEventListener("click", closePopup);
    var title = document.createElement("strong");
    title.textContent = edge.source().data("label") + " " + edge.data("relation") + " " + edge.target().data("label");
    var list = document.createElement("ol");
    edge.data("evidence").forEach(function (ev) {
      var href = safeHref(ev.href);
      if (!href) return;
      var a = document.createElement("a");
      a.href = href;
      a.textContent = ev.text || href;
      var li = document.createElement("li");
      li.appendChild(a);
      list.appendChild(li);
    });
    popup.append(close, title, list);
    // beside the drawing, not inside it: cytoscape takes the mouse events of its container
    popup.style.left = box.offsetLeft + Math.max(0, Math.min(at.x, box.clientWidth - 320)) + "px";
    popup.style.top = box.offsetTop + Math.max(0, Math.min(at.y, box.clientHeight - 140)) + "px";
    box.parentNode.appendChild(popup);
  }

  cy.on("tap", "edge", function (evt) {
    var edge = evt.target, evidence = edge.data("evidence") || [];
    var href = evidence.length === 1 ? safeHref(evidence[0].href) : null;
    if (href) { window.location.href = href; return; }
    if (evidence.length > 1) showEvidence(edge, evt.renderedPosition || edge.renderedMidpoint());
  });
  cy.on("tap", "node", function (evt) {
    var href = safeHref(evt.target.data("href"));
    if (href && !evt.target.data("ego")) window.location.href = href;
  });
  cy.on("tap", function (evt) { if (evt.target === cy) closePopup(); });
  cy.on("mouseover", "node, edge", function (evt) { evt.target.addClass("hover"); box.style.cursor = "pointer"; });
  cy.on("mouseout", "node, edge", function (evt) { evt.target.removeClass("hover"); box.style.cursor = ""; });
})();
