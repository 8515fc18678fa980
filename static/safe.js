// Safe big actions: a form marked data-confirm="Move all 7 groups to Closed?" first asks,
// in words that say what will happen; once confirmed, it waits 10 seconds with an Undo
// button before anything is sent. Undone, nothing reaches the server. One mechanism for
// every big action: phases, hiding, merging, deleting a theme, every broadcast.
(() => {
  "use strict";
  const strings = JSON.parse(document.getElementById("live-strings")?.textContent || "{}");
  const t = (key, fallback) => strings[key] || fallback;
  const WAIT = 10;

  // A form's message may name what the page knows only now (a chosen phase, ticked groups):
  // {phase} is the chosen option's label, {ticked} the number of ticked boxes, {minutes} the
  // timer's length.
  function message(form, submitter) {
    const scope = form.querySelector("input[name=scope]:checked")?.value;
    let text = (submitter && submitter.dataset.confirm) || form.dataset.confirm || "";
    if (scope === "selected" && submitter?.dataset.confirmSelected) text = submitter.dataset.confirmSelected;
    const select = form.querySelector("select[name=phase]");
    const phase = select ? select.options[select.selectedIndex]?.textContent.trim() : "";
    const ticked = form.querySelectorAll("input[name=group]:checked").length;
    const minutes = form.querySelector("input[name=minutes]")?.value || "";
    return text.replace("{phase}", phase).replace("{ticked}", String(ticked)).replace("{minutes}", minutes);
  }

  let dialog = null;
  function ask(text) {
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.className = "confirm-dialog";
      dialog.setAttribute("aria-labelledby", "confirm-text");
      const p = document.createElement("p");
      p.id = "confirm-text";
      const form = document.createElement("form");
      form.method = "dialog";
      form.className = "row wrap";
      const yes = document.createElement("button");
      yes.value = "yes";
      yes.className = "primary";
      yes.textContent = t("confirm_yes", "Yes, do it");
      const no = document.createElement("button");
      no.value = "no";
      no.textContent = t("cancel", "Cancel");
      form.append(yes, no);
      dialog.append(p, form);
      document.body.append(dialog);
    }
    dialog.querySelector("#confirm-text").textContent = text;
    dialog.returnValue = "";
    return new Promise((resolve) => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
      dialog.showModal();
      dialog.querySelector("button[value=yes]").focus();
    });
  }

  let bar = null;
  function pending(text, run) {
    if (!bar) {
      bar = document.createElement("div");
      bar.className = "undo-bar";
      bar.setAttribute("role", "status");
      document.body.append(bar);
    }
    const row = document.createElement("div");
    row.className = "undo-row";
    const what = document.createElement("p");
    const undo = document.createElement("button");
    undo.type = "button";
    undo.className = "small";
    undo.textContent = t("undo", "Undo");
    const now = document.createElement("button");
    now.type = "button";
    now.className = "small";
    now.textContent = t("do_now", "Do it now");
    row.append(what, undo, now);
    bar.append(row);
    let left = WAIT;
    const done = text.replace(/\s*[?؟]\s*$/, "");
    const show = () => { what.textContent = `${done} · ${t("undo_in", "in {seconds} s").replace("{seconds}", left)}`; };
    show();
    const go = () => { clearInterval(timer); row.remove(); run(); };
    const timer = setInterval(() => {
      left -= 1;
      if (left > 0) show();
      else go();
    }, 1000);
    now.addEventListener("click", go);
    undo.addEventListener("click", () => {
      clearInterval(timer);
      now.remove();
      what.textContent = t("undone", "Undone: nothing was changed.");
      undo.remove();
      setTimeout(() => row.remove(), 4000);
    });
    undo.focus();
  }

  // Capture: this runs before the live page's own handler, which sends at once.
  document.addEventListener("submit", async (event) => {
    const form = event.target.closest("form");
    const submitter = event.submitter;
    if (!form || !(form.dataset.confirm || submitter?.dataset.confirm)) return;
    if (form.dataset.confirmed === "1") { delete form.dataset.confirmed; return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    const text = message(form, submitter);
    if (!(await ask(text))) return;
    form.closest("dialog")?.close();
    form.closest("details[open]")?.removeAttribute("open");
    const fields = new FormData(form, submitter);
    pending(text, () => {
      const live = window.facilitatorLive;
      if (form.dataset.command && live) {
        // Sent from what was confirmed: the form may have been re-rendered since.
        const command = {};
        for (const [name, value] of fields) if (name !== "csrf") command[name] = value;
        command.type = form.dataset.command;
        live.send(command);
      } else if (form.isConnected) {
        form.dataset.confirmed = "1";
        form.requestSubmit(submitter && submitter.isConnected ? submitter : undefined);
      }
    });
  }, true);
})();
