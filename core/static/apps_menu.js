/* Préau — the Mes Applis editor of a structure: move tiles by drag-and-drop (SortableJS, by the handle) or with
   the keyboard on a focused handle (↑ ↓ one place, Page ↑ / Page ↓ to the top of the previous / next group, Home /
   End), each move saved at once and announced; and the icon picker's search. Without JavaScript the arrow buttons
   and the "Placer en tête de" form do the same through plain forms. */
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // -- the icon picker ------------------------------------------------------------------------------------
  var iconSearch = document.getElementById("icon-q");
  if (iconSearch) {
    var iconStatus = document.getElementById("icon-status");
    iconSearch.addEventListener("input", function () {
      var words = fold(iconSearch.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      Array.prototype.forEach.call(document.querySelectorAll("#icon-grid li[data-search]"), function (item) {
        var text = item.getAttribute("data-search");
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        item.hidden = !match;
        shown += match ? 1 : 0;
      });
      document.getElementById("icon-none").hidden = shown !== 0;
      iconStatus.textContent = iconStatus.getAttribute("data-msg-count").replace("{count}", String(shown));
    });
    iconSearch.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();  // Enter filters; it does not submit the picker half-chosen
      }
    });
  }

  // -- moving tiles ---------------------------------------------------------------------------------------
  var board = document.getElementById("menu-groups");
  if (!board || board.getAttribute("data-editable") !== "true") {
    return;
  }
  var status = document.getElementById("menu-status");

  function lists() {
    return Array.prototype.slice.call(board.querySelectorAll("ul.menu-tiles[data-group-id]"));
  }

  function tilesOf(list) {
    return Array.prototype.slice.call(list.querySelectorAll(":scope > li.menu-tile"));
  }

  function announce(text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function refreshEmpty(list) {
    var empty = list.querySelector(".menu-tiles__empty");
    if (empty) {
      empty.hidden = tilesOf(list).length > 0;
    }
  }

  function save(tile) {
    var list = tile.parentNode;
    var position = tilesOf(list).indexOf(tile);
    var group = list.closest("[data-group-id]");
    var body = new URLSearchParams();
    body.set("key", tile.getAttribute("data-key"));
    body.set("group_id", list.getAttribute("data-group-id"));
    body.set("position", String(position));
    lists().forEach(refreshEmpty);
    board.setAttribute("data-saving", "true");
    return fetch(board.getAttribute("data-move-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": board.getAttribute("data-csrf") },
      body: body
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("refused");
      }
      board.setAttribute("data-saving", "false");
      board.setAttribute("data-saved", String(Number(board.getAttribute("data-saved") || "0") + 1));
      announce(status.getAttribute("data-msg-moved").replace("{name}", tile.getAttribute("data-name"))
        .replace("{position}", String(position + 1)).replace("{count}", String(tilesOf(list).length))
        .replace("{group}", group.getAttribute("data-group-name")));
    }).catch(function () {
      announce(status.getAttribute("data-msg-failed"));
      window.setTimeout(function () { window.location.reload(); }, 1500);
    });
  }

  // The arrow buttons' positions were right when the page was drawn: after a move, aim at the new neighbours.
  function refreshButtons() {
    lists().forEach(function (list) {
      var all = tilesOf(list);
      all.forEach(function (tile, index) {
        var up = tile.querySelector('[data-move="up"]');
        var down = tile.querySelector('[data-move="down"]');
        up.form.elements.group_id.value = down.form.elements.group_id.value = list.getAttribute("data-group-id");
        up.form.elements.position.value = String(Math.max(0, index - 1));
        down.form.elements.position.value = String(index + 1);
        up.disabled = index === 0;
        down.disabled = index === all.length - 1;
      });
    });
  }

  function place(tile, list, index, focus) {
    var others = tilesOf(list).filter(function (t) { return t !== tile; });
    list.insertBefore(tile, index < others.length ? others[index] : list.querySelector(".menu-tiles__empty"));
    refreshButtons();
    (focus || tile.querySelector(".menu-handle")).focus();
    save(tile);
  }

  board.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !button.hasAttribute("data-move")) {
      return;  // the other forms post as usual
    }
    event.preventDefault();
    var tile = button.closest("li.menu-tile");
    var index = tilesOf(tile.parentNode).indexOf(tile);
    var up = button.getAttribute("data-move") === "up";
    var same = tile.querySelector('[data-move="' + button.getAttribute("data-move") + '"]');
    place(tile, tile.parentNode, up ? index - 1 : index + 1, same);
    if (same.disabled) {
      tile.querySelector(".menu-handle").focus();
    }
  });

  board.addEventListener("keydown", function (event) {
    var handle = event.target.closest ? event.target.closest(".menu-handle") : null;
    if (!handle) {
      return;
    }
    var tile = handle.closest("li.menu-tile");
    var list = tile.parentNode;
    var all = lists();
    var at = all.indexOf(list);
    var index = tilesOf(list).indexOf(tile);
    var count = tilesOf(list).length;
    var target = null;
    if (event.key === "ArrowUp") {
      target = index > 0 ? [list, index - 1] : (at > 0 ? [all[at - 1], tilesOf(all[at - 1]).length] : null);
    } else if (event.key === "ArrowDown") {
      target = index < count - 1 ? [list, index + 1] : (at < all.length - 1 ? [all[at + 1], 0] : null);
    } else if (event.key === "PageUp") {
      target = at > 0 ? [all[at - 1], 0] : null;
    } else if (event.key === "PageDown") {
      target = at < all.length - 1 ? [all[at + 1], 0] : null;
    } else if (event.key === "Home") {
      target = [list, 0];
    } else if (event.key === "End") {
      target = [list, count - 1];
    } else {
      return;
    }
    event.preventDefault();
    if (target && !(target[0] === list && target[1] === index)) {
      place(tile, target[0], target[1]);
    }
  });

  if (window.Sortable) {
    lists().forEach(function (list) {
      window.Sortable.create(list, {
        group: "apps-menu",
        handle: ".menu-handle",
        draggable: "li.menu-tile",
        animation: 150,
        onEnd: function (event) {
          if (event.from !== event.to || event.oldIndex !== event.newIndex) {
            refreshButtons();
            save(event.item);
          }
        }
      });
    });
  }
}());
