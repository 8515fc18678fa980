// Mission control and the workshop's projector view: count the timers down between the
// refreshes of their regions (poll.js).
(() => {
  "use strict";
  const strings = JSON.parse(document.getElementById("live-strings")?.textContent || "{}");

  function tick() {
    for (const timer of document.querySelectorAll(".timer[data-ends]")) {
      if (!timer.dataset.offset) timer.dataset.offset = String(Date.parse(timer.dataset.now) - Date.now());
      const left = Math.max(0, Math.round((Date.parse(timer.dataset.ends) - Date.now() - Number(timer.dataset.offset)) / 1000));
      const clock = timer.querySelector(".clock");
      if (clock) clock.textContent = left > 0 ? `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` : strings.time_up || "0:00";
    }
  }

  document.addEventListener("facilitator:polled", tick); // a refreshed region's clocks at once
  setInterval(tick, 1000);
  tick();
})();
