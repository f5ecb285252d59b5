/* Préau — Mes Applis: filter the tiles while typing (the form still works without JavaScript, with ?q=). */
(function () {
  "use strict";

  var input = document.getElementById("apps-q");
  if (!input) {
    return;
  }
  var status = document.getElementById("apps-status");
  var none = document.getElementById("apps-none");

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function filter() {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    Array.prototype.forEach.call(document.querySelectorAll("[data-filterable]"), function (group) {
      var visible = 0;
      Array.prototype.forEach.call(group.querySelectorAll("li.tile"), function (tile) {
        var text = tile.getAttribute("data-search");
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        tile.hidden = !match;
        visible += match ? 1 : 0;
      });
      group.hidden = visible === 0;
      shown += visible;
    });
    none.hidden = shown !== 0;
    status.textContent = status.getAttribute("data-msg-count").replace("{count}", String(shown));
  }

  input.addEventListener("input", filter);
}());
