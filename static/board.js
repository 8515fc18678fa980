// The theming board (issue #22): columns sized to the screen that scroll inside themselves,
// kept scrolled across live re-renders; focus mode; drag and drop (SortableJS) that scrolls
// near an edge and offers a merge when a card is dropped on another; keyboard moves.
(() => {
  "use strict";
  const live = window.facilitatorLive;
  if (!live) return;
  const strings = JSON.parse(document.getElementById("board-strings")?.textContent || "{}");
  const t = (key) => strings[key] || key;
  const root = document.documentElement;

  // -- the board fills the screen below the header -------------------------------------
  function fit() {
    const columns = document.getElementById("columns");
    if (!columns) return;
    const top = columns.getBoundingClientRect().top + window.scrollY;
    const room = Math.floor(window.innerHeight - top - 12);
    columns.style.setProperty("--board-height", `${Math.max(room, 320)}px`);
  }
  window.addEventListener("resize", fit);

  // -- each column keeps its scroll through a live re-render ---------------------------
  const scrolled = new Map(); // "columns" or a list's data-cluster -> [left, top]
  document.addEventListener("scroll", (event) => {
    const el = event.target;
    if (!(el instanceof Element)) return;
    if (el.id === "columns") scrolled.set("columns", [el.scrollLeft, el.scrollTop]);
    else if (el.matches("#columns ul.cards[data-cluster]")) {
      scrolled.set(`list:${el.dataset.cluster}`, [el.scrollLeft, el.scrollTop]);
    }
  }, true);
  function restoreScroll() {
    for (const [key, [left, top]] of scrolled) {
      const el = key === "columns" ? document.getElementById("columns")
        : document.querySelector(`#columns ul.cards[data-cluster="${CSS.escape(key.slice(5))}"]`);
      if (el && (el.scrollLeft !== left || el.scrollTop !== top)) el.scrollTo(left, top);
    }
  }

  // -- focus mode: only the board ------------------------------------------------------
  function showFocus() {
    const on = root.classList.contains("board-focus");
    const button = document.getElementById("focus-toggle");
    if (button) {
      button.setAttribute("aria-pressed", String(on));
      button.textContent = on ? t("focus_leave") : t("focus_enter");
    }
    fit();
  }
  function setFocus(on) {
    root.classList.toggle("board-focus", on);
    try { sessionStorage.setItem("board-focus", on ? "1" : ""); } catch { /* private mode */ }
    showFocus();
  }
  try { if (sessionStorage.getItem("board-focus") === "1") root.classList.add("board-focus"); } catch { /* */ }
  document.addEventListener("click", (event) => {
    if (event.target.closest("#focus-toggle")) setFocus(!root.classList.contains("board-focus"));
  });
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || !root.classList.contains("board-focus")) return;
    if (document.querySelector("dialog[open]")) return; // Escape closes the dialog first
    setFocus(false);
    document.getElementById("focus-toggle")?.focus();
  });

  // -- moving an idea --------------------------------------------------------------------
  function lists() { return [...document.querySelectorAll("#columns ul.cards[data-cluster]")]; }
  function move(card, toList, position) {
    live.send({
      type: "move",
      idea_id: card.dataset.id,
      from: card.dataset.cluster || "",
      to: toList.dataset.cluster,
      position: String(position),
    });
  }

  // Keyboard: Alt + arrow keys on a card's Actions button move the card to the previous or
  // next column (left/right, mirrored on a right-to-left page) or up and down in its own.
  let refocus = null;
  document.addEventListener("keydown", (event) => {
    const button = event.target.closest?.("#columns [data-idea-actions]");
    if (!button || !event.altKey || !event.key.startsWith("Arrow")) return;
    const card = button.closest(".card-idea");
    const list = card.closest("ul.cards");
    const all = lists();
    const cards = [...list.children];
    const index = cards.indexOf(card);
    const rtl = getComputedStyle(list).direction === "rtl";
    let step = { ArrowLeft: -1, ArrowRight: 1 }[event.key];
    if (step !== undefined) {
      if (rtl) step = -step;
      const target = all[all.indexOf(list) + step];
      if (!target) return;
      event.preventDefault();
      move(card, target, target.querySelectorAll(":scope > .card-idea").length);
      refocus = card.dataset.id;
      announce(t("moved_to").replace("{theme}", columnName(target)));
      return;
    }
    const delta = event.key === "ArrowUp" ? -1 : event.key === "ArrowDown" ? 1 : 0;
    const to = index + delta;
    if (!delta || to < 0 || to >= cards.length) return;
    event.preventDefault();
    move(card, list, to);
    refocus = card.dataset.id;
  });
  function columnName(list) {
    const heading = list.closest(".column")?.querySelector("h3");
    return heading?.firstChild?.textContent.trim() || "";
  }
  function announce(text) {
    const box = document.getElementById("announcer");
    if (box) box.textContent = text;
  }

  // -- drag and drop: between columns, near an edge it scrolls, on a card it merges -----
  let pointer = null;
  let target = null; // the card a dragged card is over the middle of: a merge
  function track(event) {
    const p = event.touches ? event.touches[0] : event;
    if (p) pointer = { x: p.clientX, y: p.clientY };
    markTarget(null);
    if (!pointer || !dragged) return;
    const card = document.elementsFromPoint(pointer.x, pointer.y)
      .map((el) => el.closest(".card-idea"))
      .find((el) => el && el !== dragged && !el.classList.contains("sortable-fallback")
        && el.closest("#columns"));
    if (!card) return;
    const box = card.getBoundingClientRect();
    const middle = pointer.y > box.top + box.height * 0.25 && pointer.y < box.bottom - box.height * 0.25;
    if (middle) markTarget(card);
  }
  function markTarget(card) {
    if (target === card) return;
    target?.classList.remove("merge-target");
    target = card;
    target?.classList.add("merge-target");
  }
  let dragged = null;
  const TRACKED = ["dragover", "mousemove", "touchmove"];

  function sortable() {
    if (!window.Sortable) return;
    for (const list of lists()) {
      if (list.dataset.sortable) continue;
      list.dataset.sortable = "1";
      window.Sortable.create(list, {
        group: "ideas",
        animation: 120,
        delay: 150,
        delayOnTouchOnly: true,
        // Reorder only near a card's edges; its middle is where a drop merges.
        invertSwap: true,
        invertedSwapThreshold: 0.5,
        scroll: true,
        bubbleScroll: true,
        scrollSensitivity: 80,
        scrollSpeed: 14,
        filter: "button, a, input, select, textarea",
        preventOnFilter: false,
        onStart: (evt) => {
          dragged = evt.item;
          live.hold();
          // Native drag (mouse) reports the pointer in dragover; touch, in touchmove.
          for (const type of TRACKED) document.addEventListener(type, track, true);
        },
        onMove: () => !target, // over a card's middle: no reordering
        onEnd: (evt) => {
          for (const type of TRACKED) document.removeEventListener(type, track, true);
          const into = target;
          markTarget(null);
          dragged = null;
          if (into) {
            // Put the card back where it was; the merge waits for a yes.
            const siblings = [...evt.from.children].filter((el) => el !== evt.item);
            evt.from.insertBefore(evt.item, siblings[evt.oldIndex] || null);
            live.release();
            offerMerge(evt.item, into);
            return;
          }
          if (evt.from !== evt.to || evt.oldIndex !== evt.newIndex) move(evt.item, evt.to, evt.newIndex);
          live.release();
        },
      });
    }
  }

  const mergeDialog = document.getElementById("merge-dialog");
  function offerMerge(card, into) {
    if (!mergeDialog) return;
    const text = (el) => el.querySelector(".idea-text")?.textContent || "";
    mergeDialog.querySelector("[data-merge=from]").textContent = text(card);
    mergeDialog.querySelector("[data-merge=into]").textContent = text(into);
    mergeDialog.querySelector("input[name=idea_id]").value = card.dataset.id;
    mergeDialog.querySelector("input[name=into]").value = into.dataset.id;
    mergeDialog.showModal();
    mergeDialog.querySelector("button[type=submit]")?.focus();
  }

  document.addEventListener("click", (event) => {
    event.target.closest("[data-close-dialog]")?.closest("dialog")?.close();
  });

  function applied() {
    sortable();
    restoreScroll();
    showFocus();
    if (refocus) {
      document.querySelector(`[data-idea-actions="${CSS.escape(refocus)}"]`)?.focus();
      refocus = null;
    }
  }
  live.onApplied(applied);
  applied();
})();
