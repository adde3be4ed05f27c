// The SPARQL page: YASGUI (vendored in vendor/yasgui, nothing loaded from elsewhere) on this server's
// endpoint, with its predeclared prefixes and the example queries. Without JavaScript, or if YASGUI does
// not start, the plain form does the same job.
(function () {
  "use strict";
  const form = document.querySelector("form.sparql");
  const textarea = document.getElementById("query");
  const examples = Array.from(form.querySelectorAll("button.example"), (b) => ({title: b.textContent, query: b.dataset.query}));
  form.querySelectorAll("button.example").forEach((b) => b.addEventListener("click", () => { textarea.value = b.dataset.query; }));
  if (typeof Yasgui === "undefined") return;

  const panel = document.getElementById("yasgui-panel");
  const base = panel.dataset.base;
  const prefixes = {};  // the endpoint's predeclared prefixes, as the page lists them
  for (const m of document.querySelector("pre.prefixes").textContent.matchAll(/PREFIX\s+([\w.-]*):\s*<([^>]*)>/g)) {
    prefixes[m[1]] = m[2];
  }
  // The editor checks that every prefix is declared, so its queries carry the PREFIX lines they use
  // (which also makes them run as they are on any other endpoint).
  function withPrefixes(query) {
    const declared = new Set(Array.from(query.matchAll(/PREFIX\s+([\w.-]*):/gi), (m) => m[1]));
    return Object.keys(prefixes)
      .filter((p) => !declared.has(p) && new RegExp(`(^|[^\\w:<"'?$#.-])${p}:`).test(query))
      .map((p) => `PREFIX ${p}: <${prefixes[p]}>\n`).join("") + query;
  }
  const Yasqe = Yasgui.Yasqe;
  // Prefix completion offers ours (a fixed list, nothing fetched); typing "akg:" adds its PREFIX line.
  Yasqe.registerAutocompleter({...Yasqe.Autocompleters.prefixes, get: Object.entries(prefixes).map(([p, iri]) => `${p}: <${iri}>`)});
  // The class and property completers ask an outside service (LOV): left out.
  Yasqe.defaults.autocompleters = ["prefixes", "variables"];

  const endpoint = form.action;  // this server's /sparql, absolute
  panel.hidden = false;  // before drawing: the editor measures itself
  let yasgui;
  try {
    yasgui = new Yasgui(document.getElementById("yasgui"), {
      requestConfig: {endpoint: endpoint, method: "POST"},
      endpointCatalogueOptions: {getData: () => [{endpoint: endpoint}]},
      copyEndpointOnNewTab: true,
      autoAddOnInit: false,
      persistenceId: "archivekg",
      yasqe: {value: withPrefixes(examples[0].query)},
      yasr: {prefixes: prefixes},
      // a link to /sparql?query=...&format=html opens in a tab; format=html is for the plain form only
      populateFromUrl: (tab) => {
        tab.requestConfig.args = (tab.requestConfig.args || []).filter((a) => a.name !== "format");
        tab.yasqe.value = withPrefixes(tab.yasqe.value);
        return tab;
      },
    });
  } catch (err) {  // the plain form stays
    panel.hidden = true;
    console.error(err);
    return;
  }

  function open(example) {
    const tab = Object.values(yasgui._tabs).find((t) => t.getName() === example.title);
    if (tab) {
      yasgui.selectTabId(tab.getId());
      return tab;
    }
    return yasgui.addTab(true, {name: example.title, yasqe: {value: withPrefixes(example.query)}});
  }
  if (!Object.keys(yasgui._tabs).length) open(examples[0]);

  const picker = document.getElementById("yasgui-examples");
  for (const example of examples) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "example";
    b.textContent = example.title;
    b.addEventListener("click", () => open(example).query().catch(() => {}));
    picker.appendChild(b);
  }
  // IRIs of this dataset open their page on this server
  panel.addEventListener("click", (ev) => {
    const a = ev.target.closest("a[href]");
    if (a && base && a.href.startsWith(base)) {
      a.href = "/" + a.href.slice(base.length);
    }
  });
  document.getElementById("plain-sparql").hidden = true;
})();
