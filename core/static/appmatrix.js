/* Préau — the "Applications et connecteurs" matrix: filter rows, stage cell toggles, preview who gains or loses
   access, then save them in one go. Without JavaScript each cell is a small form that applies itself. */
(function () {
  "use strict";

  var table = document.getElementById("am-matrix");
  if (!table) {
    return;
  }
  var msgs = document.getElementById("am-msgs").dataset;
  var staged = {};
  var bar = document.getElementById("am-savebar");
  var count = document.getElementById("am-count");
  var status = document.getElementById("am-status");
  var preview = document.getElementById("am-preview");
  var effectsBox = document.getElementById("am-effects");
  var errorBox = document.getElementById("am-error");

  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function fill(template, n) {
    return template.replace("{n}", String(n));
  }

  /* -- search and category filter -------------------------------------------------------------------- */
  var search = document.querySelector("[data-am-search]");
  var theme = document.querySelector("[data-am-theme]");
  function filter() {
    var words = fold(search.value).split(/\s+/).filter(Boolean);
    var wanted = theme.value;
    var shown = 0;
    Array.prototype.forEach.call(table.querySelectorAll("[data-am-row]"), function (row) {
      var text = fold(row.getAttribute("data-search"));
      var match = words.every(function (w) { return text.indexOf(w) !== -1; }) &&
        (!wanted || row.getAttribute("data-theme") === wanted);
      row.hidden = !match;
      shown += match ? 1 : 0;
    });
    document.getElementById("am-none").hidden = shown !== 0;
    status.textContent = fill(msgs.shown, shown);
  }
  search.addEventListener("input", filter);
  theme.addEventListener("change", filter);

  /* -- staging ---------------------------------------------------------------------------------------- */
  function keyOf(button) {
    return [button.dataset.row, button.dataset.right, button.dataset.column].join("|");
  }

  function refreshBar() {
    var n = Object.keys(staged).length;
    bar.hidden = n === 0;
    count.textContent = n === 1 ? msgs.changesOne : msgs.changesMany.replace("{n}", String(n));
  }

  function setPressed(button, on) {
    button.setAttribute("aria-pressed", on ? "true" : "false");
    var cell = button.closest("td");
    cell.classList.toggle("is-on", on);
    cell.classList.toggle("is-staged", on !== (button.dataset.on === "true"));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest(".am-toggle[data-row]");
    if (!button) {
      return;
    }
    event.preventDefault();
    var on = button.getAttribute("aria-pressed") !== "true";
    // The same cell may be shown twice (the row and its side panel): keep both in step.
    Array.prototype.forEach.call(document.querySelectorAll(".am-toggle[data-row]"), function (other) {
      if (keyOf(other) === keyOf(button)) {
        setPressed(other, on);
      }
    });
    if (on === (button.dataset.on === "true")) {
      delete staged[keyOf(button)];
    } else {
      staged[keyOf(button)] = { row: button.dataset.row, right: button.dataset.right,
                                column: button.dataset.column, on: on };
    }
    refreshBar();
  });

  document.getElementById("am-reset").addEventListener("click", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".am-toggle[data-row]"), function (b) {
      setPressed(b, b.dataset.on === "true");
    });
    staged = {};
    refreshBar();
  });

  /* -- side panels ------------------------------------------------------------------------------------ */
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-dialog]");
    if (link) {
      var dialog = document.getElementById(link.getAttribute("data-dialog"));
      if (dialog && dialog.showModal) {
        event.preventDefault();
        dialog.showModal();
      }
      return;
    }
    var close = event.target.closest("[data-close]");
    if (close) {
      close.closest("dialog").close();
    }
  });

  /* -- preview then save ------------------------------------------------------------------------------ */
  function changes() {
    return Object.keys(staged).map(function (k) { return staged[k]; });
  }

  function post(url) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": table.getAttribute("data-csrf") },
      body: JSON.stringify({ changes: changes() })
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) {
          throw new Error(body.error || msgs.failed);
        }
        return body;
      });
    });
  }

  function names(list, total) {
    return list.join(", ") + (total > list.length ? ", …" : "");
  }

  function render(effects) {
    effectsBox.textContent = "";
    var ul = document.createElement("ul");
    ul.className = "plain-list am-effects";
    effects.forEach(function (e) {
      var li = document.createElement("li");
      var title = document.createElement("strong");
      title.textContent = e.sentence;
      li.appendChild(title);
      var detail = document.createElement("p");
      var parts = [];
      if (e.gained) {
        parts.push((e.gained === 1 ? msgs.gainOne : fill(msgs.gain, e.gained)) + " (" + names(e.gained_names, e.gained) + ")");
      }
      if (e.lost) {
        parts.push((e.lost === 1 ? msgs.loseOne : fill(msgs.lose, e.lost)) + " (" + names(e.lost_names, e.lost) + ")");
      }
      detail.textContent = parts.length ? parts.join(" · ") : msgs.none;
      li.appendChild(detail);
      if (e.note) {
        var note = document.createElement("p");
        note.className = "flash flash--warning";
        note.textContent = e.note;
        li.appendChild(note);
      }
      ul.appendChild(li);
    });
    effectsBox.appendChild(ul);
  }

  document.getElementById("am-save").addEventListener("click", function () {
    errorBox.hidden = true;
    post(table.getAttribute("data-preview-url")).then(function (body) {
      render(body.effects);
      preview.showModal();
      document.getElementById("am-confirm").focus();
    }).catch(function (error) {
      status.textContent = error.message;
      count.textContent = error.message;
    });
  });

  document.getElementById("am-confirm").addEventListener("click", function () {
    post(table.getAttribute("data-save-url")).then(function (body) {
      window.location.assign(body.redirect);
    }).catch(function (error) {
      errorBox.textContent = error.message;
      errorBox.hidden = false;
    });
  });

  document.getElementById("am-back").addEventListener("click", function () { preview.close(); });
}());
