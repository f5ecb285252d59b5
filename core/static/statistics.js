// Statistics page: draws the charts from the JSON block the server wrote (no inline script: the CSP forbids it).
// Every chart has a data table right after it, so the figures stay readable without JavaScript or sight.
(function () {
  "use strict";
  var source = document.getElementById("stats-data");
  if (!source || typeof window.Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = ["#1f5fa8", "#2e7d32", "#b35c00"];
  var narrow = window.innerWidth < 600;
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function dataset(set, index) {
    var colour = colours[index % colours.length];
    return { label: set.label, data: set.data, backgroundColor: colour, borderColor: colour, maxBarThickness: 32 };
  }

  function draw(id, kind, chartData, horizontal) {
    var canvas = document.getElementById(id);
    if (!canvas || !chartData || !chartData.labels.length) { return; }
    new window.Chart(canvas, {
      type: kind,
      data: { labels: chartData.labels, datasets: chartData.datasets.map(dataset) },
      options: {
        animation: reduced ? false : undefined,
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        aspectRatio: narrow ? 1 : (horizontal ? Math.max(2, 6 / chartData.labels.length) : 2),
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
        plugins: { legend: { display: chartData.datasets.length > 1 } }
      }
    });
  }

  draw("chart-series", "bar", data.series, false);
  draw("chart-apps", "bar", data.apps, true);
  draw("chart-connectors", "bar", data.connectors, true);
})();
