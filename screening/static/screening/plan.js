// The round planner: each site's predicted queue over the day, drawn when its row is opened (many sites, a phone).
// Without ECharts (or JS) the table's figures stand on their own.
(function () {
  "use strict";
  var source = document.getElementById("plan-data");
  if (!source || typeof echarts === "undefined") return;
  var plans = {};
  JSON.parse(source.textContent).forEach(function (p) { plans[p.id] = p; });
  function clock(minutes) {
    var m = ((minutes % 1440) + 1440) % 1440;
    return String(Math.floor(m / 60)).padStart(2, "0") + ":" + String(m % 60).padStart(2, "0");
  }
  function draw(box, plan) {
    if (echarts.getInstanceByDom(box)) return;
    var chart = echarts.init(box);
    chart.setOption({
      grid: { left: 36, right: 12, top: 16, bottom: 28 },
      tooltip: { trigger: "axis", renderMode: "richText" }, // text on the canvas: no HTML, no inline style
      xAxis: { type: "category", data: plan.series.map(function (p) { return clock(plan.start + p[0]); }) },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "line", name: box.dataset.peopleLabel, data: plan.series.map(function (p) { return p[1]; }),
        areaStyle: { opacity: 0.2 }, itemStyle: { color: "#b00020" }, showSymbol: false }],
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.querySelectorAll("details.plan-chart-box").forEach(function (details) {
    details.addEventListener("toggle", function () {
      if (!details.open) return;
      var plan = plans[details.dataset.chart];
      var box = details.querySelector(".plan-chart");
      if (plan && box) draw(box, plan);
    });
  });
})();
