// The recommendation editor (issue #22, item 6): a panel with room, opened from a theme's
// "Write a recommendation" (seeded with its name and most supported ideas) or a
// recommendation's "Edit". Saving sends promote or edit_recommendation through live.js.
//
// The optional structure: "what" is the text, "why" the rationale, and "who acts" the text's
// last paragraph when it starts with WHO, so it travels wherever the text goes (exports,
// archives) and reads the same there.
(() => {
  "use strict";
  const editor = document.getElementById("rec-editor");
  if (!editor || !window.facilitatorLive) return;
  const form = editor.querySelector("form");
  const WHO = "→ ";
  const field = (name) => form.querySelector(`[name=${name}]`);
  const who = editor.querySelector("#rec-editor-who");
  const structure = editor.querySelector("[data-rec-structure]");

  function split(text) {
    const parts = text.trimEnd().split(/\n\s*\n/);
    const last = parts[parts.length - 1] || "";
    if (parts.length > 1 && last.startsWith(WHO)) {
      return { what: parts.slice(0, -1).join("\n\n"), who: last.slice(WHO.length).trim() };
    }
    return { what: text, who: "" };
  }

  function showStructure() {
    const on = structure.checked;
    editor.querySelector("[data-rec-who]").hidden = !on;
    const label = editor.querySelector("label[for=rec-editor-text]");
    label.textContent = on ? label.dataset.structured : label.dataset.plain;
  }
  structure.addEventListener("change", showStructure);

  function open({ command, title, text, rationale, source, sourceId, recId, from, seeded }) {
    form.dataset.command = command;
    field("type").value = command;
    field("source").value = source || "";
    field("source_id").value = sourceId || "";
    field("recommendation_id").value = recId || "";
    field("title").value = title || "";
    const parts = split(text || "");
    field("text").value = parts.what;
    field("rationale").value = rationale || "";
    who.value = parts.who;
    structure.checked = Boolean(parts.who);
    showStructure();
    const heading = editor.querySelector("#rec-editor-heading");
    heading.textContent = command === "promote" ? heading.dataset.new : heading.dataset.edit;
    const fromLine = editor.querySelector("[data-rec-from]");
    fromLine.textContent = from ? `${fromLine.dataset.label} ${from}` : "";
    fromLine.hidden = !from;
    editor.querySelector("[data-rec-seeded]").hidden = !seeded;
    editor.showModal();
    field("title").focus();
  }

  // The hidden fields go out with the right command only: no recommendation id on a promote.
  form.addEventListener("submit", () => {
    const what = field("text").value.trimEnd();
    const actor = structure.checked ? who.value.trim() : "";
    field("text").value = actor ? `${what}\n\n${WHO}${actor}` : what;
    for (const name of ["source", "source_id", "recommendation_id"]) {
      field(name).disabled = !field(name).value;
    }
  }, true);
  editor.addEventListener("close", () => {
    for (const name of ["source", "source_id", "recommendation_id"]) field(name).disabled = false;
  });

  // A theme's "Write a recommendation" opens the editor instead of promoting at once.
  document.addEventListener("submit", (event) => {
    const seed = event.target.closest("form[data-write-rec]");
    if (!seed) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    seed.closest("details[open]")?.removeAttribute("open");
    const value = (name) => seed.querySelector(`[name=${name}]`).value;
    open({
      command: "promote", title: value("title"), text: value("text"), source: value("source"),
      sourceId: value("source_id"), from: seed.dataset.from, seeded: Boolean(value("text")),
    });
  }, true);

  // A recommendation's "Edit" opens the editor with its fields, not the small popover.
  document.addEventListener("click", (event) => {
    const summary = event.target.closest("[data-edit-rec]");
    if (!summary) return;
    event.preventDefault();
    const old = summary.closest("details").querySelector("form");
    const value = (name) => old.querySelector(`[name=${name}]`).value;
    open({
      command: "edit_recommendation", title: value("title"), text: value("text"),
      rationale: value("rationale"), recId: value("recommendation_id"),
    });
  });
})();
