// Mission control and the workshop's projector view: refresh a region every few seconds
// (keeping what the organiser ticked), and count the timers down between refreshes; and the
// questions' results wherever they are shown.
(() => {
  "use strict";
  // The results of the workshop's questions (mission control, their projector): asked for
  // with the version the page shows; the server answers 204 until something has changed,
  // so answers arriving between two polls come as one refresh.
  async function refreshResults() {
    const region = document.querySelector("[data-results]");
    if (!region || document.hidden) return;
    const url = new URL(region.dataset.results, location.href);
    url.searchParams.set("since", region.dataset.version || "");
    try {
      const response = await fetch(url, { credentials: "same-origin" });
      if (response.status !== 200) return;
      const tpl = document.createElement("template");
      tpl.innerHTML = (await response.text()).trim();
      const fresh = tpl.content.firstElementChild;
      if (fresh && fresh.id === region.id) region.replaceWith(fresh);
    } catch { /* the next poll will try again */ }
  }
  if (document.querySelector("[data-results]")) setInterval(refreshResults, 3000);
})();

(() => {
  "use strict";
  const mission = document.getElementById("mission");
  if (!mission) return;
  const strings = JSON.parse(document.getElementById("live-strings")?.textContent || "{}");
  const REFRESH = 3000;

  async function refresh() {
    const old = document.getElementById(mission.dataset.target);
    if (!old || document.hidden) return;
    const ticked = new Set([...old.querySelectorAll("input[name=group]:checked")].map((i) => i.value));
    try {
      const response = await fetch(mission.dataset.refresh, { credentials: "same-origin" });
      if (!response.ok) return;
      const tpl = document.createElement("template");
      tpl.innerHTML = (await response.text()).trim();
      const fresh = tpl.content.firstElementChild;
      for (const box of fresh.querySelectorAll("input[name=group]")) box.checked = ticked.has(box.value);
      old.replaceWith(fresh);
      tick();
    } catch { /* the next refresh will try again */ }
  }

  function tick() {
    for (const timer of document.querySelectorAll(".timer[data-ends]")) {
      if (!timer.dataset.offset) timer.dataset.offset = String(Date.parse(timer.dataset.now) - Date.now());
      const left = Math.max(0, Math.round((Date.parse(timer.dataset.ends) - Date.now() - Number(timer.dataset.offset)) / 1000));
      const clock = timer.querySelector(".clock");
      if (clock) clock.textContent = left > 0 ? `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` : strings.time_up || "0:00";
    }
  }

  // Regions that refresh on their own (the Server panel): replaced whole.
  async function refreshRegions() {
    for (const region of document.querySelectorAll("[data-self-refresh]")) {
      if (document.hidden) return;
      try {
        const response = await fetch(region.dataset.selfRefresh, { credentials: "same-origin" });
        if (!response.ok) continue;
        const tpl = document.createElement("template");
        tpl.innerHTML = (await response.text()).trim();
        const fresh = tpl.content.firstElementChild;
        const open = region.querySelector("details")?.open;
        if (open) fresh.querySelector("details")?.setAttribute("open", "");
        region.replaceWith(fresh);
      } catch { /* the next refresh will try again */ }
    }
  }

  setInterval(refresh, REFRESH);
  setInterval(refreshRegions, REFRESH);
  setInterval(tick, 1000);
  tick();
})();
