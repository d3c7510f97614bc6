// Test fixtures: free ports, a fresh dev node, a static server for dist/, the test wallet
// bundle, and page helpers that wait for the chain's answers (never fixed sleeps).
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import http from 'node:http';
import { readFile, stat, mkdir } from 'node:fs/promises';
import { join, extname, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { build } from 'esbuild';

export const UI = join(dirname(fileURLToPath(import.meta.url)), '..');
export const RESULTS = join(UI, 'test-results');

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function rpc(port, method, params = []) {
  const res = await fetch(`http://127.0.0.1:${port}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 1, jsonrpc: '2.0', method, params }),
  });
  return (await res.json()).result;
}

/** Starts `ehr-node --dev --tmp` on free ports; resolves when its RPC and custody answer. */
export async function startNode() {
  const bin = process.env.EHR_NODE || join(os.homedir(), '.cache/ehr-chain/target/debug/ehr-node');
  await stat(bin).catch(() => {
    throw new Error(`no node binary at ${bin} (build it with scripts/dev.sh, or set EHR_NODE)`);
  });
  const [rpcPort, custodyPort, p2p] = [await freePort(), await freePort(), await freePort()];
  const args = [
    '--dev', '--tmp', '--rpc-cors', 'all', '--rpc-port', String(rpcPort), '--port', String(p2p),
    '--custody-listen', `127.0.0.1:${custodyPort}`, '--no-prometheus', '--no-telemetry', '--no-mdns',
  ];
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d) => {
    log = (log + d.toString()).slice(-20000);
  });
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`ehr-node exited (${child.exitCode}):\n${log.slice(-3000)}`);
    if (Date.now() - started > 120000) {
      child.kill('SIGKILL');
      throw new Error(`ehr-node did not answer within 120 s:\n${log.slice(-3000)}`);
    }
    try {
      const chain = await rpc(rpcPort, 'system_chain');
      const status = await fetch(`http://127.0.0.1:${custodyPort}/custody/v1/status`);
      if (chain && status.ok) break;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  return {
    ws: `ws://127.0.0.1:${rpcPort}`,
    custody: `http://127.0.0.1:${custodyPort}`,
    startMs: Date.now() - started,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', resolve);
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      }),
  };
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml' };

/** Serves `dir` (the production build) on a free port. */
export async function serveDist(dir = join(UI, 'dist')) {
  await stat(join(dir, 'index.html')).catch(() => {
    throw new Error('ui/dist/index.html is missing: run `npm run build` first');
  });
  const server = http.createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = join(dir, path === '/' ? 'index.html' : path);
    if (!file.startsWith(dir)) return res.writeHead(403).end();
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  const port = await freePort();
  await new Promise((r) => server.listen(port, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${port}/`, close: () => new Promise((r) => server.close(r)) };
}

/** Bundles the test wallet for the page. */
export async function walletBundle() {
  const out = join(UI, 'tests/.build/wallet.js');
  await mkdir(dirname(out), { recursive: true });
  await build({
    entryPoints: [join(UI, 'tests/wallet/inject.ts')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    outfile: out,
    logLevel: 'warning',
  });
  return readFile(out, 'utf8');
}
