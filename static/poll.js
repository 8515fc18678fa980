// Regions that follow the server by asking it again and again: mission control's table and
// Server panel, the projector's groups, and the results of the workshop's questions and of
// the plenary vote. A region names its URL (data-poll) and how often to ask (data-every,
// ms). A region that holds a version (data-version) sends it as `since`: the server answers
// 204 until something has changed, so a burst of changes between two asks is one render.
// A region whose data-status is not "open" is asked at data-idle instead, when given: a
// projector left on all day does not ask twice a second for results that cannot move.
// What the person did in a region survives its refresh: ticked boxes and open details.
(() => {
  "use strict";
  const EVERY = 3000;

  function delay(region) {
    const every = Number(region.dataset.every || EVERY);
    const status = region.dataset.status;
    const idle = status && status !== "open" ? Number(region.dataset.idle || every) : every;
    return Math.max(every, idle);
  }

  function carryOver(old, fresh) {
    const boxes = (root) => root.querySelectorAll("input[type=checkbox]");
    const state = new Map([...boxes(old)].map((box) => [`${box.name}=${box.value}`, box.checked]));
    for (const box of boxes(fresh)) {
      const was = state.get(`${box.name}=${box.value}`);
      if (was !== undefined) box.checked = was;
    }
    const open = [...old.querySelectorAll("details")].map((d) => d.open);
    fresh.querySelectorAll("details").forEach((d, i) => { if (open[i]) d.open = true; });
  }

  async function ask(id) {
    const region = document.getElementById(id);
    if (!region) return;
    if (!document.hidden) {
      const url = new URL(region.dataset.poll, location.href);
      if ("version" in region.dataset) url.searchParams.set("since", region.dataset.version);
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        if (response.status === 200) {
          const tpl = document.createElement("template");
          tpl.innerHTML = (await response.text()).trim();
          const fresh = tpl.content.firstElementChild;
          const current = document.getElementById(id);
          if (fresh && current && fresh.id === id) {
            carryOver(current, fresh);
            current.replaceWith(fresh);
            fresh.dispatchEvent(new CustomEvent("facilitator:polled", { bubbles: true }));
          }
        }
      } catch { /* the next turn asks again */ }
    }
    const next = document.getElementById(id);
    if (next) setTimeout(() => ask(id), delay(next));
  }

  for (const region of document.querySelectorAll("[data-poll][id]")) {
    setTimeout(() => ask(region.id), delay(region));
  }
})();
