// Scanning parcels in at the distribution centre (issue 16). Each number is checked here
// against the carriers' shapes, shown at once in the list as "sending", kept in localStorage
// (a closed page loses nothing) and sent in batches to /api/v1/logistics/scans; the worker
// scans the next parcel without waiting. Each answer replaces "sending" beside its number.
// Every scan has an id made here: sent twice, the server does it once.
(() => {
  const form = document.querySelector('form[data-scan-queue]');
  if (!form) return;
  const text = form.dataset;
  const field = form.elements.number;
  const list = document.querySelector('[data-scan-list]');
  const count = document.querySelector('[data-scan-count]');
  const csrf = form.elements._csrf.value;
  const depot = Number(text.depot);
  const key = `farmgate-scans-${depot}`;
  const shapes = JSON.parse(text.shapes || '[]').map((s) => ({ code: s.code, re: new RegExp(`^(?:${s.pattern})$`) }));

  const load = () => { try { return JSON.parse(localStorage.getItem(key) || '[]'); } catch { return []; } };
  const save = (queue) => localStorage.setItem(key, JSON.stringify(queue));
  const newId = () => {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  };
  const rows = new Map();
  const show = (id, number, message, state) => {
    let row = rows.get(id);
    if (!row) {
      row = document.createElement('li');
      const strong = document.createElement('strong');
      strong.dir = 'ltr';
      strong.textContent = number;
      const span = document.createElement('span');
      row.append(strong, ' · ', span);
      list.prepend(row);
      rows.set(id, row);
      document.querySelector('[data-scan-empty]')?.remove();
    }
    row.dataset.state = state;
    row.lastChild.textContent = message;
  };
  const updateCount = () => {
    const waiting = load().length;
    count.textContent = waiting ? `${text.waiting} ${waiting}` : '';
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const number = field.value.replace(/[\s-]/g, '').toUpperCase();
    field.value = '';
    field.focus();
    if (!number) return;
    const id = newId();
    if (!/^[A-Z0-9]{6,32}$/.test(number)) return show(id, number, text.malformed, 'refused');
    if (!shapes.some((s) => s.re.test(number))) return show(id, number, text.wrongShape, 'refused');
    const queue = load();
    queue.push({ client_id: id, number, scanned_at: new Date().toISOString() });
    save(queue);
    show(id, number, text.sending, 'sending');
    updateCount();
    flush();
  });

  let busy = false;
  const flush = async () => {
    if (busy) return;
    const batch = load().slice(0, 50);
    if (!batch.length) return;
    busy = true;
    try {
      const response = await fetch(`/api/v1/logistics/scans?depot=${depot}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
        body: JSON.stringify({ scans: batch }),
      });
      if (!response.ok) return;
      const answered = new Set();
      for (const result of (await response.json()).results) {
        answered.add(result.client_id);
        show(result.client_id, result.number, result.message, result.outcome);
      }
      save(load().filter((item) => !answered.has(item.client_id)));
    } catch {
      // Offline: the queue waits for the next try.
    } finally {
      busy = false;
      updateCount();
      if (load().length) setTimeout(flush, 200);
    }
  };
  for (const item of load()) show(item.client_id, item.number, text.sending, 'sending');
  updateCount();
  setInterval(flush, 3000);
  flush();
})();
