// The chain of transmission on a case page: cases by generation (left to right), contacts as leaves.
// Without ECharts (not installed, or JS off) the page's text list of the chain stands on its own.
(function () {
  "use strict";
  var box = document.getElementById("chain-graph");
  var source = document.getElementById("chain-data");
  if (!box || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var perColumn = {};
  var nodes = data.nodes.map(function (n) {
    var row = (perColumn[n.generation] = (perColumn[n.generation] || 0) + 1);
    return {
      id: n.id,
      name: n.name,
      x: n.generation * 120,
      y: row * 50,
      symbolSize: n.case ? (n.current ? 30 : 22) : 12,
      category: n.case ? 0 : 1,
      value: n.generation,
    };
  });
  box.style.height = Math.max(220, Math.max.apply(null, Object.values(perColumn).concat([1])) * 50 + 60) + "px";
  var chart = echarts.init(box);
  chart.setOption({
    // Drawn on the canvas as text (richText), not as HTML: a name stays a name, and no inline style is needed.
    tooltip: {
      renderMode: "richText",
      formatter: function (p) {
        return p.dataType === "node" ? p.data.name + " · " + box.dataset.generationLabel + " " + p.data.value : "";
      },
    },
    legend: [{ data: [box.dataset.caseLabel, box.dataset.contactLabel] }],
    series: [
      {
        type: "graph",
        layout: "none",
        roam: true,
        label: { show: true, position: "bottom", fontSize: 11 },
        edgeSymbol: ["none", "arrow"],
        categories: [
          { name: box.dataset.caseLabel, itemStyle: { color: "#c0392b" } },
          { name: box.dataset.contactLabel, itemStyle: { color: "#e67e22" } },
        ],
        data: nodes,
        links: data.links,
        lineStyle: { color: "#888", curveness: 0.1 },
      },
    ],
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
