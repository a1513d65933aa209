/* The sampling desk. Every scan (tube barcode, ID number, personal QR code) goes into one input that keeps the
   focus, so a keyboard-wedge scanner — fast typed text ending in Enter — just works. Closed tubes wait in a local
   queue (localStorage) and are sent one at a time under the client key made when the tube was opened; the server
   is idempotent on that key, so a retry after a lost answer never makes a duplicate. */
(function () {
  "use strict";
  const root = document.getElementById("desk");
  if (!root) return;
  const T = JSON.parse(document.getElementById("desk-text").textContent);
  const API = root.dataset.api;
  const LOOKUP = root.dataset.lookup;
  const QR_PREFIX = root.dataset.qrPrefix;
  const TUBE_CODE = /^[A-Z0-9-]{6,32}$/;
  const $ = (id) => document.getElementById(id);
  const scan = $("scan");

  const store = {
    get(key, fallback) {
      try {
        const raw = localStorage.getItem("gc.desk." + key);
        return raw === null ? fallback : JSON.parse(raw);
      } catch (e) {
        return fallback;
      }
    },
    set(key, value) {
      localStorage.setItem("gc.desk." + key, JSON.stringify(value));
    },
  };
  let queue = store.get("queue", []);
  let tube = store.get("tube", null);
  let sentCount = store.get("sent", 0);
  let retryDelay = 0;
  let retryTimer = null;
  let syncing = false;

  // GB 11643: 17 weighted digits mod 11 give the check character, so a mistyped digit is caught at the desk.
  const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  function ricValid(n) {
    if (!/^\d{17}[\dX]$/.test(n)) return false;
    let sum = 0;
    for (let i = 0; i < 17; i++) sum += Number(n[i]) * WEIGHTS[i];
    return "10X98765432"[sum % 11] === n[17];
  }

  function clientKey() {
    // crypto.randomUUID needs a secure context; an intranet desk on plain http still has getRandomValues.
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

  function say(text, kind) {
    const box = $("say");
    box.textContent = text;
    box.className = "say " + (kind || "");
    if (kind === "bad") {
      root.classList.remove("flash");
      void root.offsetWidth; // restart the animation on repeated errors
      root.classList.add("flash");
    }
  }

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, k) => values[k]);
  }

  function settings() {
    return { round: $("round").value, site: $("site").value, pool_size: Number($("pool").value) };
  }

  function siteChoices() {
    // Only the sites of the chosen round's campaign.
    const round = $("round").selectedOptions[0];
    const campaign = round ? round.dataset.campaign : null;
    const site = $("site");
    for (const o of site.options) o.hidden = !!o.dataset.campaign && o.dataset.campaign !== campaign;
    if (site.selectedOptions[0] && site.selectedOptions[0].hidden) {
      const first = [...site.options].find((o) => !o.hidden);
      site.value = first ? first.value : "";
    }
  }

  function saveSettings(event) {
    siteChoices();
    // A site's zone decides its usual tube (single in a sealed zone); the medic may still pick another size.
    if (event && event.target.id !== "pool") {
      const site = $("site").selectedOptions[0];
      if (site && site.dataset.pool) $("pool").value = site.dataset.pool;
    }
    store.set("settings", settings());
    render();
  }

  function roundEnded() {
    // The page offers only running rounds, but a desk stays open for hours: past the end the server refuses.
    const round = $("round").selectedOptions[0];
    return round && round.dataset.ends && Date.now() > Date.parse(round.dataset.ends) ? round.textContent : null;
  }

  function showHead() {
    const round = $("round").selectedOptions[0];
    const site = $("site").selectedOptions[0];
    const head = $("head-round");
    if (!round || !round.value || !head) return;
    head.textContent = round.textContent;
    $("head-site").textContent = site && site.value ? site.textContent : "—";
  }

  function restoreSettings() {
    const s = store.get("settings", null);
    if (!s) return;
    for (const [id, key] of [["round", "round"], ["site", "site"], ["pool", "pool_size"]]) {
      const el = $(id);
      if ([...el.options].some((o) => o.value === String(s[key]))) el.value = String(s[key]);
    }
  }

  function usedTubeCodes() {
    return new Set(queue.map((t) => t.tube_code).concat(store.get("sentCodes", [])));
  }

  function openTube(code) {
    const s = settings();
    if (!s.round || !s.site) return say(T.chooseFirst, "bad");
    const ended = roundEnded();
    if (ended) return say(fmt(T.roundEnded, { round: ended }), "bad");
    if (usedTubeCodes().has(code)) return say(fmt(T.tubeUsed, { code }), "bad");
    tube = { client_key: clientKey(), round: Number(s.round), site: Number(s.site), tube_code: code,
             pool_size: s.pool_size, persons: [] };
    store.set("tube", tube);
    say(fmt(T.tubeOpened, { code }), "good");
    render();
    checkTube(tube);
  }

  async function checkTube(t) {
    // Online, a used tube is refused at once; offline the server refuses it later and the desk corrects it then.
    try {
      const r = await fetch(root.dataset.check + "?code=" + encodeURIComponent(t.tube_code), { credentials: "same-origin" });
      if (!r.ok || !(await r.json()).used || tube !== t) return;
    } catch (e) {
      return;
    }
    t.needsCode = true;
    store.set("tube", t);
    say(fmt(T.tubeUsedServer, { code: t.tube_code }), "bad");
    render();
  }

  function addPerson(entry) {
    const same = tube.persons.some((p) =>
      (entry.id_number && p.id_number === entry.id_number) || (entry.person_id && p.person_id === entry.person_id));
    if (same) return say(T.alreadyInTube, "bad");
    tube.persons.push(entry);
    store.set("tube", tube);
    say(fmt(T.added, { n: tube.persons.length, size: tube.pool_size }), "good");
    lookup(entry);
    if (tube.persons.length >= tube.pool_size) closeTube();
    else render();
  }

  function readScan(raw) {
    const text = raw.normalize("NFKC").replace(/\s+/g, "").toUpperCase();
    if (!text) return;
    const looksLikeTube = TUBE_CODE.test(text) && !/^\d{17}[\dX]$/.test(text);
    if (!tube) return looksLikeTube ? openTube(text) : say(T.scanTubeFirst, "bad");
    if (tube.needsCode && looksLikeTube) {
      if (usedTubeCodes().has(text)) return say(fmt(T.tubeUsed, { code: text }), "bad");
      tube.tube_code = text;
      tube.needsCode = false;
      store.set("tube", tube);
      say(fmt(T.tubeOpened, { code: text }), "good");
      render();
      return checkTube(tube);
    }
    if (text.startsWith(QR_PREFIX.toUpperCase())) {
      const id = Number(raw.trim().slice(QR_PREFIX.length).split(":")[0]);
      if (!id) return say(T.badQr, "bad");
      return addPerson({ person_id: id, token: raw.trim(), label: "#" + id });
    }
    if (/^\d{17}[\dX]$/.test(text)) {
      if (!ricValid(text)) return say(fmt(T.badCheckDigit, { n: text }), "bad");
      return addPerson({ id_number: text, label: text.slice(0, 6) + "********" + text.slice(14) });
    }
    if (text.length >= 15 && /^\d+X?$/.test(text)) return say(T.idLength, "bad");
    return say(T.tubeOpenAlready, "bad");
  }

  async function lookup(entry) {
    const q = entry.token || entry.id_number;
    const t = tube;
    try {
      const r = await fetch(LOOKUP, {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() },
        body: new URLSearchParams({ q, round: t.round, pool_size: t.pool_size }),
      });
      if (!r.ok) return;
      const found = await r.json();
      entry.found = found.found;
      if (found.found) entry.label = found.name + " " + found.masked_id;
      if (found.invalid) entry.invalid = true;
      if (found.refused && tube === t) return refuse(entry, found.refused);
    } catch (e) {
      return; // offline: the entry stays "not confirmed"; the server decides when the tube is sent
    }
    if (tube) store.set("tube", tube);
    render();
  }

  function refuse(entry, reason) {
    // The person's zone pools fewer per tube than this one holds: out of the open tube, with the reason. A tube
    // already closed (or scanned offline) is refused by the server instead, naming the person, and fixed from
    // the list of refused tubes.
    tube.persons = tube.persons.filter((p) => p !== entry);
    store.set("tube", tube);
    say(entry.label + ": " + reason, "bad");
    render();
  }

  function closeTube() {
    if (!tube || !tube.persons.length) return say(T.emptyTube, "bad");
    if (tube.needsCode) return say(fmt(T.tubeUsedServer, { code: tube.tube_code }), "bad");
    const closed = { ...tube, closed_at: new Date().toISOString(), state: "waiting" };
    queue.push(closed);
    tube = null;
    store.set("queue", queue);
    store.set("tube", null);
    say(fmt(T.closed, { code: closed.tube_code, n: closed.persons.length }), "good");
    render();
    sync();
  }

  function body(t) {
    return {
      client_key: t.client_key, round: t.round, site: t.site, tube_code: t.tube_code, pool_size: t.pool_size,
      closed_at: t.closed_at,
      persons: t.persons.map((p) =>
        p.person_id ? { person_id: p.person_id } : p.name ? { id_number: p.id_number, name: p.name } : { id_number: p.id_number }),
    };
  }

  function later() {
    // Back off 2 s, 4 s, … up to a minute; an `online` event or a new closed tube tries at once.
    retryDelay = Math.min(retryDelay ? retryDelay * 2 : 2000, 60000);
    clearTimeout(retryTimer);
    retryTimer = setTimeout(sync, retryDelay);
  }

  async function send(t) {
    let r;
    try {
      r = await fetch(API, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(body(t)),
      });
    } catch (e) {
      return "offline";
    }
    if (r.ok) return "sent";
    let answer = {};
    try { answer = await r.json(); } catch (e) { /* a proxy's HTML error page */ }
    if (r.status === 422 || r.status === 409) {
      t.state = r.status === 409 ? "conflict" : "rejected";
      t.errors = answer.errors || { __all__: [answer.detail || String(r.status)] };
      return "rejected";
    }
    if (r.status === 401 || r.status === 403) return "login";
    return "offline";
  }

  async function sync() {
    if (syncing) return;
    syncing = true;
    clearTimeout(retryTimer);
    try {
      for (const t of queue.filter((x) => x.state === "waiting")) {
        const outcome = await send(t);
        if (outcome === "sent") {
          queue = queue.filter((x) => x.client_key !== t.client_key);
          const codes = store.get("sentCodes", []);
          codes.push(t.tube_code);
          store.set("sentCodes", codes.slice(-2000));
          sentCount += 1;
          store.set("sent", sentCount);
          retryDelay = 0;
        } else if (outcome === "login") {
          say(T.loginAgain, "bad");
          break;
        } else if (outcome === "offline") {
          later();
          break;
        }
        store.set("queue", queue);
        render();
      }
    } finally {
      syncing = false;
      store.set("queue", queue);
      render();
    }
  }

  function resend(key) {
    const t = queue.find((x) => x.client_key === key);
    if (!t) return;
    const code = document.querySelector(`[data-code-of="${key}"]`);
    if (code && code.value.trim()) t.tube_code = code.value.trim().toUpperCase();
    t.state = "waiting";
    delete t.errors;
    store.set("queue", queue);
    sync();
  }

  function dropPerson(key, index) {
    const t = queue.find((x) => x.client_key === key);
    t.persons.splice(index, 1);
    if (!t.persons.length) queue = queue.filter((x) => x !== t);
    store.set("queue", queue);
    render();
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v);
    }
    for (const c of children) node.append(c);
    return node;
  }

  function personLine(p, onRemove) {
    const flags = [];
    if (p.found === false) flags.push(el("span", { class: "tag provisional" }, T.provisional));
    if (p.found === undefined) flags.push(el("span", { class: "tag" }, T.unconfirmed));
    if (p.invalid) flags.push(el("span", { class: "tag provisional" }, T.badQr));
    const li = el("li", {}, el("span", { class: "who" }, p.label), ...flags);
    if (p.found === false && p.id_number && !onRemove) li.append(nameInput(p));
    if (onRemove) li.append(el("button", { type: "button", class: "small", onclick: onRemove }, T.remove));
    return li;
  }

  function nameInput(p) {
    // A person not in the register is registered on the spot: their name helps the grid verify them later.
    const input = el("input", { class: "newname", placeholder: T.nameForNew, value: p.name || "" });
    input.addEventListener("input", () => {
      p.name = input.value.trim();
      store.set("tube", tube);
    });
    input.addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      e.preventDefault();
      scan.focus();
    });
    return input;
  }

  function errorLines(t) {
    const out = [];
    for (const [field, messages] of Object.entries(t.errors || {})) {
      // "persons[2].id_number" → the person's line as the desk shows it, so the medic knows whom to fix.
      const m = field.match(/^persons\[(\d+)\]/);
      const who = m && t.persons[Number(m[1])] ? t.persons[Number(m[1])].label : field;
      for (const text of [].concat(messages)) {
        out.push(el("li", {}, (field === "__all__" ? "" : who + ": ") + (typeof text === "string" ? text : JSON.stringify(text))));
      }
    }
    return el("ul", { class: "errorlist" }, ...out);
  }

  function render() {
    showHead();
    const open = $("open-tube");
    const list = $("persons");
    list.replaceChildren();
    if (tube) {
      open.textContent = fmt(T.tubeStatus, { code: tube.tube_code, n: tube.persons.length, size: tube.pool_size });
      open.className = "tubeline" + (tube.needsCode ? " bad" : "");
      tube.persons.slice().reverse().forEach((p) => list.append(personLine(p)));
      scan.placeholder = T.scanPerson;
    } else {
      open.textContent = T.noTube;
      scan.placeholder = T.scanTube;
    }
    $("close").disabled = !tube || !tube.persons.length;
    $("undo").disabled = !tube;
    const waiting = queue.filter((t) => t.state === "waiting").length;
    $("waiting").textContent = waiting;
    $("waiting-line").className = waiting ? "warn" : "good";
    $("waiting-text").textContent = waiting ? fmt(T.waiting, { n: waiting }) : T.allSent;
    $("sent").textContent = sentCount;
    renderRejected(queue.filter((x) => x.state !== "waiting"));
  }

  let rejectedShown = "";
  function renderRejected(tubes) {
    // Rebuilt only when a refused tube changes, so a correction being typed is not wiped by the next sync.
    const signature = JSON.stringify(tubes);
    if (signature === rejectedShown) return;
    rejectedShown = signature;
    const rejected = $("rejected");
    rejected.replaceChildren();
    for (const t of tubes) {
      const persons = el("ul", { class: "persons" });
      t.persons.forEach((p, i) => persons.append(personLine(p, () => dropPerson(t.client_key, i))));
      rejected.append(el("div", { class: "card rejected" },
        el("b", {}, fmt(T.rejectedTube, { code: t.tube_code })),
        errorLines(t),
        el("label", {}, T.tubeCode, el("input", { value: t.tube_code, "data-code-of": t.client_key })),
        persons,
        el("button", { type: "button", class: "primary", onclick: () => resend(t.client_key) }, T.resend)));
    }
  }

  scan.form.addEventListener("submit", (e) => {
    e.preventDefault();
    const raw = scan.value;
    scan.value = "";
    readScan(raw);
    scan.focus();
  });
  // The scanner types into whatever has focus: give it back to the scan box unless the user picked another field.
  scan.addEventListener("blur", () => setTimeout(() => {
    const a = document.activeElement;
    if (!a || a === document.body || a.tagName === "BUTTON") scan.focus();
  }, 0));
  $("close").addEventListener("click", () => {
    closeTube();
    scan.focus();
  });
  $("undo").addEventListener("click", () => {
    if (tube && tube.persons.length) tube.persons.pop();
    else tube = null;
    store.set("tube", tube);
    say(T.undone);
    render();
    scan.focus();
  });
  $("sync").addEventListener("click", () => { retryDelay = 0; sync(); });
  for (const id of ["round", "site", "pool"]) $(id).addEventListener("change", saveSettings);
  window.addEventListener("online", () => { retryDelay = 0; sync(); });
  window.addEventListener("storage", () => { queue = store.get("queue", []); render(); });

  if ("serviceWorker" in navigator && root.dataset.sw) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: root.dataset.scope }).catch(() => {});
  }
  restoreSettings();
  siteChoices();
  render();
  scan.focus();
  sync();
})();
