// Sales on a tricycle's selling run, with or without a signal (issue 17). Every sale rung up
// is kept first in IndexedDB under an id made here, the counts on the page move at once, and
// everything kept goes to /api/v1/fleet/runs/{id}/sales whenever the phone is online (now, when
// the connection comes back, or when the page opens). The server keeps each sale once however
// often it is sent; after a send the page reloads with the server's view. Counting the takings
// waits until every sale is sent. The page itself is kept by the courier's service worker
// (/courier/sw.js), so it opens again in a community with no signal.
(() => {
  const sections = document.querySelectorAll('[data-offline-run]');
  if (!sections.length || !('indexedDB' in window)) return;

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/courier/sw.js').then(() => {
      // The run page itself, fetched once through the worker, is kept for opening offline.
      navigator.serviceWorker.ready.then(() => fetch(location.href, { credentials: 'same-origin' }).catch(() => {}));
    }).catch(() => {});
  }

  const open = () => new Promise((resolve, reject) => {
    const request = indexedDB.open('farmgate-fleet', 1);
    request.onupgradeneeded = () => request.result.createObjectStore('sales', { keyPath: 'client_id' });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const store = async (mode, work) => {
    const db = await open();
    return new Promise((resolve, reject) => {
      const tx = db.transaction('sales', mode);
      const result = work(tx.objectStore('sales'));
      tx.oncomplete = () => resolve(result && 'result' in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
    });
  };
  const all = () => store('readonly', (s) => s.getAll());
  const put = (item) => store('readwrite', (s) => s.put(item));
  const remove = (id) => store('readwrite', (s) => s.delete(id));
  const newId = () => {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  };
  const yuan = (fen) => `¥${(fen / 100).toFixed(2)}`;

  const banners = new Map();
  for (const section of sections) {
    const banner = document.createElement('p');
    banner.className = 'notice offline-note';
    banner.setAttribute('role', 'status');
    banner.hidden = true;
    section.querySelector('h2').after(banner);
    banners.set(section.dataset.offlineRun, banner);
  }

  // The page as the server drew it, moved by the sales still waiting to be sent.
  const showQueued = async () => {
    const items = await all();
    for (const [run, banner] of banners) {
      const mine = items.filter((i) => String(i.run) === run);
      const section = banner.closest('[data-offline-run]');
      banner.hidden = mine.length === 0;
      banner.textContent = mine.length ? `${section.dataset.queuedCount} ${mine.length}` : '';
      let added = 0;
      for (const form of section.querySelectorAll('form[data-sale]')) {
        const left = section.querySelector(`[data-left="${form.dataset.variant}"]`);
        const back = section.querySelector(`[data-back="${form.dataset.variant}"]`);
        if (!left) continue;
        left.dataset.drawn ??= left.textContent;
        const queued = mine.filter((i) => i.variant_id === Number(form.dataset.variant))
          .reduce((sum, i) => sum + i.quantity, 0);
        const now = Number(left.dataset.drawn) - queued;
        left.textContent = String(now);
        if (back) back.value = String(now);
        added += queued * Number(form.dataset.price);
      }
      const total = section.querySelector('[data-sales-total]');
      if (total) {
        total.dataset.drawn ??= String(Math.round(Number(total.textContent.replace(/[^0-9.]/g, '')) * 100));
        total.textContent = yuan(Number(total.dataset.drawn) + added);
      }
    }
  };

  let sending = false;
  const flush = async () => {
    if (sending || !navigator.onLine) return false;
    const items = await all();
    if (!items.length) return false;
    sending = true;
    const csrf = document.querySelector('input[name="_csrf"]')?.value || '';
    const refused = [];
    try {
      for (const run of new Set(items.map((i) => i.run))) {
        const sales = items.filter((i) => i.run === run).map(({ run: _r, ...sale }) => sale);
        const response = await fetch(`/api/v1/fleet/runs/${run}/sales`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
          body: JSON.stringify({ sales }),
        });
        if (!response.ok) {
          // A run that is no longer the rider's (or gone) cannot take them: let them go.
          if (response.status === 404) for (const s of sales) await remove(s.client_id);
          continue;
        }
        for (const result of (await response.json()).results) {
          if (result.outcome === 'refused') refused.push(result.message);
          await remove(result.client_id);
        }
      }
    } catch (_) {
      return false;
    } finally {
      sending = false;
    }
    if (refused.length) sessionStorage.setItem('fleet-refused', refused.join(' '));
    location.reload();
    return true;
  };

  document.addEventListener('submit', async (event) => {
    const form = event.target.closest('form[data-sale], form[data-return]');
    if (!form) return;
    if (form.matches('[data-return]')) {
      if (!(await all()).length) return;
      event.preventDefault();
      if (await flush()) return;
      const section = form.closest('[data-offline-run]');
      banners.get(section.dataset.offlineRun).textContent = section.dataset.queued;
      return;
    }
    event.preventDefault();
    const quantity = Number(form.elements.quantity.value);
    const left = document.querySelector(`[data-offline-run="${form.dataset.run}"] [data-left="${form.dataset.variant}"]`);
    if (!Number.isInteger(quantity) || quantity < 1 || (left && quantity > Number(left.textContent))) {
      form.closest('[data-offline-run]').querySelector('.offline-note').hidden = false;
      form.closest('[data-offline-run]').querySelector('.offline-note').textContent = form.closest('[data-offline-run]').dataset.refused;
      return;
    }
    await put({
      client_id: newId(),
      run: Number(form.dataset.run),
      variant_id: Number(form.dataset.variant),
      quantity,
      sold_at: new Date().toISOString(),
    });
    form.elements.quantity.value = '1';
    await showQueued();
    await flush();
  });

  const refusedBefore = sessionStorage.getItem('fleet-refused');
  if (refusedBefore) {
    sessionStorage.removeItem('fleet-refused');
    const note = document.createElement('p');
    note.className = 'field-error';
    note.setAttribute('role', 'alert');
    note.textContent = refusedBefore;
    sections[0].before(note);
  }
  window.addEventListener('online', flush);
  showQueued().then(flush);
})();
