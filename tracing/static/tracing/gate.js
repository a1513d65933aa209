/* The gate. One scan (a keyboard-wedge scanner types the personal code or the ID number and Enter into the input
   that keeps the focus), then one tap on the colour of the code the person shows, records the entry. Entries wait
   in a local queue (localStorage, per user: client keys belong to the user who made them) and are sent in
   batches under the client key made at the tap; the server answers per entry and is idempotent on that key, so a
   resend after a lost answer never duplicates. What to do about a fever or a colour is shown at once from local
   rules; the server's answer adds what only it knows (an isolation, a control over their home). */
(function () {
  "use strict";
  const root = document.getElementById("gate");
  if (!root) return;
  const T = JSON.parse(document.getElementById("gate-text").textContent);
  const API = root.dataset.api;
  const FEVER = Number(root.dataset.fever);
  const QR_PREFIX = root.dataset.qrPrefix;
  const BATCH = 50;
  const $ = (id) => document.getElementById(id);
  const scan = $("scan");
  const prefix = "gc.gate." + root.dataset.user + ".";

  const store = {
    get(key, fallback) {
      try {
        const raw = localStorage.getItem(prefix + key);
        return raw === null ? fallback : JSON.parse(raw);
      } catch (e) {
        return fallback;
      }
    },
    set(key, value) {
      localStorage.setItem(prefix + key, JSON.stringify(value));
    },
  };
  let queue = store.get("queue", []);
  let sentCount = store.get("sent", 0);
  let pending = null; // the person scanned, waiting for the colour tap
  let retryDelay = 0;
  let retryTimer = null;
  let syncing = false;

  // GB 11643: 17 weighted digits mod 11 give the check character, so a mistyped digit is caught at the gate.
  const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  function ricValid(n) {
    let sum = 0;
    for (let i = 0; i < 17; i++) sum += Number(n[i]) * WEIGHTS[i];
    return "10X98765432"[sum % 11] === n[17];
  }

  function clientKey() {
    // crypto.randomUUID needs a secure context; a gate on plain http still has getRandomValues.
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function csrfToken() {
    const m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : root.dataset.csrf;
  }

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, k) => values[k]);
  }

  function say(lines, kind) {
    const box = $("say");
    box.replaceChildren(...[].concat(lines).map((line) => {
      const p = document.createElement("p");
      p.textContent = line;
      return p;
    }));
    box.className = "say " + (kind || "");
  }

  function direction() {
    return store.get("direction", "in");
  }

  function showDirection() {
    for (const b of document.querySelectorAll("[data-direction]")) {
      b.setAttribute("aria-pressed", String(b.dataset.direction === direction()));
    }
  }

  function label(text) {
    // Masked as the pages mask: the gate sees the person in front of it, the screen need not show the number.
    if (text.toUpperCase().startsWith(QR_PREFIX)) return QR_PREFIX + "…" + text.slice(-4);
    return text.slice(0, 6) + "********" + text.slice(-4);
  }

  function onScan(event) {
    event.preventDefault();
    let text = scan.value.trim().replace(/\s+/g, "");
    // A personal code's signature is case-sensitive; an ID number's check character may be typed "x".
    if (!text.toUpperCase().startsWith(QR_PREFIX)) text = text.toUpperCase();
    scan.value = "";
    scan.focus();
    if (!text) return;
    if (text.toUpperCase().startsWith(QR_PREFIX)) {
      if (!/^GCP1:\d+:[\w-]+$/i.test(text)) return say(T.badQr, "bad");
    } else if (!/^\d{17}[\dX]$/.test(text)) {
      return say(T.idLength, "bad");
    } else if (!ricValid(text)) {
      return say(fmt(T.badCheckDigit, { n: text }), "bad");
    }
    pending = { person: text, label: label(text) };
    $("who").textContent = fmt(T.scanned, { who: pending.label });
    say("", "");
    render();
  }

  function localAdvice(entry) {
    const lines = [];
    if (entry.temperature !== null && Number(entry.temperature) >= FEVER) lines.push(T.fever);
    if (entry.code_colour !== "green") lines.push(T[entry.code_colour]);
    return lines;
  }

  function onColour(event) {
    const venue = $("venue").value;
    if (!venue) return say(T.chooseGate, "bad");
    if (!pending) return say(T.scanFirst, "bad");
    const raw = $("temp").value.trim().replace(",", ".");
    if (raw && !(Number(raw) >= 34 && Number(raw) <= 43)) return say(T.badTemperature, "bad");
    const entry = {
      client_key: clientKey(), venue: Number(venue), person: pending.person, code_colour: event.currentTarget.dataset.colour,
      direction: direction(), temperature: raw ? raw : null, at: new Date().toISOString(),
      label: pending.label, state: "waiting",
    };
    queue.push(entry);
    store.set("queue", queue);
    pending = null;
    $("temp").value = "";
    $("who").textContent = fmt(T.recorded, {
      who: entry.label, colour: T.colours[entry.code_colour], direction: T.directions[entry.direction],
    });
    const advice = localAdvice(entry);
    say(advice.length ? advice : T.admit, advice.length ? "bad" : "good");
    scan.focus();
    render();
    sync();
  }

  function body(e) {
    return {
      client_key: e.client_key, venue: e.venue, person: e.person, code_colour: e.code_colour,
      direction: e.direction, temperature: e.temperature, at: e.at,
    };
  }

  function later() {
    // Back off 2 s, 4 s, … up to a minute; an `online` event or a new entry tries at once.
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 2000, 60000);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(sync, retryDelay);
  }

  async function send(batch) {
    let r;
    try {
      r = await fetch(API, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ entries: batch.map(body) }),
      });
    } catch (e) {
      return "offline";
    }
    if (r.status === 401 || r.status === 403) return "login";
    if (r.status !== 200 && r.status !== 422) return "offline"; // a proxy's error, a server restarting: later
    let answer;
    try { answer = await r.json(); } catch (e) { return "offline"; }
    if (!answer.results) return "offline"; // the whole body refused: keep the entries, try later
    const last = queue[queue.length - 1];
    for (const result of answer.results) {
      const entry = queue.find((x) => x.client_key === result.client_key);
      if (!entry) continue;
      if (result.http_status < 400) {
        queue = queue.filter((x) => x !== entry);
        sentCount += 1;
        // The latest entry's full answer (an isolation, a control) is still useful to the person at the gate.
        if (entry === last && result.advice.length) say(result.advice, "bad");
      } else {
        entry.state = "rejected";
        entry.errors = result.errors;
      }
    }
    store.set("queue", queue);
    store.set("sent", sentCount);
    return "sent";
  }

  async function sync() {
    if (syncing) return;
    syncing = true;
    clearTimeout(retryTimer);
    try {
      for (;;) {
        const batch = queue.filter((x) => x.state === "waiting").slice(0, BATCH);
        if (!batch.length) break;
        const outcome = await send(batch);
        render();
        if (outcome === "login") {
          say(T.loginAgain, "bad");
          break;
        }
        if (outcome === "offline") {
          later();
          break;
        }
        retryDelay = 0;
      }
    } finally {
      syncing = false;
      render();
    }
  }

  function dismiss(key) {
    queue = queue.filter((x) => x.client_key !== key);
    store.set("queue", queue);
    render();
  }

  function render() {
    const waiting = queue.filter((x) => x.state === "waiting").length;
    $("queued").textContent = String(waiting);
    $("queued-text").textContent = waiting ? fmt(T.queued, { n: waiting }) : T.allSent;
    $("sent").textContent = String(sentCount);
    for (const b of document.querySelectorAll("[data-colour]")) b.disabled = !pending;
    const box = $("rejected");
    box.replaceChildren(...queue.filter((x) => x.state === "rejected").map((e) => {
      const card = document.createElement("div");
      card.className = "card rejected";
      const head = document.createElement("b");
      head.textContent = fmt(T.refused, { who: e.label }) + " · " + new Date(e.at).toLocaleTimeString();
      card.append(head);
      for (const reason of Object.values(e.errors || {})) {
        const p = document.createElement("p");
        p.textContent = reason;
        card.append(p);
      }
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "small";
      remove.textContent = T.dismiss;
      remove.addEventListener("click", () => dismiss(e.client_key));
      card.append(remove);
      return card;
    }));
  }

  const venueSelect = $("venue");
  // A gate named in the link (from the home page) wins over the one remembered on the device, and is remembered.
  const linked = new URLSearchParams(location.search).get("venue");
  if (linked) store.set("venue", linked);
  const savedVenue = String(store.get("venue", ""));
  if ([...venueSelect.options].some((o) => o.value === savedVenue && savedVenue)) venueSelect.value = savedVenue;
  venueSelect.addEventListener("change", () => { store.set("venue", venueSelect.value); scan.focus(); });
  for (const b of document.querySelectorAll("[data-direction]")) {
    b.addEventListener("click", () => { store.set("direction", b.dataset.direction); showDirection(); scan.focus(); });
  }
  for (const b of document.querySelectorAll("[data-colour]")) b.addEventListener("click", onColour);
  $("scan-form").addEventListener("submit", onScan);
  $("sync").addEventListener("click", () => { retryDelay = 0; sync(); });
  window.addEventListener("online", () => { retryDelay = 0; sync(); });
  // Another tab of the same gate changed the queue.
  window.addEventListener("storage", () => { queue = store.get("queue", []); render(); });
  if ("serviceWorker" in navigator && root.dataset.sw) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: root.dataset.scope }).catch(() => {});
  }
  showDirection();
  render();
  scan.focus();
  sync();
})();
