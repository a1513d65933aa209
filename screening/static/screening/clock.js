/* Live clocks "since the result arrived": hours:minutes:seconds, ticking without reloading the page. */
(function () {
  "use strict";
  const clocks = document.querySelectorAll("[data-since]");
  function pad(n) { return String(n).padStart(2, "0"); }
  function tick() {
    for (const el of clocks) {
      const s = Math.max(0, Math.floor((Date.now() - Date.parse(el.dataset.since)) / 1000));
      el.textContent = `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
    }
  }
  if (clocks.length) { tick(); setInterval(tick, 1000); }
})();
