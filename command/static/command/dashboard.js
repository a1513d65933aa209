// The dashboard's charts: each `.chart` box is drawn from the JSON island its data-chart names (core.tiles.Chart:
// a title, point labels and series, written by the tile on the server); the kind and the axis come from the box's
// attributes. The wall screen swaps the tiles in every few seconds (htmx): the new tiles' charts are drawn again.
// Without ECharts the figures and tables stand on their own.
(function () {
  "use strict";
  function option(box, data) {
    var unit = box.dataset.yUnit || "";
    var y = { type: "value", axisLabel: { formatter: "{value}" + unit } };
    if (box.dataset.yMax) y.max = Number(box.dataset.yMax);
    return {
      title: { text: data.title, textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis", renderMode: "richText" }, // text on the canvas: no HTML, no inline style
      legend: data.series.length > 1 ? { top: 22 } : undefined,
      grid: { left: 44, right: 12, top: data.series.length > 1 ? 52 : 36, bottom: 28 },
      xAxis: { type: "category", data: data.x },
      yAxis: y,
      series: data.series.map(function (s) {
        return { type: box.dataset.kind || "line", name: s.name, data: s.data, areaStyle: box.dataset.kind === "line" ? {} : undefined };
      }),
    };
  }
  function draw() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll(".chart[data-chart]").forEach(function (box) {
      var source = document.getElementById(box.dataset.chart);
      if (!source) return;
      var chart = echarts.getInstanceByDom(box) || echarts.init(box);
      chart.setOption(option(box, JSON.parse(source.textContent)), true);
    });
  }
  draw();
  // A wall screen runs for days: the charts of the tiles being replaced are disposed of, not left to pile up.
  document.body.addEventListener("htmx:beforeSwap", function () {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll(".chart[data-chart]").forEach(function (box) {
      var chart = echarts.getInstanceByDom(box);
      if (chart) chart.dispose();
    });
  });
  document.body.addEventListener("htmx:afterSwap", draw);
  window.addEventListener("resize", function () {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll(".chart[data-chart]").forEach(function (box) {
      var chart = echarts.getInstanceByDom(box);
      if (chart) chart.resize();
    });
  });
})();
