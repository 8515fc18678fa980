// Suggested themes (issue #21, item 5): a preview in a panel, edited before anything changes.
// Move an idea between suggestions (drag, or its Move list), leave it out, rename, drop or
// merge suggestions, then accept the ticked ones; the rest stay to work on. "Suggest again"
// asks the engine afresh about the ideas still not in a theme: themes on the board are
// never touched, except by accepting "N ideas fit 'theme'".
(() => {
  "use strict";
  const live = window.facilitatorLive;
  const panel = document.getElementById("suggestions");
  if (!live || !panel) return;
  const strings = JSON.parse(document.getElementById("board-strings")?.textContent || "{}");
  const t = (key) => strings[key] || key;
  let url = "";

  async function load() {
    panel.replaceChildren();
    const wait = document.createElement("p");
    wait.setAttribute("role", "status");
    wait.textContent = t("suggesting");
    panel.append(wait);
    if (!panel.open) panel.showModal();
    try {
      const response = await fetch(url, { headers: { Accept: "text/html" } });
      if (!response.ok) throw new Error(String(response.status));
      panel.innerHTML = await response.text(); // rendered and escaped by the server
    } catch {
      wait.textContent = t("suggest_failed");
      return;
    }
    const form = panel.querySelector("form[data-suggestions]");
    for (const list of form.querySelectorAll("ul[data-ideas]")) sortable(list);
    refresh();
    form.querySelector("input[name=name], button")?.focus();
  }

  const form = () => panel.querySelector("form[data-suggestions]");
  const sections = () => [...form().querySelectorAll("[data-suggestion], [data-left-alone]")];
  function nameOf(section) {
    if (section.matches("[data-left-alone]")) return t("left_out");
    if (section.dataset.cluster) return section.dataset.name;
    const input = section.querySelector("input[name=name]");
    return input.value.trim() || input.getAttribute("aria-label") || t("untitled");
  }
  function option(value, label, selected) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    o.selected = selected;
    return o;
  }
  // Every Move and Merge list names the suggestions as they are now.
  function refresh() {
    const all = sections();
    all.forEach((section, n) => { section.dataset.index = String(n); });
    for (const section of all) {
      for (const select of section.querySelectorAll("select[data-move-idea]")) {
        select.replaceChildren(...all.map((s) => option(s.dataset.index, nameOf(s), s === section)));
      }
      const merge = section.querySelector("select[data-merge-target]");
      if (merge) {
        const others = all.filter((s) => s !== section && s.matches("[data-suggestion]"));
        merge.replaceChildren(...others.map((s) => option(s.dataset.index, nameOf(s), false)));
        merge.hidden = others.length === 0;
        section.querySelector("[data-merge-suggestion]").hidden = others.length === 0;
      }
      const count = section.querySelectorAll("li[data-idea]").length;
      section.classList.toggle("empty", count === 0);
      const accept = section.querySelector("[data-accept]");
      if (accept) accept.disabled = count === 0;
    }
  }
  function announce(text) {
    const box = document.getElementById("announcer");
    if (box) box.textContent = text;
  }
  const listOf = (section) => section.querySelector("ul[data-ideas]");
  const leftOut = () => form().querySelector("[data-left-alone]");

  function sortable(list) {
    if (!window.Sortable) return;
    window.Sortable.create(list, {
      group: "suggested",
      animation: 120,
      delay: 150,
      delayOnTouchOnly: true,
      filter: "select, input, button",
      preventOnFilter: false,
      onEnd: refresh,
    });
  }

  panel.addEventListener("change", (event) => {
    const select = event.target.closest("select[data-move-idea]");
    if (select) {
      const item = select.closest("li[data-idea]");
      const to = sections().find((s) => s.dataset.index === select.value);
      if (!to || to.contains(item)) return;
      listOf(to).append(item);
      refresh();
      select.focus();
      announce(t("moved_to").replace("{theme}", nameOf(to)));
      return;
    }
    if (event.target.matches("input[name=name]")) refresh();
  });
  panel.addEventListener("input", (event) => {
    if (event.target.matches("input[name=name]")) refresh();
  });

  panel.addEventListener("click", (event) => {
    const drop = event.target.closest("[data-drop-suggestion]");
    if (drop) {
      const section = drop.closest("[data-suggestion]");
      listOf(leftOut()).append(...listOf(section).children);
      const next = section.nextElementSibling;
      section.remove();
      refresh();
      (next?.querySelector("input, button") || form().querySelector("button[type=submit]"))?.focus();
      announce(t("suggestion_dropped"));
      return;
    }
    const merge = event.target.closest("[data-merge-suggestion]");
    if (merge) {
      const section = merge.closest("[data-suggestion]");
      const index = section.querySelector("select[data-merge-target]").value;
      const into = sections().find((s) => s.dataset.index === index);
      if (!into) return;
      listOf(into).append(...listOf(section).children);
      section.remove();
      refresh();
      into.querySelector("input[name=name], [data-accept]")?.focus();
      announce(t("moved_to").replace("{theme}", nameOf(into)));
      return;
    }
    if (event.target.closest("[data-suggest-again]")) { load(); return; }
    if (event.target.closest("[data-dismiss-suggestions]")) panel.close();
  });

  // Accept the ticked suggestions; the others stay in the preview to work on.
  panel.addEventListener("submit", (event) => {
    const accepting = event.target.closest("form[data-suggestions]");
    if (!accepting) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const accepted = [];
    const done = [];
    for (const section of accepting.querySelectorAll("[data-suggestion]")) {
      const ideas = [...section.querySelectorAll("li[data-idea]")].map((li) => Number(li.dataset.idea));
      if (!section.querySelector("[data-accept]")?.checked || !ideas.length) continue;
      const name = section.dataset.cluster ? section.dataset.name : section.querySelector("input[name=name]").value;
      const item = { name, ideas };
      if (section.dataset.cluster) item.cluster = section.dataset.cluster;
      accepted.push(item);
      done.push(section);
    }
    if (!accepted.length) return;
    live.send({ type: "accept_suggestions", suggestions: accepted });
    for (const section of done) section.remove();
    refresh();
    announce(t("accepted").replace("{count}", String(accepted.length)));
    const rest = accepting.querySelectorAll("[data-suggestion] li[data-idea]").length;
    if (!rest) panel.close();
    else accepting.querySelector("[data-suggestion] input, [data-suggestion] button")?.focus();
  }, true);

  document.addEventListener("click", (event) => {
    const button = event.target.closest("#suggest-button");
    if (!button) return;
    url = button.dataset.url;
    load();
  });
})();
