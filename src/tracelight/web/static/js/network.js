// Draw a network as a graph of posts and selectors with cytoscape.js. The elements come
// from the JSON API; labels are drawn on a canvas as plain text, never parsed as HTML.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("graph");
  if (!box || typeof cytoscape !== "function") {
    return;
  }
  fetch(box.dataset.graphUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => {
      if (!response.ok) {
        throw new Error(`graph: HTTP ${response.status}`);
      }
      return response.json();
    })
    .then((elements) => {
      const graph = cytoscape({
        container: box,
        elements: elements,
        layout: { name: "cose", animate: false },
        style: [
          { selector: "node", style: { label: "data(label)", "font-size": 9, "text-wrap": "ellipsis", "text-max-width": 120 } },
          { selector: 'node[type = "post"]', style: { "background-color": "#4a6fa5", shape: "round-rectangle" } },
          { selector: 'node[type != "post"]', style: { "background-color": "#c0504d", shape: "ellipse" } },
          { selector: "edge", style: { width: 1, "line-color": "#999" } },
        ],
      });
      graph.on("tap", 'node[type = "post"]', (event) => {
        window.location.assign("/posts/" + encodeURIComponent(event.target.id().slice(5)));
      });
      box.dataset.ready = String(graph.nodes().length);
    })
    .catch((error) => {
      box.textContent = String(error.message);
      box.dataset.ready = "error";
    });
});
