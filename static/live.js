// Live board: WebSocket with seq-based catch-up, and an outbox that survives reloads.
// Every command carries a client-made key; it stays in localStorage until the server acks
// it, and is resent (same key) after any reconnect or reload. The server makes a repeat
// return the first result, so nothing is lost and nothing is doubled.
(() => {
  "use strict";
  const board = document.getElementById("board");
  if (!board) return;

  const strings = JSON.parse(document.getElementById("live-strings")?.textContent || "{}");
  const t = (key) => strings[key] || key;
  const room = board.dataset.room;
  const limit = Number(board.dataset.limit || 500);
  const heartbeat = Number(board.dataset.heartbeat || 15) * 1000;
  const conn = document.getElementById("conn");
  const compose = document.getElementById("compose");
  const textarea = document.getElementById("idea-text");
  const chars = document.getElementById("chars");
  const outboxList = document.getElementById("outbox");
  const announcer = document.getElementById("announcer");

  // localStorage can be missing or full (private mode): fall back to memory for this page.
  const memory = {};
  const store = {
    get(key) {
      try { return JSON.parse(localStorage.getItem(key)); } catch { return memory[key]; }
    },
    set(key, value) {
      memory[key] = value;
      try { localStorage.setItem(key, JSON.stringify(value)); } catch { /* memory only */ }
    },
  };
  const OUTBOX = `facilitator:outbox:${room}`;
  // Where this room's outbox is sent, and when a page of it was last open: a phone page
  // sends on what a closed page of another room left in its outbox (see "couriers").
  const LIVE = "facilitator:live:";
  const SEEN = "facilitator:seen:";
  store.set(LIVE + room, board.dataset.live);

  // While a card is being dragged, frames wait, so the drag is not pulled from under the hand.
  let held = null;
  function hold() { held = held || []; }
  function release() {
    const frames = held || [];
    held = null;
    frames.forEach(receive);
  }

  let seq = Number(board.dataset.seq);
  let epoch = board.dataset.epoch;
  let socket = null;
  let attempt = 0;
  let lastHeard = 0;
  let outbox = store.get(OUTBOX) || [];
  const failed = [];
  const mine = new Set((board.dataset.mine || "").split(",").filter(Boolean).map(Number));
  // The gallery: the recommendations this phone has given its +1.
  const plussed = new Set((board.dataset.plussed || "").split(",").filter(Boolean).map(Number));

  function newKey() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes); // works without HTTPS, unlike crypto.randomUUID
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  // -- applying server fragments ------------------------------------------------------
  function fragment(html) {
    const tpl = document.createElement("template");
    tpl.innerHTML = html.trim();
    return tpl.content.firstElementChild;
  }

  // Screen readers hear new ideas (a burst as one count) and phase changes, politely.
  let fresh = 0;
  let announceTimer = null;
  function announce(el) {
    if (!announcer || !el.matches(".idea, .card-idea")) return;
    fresh += 1;
    const text = el.querySelector(".idea-text")?.textContent || "";
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => {
      announcer.textContent = fresh === 1 ? `${t("new_idea")}: ${text}` : `${fresh} ${t("new_ideas")}`;
      fresh = 0;
    }, 1200);
  }

  const phase = () => document.querySelector("[data-phase]")?.dataset.phase;
  function announcePhase() {
    const label = document.querySelector(".phase-name, .phase-step[aria-current]")?.textContent.trim();
    if (announcer && label) announcer.textContent = `${t("phase_now")} ${label}`;
  }

  // A field someone is typing in, and an open menu, survive a re-render around them.
  function replace(old, el) {
    const active = document.activeElement;
    const typing = active && active.id && old.contains(active) && "value" in active;
    const saved = typing && { id: active.id, value: active.value, start: active.selectionStart };
    const open = [...old.querySelectorAll("details[open][id]")].map((d) => d.id);
    old.replaceWith(el);
    for (const id of open) document.getElementById(id)?.setAttribute("open", "");
    if (!saved) return;
    const again = document.getElementById(saved.id);
    if (!again) return;
    again.value = saved.value;
    again.focus();
    if (saved.start != null && again.setSelectionRange) again.setSelectionRange(saved.start, saved.start);
  }

  const appliedHooks = [];
  // A new round has started: this phone's seat is elsewhere now. Follow the link the
  // server sent (its group, or the list to choose from); a stale page never lingers.
  // Ideas still in the outbox go first: the server keeps them in the group (and round) they
  // were written in, and says so; the next page shows what it said.
  let leaving = null;
  appliedHooks.push(() => {
    const go = document.querySelector("#round-notice a[data-go]");
    if (!go || leaving) return;
    leaving = go.href;
    if (!outbox.some((i) => i.type === "submit")) { leave(); return; }
    setTimeout(leave, 15000); // unanswered: they wait on this phone
  });
  function leaveIfSent() {
    if (leaving && !outbox.some((i) => i.type === "submit")) leave();
  }
  function leave() {
    if (kept.length) {
      try { sessionStorage.setItem(KEPT, JSON.stringify(kept)); } catch { /* shown here only */ }
    }
    location.assign(leaving);
  }
  function apply(ops, quiet) {
    const phaseBefore = phase();
    for (const [op, target, html] of ops) {
      if (op === "remove") {
        document.getElementById(target)?.remove();
        continue;
      }
      const el = fragment(html);
      if (!el) continue;
      const existing = el.id && document.getElementById(el.id);
      if (op === "upsert" && !existing) {
        document.getElementById(target)?.prepend(el);
        if (!quiet) announce(el);
      } else if (existing) {
        replace(existing, el);
      } else if (op === "replace") {
        const old = document.getElementById(target);
        if (old) replace(old, el);
      }
    }
    decorate();
    if (phase() !== phaseBefore) foldQuestion();
    if (!quiet && phase() !== phaseBefore) announcePhase();
    for (const hook of appliedHooks) hook();
  }

  // A phone's question is read while writing; once the phase moves on it folds, as a reload
  // of that phase shows it, leaving the first screen to what there is to do now.
  function foldQuestion() {
    const question = document.getElementById("question");
    if (question) question.open = phase() === "collect";
  }

  // A banner a phone dismissed stays dismissed, reloads too, until a new one is shown.
  const DISMISSED = `facilitator:banner:${room}`;
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-dismiss-banner]");
    if (!button) return;
    store.set(DISMISSED, button.closest(".banner")?.querySelector(".announcement")?.textContent || "");
    decorate();
  });

  let votes = { remaining: null, placed: {} };
  function decorate() {
    const banner = document.getElementById("banner");
    if (banner) {
      banner.hidden = store.get(DISMISSED) === banner.querySelector(".announcement")?.textContent;
      for (const button of banner.querySelectorAll("[data-dismiss-banner]")) button.hidden = false;
    }
    for (const li of document.querySelectorAll("#ideas .idea")) {
      li.classList.toggle("mine", mine.has(Number(li.dataset.id)));
      document.getElementById(`own-${li.dataset.id}`)?.remove(); // shown now: not "waiting"
    }
    const body = document.getElementById("board-body");
    if (compose && body) compose.hidden = body.dataset.writing !== "open" || timeIsUp();
    const left = document.getElementById("dots-left");
    const cap = Number(left?.dataset.cap || Infinity);
    for (const box of document.querySelectorAll(".vote-box[data-item]")) {
      if (votes.remaining == null) break; // not told yet: the page's own marks stand
      const n = votes.placed[box.dataset.item] || 0;
      const mineEl = box.querySelector(".my-dots");
      if (mineEl) mineEl.textContent = String(n);
      box.classList.toggle("voted", n > 0);
      // No dot to give (or this item is full), none to take back: say so before a tap.
      const add = box.querySelector("[data-command=vote] button");
      const take = box.querySelector("[data-command=unvote] button");
      if (add) add.disabled = votes.remaining <= 0 || n >= cap;
      if (take) take.disabled = n <= 0;
    }
    if (left && votes.remaining != null) left.textContent = String(votes.remaining);
    for (const box of document.querySelectorAll(".plus-box[data-rec]")) {
      const given = plussed.has(Number(box.dataset.rec));
      box.querySelector("button")?.setAttribute("aria-pressed", String(given));
      const next = box.querySelector("input[name=given]");
      if (next) next.value = given ? "0" : "1";
    }
    for (const time of document.querySelectorAll("time[datetime]:not([data-local])")) {
      const when = new Date(time.getAttribute("datetime"));
      if (!Number.isNaN(when.getTime())) {
        time.textContent = when.toLocaleTimeString(document.documentElement.lang || [], { hour: "2-digit", minute: "2-digit" });
        time.dataset.local = "1";
      }
    }
  }

  // -- the socket -------------------------------------------------------------------
  function setConn(state) {
    if (!conn) return;
    conn.dataset.state = state;
    conn.textContent = t(`conn_${state}`);
    renderOutbox();
  }

  function connect() {
    if (socket) return;
    const url = new URL(board.dataset.live, location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("since", String(seq));
    url.searchParams.set("epoch", epoch || "");
    setConn("connecting");
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      sentKeys = new Map();
      lastHeard = Date.now();
      setConn("online");
      flush();
      sendOrphans();
    };
    ws.onmessage = (event) => {
      lastHeard = Date.now();
      let data;
      try { data = JSON.parse(event.data); } catch { return; }
      // Several frames that waited together arrive as one array, in order.
      for (const message of Array.isArray(data) ? data : [data]) {
        if (held) held.push(message);
        else receive(message);
      }
    };
    ws.onclose = () => {
      if (socket === ws) drop();
    };
  }

  // Stop using the socket at once (a dying one may take minutes to report its close, e.g.
  // when the Wi-Fi went), show that, and come back later with ?since=<last seq seen>.
  let retryTimer = null;
  let slowTimer = null;
  function drop() {
    const old = socket;
    socket = null;
    setConn("offline");
    if (old && old.readyState < WebSocket.CLOSING) old.close();
    // Back off, with jitter, so a venue's phones do not all return in the same instant.
    // At most 4 s (2-6 s with the jitter): after a restart a phone is back within 6 s of
    // the server, where an 8 s cap had some wait 12 s (docs/operations.md).
    const delay = Math.min(4000, 500 * 2 ** attempt) * (0.5 + Math.random());
    attempt = Math.min(attempt + 1, 6);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, delay);
  }

  function resync() {
    attempt = 0;
    if (socket) drop();
  }

  function inOrder(message) {
    if (message.epoch && message.epoch !== epoch) { resync(); return false; }
    if (message.seq <= seq) return false;
    if (message.seq > seq + 1) { resync(); return false; }
    seq = message.seq;
    return true;
  }

  function receive(message) {
    switch (message.type) {
      case "patch":
        if (inOrder(message)) apply(message.ops, false);
        break;
      case "seq":
        inOrder(message);
        break;
      case "reset":
        seq = message.seq;
        epoch = message.epoch;
        apply(message.ops, true);
        break;
      case "presence":
      case "go":
      case "questions":
      case "plenary":
        apply(message.ops, true);
        break;
      case "own":
        if (message.all) mine.clear();
        for (const id of message.mine) mine.add(id);
        apply(message.ops, true);
        break;
      case "votes":
        votes = { remaining: message.remaining, placed: message.placed };
        decorate();
        break;
      case "plussed":
        if (message.all) plussed.clear();
        for (const id of message.on) plussed.add(id);
        for (const id of message.off) plussed.delete(id);
        decorate();
        break;
      case "ack":
        settle(message.key, null);
        if (message.idea_id && document.getElementById("compose")) mine.add(message.idea_id);
        if (message.votes) votes = message.votes;
        if (message.plus) markPlus(message.plus.recommendation, message.plus.given);
        if (message.kept) keep(message.kept);
        if (message.ops) apply(message.ops, true); // a region of this phone's own (its ballot)
        decorate();
        leaveIfSent();
        break;
      case "error":
        if (message.status === 429 && message.key) {
          // Sent too fast: not refused. It stays in the outbox and goes again shortly.
          sentKeys.delete(message.key);
          clearTimeout(slowTimer);
          slowTimer = setTimeout(flush, 2000);
        } else if (message.key) settle(message.key, message.message);
        else say(message.message);
        leaveIfSent();
        break;
      case "hb":
        if (message.epoch !== epoch || message.seq > seq) resync();
        break;
      default:
        break;
    }
  }

  // -- the outbox -------------------------------------------------------------------
  function save() { store.set(OUTBOX, outbox); }

  function send(item) {
    outbox.push(item);
    save();
    renderOutbox();
    flush();
  }

  // Keys sent on the current socket; a new socket sends every unacknowledged item again.
  let sentKeys = new Map();
  function flush() {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    for (const item of outbox) {
      if (sentKeys.has(item.key)) continue;
      sentKeys.set(item.key, Date.now());
      socket.send(JSON.stringify(item));
    }
    renderOutbox();
  }

  function settle(key, error) {
    sentKeys.delete(key);
    const item = outbox.find((i) => i.key === key);
    if (!item) return;
    outbox = outbox.filter((i) => i.key !== key);
    save();
    if (error && item.type === "plus") markPlus(Number(item.recommendation_id), item.given !== "1");
    if (error) {
      // A page's own script may show the refusal where it was made (plenary.js: the ballot).
      const shown = !document.dispatchEvent(new CustomEvent("facilitator:refused", { cancelable: true, detail: { item, error } }));
      if (shown) { renderOutbox(); return; }
      if (flash || item.type !== "submit") {
        say(error);
      } else {
        failed.push({ ...item, error });
        if (textarea && !textarea.value) textarea.value = item.text;
      }
    }
    renderOutbox();
  }

  function markPlus(id, given) {
    if (given) plussed.add(id);
    else plussed.delete(id);
  }

  // What the server said of an idea it kept in the group it was written in: shown here, and
  // on the next page if this one is leaving for the phone's new group.
  const KEPT = "facilitator:kept";
  const kept = [];
  function keep(text) {
    kept.push(text);
    renderOutbox();
  }
  try {
    for (const text of JSON.parse(sessionStorage.getItem(KEPT)) || []) kept.push(text);
    sessionStorage.removeItem(KEPT);
  } catch { /* nothing kept */ }

  const flash = document.getElementById("flash");
  let flashTimer = null;
  function say(text) {
    if (flash) {
      flash.textContent = text;
      flash.hidden = false;
      clearTimeout(flashTimer);
      flashTimer = setTimeout(() => { flash.hidden = true; }, 8000);
      return;
    }
    failed.push({ key: newKey(), type: "notice", text: "", error: text });
    renderOutbox();
  }

  function renderOutbox() {
    if (!outboxList) return;
    const online = socket && socket.readyState === WebSocket.OPEN;
    const rows = [];
    for (const item of outbox) {
      const label = item.type === "submit" ? item.text : strings[`doing_${item.type}`] || t("doing_other");
      rows.push(row(label, online ? t("state_sending") : t("state_offline"), online ? "sending" : "offline"));
    }
    const dismissable = (li, list, index) => {
      const dismiss = document.createElement("button");
      dismiss.type = "button";
      dismiss.className = "small";
      dismiss.textContent = t("dismiss");
      dismiss.addEventListener("click", () => { list.splice(index, 1); renderOutbox(); });
      li.append(dismiss);
      rows.push(li);
    };
    kept.forEach((text, index) => dismissable(row(text, "", "kept"), kept, index));
    failed.forEach((item, index) => dismissable(row(item.text, item.error, "failed"), failed, index));
    outboxList.replaceChildren(...rows);
  }

  function row(text, stateText, state) {
    const li = document.createElement("li");
    li.className = "pending";
    li.dataset.state = state;
    if (text) {
      const p = document.createElement("p");
      p.className = "idea-text";
      p.dir = "auto";
      p.textContent = text;
      li.append(p);
    }
    if (stateText) {
      const s = document.createElement("p");
      s.className = "state";
      s.textContent = stateText;
      li.append(s);
    }
    return li;
  }

  // -- the page's forms -------------------------------------------------------------
  function counter() {
    if (!chars || !textarea) return;
    const left = limit - textarea.value.length;
    chars.textContent = left < 100 ? String(left) : "";
    chars.classList.toggle("over", left < 0);
  }

  compose?.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = textarea.value.trim();
    if (!text) { say(t("empty")); textarea.focus(); return; }
    if (text.length > limit) { say(t("too_long")); textarea.focus(); return; }
    send({ type: "submit", key: newKey(), text });
    textarea.value = "";
    document.getElementById("similar")?.replaceChildren();
    counter();
    textarea.focus();
  });

  textarea?.addEventListener("input", counter);

  // The on-screen keyboard shrinks the page: keep the Send button in sight while typing.
  function keepSendInSight() {
    if (document.activeElement !== textarea) return;
    const send = compose.querySelector("button[type=submit]");
    const bottom = window.visualViewport ? window.visualViewport.height : window.innerHeight;
    const box = send.getBoundingClientRect();
    if (box.bottom > bottom || box.top < 0) send.scrollIntoView({ block: "end" });
  }
  window.visualViewport?.addEventListener("resize", keepSendInSight);
  window.addEventListener("resize", keepSendInSight);
  textarea?.addEventListener("focus", () => setTimeout(keepSendInSight, 300));

  // The duplicate hint: after a pause in typing, show ideas already on the board that
  // say much the same. Only a hint: sending stays one tap away.
  let hintTimer = null;
  textarea?.addEventListener("input", () => {
    clearTimeout(hintTimer);
    hintTimer = setTimeout(async () => {
      const text = textarea.value.trim();
      const box = document.getElementById("similar");
      if (!box || !board.dataset.similar) return;
      if (text.length < 12) { box.replaceChildren(); return; }
      try {
        const url = `${board.dataset.similar}?text=${encodeURIComponent(text.slice(0, 500))}`;
        const response = await fetch(url, { credentials: "same-origin" });
        if (response.ok) {
          const el = fragment(await response.text());
          if (el) box.replaceWith(el);
        }
      } catch { /* offline: no hint, no harm */ }
    }, 700);
  });
  textarea?.addEventListener("keydown", (event) => {
    // Enter sends on a laptop; Shift+Enter starts a new line.
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing && matchMedia("(pointer: fine)").matches) {
      event.preventDefault();
      compose.requestSubmit();
    }
  });

  document.getElementById("ideas")?.closest("section")?.addEventListener("click", (event) => {
    const edit = event.target.closest("[data-action=edit]");
    if (edit) { event.preventDefault(); startEdit(edit.closest(".idea")); }
  });

  // Any form marked data-command runs over the socket, through the outbox; without
  // JavaScript the same form posts to the server, which runs the same command.
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-command]");
    if (!form) return;
    event.preventDefault();
    const command = { key: newKey() };
    for (const [name, value] of new FormData(form)) if (name !== "csrf") command[name] = value;
    command.type = form.dataset.command;
    send(command);
    if (command.type === "plus") { // pressed at once, offline too; the server's answer settles it
      markPlus(Number(command.recommendation_id), command.given === "1");
      decorate();
    }
    if (form.hasAttribute("data-clears-draft")) {
      // "+1 that instead of sending mine": the draft is not sent, so it goes.
      if (textarea) { textarea.value = ""; counter(); textarea.focus(); }
      document.getElementById("similar")?.replaceChildren();
    }
    form.closest("dialog")?.close();
    form.closest("details[open]")?.removeAttribute("open");
  });

  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-action=withdraw]");
    if (!form) return;
    event.preventDefault();
    const button = form.querySelector("button");
    if (button.dataset.armed !== "1") {
      button.dataset.armed = "1";
      button.textContent = t("confirm_withdraw");
      setTimeout(() => { button.dataset.armed = ""; button.textContent = t("withdraw"); }, 4000);
      return;
    }
    const id = Number(form.closest(".idea").dataset.id);
    send({ type: "withdraw", key: newKey(), idea_id: id });
  });

  function startEdit(li) {
    if (!li || li.querySelector("form.inline-edit")) return;
    const text = li.querySelector(".idea-text");
    const form = document.createElement("form");
    form.className = "inline-edit stack";
    const area = document.createElement("textarea");
    area.value = text.textContent;
    area.maxLength = limit;
    area.rows = 3;
    area.dir = "auto";
    area.setAttribute("aria-label", t("edit_label"));
    const save = document.createElement("button");
    save.type = "submit";
    save.className = "primary small";
    save.textContent = t("save");
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "small";
    cancel.textContent = t("cancel");
    const buttons = document.createElement("div");
    buttons.className = "row";
    buttons.append(save, cancel);
    form.append(area, buttons);
    text.hidden = true;
    text.after(form);
    area.focus();
    const close = () => { form.remove(); text.hidden = false; };
    cancel.addEventListener("click", close);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = area.value.trim();
      if (!value || value.length > limit) { area.focus(); return; }
      send({ type: "edit", key: newKey(), idea_id: Number(li.dataset.id), text: value });
      text.textContent = value;
      close();
    });
  }

  // -- the timer: the end time comes from the server; the clock offset is measured --
  function timeIsUp() {
    const timer = document.querySelector(".timer[data-lock]");
    return Boolean(timer && remaining(timer) <= 0);
  }

  function remaining(timer) {
    if (!timer.dataset.offset) timer.dataset.offset = String(Date.parse(timer.dataset.now) - Date.now());
    return Date.parse(timer.dataset.ends) - (Date.now() + Number(timer.dataset.offset));
  }

  function tick() {
    for (const timer of document.querySelectorAll(".timer[data-ends]")) {
      const left = Math.max(0, Math.round(remaining(timer) / 1000));
      const clock = timer.querySelector(".clock");
      const text = left > 0 ? `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` : t("time_up");
      if (clock && clock.textContent !== text) clock.textContent = text;
      timer.classList.toggle("done", left === 0);
    }
    const body = document.getElementById("board-body");
    if (compose && body) compose.hidden = body.dataset.writing !== "open" || timeIsUp();
  }
  setInterval(tick, 1000);

  // -- staying connected ------------------------------------------------------------
  function reconnectNow() {
    attempt = 0;
    if (socket && socket.readyState === WebSocket.OPEN) return;
    clearTimeout(retryTimer);
    if (socket) { const old = socket; socket = null; old.close(); }
    connect();
  }

  setInterval(() => {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    const now = Date.now();
    // No frame for two heartbeats, or an unanswered command: the connection is dead
    // though nobody said so. Reconnect; the outbox sends again with the same keys.
    const unanswered = [...sentKeys.values()].some((at) => now - at > 10000);
    if (now - lastHeard > 2 * heartbeat + 5000 || unanswered) resync();
  }, 2500);
  window.addEventListener("offline", () => { if (socket) drop(); });
  window.addEventListener("online", reconnectNow);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") reconnectNow();
  });

  // -- couriers: what a closed page left in its outbox ---------------------------------
  // A phone whose page was closed with ideas unsent, and opened again after the round
  // moved on, is on its new group's page; the ideas wait in the old group's outbox. Send
  // them on a socket of their own room (the server keeps them in the group and round they
  // were written in, and says so); same keys, so nothing is doubled. A room whose page is
  // open in another tab is left to that page.
  const isPhone = new URL(board.dataset.live, location.href).searchParams.get("as") === "participant";
  function stillOpen(other) {
    return Date.now() - Number(store.get(SEEN + other) || 0) < 12000;
  }
  function markSeen() { store.set(SEEN + room, Date.now()); }
  const couriers = new Set();
  function orphans() {
    const found = [];
    try {
      for (let i = 0; i < localStorage.length; i += 1) {
        const key = localStorage.key(i);
        if (!key || !key.startsWith("facilitator:outbox:")) continue;
        const other = key.slice("facilitator:outbox:".length);
        if (other === room || couriers.has(other) || stillOpen(other)) continue;
        const items = store.get(key) || [];
        const live = store.get(LIVE + other);
        if (items.length && live) found.push({ other, key, live });
      }
    } catch { /* no storage: nothing was left */ }
    return found;
  }
  function courier({ other, key, live }) {
    couriers.add(other);
    const url = new URL(live, location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(url);
    const pending = () => store.get(key) || [];
    const done = (itemKey) => {
      const left = pending().filter((i) => i.key !== itemKey);
      if (left.length) store.set(key, left);
      else { try { localStorage.removeItem(key); } catch { /* memory only */ } }
      if (!left.length) ws.close();
    };
    const giveUp = setTimeout(() => ws.close(), 20000);
    ws.onopen = () => { for (const item of pending()) ws.send(JSON.stringify(item)); };
    ws.onmessage = (event) => {
      let data;
      try { data = JSON.parse(event.data); } catch { return; }
      for (const message of Array.isArray(data) ? data : [data]) {
        if (message.type === "ack") {
          if (message.kept) keep(message.kept);
          done(message.key);
        } else if (message.type === "error" && message.key && message.status !== 429) {
          const item = pending().find((i) => i.key === message.key);
          if (item) failed.push({ ...item, error: message.message });
          done(message.key);
          renderOutbox();
        }
      }
    };
    ws.onclose = () => { clearTimeout(giveUp); couriers.delete(other); };
  }
  function sendOrphans() {
    if (isPhone) orphans().forEach(courier);
  }
  markSeen();
  setInterval(markSeen, 5000);
  window.addEventListener("pagehide", () => {
    try { localStorage.removeItem(SEEN + room); } catch { /* memory only */ }
  });

  // The console's extras (console.js) hook in here.
  window.facilitatorLive = {
    send: (command) => send({ key: newKey(), ...command }),
    onApplied: (hook) => appliedHooks.push(hook),
    say,
    hold,
    release,
  };

  decorate();
  tick();
  counter();
  renderOutbox();
  connect();
})();
