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

// Registers the custodians of `nodes` by the registrars' motions, and `patients` as patients.
// The network has no sudo key: two of the three registrars (Alice, Bob, Charlie) must approve.
// Alice proposes every registration (with two approvals as its threshold; the chain checks that
// two are its quorum) and the patients register, all in one block; then Alice and Bob vote for
// every motion, and Bob closes them, which registers the custodians.
async function register(entry, nodes, patients) {
  const { ApiPromise, WsProvider, Keyring } = require("@polkadot/api");
  const api = await ApiPromise.create({ provider: new WsProvider(entry.wsUri), noInitWarn: true });
  try {
    const keyring = new Keyring({ type: "sr25519" });
    const [alice, bob] = ["//Alice", "//Bob"].map((uri) => keyring.addFromUri(uri));
    const registered = await api.query.shamirArchive.custodians.keys();
    const known = new Set(registered.map((key) => key.args[0].toHex()));
    const motions = [];
    for (const n of nodes) {
      const status = await custodyStatus(n);
      if (known.has(status.custodian)) continue;
      motions.push(
        api.tx.shamirArchive.registerCustodian(status.custodian, n.custodyUrl, status.x25519Public, status.receiptKey),
      );
    }
    const approvers = 2; // Alice and Bob
    const proposals = motions.map((call) => [api.tx.registrars.propose(approvers, call, call.method.encodedLength), alice]);
    const registrations = [];
    for (const uri of patients) {
      const patient = keyring.addFromUri(uri);
      if ((await api.query.ehrAccess.patients(patient.address)).isSome) continue;
      registrations.push([api.tx.ehrAccess.registerPatient(), patient]);
    }
    await finalizedAll(api, [...proposals, ...registrations]);
    const pending = await Promise.all(
      motions.map(async (call) => {
        const hash = call.method.hash;
        const votes = (await api.query.registrars.voting(hash)).unwrap();
        const weight = (await api.call.transactionPaymentCallApi.queryCallInfo(call, call.method.encodedLength)).weight;
        return { call, hash, index: votes.index, weight };
      }),
    );
    await finalizedAll(
      api,
      pending.flatMap(({ hash, index }) => [alice, bob].map((member) => [api.tx.registrars.vote(hash, index, true), member])),
    );
    await finalizedAll(
      api,
      pending.map(({ call, hash, index, weight }) => [
        api.tx.registrars.close(hash, index, weight, call.method.encodedLength),
        bob,
      ]),
    );
    return motions.length + registrations.length;
  } finally {
    await api.disconnect();
  }
}

// Submits every `[tx, signer]` at once, each signer's with consecutive nonces so that they share
// a block, and resolves once all are finalised and succeeded.
async function finalizedAll(api, calls) {
  const nonces = new Map();
  const signed = [];
  for (const [tx, signer] of calls) {
    const address = signer.address;
    if (!nonces.has(address)) nonces.set(address, (await api.rpc.system.accountNextIndex(address)).toNumber());
    signed.push([tx, signer, nonces.get(address)]);
    nonces.set(address, nonces.get(address) + 1);
  }
  await Promise.all(signed.map(([tx, signer, nonce]) => finalized(api, tx, signer, nonce)));
}

// Signs and submits `tx`; resolves once it is finalised and succeeded (the result of the call a
// registrars' motion dispatched included).
function finalized(api, tx, signer, nonce) {
  return new Promise((resolve, reject) => {
    tx.signAndSend(signer, { nonce }, ({ status, events, dispatchError }) => {
      const failed =
        dispatchError ||
        events.map(({ event }) => event).find((e) => api.events.registrars.Executed.is(e) && e.data[1].isErr)?.data[1]
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
