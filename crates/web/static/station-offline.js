// Receiving and handing over parcels, and buying for villagers, with the connection down
// (issue 15). A form marked
// `data-offline` is sent as usual while the phone is online; offline, what the operator did is
// kept in IndexedDB under an id made here, the parcel shows as waiting to be sent, and closing
// the page loses nothing. When the connection is back (or the page opens online) everything
// kept goes to /api/v1/stations/{id}/sync, which does each operation once however often it is
// sent; then the page reloads with the server's view and any refusal is shown.
(() => {
  const root = document.querySelector('[data-offline-root]');
  if (!root || !('indexedDB' in window)) return;
  const text = root.dataset;

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/station/sw.js').then(() => {
      // The page itself, fetched once through the worker, is kept for opening offline.
      navigator.serviceWorker.ready.then(() => fetch(location.href, { credentials: 'same-origin' }).catch(() => {}));
    }).catch(() => {});
  }

  const open = () => new Promise((resolve, reject) => {
    const request = indexedDB.open('farmgate-station', 1);
    request.onupgradeneeded = () => request.result.createObjectStore('queue', { keyPath: 'client_id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const store = async (mode, work) => {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction('queue', mode);
      const result = work(tx.objectStore('queue'));
      tx.oncomplete = () => resolve(result && 'result' in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
    });
  };
  const all = () => store('readonly', (q) => q.getAll());
  const put = (item) => store('readwrite', (q) => q.put(item));
  const remove = (id) => store('readwrite', (q) => q.delete(id));

  const newId = () => {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  };

  const banner = document.createElement('div');
  banner.className = 'notice offline-note';
  banner.setAttribute('role', 'status');
  banner.hidden = true;
  root.prepend(banner);

  const showQueued = async () => {
    const items = await all();
    banner.hidden = items.length === 0;
    banner.textContent = items.length ? `${text.queuedCount} ${items.length}` : '';
    for (const item of items) {
      if (item.kind !== 'hand_over') continue;
      const form = document.querySelector(`form[data-offline="hand-over"][data-parcel="${item.parcel_id}"]`);
      if (!form || form.hidden) continue;
      form.hidden = true;
      const note = document.createElement('p');
      note.className = 'queued';
      note.textContent = text.queued;
      form.after(note);
    }
  };

  document.addEventListener('submit', async (event) => {
    const form = event.target.closest('form[data-offline]');
    if (!form || navigator.onLine) return;
    event.preventDefault();
    const item = { client_id: newId(), station: Number(form.dataset.station), at: Date.now() };
    if (form.dataset.offline === 'hand-over') {
      Object.assign(item, { kind: 'hand_over', parcel_id: Number(form.dataset.parcel), code: form.elements.code.value });
    } else if (form.dataset.offline === 'villager-order') {
      // Each purchase made offline is its own (a page kept offline carries an old key), placed
      // once under the id made here; its slip prints once it has been.
      const items = form.elements.lines.value.split(',').filter(Boolean).map((line) => {
        const [variant, quantity] = line.split('x').map(Number);
        return { variant_id: variant, quantity };
      });
      Object.assign(item, {
        kind: 'villager_order',
        items,
        villager_name: form.elements.villager_name.value,
        villager_phone: form.elements.villager_phone.value || null,
      });
      form.hidden = true;
      const note = document.createElement('p');
      note.className = 'queued';
      note.textContent = text.queuedPurchase;
      form.after(note);
    } else {
      Object.assign(item, { kind: 'receive', label: form.elements.label.value });
      form.reset();
    }
    await put(item);
    await showQueued();
  });

  let sending = false;
  const flush = async () => {
    if (sending || !navigator.onLine) return;
    const items = await all();
    if (!items.length) return;
    sending = true;
    const csrf = document.querySelector('input[name="_csrf"]')?.value || '';
    const refused = [];
    try {
      for (const station of new Set(items.map((i) => i.station))) {
        const operations = items.filter((i) => i.station === station).map(({ station: _s, at: _a, ...op }) => op);
        const response = await fetch(`/api/v1/stations/${station}/sync`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
          body: JSON.stringify({ operations }),
        });
        if (!response.ok) return;
        for (const result of (await response.json()).results) {
          if (result.outcome === 'refused') refused.push(result.message);
          await remove(result.client_id);
        }
      }
      sessionStorage.setItem('farmgate-synced', JSON.stringify({ count: items.length, refused }));
      location.reload();
    } catch (offline) {
      // Still no connection: everything stays kept for the next try.
    } finally {
      sending = false;
    }
  };

  const synced = sessionStorage.getItem('farmgate-synced');
  if (synced) {
    sessionStorage.removeItem('farmgate-synced');
    const { count, refused } = JSON.parse(synced);
    const done = document.createElement('div');
    done.className = refused.length ? 'notice offline-note error' : 'notice offline-note';
    done.setAttribute('role', refused.length ? 'alert' : 'status');
    done.textContent = [`${text.sent} ${count}`, ...refused].join(' · ');
    root.prepend(done);
  }
  window.addEventListener('online', flush);
  showQueued().then(flush);
})();
