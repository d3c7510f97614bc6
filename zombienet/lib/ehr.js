// What the network's scripts share: the running network as zombienet described it
// (`<dir>/zombie.json`), JSON-RPC and custody calls over HTTP, the `ehr` command line, and
// stopping and starting nodes behind zombienet's back.
"use strict";

const { execFile, spawn } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

// The chain's id in `build-spec --chain local`: nodes keep their data under chains/<id>.
const CHAIN_ID = "ehr_local_testnet";

// The nodes of the network spawned in `dir`, by name: RPC and custody URLs, data directory.
// The custody URL comes from the node's `--custody-listen` argument in local.toml.
function network(dir) {
  const spec = JSON.parse(fs.readFileSync(path.join(dir, "zombie.json"), "utf8"));
  const nodes = Object.values(spec.nodesByName).sort((a, b) => a.name.localeCompare(b.name));
  return nodes.map((node) => {
    const listen = node.spec.args.find((arg) => arg.startsWith("--custody-listen"));
    return {
      name: node.name,
      validator: node.spec.validator,
      wsUri: node.wsUri,
      rpcUrl: node.wsUri.replace(/^ws/, "http"),
      custodyUrl: listen && `http://${listen.split(/[ =]/)[1]}`,
      dataDir: path.join(dir, node.name, "data"),
    };
  });
}

function node(dir, name) {
  const found = network(dir).find((n) => n.name === name);
  if (!found) throw new Error(`no node ${name} in ${dir}`);
  return found;
}

// A piece store's directory (custody/store keeps `<archive id>.<index>.piece` there).
function custodyDir(n) {
  return path.join(n.dataDir, "chains", CHAIN_ID, "custody");
}

// Calls `method` on the node's RPC; a paused node makes this time out rather than hang.
async function rpc(n, method, params = [], timeoutMs = 5000) {
  const response = await fetch(n.rpcUrl, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ id: 1, jsonrpc: "2.0", method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = await response.json();
  if (body.error) throw new Error(`${method} on ${n.name}: ${JSON.stringify(body.error)}`);
  return body.result;
}

async function bestNumber(n) {
  return parseInt((await rpc(n, "chain_getHeader")).number, 16);
}

async function finalizedNumber(n) {
  const hash = await rpc(n, "chain_getFinalizedHead");
  return parseInt((await rpc(n, "chain_getHeader", [hash])).number, 16);
}

// The custody service's status (JSON: keys, pieces, pending, bytes).
async function custodyStatus(n, timeoutMs = 5000) {
  const response = await fetch(`${n.custodyUrl}/custody/v1/status`, {
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`custody status of ${n.name}: HTTP ${response.status}`);
  return response.json();
}

// Polls `probe` until it returns a truthy value (given back) or `timeoutMs` passes; errors of
// the probe (a node still starting) count as "not yet".
async function until(what, probe, timeoutMs, everyMs = 500) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${last.message})` : ""}`);
    }
    await sleep(everyMs);
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Runs the `ehr` command line (from PATH) against node `n`; resolves to its output, rejects
// with its one-line error.
function ehr(n, suri, args) {
  return new Promise((resolve, reject) => {
    execFile(
      "ehr",
      ["--url", n.wsUri, "--suri", suri, ...args],
      { maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`ehr ${args.join(" ")}: ${stderr.trim() || error.message}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

// Registers the custodians of `nodes` (sudo by Alice) and `patients` as patients, all in one
// block: each of Alice's calls has its own nonce, so nobody waits for another's finality.
async function register(entry, nodes, patients) {
  const { ApiPromise, WsProvider, Keyring } = require("@polkadot/api");
  const api = await ApiPromise.create({ provider: new WsProvider(entry.wsUri), noInitWarn: true });
  try {
    const keyring = new Keyring({ type: "sr25519" });
    const alice = keyring.addFromUri("//Alice");
    const registered = await api.query.shamirArchive.custodians.keys();
    const known = new Set(registered.map((key) => key.args[0].toHex()));
    const calls = [];
    for (const n of nodes) {
      const status = await custodyStatus(n);
      if (known.has(status.custodian)) continue;
      const call = api.tx.shamirArchive.registerCustodian(
        status.custodian,
        n.custodyUrl,
        status.x25519Public,
        status.receiptKey,
      );
      calls.push([api.tx.sudo.sudo(call), alice]);
    }
    for (const uri of patients) {
      const patient = keyring.addFromUri(uri);
      if ((await api.query.ehrAccess.patients(patient.address)).isSome) continue;
      calls.push([api.tx.ehrAccess.registerPatient(), patient]);
    }
    const nonces = new Map();
    for (const call of calls) {
      const address = call[1].address;
      if (!nonces.has(address)) nonces.set(address, (await api.rpc.system.accountNextIndex(address)).toNumber());
      call.push(nonces.get(address));
      nonces.set(address, call[2] + 1);
    }
    await Promise.all(calls.map(([tx, signer, nonce]) => finalized(api, tx, signer, nonce)));
    return calls.length;
  } finally {
    await api.disconnect();
  }
}

// Signs and submits `tx`; resolves once it is finalised and succeeded (a sudo call's own
// result included).
function finalized(api, tx, signer, nonce) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, { nonce }, ({ status, events, dispatchError }) => {
      const failed =
        dispatchError ||
        events.map(({ event }) => event).find((e) => api.events.sudo.Sudid.is(e) && e.data[0].isErr)?.data[0]
          .asErr;
      if (failed) {
        const error = failed.isModule ? api.registry.findMetaError(failed.asModule) : null;
        reject(new Error(error ? `${error.section}.${error.name}` : failed.toString()));
      } else if (status.isFinalized) resolve();
      else if (status.isDropped || status.isInvalid || status.isUsurped) reject(new Error(status.type));
    }).catch(reject);
  });
}

// Zombienet's process table (native provider), shared with the test runner that loads these
// scripts: `pid` and `cmd` of every node it started. The DSL only has `restart` (a kill, a
// wait, a start, in one step), so the scenarios that need a node to stay down while they act
// kill and start it here, keeping the table right for the DSL's later `pause`/`restart`.
function processes() {
  return require("@zombienet/orchestrator/dist/providers/client").getClient().processMap;
}

function pause(name) {
  process.kill(processes()[name].pid, "SIGSTOP");
}

function kill(name) {
  process.kill(processes()[name].pid, "SIGKILL");
}

// Starts a killed node again with the command zombienet gave it, its log appended to.
function start(name) {
  const entry = processes()[name];
  const log = fs.createWriteStream(entry.logs, { flags: "a" });
  const child = spawn("bash", ["-c", ...entry.cmd]);
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  entry.pid = child.pid;
}

module.exports = {
  network,
  node,
  custodyDir,
  rpc,
  bestNumber,
  finalizedNumber,
  custodyStatus,
  until,
  sleep,
  ehr,
  register,
  pause,
  kill,
  start,
};
