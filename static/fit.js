// Projectors: everything fits the screen (1920×1080) without scrolling. The text of a
// [data-fit] region shrinks, step by step, until it fits; a list with more items than one
// screen holds ([data-pages]) shows them a page at a time, turning by itself.
(() => {
  "use strict";
  const strings = JSON.parse(document.getElementById("live-strings")?.textContent || "{}");
  const TURN = 12000; // ms a page stays up: long enough to find one's group
  const SMALLEST = 60; // per cent of the projector's type size: still readable at the back
  let page = 0;

  function paginate() {
    for (const list of document.querySelectorAll("[data-pages]")) {
      const size = Number(list.dataset.pages) || 12;
      const items = [...list.children];
      const pages = Math.max(1, Math.ceil(items.length / size));
      const at = page % pages;
      items.forEach((item, i) => { item.hidden = Math.floor(i / size) !== at; });
      const note = list.parentElement.querySelector(".page-note");
      const text = pages > 1
        ? (strings.page_of || "{page} / {pages}").replace("{page}", at + 1).replace("{pages}", pages)
        : "";
      if (note && note.textContent !== text) note.textContent = text;
    }
  }

  function fit() {
    for (const box of document.querySelectorAll("[data-fit]")) {
      let size = 100;
      box.style.fontSize = "100%";
      while (box.scrollHeight > box.clientHeight + 1 && size > SMALLEST) {
        size -= 5;
        box.style.fontSize = `${size}%`;
      }
    }
  }

  let queued = false;
  function refit() {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; paginate(); fit(); });
  }

  // Live updates and refreshes replace parts of the page: fit again after each.
  new MutationObserver(refit).observe(document.body, { childList: true, subtree: true, characterData: true });
  window.addEventListener("resize", refit);
  setInterval(() => {
    if (document.querySelector("[data-pages] > [hidden]")) { page += 1; refit(); }
  }, TURN);
  refit();
})();
