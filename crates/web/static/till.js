// The showroom's till (issue 19), with or without a connection. Tapping an item or scanning its
// label adds one to the sale; the total and the change follow. A sale is kept first in
// IndexedDB under an id made here, the shelf counts on the page move at once, a receipt is laid
// out for printing, and everything kept goes to /api/v1/till/sessions/{id}/sales whenever the
// browser is online (now, when the connection comes back, or when the page opens again). The
// server keeps each sale once however often it is sent; after a send the page reloads with
// the server's view (a sale the showroom could no longer fill shows there, to settle). Closing
// the session waits until every sale is sent. The page itself is kept by the till's service
// worker (/centre/till/sw.js), so it opens again with the connection down.
(() => {
  const section = document.querySelector('[data-till]');
  if (!section || !('indexedDB' in window)) return;
  const session = Number(section.dataset.till);
  const sale = document.getElementById('sale');
  const scan = document.getElementById('scan');
  const banner = section.querySelector('.offline-note');
  const receipt = document.getElementById('receipt');
  const yuan = (fen) => `¥${(fen / 100).toFixed(2)}`;

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/centre/till/sw.js').then(() => {
      navigator.serviceWorker.ready.then(() => fetch(location.href, { credentials: 'same-origin' }).catch(() => {}));
    }).catch(() => {});
  }

  const open = () => new Promise((resolve, reject) => {
    const request = indexedDB.open('farmgate-till', 1);
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
  const queued = async () => (await store('readonly', (s) => s.getAll())).filter((i) => i.session === session);
  const put = (item) => store('readwrite', (s) => s.put(item));
  const remove = (id) => store('readwrite', (s) => s.delete(id));
  const newId = () => {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  };
  const say = (text) => {
    banner.hidden = !text;
    banner.textContent = text || '';
  };

  const items = () => [...sale.querySelectorAll('[data-item]')];
  const quantity = (item) => Number(item.querySelector('input').value || 0);
  const total = () => items().reduce((sum, i) => sum + quantity(i) * Number(i.dataset.price), 0);
  const update = () => {
    const due = total();
    document.getElementById('total').textContent = yuan(due);
    const given = Math.round(Number(document.getElementById('given').value || 0) * 100);
    document.getElementById('change').textContent = yuan(Math.max(0, given - due));
  };

  // The shelf as the server drew it, less what waits to be sent.
  const showQueued = async () => {
    const waiting = await queued();
    for (const left of section.querySelectorAll('[data-left]')) {
      left.dataset.drawn ??= left.textContent;
      const sold = waiting.flatMap((w) => w.lines)
        .filter((l) => l.variant_id === Number(left.dataset.left))
        .reduce((sum, l) => sum + l.quantity, 0);
      left.textContent = String(Number(left.dataset.drawn) - sold);
    }
    say(waiting.length ? `${section.dataset.queued} ${waiting.length}` : '');
  };

  let sending = false;
  const flush = async () => {
    if (sending || !navigator.onLine) return false;
    const waiting = await queued();
    if (!waiting.length) return false;
    sending = true;
    const csrf = sale.querySelector('input[name="_csrf"]').value;
    let sent = 0;
    try {
      for (const item of waiting) {
        const { session: _s, ...body } = item;
        const response = await fetch(`/api/v1/till/sessions/${session}/sales`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
          body: JSON.stringify(body),
        });
        if (response.ok) {
          await remove(item.client_id);
          sent += 1;
          continue;
        }
        // Kept for later: the sale was made and is never dropped here.
        const problem = await response.json().catch(() => null);
        say(problem?.error?.message || section.dataset.wait);
        break;
      }
    } catch (_) {
      return false;
    } finally {
      sending = false;
    }
    if (sent) location.reload();
    return sent > 0;
  };

  const add = (item) => {
    const field = item.querySelector('input');
    field.value = String(quantity(item) + 1);
    update();
  };
  for (const item of items()) {
    item.querySelector('label').addEventListener('click', (event) => {
      event.preventDefault();
      add(item);
    });
  }
  sale.addEventListener('input', update);
  document.getElementById('given').addEventListener('input', update);
  scan.addEventListener('submit', (event) => {
    event.preventDefault();
    const code = scan.elements.code.value.trim();
    const found = items().find((i) => i.dataset.code === code);
    if (found) add(found);
    else say(section.dataset.notFound);
    scan.elements.code.value = '';
    scan.elements.code.focus();
  });

  const printReceipt = (kept) => {
    const lines = kept.lines.map((l) => {
      const item = items().find((i) => Number(i.dataset.item) === l.variant_id);
      return `${item?.dataset.name || l.variant_id} × ${l.quantity} · ${yuan(l.quantity * l.unit_price_fen)}`;
    });
    receipt.replaceChildren(...[...lines, yuan(kept.charged_fen), new Date(kept.rung_at).toLocaleString()].map((text) => {
      const p = document.createElement('p');
      p.textContent = text;
      return p;
    }));
    receipt.hidden = false;
  };

  sale.addEventListener('submit', async (event) => {
    event.preventDefault();
    const lines = items().filter((i) => quantity(i) > 0).map((i) => ({
      variant_id: Number(i.dataset.item),
      quantity: quantity(i),
      unit_price_fen: Number(i.dataset.price),
    }));
    if (!lines.length) return;
    const kept = {
      session,
      client_id: newId(),
      rung_at: new Date().toISOString(),
      paid_by: sale.elements.paid_by.value,
      charged_fen: total(),
      lines,
    };
    await put(kept);
    for (const item of items()) item.querySelector('input').value = '';
    document.getElementById('given').value = '';
    update();
    printReceipt(kept);
    await showQueued();
    await flush();
  });

  const close = document.getElementById('close');
  close?.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!(await queued()).length) {
      close.submit();
      return;
    }
    if (!(await flush())) say(section.dataset.wait);
  });

  window.addEventListener('online', flush);
  update();
  showQueued().then(flush);
})();
