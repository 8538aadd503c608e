// Integrators' clients, generated from FarmGate's own OpenAPI document (checked first by
// openapi-spec-validator): openapi-python-client
// (PyPI) and openapi-typescript with openapi-fetch (npm, type-checked by tsc in strict mode).
// Each logs in as the demo buyer, places an order and reads it back against the real server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from '../support.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const e2e = path.join(here, '..');
const clients = path.join(e2e, '..', 'clients');
// Inside e2e/, so the TypeScript client finds openapi-fetch in e2e/node_modules.
const work = path.join(e2e, '.clients');
// scripts/test makes this virtual environment with openapi-python-client in it.
const venv = process.env.FARMGATE_CLIENTS_VENV ?? path.join(e2e, '.venv');

function run(command, args, options = {}) {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

test('clients generated from the OpenAPI document place and read an order', async () => {
  const server = await startServer();
  try {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const spec = path.join(work, 'openapi.json');
    writeFileSync(spec, await (await fetch(server.url + '/api/openapi.json')).text());
    // The document passes the strict validator before anything is generated from it.
    assert.match(run(path.join(venv, 'bin', 'openapi-spec-validator'), [spec]), /OK/);

    // TypeScript: generated types, a strict compile, then the compiled client against the server.
    const ts = path.join(work, 'ts');
    cpSync(path.join(clients, 'typescript'), ts, { recursive: true });
    run(path.join(e2e, 'node_modules', '.bin', 'openapi-typescript'), [spec, '-o', path.join(ts, 'schema.d.ts')]);
    run(path.join(e2e, 'node_modules', '.bin', 'tsc'), ['-p', path.join(ts, 'tsconfig.json')]);
    const tsOut = run(process.execPath, [path.join(ts, 'out', 'place-and-read.js'), server.url]);
    assert.match(tsOut, /typescript client: placed and read order \d+/);
    console.log(tsOut.trim());

    // Python: the generated package, then a script that uses it.
    const py = path.join(work, 'py');
    mkdirSync(py, { recursive: true });
    run(path.join(venv, 'bin', 'openapi-python-client'), [
      'generate', '--path', spec, '--output-path', path.join(py, 'farmgate_client'), '--meta', 'none',
    ]);
    const pyOut = run(path.join(venv, 'bin', 'python'), [
      path.join(clients, 'python', 'place_and_read.py'), py, server.url,
    ]);
    assert.match(pyOut, /python client: placed and read order \d+/);
    console.log(pyOut.trim());
  } finally {
    server.stop();
  }
});
