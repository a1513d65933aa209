/* The desk's (and the gate's) service worker: the page and its files come from the network when it answers, else from the cache,
   so a desk that loses the connection can still reload. API calls are never cached: the page's own queue
   handles those. */
const PREFIX = "{{ cache_prefix|default:'gc-desk-'|escapejs }}";
const CACHE = PREFIX + "{{ version }}";
const PAGE = "{{ page_url|escapejs }}";
const FILES = [{% for url in files %}"{{ url|escapejs }}"{% if not forloop.last %}, {% endif %}{% endfor %}];

self.addEventListener("install", (event) => {
  // Everything but the page and its files skips the worker entirely (static routing, where supported): the
  // desk's own queue handles the API, and requests then fail or pass exactly as the page's network does.
  if (event.addRoutes) {
    event.addRoutes([
      { condition: { requestMethod: "POST" }, source: "network" },
      { condition: { urlPattern: new URLPattern({ pathname: "/api/*" }) }, source: "network" },
    ]).catch(() => {});
  }
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll([PAGE, ...FILES])).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k.startsWith(PREFIX) && k !== CACHE).map((k) => caches.delete(k))))
    // No clients.claim(): the page that registered the worker keeps its plain network; the next load is served
    // by the worker. (Chromium's offline emulation, used by the browser test, does not reach a worker's fetches.)
    );
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || (url.pathname !== PAGE && !FILES.includes(url.pathname))) return;
  event.respondWith(fetch(event.request).then((response) => {
    if (response.ok) {
      const copy = response.clone();
      caches.open(CACHE).then((c) => c.put(url.pathname, copy));
    }
    return response;
  }).catch(() => caches.match(url.pathname)));
});
