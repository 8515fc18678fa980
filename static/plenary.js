// The plenary vote (issue #23). On a phone: the ballot's steppers and its Up and Down
// buttons (no dragging needed), and sending it through the page's outbox (live.js), so a
// ballot cast offline goes once the phone is back. The results region on the projector and
// mission control follows the vote by itself (poll.js).
(() => {
  "use strict";
  const strings = JSON.parse(document.getElementById("live-strings")?.textContent || "{}");

  // -- a phone's ballot --------------------------------------------------------------
  function left(form) {
    const out = form.querySelector("#ballot-left");
    if (!out) return;
    let used = 0;
    for (const input of form.querySelectorAll("input[type=number]")) used += Number(input.value) || 0;
    out.textContent = String(Number(form.dataset.budget) - used);
  }

  document.addEventListener("click", (event) => {
    const form = event.target.closest("form[data-ballot]");
    if (!form) return;
    const step = event.target.closest("[data-step]");
    if (step) {
      const input = document.getElementById(step.getAttribute("aria-controls"));
      const next = (Number(input.value) || 0) + Number(step.dataset.step);
      input.value = String(Math.max(0, Math.min(Number(form.dataset.cap), next)));
      left(form);
      return;
    }
    const move = event.target.closest("[data-move]");
    if (move) {
      const item = move.closest("li");
      const other = move.dataset.move === "-1" ? item.previousElementSibling : item.nextElementSibling;
      if (!other) return;
      if (move.dataset.move === "-1") other.before(item); else other.after(item);
      for (const li of form.querySelectorAll(".ballot-item")) li.classList.toggle("moved", li === item);
      move.focus(); // the same button, on the moved item: press again to move it further
      const announcer = document.getElementById("announcer");
      const place = [...item.parentElement.children].indexOf(item) + 1;
      if (announcer) announcer.textContent = `${item.querySelector(".ballot-title").textContent.trim()}: ${place}`;
    }
  });
  document.addEventListener("input", (event) => {
    const form = event.target.closest("form[data-ballot]");
    if (form) left(form);
  });

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-ballot]");
    if (!form || !window.facilitatorLive) return; // no live page: the form posts
    event.preventDefault();
    const command = { type: "ballot" };
    if (form.dataset.ballot === "ranking") {
      command.ranking = [...form.querySelectorAll("input[name=rank]")].map((i) => Number(i.value));
    } else {
      command.dots = {};
      for (const input of form.querySelectorAll("input[type=number]")) {
        const n = Number(input.value) || 0;
        if (n) command.dots[input.name.slice(5)] = n;
      }
    }
    window.facilitatorLive.send(command);
    const state = document.getElementById("ballot-state") || document.createElement("p");
    state.id = "ballot-state";
    state.className = "notice small";
    state.textContent = strings.ballot_sending || "…";
    form.before(state);
  });

  // A refused ballot (over the cap, the vote closed meanwhile...): the server's reason,
  // where the phone is looking, in place of "Sending".
  document.addEventListener("facilitator:refused", (event) => {
    if (event.detail.item.type !== "ballot") return;
    const state = document.getElementById("ballot-state");
    if (!state) return;
    event.preventDefault();
    state.className = "error";
    state.setAttribute("role", "alert");
    state.textContent = event.detail.error;
  });
})();
