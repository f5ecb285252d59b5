/* Préau — the dashboard: loads each widget's content without blocking the page, and lets the user arrange
   widgets by mouse (SortableJS) or keyboard (move buttons), resize, add and remove them. The layout is saved
   through the JSON API (PUT /api/v1/dashboard/layout); every move is announced in a live region. */
(function () {
  "use strict";

  var board = document.getElementById("dashboard");
  if (!board) {
    return;
  }
  var grid = board.querySelector(".dashboard__grid");
  var status = document.getElementById("dashboard-status");

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

  function errorBox(body) {
    body.textContent = "";
    var p = document.createElement("p");
    p.className = "widget__error";
    p.setAttribute("role", "alert");
    p.textContent = message("error");
    body.appendChild(p);
  }

  function load(article) {
    var body = article.querySelector(".widget__body");
    var url = body.getAttribute("data-src");
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
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
      return "w=" + encodeURIComponent(article.getAttribute("data-widget") + ":" + article.getAttribute("data-size"));
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
      board.setAttribute("data-saved", String(Date.now()));
      if (done) {
        done();
      }
    }).catch(function () { announce(message("failed")); });
  }

  function columns() {
    var all = widgets();
    if (!all.length) {
      return 1;
    }
    var top = all[0].offsetTop;
    var count = all.filter(function (w) { return w.offsetTop === top; }).length;
    return Math.max(1, count);
  }

  function announceMove(article) {
    var all = widgets();
    announce(message("moved", { title: article.getAttribute("data-title"),
      position: all.indexOf(article) + 1, total: all.length }));
  }

  function move(article, direction) {
    var all = widgets();
    var from = all.indexOf(article);
    var step = { left: -1, right: 1, up: -columns(), down: columns() }[direction];
    var to = Math.max(0, Math.min(all.length - 1, from + step));
    if (to === from) {
      announceMove(article);
      return;
    }
    all.splice(from, 1);
    all.splice(to, 0, article);
    all.forEach(function (w) { grid.appendChild(w); });
    var button = article.querySelector('[data-move="' + direction + '"]');
    if (button) {
      button.focus();
    }
    save(items(), function () { announceMove(article); });
  }

  function resize(article, size) {
    article.className = article.className.replace(/widget--\w+/, "widget--" + size);
    article.setAttribute("data-size", size);
    var body = article.querySelector(".widget__body");
    body.setAttribute("data-src", body.getAttribute("data-src").replace(/size=\w*/, "size=" + size));
    save(items(), function () { load(article); announce(message("saved")); });
  }

  function remove(article) {
    var title = article.getAttribute("data-title");
    var list = items().filter(function (item) { return item.id !== article.getAttribute("data-widget"); });
    save(list, function () {
      article.remove();
      announce(message("removed", { title: title }));
      window.setTimeout(function () { window.location.reload(); }, 600);
    });
  }

  board.addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (!button || !board.contains(button)) {
      return;
    }
    var article = button.closest("article.widget");
    if (button.hasAttribute("data-move")) {
      move(article, button.getAttribute("data-move"));
    } else if (button.getAttribute("data-action") === "remove") {
      remove(article);
    } else if (button.getAttribute("data-action") === "add") {
      var id = document.getElementById("dashboard-add").value;
      save(items().concat([{ id: id }]), function () { window.location.reload(); });
    } else if (button.getAttribute("data-action") === "reset") {
      save(null, function () { window.location.reload(); });
    }
  });

  board.addEventListener("change", function (event) {
    if (event.target.hasAttribute("data-size-select")) {
      resize(event.target.closest("article.widget"), event.target.value);
    }
  });

  Array.prototype.forEach.call(board.querySelectorAll("[hidden].dashboard__tools, [hidden].widget__tools"),
    function (tools) { tools.hidden = false; });
  loadAll(widgets());

  if (window.Sortable) {
    window.Sortable.create(grid, {
      draggable: "article.widget",
      handle: ".widget__head",
      filter: "button, select, label",
      preventOnFilter: false,
      animation: 150,
      onEnd: function (event) {
        if (event.oldIndex !== event.newIndex) {
          save(items(), function () { announceMove(event.item); });
        }
      }
    });
  }
}());
