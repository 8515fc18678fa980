// The facilitator's console: the idea dialog (move, merge, edit, hide, promote). The board
// (drag and drop, focus mode) is board.js, suggested themes suggestions.js, the
// recommendation editor rec_editor.js. Commands go through live.js.
(() => {
  "use strict";
  const live = window.facilitatorLive;
  if (!live) return;
  const strings = JSON.parse(document.getElementById("live-strings")?.textContent || "{}");
  const t = (key) => strings[key] || key;
  const dialog = document.getElementById("idea-dialog");

  // -- one dialog for every card: keyboard and touch friendly ------------------------
  function option(value, label, selected) {
    const o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    o.selected = selected;
    return o;
  }

  function themes() {
    return [...document.querySelectorAll("#workspace .theme-column")].map((col) => ({
      id: col.id.replace("cluster-", ""),
      name: col.querySelector("h3")?.firstChild?.textContent.trim() || "",
    }));
  }

  function openDialog(card) {
    const id = card.dataset.id;
    const cluster = card.dataset.cluster || "";
    const text = card.querySelector(".idea-text")?.textContent || "";
    dialog.querySelector(".dialog-idea").textContent = text;
    for (const field of dialog.querySelectorAll("[data-fill]")) {
      const fill = field.dataset.fill;
      if (fill === "id") field.value = id;
      else if (fill === "cluster") field.value = cluster;
      else if (fill === "text") field.value = field.tagName === "INPUT" ? text.slice(0, 200) : text;
      else if (fill === "clusters") {
        field.replaceChildren(option("", t("not_in_theme"), cluster === ""),
          ...themes().map((c) => option(c.id, c.name, c.id === cluster)));
      } else if (fill === "ideas") {
        mergeList(field, id);
      }
    }
    dialog.showModal();
    dialog.querySelector("select, input:not([type=hidden]), textarea")?.focus();
  }

  // -- Merge into…: every other idea as a choice, in full, the most alike first -----------
  const fold = (text) => text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
  function mergeList(list, id) {
    const legend = list.querySelector("legend");
    const cards = [...document.querySelectorAll("#workspace .card-idea[data-id]")].filter((c) => c.dataset.id !== id);
    const choices = cards.map((card) => {
      const label = document.createElement("label");
      label.className = "check merge-choice";
      label.dataset.id = card.dataset.id;
      const radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "into";
      radio.value = card.dataset.id;
      radio.required = true;
      const text = document.createElement("span");
      text.dir = "auto";
      text.textContent = card.querySelector(".idea-text")?.textContent || "";
      label.append(radio, text);
      return label;
    });
    const none = document.createElement("p");
    none.className = "quiet small merge-none";
    none.textContent = list.dataset.none;
    none.hidden = true;
    list.replaceChildren(legend, ...choices, none);
    const search = dialog.querySelector("[data-merge-search]");
    search.value = "";
    const url = `${dialog.dataset.similar}${encodeURIComponent(id)}/similar`;
    fetch(url, { headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : []))
      .then((ranked) => {
        if (dialog.querySelector("[data-fill=id]")?.value !== id) return; // another idea now
        const byId = new Map(choices.map((c) => [c.dataset.id, c]));
        const ordered = [];
        for (const { id: other, alike } of ranked) {
          const choice = byId.get(String(other));
          if (!choice) continue;
          byId.delete(String(other));
          if (alike) {
            const tag = document.createElement("span");
            tag.className = "alike";
            tag.textContent = list.dataset.alike;
            choice.append(tag);
          }
          ordered.push(choice);
        }
        list.replaceChildren(legend, ...ordered, ...byId.values(), none);
        list.dataset.ranked = "1";
      })
      .catch(() => { /* the board's order stays */ });
  }
  document.addEventListener("input", (event) => {
    const search = event.target.closest("[data-merge-search]");
    if (!search) return;
    const words = fold(search.value).split(/\s+/).filter(Boolean);
    const list = dialog.querySelector(".merge-list");
    let shown = 0;
    for (const choice of list.querySelectorAll(".merge-choice")) {
      const text = fold(choice.textContent);
      choice.hidden = !words.every((word) => text.includes(word));
      if (!choice.hidden) shown += 1;
    }
    list.querySelector(".merge-none").hidden = shown > 0;
  });

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-idea-actions]");
    if (!button || !dialog) return;
    const card = document.getElementById(`idea-${button.dataset.ideaActions}`);
    if (card) openDialog(card);
  });

  // A move re-renders the card the dialog came from, which drops the keyboard focus;
  // put it back on that card's Actions button, so a keyboard user keeps their place.
  let returnTo = null;
  dialog?.addEventListener("close", () => {
    returnTo = { id: dialog.querySelector("[data-fill=id]")?.value, until: Date.now() + 5000 };
  });
  live.onApplied(() => {
    if (!returnTo || Date.now() > returnTo.until) return;
    if (document.activeElement && document.activeElement !== document.body) return;
    document.querySelector(`[data-idea-actions="${returnTo.id}"]`)?.focus();
    returnTo = null;
  });

})();
