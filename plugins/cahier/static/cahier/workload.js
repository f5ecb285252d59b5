// Refresh the workload table when the teacher picks another class in the homework form.
(function () {
  var select = document.getElementById("cible");
  var table = document.getElementById("workload");
  if (!select || !table || !select.dataset.workloadUrl) { return; }
  select.addEventListener("change", function () {
    var url = select.dataset.workloadUrl.replace("KEY", encodeURIComponent(select.value));
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        var body = table.querySelector("tbody");
        body.textContent = "";
        data.days.forEach(function (d) {
          var row = document.createElement("tr");
          if (d.count) { row.className = "cahier-busy"; }
          var day = new Date(d.day + "T12:00:00");
          [day.toLocaleDateString("fr-FR", {weekday: "short", day: "2-digit", month: "2-digit"}), d.count, d.minutes]
            .forEach(function (text) { var cell = document.createElement("td"); cell.textContent = text; row.appendChild(cell); });
          body.appendChild(row);
        });
        document.getElementById("workload-name").textContent = data.name;
      });
  });
})();
