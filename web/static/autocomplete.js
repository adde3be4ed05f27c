// Suggestions under every search box, from /search.json as you type. Without scripts the boxes are plain
// forms that submit to /search. Keyboard: arrows move, Enter opens the chosen suggestion (or submits the
// form when none is chosen), Escape closes. Suggestions are built with textContent, never as HTML.
(function () {
  "use strict";
  var DELAY = 120, LIMIT = 8;

  function attach(input, n) {
    var list = document.createElement("ul");
    var items = [], active = -1, timer = 0, asked = "", controller = null;
    list.id = "ac-list-" + n;
    list.className = "ac-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions");
    list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");
    input.form.classList.add("ac-host");
    input.form.appendChild(list);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
      asked = "";
    }

    function choose(i) {
      var options = list.children;
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = i;
      options[i].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[i].id);
      options[i].scrollIntoView({block: "nearest"});
    }

    function show(data) {
      list.replaceChildren();
      items = data;
      data.forEach(function (s, i) {
        var li = document.createElement("li"), a = document.createElement("a");
        var label = document.createElement("span"), type = document.createElement("span");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        a.href = s.href;
        a.tabIndex = -1;
        label.className = "ac-label";
        label.textContent = s.label;
        type.className = "ac-type";
        type.textContent = s.type;
        a.append(label, type);
        if (s.matched && s.matched !== s.label) {
          var matched = document.createElement("span");
          matched.className = "ac-matched";
          matched.textContent = "as \u201c" + s.matched + "\u201d";
          a.append(matched);
        }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });  // keep the focus in the box
        li.append(a);
        list.append(li);
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      list.hidden = data.length === 0;
      input.setAttribute("aria-expanded", String(data.length > 0));
    }

    function suggest() {
      var q = input.value.trim();
      if (!q) { close(); return; }
      if (q === asked) return;
      asked = q;
      if (controller) controller.abort();
      controller = new AbortController();
      fetch("/search.json?limit=" + LIMIT + "&q=" + encodeURIComponent(q),
            {signal: controller.signal, headers: {Accept: "application/json"}})
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (data) { if (input.value.trim() === q) show(Array.isArray(data) ? data : []); })
        .catch(function (e) { if (e.name !== "AbortError") close(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(suggest, DELAY);
    });
    input.addEventListener("keydown", function (e) {
      if (list.hidden || !items.length) return;
      if (e.key === "ArrowDown") {
        e.preventDefault();
        choose((active + 1) % items.length);
      } else if (e.key === "ArrowUp") {
        e.preventDefault();
        choose((active - 1 + items.length) % items.length);
      } else if (e.key === "Enter" && active >= 0) {
        e.preventDefault();
        window.location.assign(items[active].href);
      } else if (e.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", close);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var inputs = document.querySelectorAll('form[action="/search"] input[name="q"]');
    if (!inputs.length || !window.fetch) return;
    inputs.forEach(attach);
  });
})();
