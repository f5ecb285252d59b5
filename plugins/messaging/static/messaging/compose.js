/* Messagerie — compose page: recipient pickers (autocomplete from the server, which applies the communication
   rules), the recipient assistant, a small rich-text editor and draft autosave. Without this script the form
   still sends what the server renders. CSP: no inline script; this file is served by the plugin. */
(function () {
  "use strict";

  var form = document.getElementById("compose-form");
  if (!form) { return; }
  var csrf = form.querySelector("input[name=csrf_token]").value;
  var recipientsUrl = form.dataset.recipientsUrl;
  var dirty = false;
  var counter = 0;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function chosenTokens() {
    return Array.prototype.map.call(form.querySelectorAll(".picker__chosen input[type=hidden]"),
      function (input) { return input.value; });
  }

  function addRecipient(field, token, label) {
    if (chosenTokens().indexOf(token) !== -1) { return; }
    var list = document.getElementById(field + "-chosen");
    var chip = el("li", {"class": "picker__chip"});
    chip.appendChild(el("input", {type: "hidden", name: field, value: token}));
    chip.appendChild(document.createTextNode(label + " "));
    chip.appendChild(el("button", {type: "button", "class": "picker__remove",
      "aria-label": form.dataset.removeLabel + " " + label}, "×"));
    list.appendChild(chip);
    dirty = true;
  }

  form.addEventListener("click", function (event) {
    var remove = event.target.closest(".picker__remove");
    if (remove) {
      var chip = remove.closest(".picker__chip");
      var input = chip.closest(".picker").querySelector(".picker__input");
      chip.remove();
      input.focus();
      dirty = true;
    }
  });

  function fetchRecipients(params) {
    var query = new URLSearchParams(params).toString();
    return fetch(recipientsUrl + "?" + query, {headers: {Accept: "application/json"}, credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : {people: [], groups: []}; });
  }

  // -- autocomplete (WAI-ARIA combobox with a listbox popup) --------------------------------------------
  Array.prototype.forEach.call(form.querySelectorAll(".picker"), function (picker) {
    var field = picker.dataset.field;
    var input = picker.querySelector(".picker__input");
    var listbox = picker.querySelector(".picker__list");
    var options = [];
    var active = -1;
    var timer = null;

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      options.forEach(function (option, i) { option.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({block: "nearest"});
      }
    }

    function choose(option) {
      addRecipient(field, option.dataset.token, option.dataset.label);
      input.value = "";
      close();
      input.focus();
    }

    function render(data) {
      listbox.textContent = "";
      options = [];
      function section(title, items) {
        if (!items.length) { return; }
        listbox.appendChild(el("li", {role: "presentation", "class": "picker__heading"}, title));
        items.forEach(function (item) {
          counter += 1;
          var option = el("li", {role: "option", id: field + "-opt-" + counter, "aria-selected": "false"}, item.label);
          option.dataset.token = item.token;
          option.dataset.label = item.label;
          option.addEventListener("mousedown", function (event) { event.preventDefault(); choose(option); });
          listbox.appendChild(option);
          options.push(option);
        });
      }
      section(form.dataset.peopleLabel, data.people);
      section(form.dataset.groupsLabel, data.groups);
      if (!options.length) {
        listbox.appendChild(el("li", {role: "presentation", "class": "picker__heading"}, form.dataset.noneLabel));
      }
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
      active = -1;
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      var text = input.value.trim();
      if (!text) { close(); return; }
      timer = setTimeout(function () { fetchRecipients({q: text}).then(render); }, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && options.length) {
        event.preventDefault();
        highlight(Math.min(active + 1, options.length - 1));
      } else if (event.key === "ArrowUp" && options.length) {
        event.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        if (!listbox.hidden && active >= 0) {
          event.preventDefault();
          choose(options[active]);
        } else if (!listbox.hidden) {
          event.preventDefault();
        }
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  });

  // -- recipient assistant: filter by profile and class, add to To, Cc or Bcc ----------------------------
  var assistGo = document.getElementById("assist-go");
  if (assistGo) {
    assistGo.addEventListener("click", function () {
      var results = document.getElementById("assist-results");
      var params = {profile: document.getElementById("assist-profile").value,
                    class_id: document.getElementById("assist-class").value};
      fetchRecipients(params).then(function (data) {
        results.textContent = "";
        var items = data.groups.concat(data.people);
        if (!items.length) { results.appendChild(el("li", {}, form.dataset.noneLabel)); }
        items.forEach(function (item) {
          var row = el("li", {});
          row.appendChild(el("span", {}, item.label));
          var buttons = el("span", {});
          [["to", form.dataset.toLabel], ["cc", form.dataset.ccLabel], ["bcc", form.dataset.bccLabel]].forEach(function (pair) {
            var button = el("button", {type: "button", "class": "button--quiet",
              "aria-label": pair[1] + " : " + item.label}, "+ " + pair[1]);
            button.addEventListener("click", function () { addRecipient(pair[0], item.token, item.label); });
            buttons.appendChild(button);
          });
          row.appendChild(buttons);
          results.appendChild(row);
        });
      });
    });
  }

  // -- a small rich-text editor over the textarea -------------------------------------------------------
  var textarea = document.getElementById("body");
  var editor = el("div", {"class": "editor", contenteditable: "true", role: "textbox", "aria-multiline": "true",
    "aria-labelledby": "body-label", id: "body-editor"});
  editor.innerHTML = textarea.value;  // server-sanitised HTML
  var tools = el("div", {"class": "editor__tools", role: "toolbar", "aria-label": form.dataset.formatLabel,
    "aria-controls": "body-editor"});
  [["bold", form.dataset.boldLabel], ["italic", form.dataset.italicLabel],
   ["insertUnorderedList", form.dataset.listLabel]].forEach(function (pair) {
    var button = el("button", {type: "button", "class": "button--quiet"}, pair[1]);
    button.addEventListener("click", function () { document.execCommand(pair[0]); editor.focus(); sync(); });
    tools.appendChild(button);
  });
  textarea.hidden = true;
  textarea.parentNode.insertBefore(tools, textarea);
  textarea.parentNode.insertBefore(editor, textarea);
  document.querySelector("label[for=body]").setAttribute("for", "body-editor");
  function sync() { textarea.value = editor.innerHTML; dirty = true; }
  editor.addEventListener("input", sync);
  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", function () { textarea.value = editor.innerHTML; dirty = false; });

  // -- draft autosave -----------------------------------------------------------------------------------
  var status = document.getElementById("autosave-status");
  var saving = false;
  function autosave() {
    if (!dirty || saving) { return; }
    saving = true;
    dirty = false;
    textarea.value = editor.innerHTML;
    var data = new FormData(form);
    data.delete("files");
    fetch(form.dataset.autosaveUrl, {method: "POST", body: data, credentials: "same-origin",
      headers: {"X-CSRFToken": csrf, Accept: "application/json"}})
      .then(function (response) { return response.json().then(function (json) { return [response.ok, json]; }); })
      .then(function (result) {
        if (result[0]) {
          form.querySelector("input[name=draft_id]").value = result[1].id;
          status.textContent = form.dataset.savedLabel + " " + new Date().toLocaleTimeString().slice(0, 5);
        } else {
          status.textContent = result[1].message || "";
        }
      })
      .catch(function () { dirty = true; })
      .then(function () { saving = false; });
  }
  setInterval(autosave, 5000);
}());
