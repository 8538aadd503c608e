// The station operator's pages when the village connection drops (issue 15): every station
// page and static file is kept as it was last fetched, and served from here when the network
// is down, so the operator can keep handing over parcels; what they do then waits in
// IndexedDB (station-offline.js) until the connection is back.
const CACHE = 'farmgate-station-v1';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

// A page is kept under its path alone: the latest of /station/parcels (whatever notice its
// address carried) is the one to open offline.
function keyOf(request) {
  const url = new URL(request.url);
  return url.pathname.startsWith('/station/') ? url.origin + url.pathname : request.url;
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
  if (url.pathname.startsWith('/station/') || url.pathname.startsWith('/static/')) {
    event.respondWith(networkFirst(request));
  }
});
