/* Préau — Mes Applis: filter the tiles while typing (the form still works without JavaScript, with ?q=), and
   order the favourites by drag-and-drop (SortableJS) or with their arrow buttons, saved without reloading. */
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

  function announce(text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
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

  var list = document.getElementById("favourite-tiles");
  if (!list || !list.querySelector(".fav-moves")) {
    return;
  }

  function tiles() {
    return Array.prototype.slice.call(list.children);
  }

  // After any move: each tile's buttons aim at its new neighbours' positions, the ends are disabled.
  function refresh() {
    var all = tiles();
    all.forEach(function (tile, index) {
      var up = tile.querySelector('[data-move="up"]');
      var down = tile.querySelector('[data-move="down"]');
      up.form.elements.position.value = String(Math.max(0, index - 1));
      down.form.elements.position.value = String(index + 1);
      up.disabled = index === 0;
      down.disabled = index === all.length - 1;
    });
  }

  function save(tile, position, done) {
    var body = new URLSearchParams();
    body.set("key", tile.getAttribute("data-key"));
    body.set("position", String(position));
    fetch(list.getAttribute("data-move-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": list.getAttribute("data-csrf") },
      body: body
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("refused");
      }
      list.setAttribute("data-saved", String(Date.now()));
      announce(status.getAttribute("data-msg-moved").replace("{name}", tile.getAttribute("data-name"))
        .replace("{position}", String(position + 1)).replace("{count}", String(tiles().length)));
      if (done) {
        done();
      }
    }).catch(function () {
      announce(status.getAttribute("data-msg-failed"));
      window.setTimeout(function () { window.location.reload(); }, 1500);
    });
  }

  list.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !button.hasAttribute("data-move")) {
      return;  // the star: a normal form
    }
    event.preventDefault();
    var tile = button.closest("li");
    var all = tiles();
    var index = all.indexOf(tile);
    var target = button.getAttribute("data-move") === "up" ? index - 1 : index + 1;
    if (target < 0 || target >= all.length) {
      return;
    }
    if (target < index) {
      list.insertBefore(tile, all[target]);
    } else {
      list.insertBefore(tile, all[target].nextSibling);
    }
    refresh();
    var same = tile.querySelector('[data-move="' + button.getAttribute("data-move") + '"]');
    (same.disabled ? tile.querySelector("[data-move]:not([disabled])") : same).focus();
    save(tile, target);
  });

  if (window.Sortable) {
    window.Sortable.create(list, {
      animation: 150,
      filter: "form, button",
      preventOnFilter: false,
      onEnd: function (event) {
        if (event.oldIndex !== event.newIndex) {
          refresh();
          save(event.item, event.newIndex);
        }
      }
    });
  }
}());
