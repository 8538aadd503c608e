// Pages that must open with the connection down: the station operator's (issue 15, served as
// /station/sw.js, scope /station/) and the rider's run (issue 17, served as /courier/sw.js,
// scope /courier/). Every page under the worker's scope and every static file is kept as it was
// last fetched and served from here when the network is down; what the person does then waits
// in IndexedDB (station-offline.js, fleet-sales.js) until the connection is back.
const SCOPE = new URL(self.registration.scope).pathname;
const CACHE = `farmgate${SCOPE.replaceAll('/', '-')}v1`;

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

// A page is kept under its path alone: the latest of /station/parcels (whatever notice its
// address carried) is the one to open offline.
function keyOf(request) {
  const url = new URL(request.url);
  return url.pathname.startsWith(SCOPE) ? url.origin + url.pathname : request.url;
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic' && !response.redirected) {
      await cache.put(keyOf(request), response.clone());
    }
    return response;
  } catch (offline) {
    const kept = await cache.match(keyOf(request));
    if (kept) return kept;
    throw offline;
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(SCOPE) || url.pathname.startsWith('/static/')) {
    event.respondWith(networkFirst(request));
  }
});
