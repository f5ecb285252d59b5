/* Préau — the dashboard. Reading mode: widgets only, each loaded after the page (one batch request). Arrange
   mode ("Personnaliser", aria-pressed): drag by the handle (SortableJS) or, from the keyboard, arrow keys on the
   handle or the Monter/Descendre buttons; sizes; add and remove widgets. Every move is announced in a live
   region. "Terminer" saves the layout (PUT /api/v1/dashboard/layout), "Rétablir la disposition par défaut"
   forgets it (DELETE). Mandatory widgets lead the dashboard and never move: the server refuses it too.
   On a phone (≤ 600 px) widgets are loaded in their compact (miniature) form. */
(function () {
  "use strict";

  var board = document.getElementById("dashboard");
  if (!board) {
    return;
  }
  var grid = board.querySelector(".dashboard__grid");
  var status = document.getElementById("dashboard-status");
  var toggle = document.getElementById("dashboard-arrange");
  var tools = board.querySelector(".dashboard__tools");
  var phone = window.matchMedia ? window.matchMedia("(max-width: 600px)") : { matches: false };
  var sortable = null;
  var changed = false;
  var reloadAfterSave = false;

  function message(name, values) {
    var text = board.getAttribute("data-msg-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  }

  function announce(text) {
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function widgets() {
    return Array.prototype.slice.call(grid.querySelectorAll("article.widget"));
  }

  function pinnedCount() {
    return grid.querySelectorAll("article.widget[data-mandatory]").length;
  }

  // -- loading ------------------------------------------------------------------------------------------

  /* The size whose content is shown: on a phone, the compact one when the widget offers it. */
  function shownSize(article) {
    var sizes = (article.getAttribute("data-sizes") || "").split(" ");
    if (phone.matches && sizes.indexOf("miniature") !== -1) {
      return "miniature";
    }
    return article.getAttribute("data-size");
  }

  function errorBox(body) {
    body.textContent = "";
    var p = document.createElement("p");
    p.className = "widget__error";
    p.setAttribute("role", "alert");
    p.textContent = message("error");
    body.appendChild(p);
  }

  function fragmentUrl(article) {
    return board.getAttribute("data-fragment-url").replace("__id__", encodeURIComponent(article.getAttribute("data-widget")))
      + "?size=" + encodeURIComponent(shownSize(article));
  }

  function load(article) {
    var body = article.querySelector(".widget__body");
    fetch(fragmentUrl(article), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.text();
      })
      .then(function (html) { body.innerHTML = html; article.setAttribute("data-loaded", "1"); })
      .catch(function () { errorBox(body); article.setAttribute("data-loaded", "error"); });
  }

  // The first load: every widget in one request; a widget the batch could not give is fetched alone.
  function loadAll(articles) {
    if (!articles.length) {
      return;
    }
    var query = articles.map(function (article) {
      return "w=" + encodeURIComponent(article.getAttribute("data-widget") + ":" + shownSize(article));
    }).join("&");
    fetch(board.getAttribute("data-batch-url") + "?" + query,
          { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (fragments) {
        articles.forEach(function (article) {
          var fragment = fragments[article.getAttribute("data-widget")];
          if (!fragment || !fragment.html) {
            load(article);
            return;
          }
          article.querySelector(".widget__body").innerHTML = fragment.html;  // a failed widget: its error box
          article.setAttribute("data-loaded", fragment.status === 200 ? "1" : "error");
        });
      })
      .catch(function () { articles.forEach(load); });
  }

  // -- saving -------------------------------------------------------------------------------------------

  function items() {
    return widgets().map(function (w) {
      return { id: w.getAttribute("data-widget"), size: w.getAttribute("data-size") };
    });
  }

  function save(list, done) {
    return fetch(board.getAttribute("data-layout-url"), {
      method: list === null ? "DELETE" : "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": board.getAttribute("data-csrf") },
      body: list === null ? undefined : JSON.stringify({ items: list })
    }).then(function (response) {
      if (!response.ok) {
        return response.json().then(function (error) {
          announce(error.message || message("failed"));
          board.setAttribute("data-save-error", error.reason || "error");
        });
      }
      board.removeAttribute("data-save-error");
      board.setAttribute("data-saved", String(Date.now()));
      if (done) {
        done();
      }
    }).catch(function () { announce(message("failed")); });
  }

  // -- arrange mode -------------------------------------------------------------------------------------

  function setArranging(on) {
    board.setAttribute("data-arranging", on ? "true" : "false");
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    tools.hidden = !on;
    widgets().forEach(function (article) {
      article.querySelector(".widget__tools").hidden = !on;
    });
    if (sortable) {
      sortable.option("disabled", !on);
    }
    if (on) {
      announce(message("arranging"));
    }
  }

  function announceMove(article, name) {
    var all = widgets();
    announce(message(name || "moved", { title: article.getAttribute("data-title"),
      position: all.indexOf(article) + 1, total: all.length }));
  }

  /* Moves a widget by ``step`` places, never above the mandatory widgets; keeps the focus on ``focusSelector``. */
  function move(article, step, focusSelector) {
    var all = widgets();
    var from = all.indexOf(article);
    var to = Math.max(pinnedCount(), Math.min(all.length - 1, from + step));
    if (to === from) {
      announceMove(article, "edge");
      return;
    }
    if (to > from) {
      grid.insertBefore(article, all[to].nextSibling);
    } else {
      grid.insertBefore(article, all[to]);
    }
    changed = true;
    var focus = focusSelector && article.querySelector(focusSelector);
    if (focus) {
      focus.focus();
    }
    announceMove(article);
  }

  function resize(article, size) {
    article.className = article.className.replace(/widget--(miniature|apercu|large)/, "widget--" + size);
    article.setAttribute("data-size", size);
    changed = true;
    load(article);
    var select = article.querySelector("[data-size-select]");
    var label = select ? select.options[select.selectedIndex].text : size;
    announce(message("resized", { title: article.getAttribute("data-title"), size: label }));
  }

  function remove(article) {
    var all = widgets();
    var next = all[all.indexOf(article) + 1] || all[all.indexOf(article) - 1];
    var title = article.getAttribute("data-title");
    var option = document.createElement("option");
    option.value = article.getAttribute("data-widget");
    option.text = title;
    option.setAttribute("data-sizes", article.getAttribute("data-sizes"));
    addable(option);
    article.remove();
    changed = true;
    var focus = next && (next.querySelector(".widget__handle") || next.querySelector("select, button"));
    (focus || board.querySelector('[data-action="done"]')).focus();
    announce(message("removed", { title: title }));
  }

  function addable(option) {
    var select = document.getElementById("dashboard-add");
    Array.prototype.slice.call(select.options).forEach(function (o) {
      if (!o.value) {
        o.remove();
      }
    });
    if (option) {
      select.add(option);
    }
    var empty = !select.options.length;
    select.disabled = empty;
    board.querySelector('[data-action="add"]').disabled = empty;
  }

  function add() {
    var select = document.getElementById("dashboard-add");
    var option = select.options[select.selectedIndex];
    if (!option || !option.value) {
      return;
    }
    var title = option.text;
    var article = document.getElementById("widget-template").content.firstElementChild.cloneNode(true);
    var sizes = option.getAttribute("data-sizes") || "apercu";
    var size = sizes.split(" ").indexOf("apercu") !== -1 ? "apercu" : sizes.split(" ")[0];
    article.className = "widget widget--" + size;
    article.setAttribute("data-widget", option.value);
    article.setAttribute("data-size", size);
    article.setAttribute("data-sizes", sizes);
    article.setAttribute("data-title", title);
    var heading = article.querySelector(".widget__title");
    heading.textContent = title;
    heading.id = "w-" + option.value.replace(/\./g, "-");
    article.setAttribute("aria-labelledby", heading.id);
    Array.prototype.forEach.call(article.querySelectorAll("[data-label]"), function (button) {
      button.setAttribute("aria-label", button.getAttribute("data-label").split("{title}").join(title));
    });
    option.remove();
    addable(null);
    grid.appendChild(article);
    changed = true;
    reloadAfterSave = true;  // the new widget gets its size choice from the server after saving
    load(article);
    article.querySelector(".widget__handle").focus();
    announce(message("added", { title: title }));
  }

  function done() {
    if (!changed) {
      setArranging(false);
      toggle.focus();
      return;
    }
    save(items(), function () {
      changed = false;
      if (reloadAfterSave) {
        window.location.reload();
        return;
      }
      setArranging(false);
      toggle.focus();
      announce(message("saved"));
    });
  }

  var KEY_STEPS = { ArrowUp: -1, ArrowLeft: -1, ArrowDown: 1, ArrowRight: 1 };

  board.addEventListener("keydown", function (event) {
    var handle = event.target.closest(".widget__handle");
    if (!handle || board.getAttribute("data-arranging") !== "true") {
      return;
    }
    var article = handle.closest("article.widget");
    var step = KEY_STEPS[event.key];
    if (event.key === "Home") {
      step = -widgets().length;
    } else if (event.key === "End") {
      step = widgets().length;
    }
    if (step) {
      event.preventDefault();
      move(article, step, ".widget__handle");
    }
  });

  board.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || !board.contains(button)) {
      return;
    }
    var article = button.closest("article.widget");
    var action = button.getAttribute("data-action");
    if (button.hasAttribute("data-move")) {
      var up = button.getAttribute("data-move") === "up";
      move(article, up ? -1 : 1, '[data-move="' + (up ? "up" : "down") + '"]');
    } else if (action === "remove") {
      remove(article);
    } else if (action === "add") {
      add();
    } else if (action === "done") {
      done();
    } else if (action === "reset") {
      save(null, function () { window.location.reload(); });
    }
  });

  board.addEventListener("change", function (event) {
    if (event.target.hasAttribute("data-size-select")) {
      resize(event.target.closest("article.widget"), event.target.value);
    }
  });

  if (toggle) {
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      if (board.getAttribute("data-arranging") === "true") {
        done();
      } else {
        setArranging(true);
      }
    });
  }
  loadAll(widgets());

  if (window.Sortable && toggle) {
    sortable = window.Sortable.create(grid, {
      draggable: "article.widget",
      handle: ".widget__handle",
      filter: ".widget--pinned",
      disabled: true,
      animation: 150,
      onMove: function (event) {
        // Nothing goes before, or between, the mandatory widgets.
        var related = event.related;
        if (!related.hasAttribute("data-mandatory")) {
          return true;
        }
        var next = related.nextElementSibling;
        return Boolean(event.willInsertAfter) && !(next && next.hasAttribute("data-mandatory"));
      },
      onEnd: function (event) {
        if (event.oldIndex !== event.newIndex) {
          changed = true;
          announceMove(event.item);
        }
      }
    });
  }
}());
