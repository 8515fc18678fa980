// The recommendation editor (issue #22, item 6): a panel with room, opened from a theme's
// "Write a recommendation" (seeded with its name and most supported ideas) or a
// recommendation's "Edit". Saving sends promote or edit_recommendation through live.js.
//
// The optional structure: "what" is the text, "why" the rationale, and "who acts" a field
// of its own (who_acts), which the views, synthesis and exports show apart.
(() => {
  "use strict";
  const editor = document.getElementById("rec-editor");
  if (!editor || !window.facilitatorLive) return;
  const form = editor.querySelector("form");
  const field = (name) => form.querySelector(`[name=${name}]`);
  const who = editor.querySelector("#rec-editor-who");
  const structure = editor.querySelector("[data-rec-structure]");

  function showStructure() {
    const on = structure.checked;
    editor.querySelector("[data-rec-who]").hidden = !on;
    const label = editor.querySelector("label[for=rec-editor-text]");
    label.textContent = on ? label.dataset.structured : label.dataset.plain;
  }
  structure.addEventListener("change", showStructure);

  function open({ command, title, text, rationale, whoActs, source, sourceId, recId, from, seeded }) {
    form.dataset.command = command;
    field("type").value = command;
    field("source").value = source || "";
    field("source_id").value = sourceId || "";
    field("recommendation_id").value = recId || "";
    field("title").value = title || "";
    field("text").value = text || "";
    field("rationale").value = rationale || "";
    who.value = whoActs || "";
    structure.checked = Boolean(whoActs);
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
  // Without the structure, no one is named: who acts is sent empty.
  form.addEventListener("submit", () => {
    if (!structure.checked) who.value = "";
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
      rationale: value("rationale"), whoActs: value("who_acts"), recId: value("recommendation_id"),
    });
  });
})();
