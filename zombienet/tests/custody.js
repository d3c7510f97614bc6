// Custody scenarios, through the `ehr` command line as a hospital's script would use it. The
// patient //Ferdie writes and reads their own records; the record of `store` is kept in
// <network dir>/custody-scenario.json for the later steps.
//   store              a record of ~300 KiB with k = 3 over the 5 custodians, every one holding
//                      a piece;
//   down               one validator of four paused, then killed (SIGKILL) with the full
//                      node: finality goes on (prints how long it took to finalise again), and
//                      the record is still read, byte-identical, from the other three
//                      custodians; both started again catch up (prints how long). The
//                      validator is the one keeping the lowest piece, which the reader asks for
//                      first;
//   corrupt            the piece read first (index 0) corrupted on its custodian's disk: the read
//                      still succeeds from the others, and that custodian reports the corruption;
//   mid-put,<name>     custodian <name> killed (SIGKILL) while it writes its piece of a large
//                      record, then started again: the writer either anchors with the others'
//                      receipts or fails with nothing anchored, and the custodian keeps every
//                      anchored piece and no partial one; of the new archive, the piece the
//                      chain holds its receipt for (the receipt may beat the kill), and only
//                      pieces the chain assigns to it.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const lib = require("../lib/ehr");

const PATIENT = "//Ferdie";
const K = "3";

async function run(nodeName, networkInfo, [mode, victim]) {
  const dir = networkInfo.tmpDir;
  const entry = lib.node(dir, nodeName);
  const stateFile = path.join(dir, "custody-scenario.json");
  switch (mode) {
    case "store": {
      const file = path.join(dir, "record.json");
      fs.writeFileSync(file, documentReference(300 << 10));
      const stored = await add(entry, file);
      if (stored.held !== lib.network(dir).length) throw new Error(`only ${stored.held} custodians hold a piece`);
      fs.writeFileSync(stateFile, JSON.stringify({ ...stored, file }));
      return 1;
    }
    case "down": {
      // The validator keeping the lowest piece (the reader is sure to ask it) and the full node.
      const stored = JSON.parse(fs.readFileSync(stateFile));
      const nodes = lib.network(dir);
      const validator = nodes
        .filter((n) => n.validator)
        .map((n) => ({ name: n.name, index: pieceIndex(n, stored.archiveId) }))
        .sort((a, b) => a.index - b.index)[0].name;
      const full = nodes.find((n) => !n.validator).name;
      const reader = nodes.find((n) => ![validator, full].includes(n.name));
      // Paused, the validator no longer answers: three of four finalise without it.
      lib.pause(validator);
      await finalisesAgain(reader, `${validator} paused`, 2);
      lib.kill(validator);
      lib.kill(full);
      await finalisesAgain(reader, `${validator} and ${full} killed`, 1);
      const { stderr } = await readBack(reader, stored.record, stored.file, path.join(dir, "read-down.json"));
      if (!/refusals/.test(stderr)) throw new Error("the reader met no dead custodian");
      console.log(`read back with ${validator} and ${full} killed; ${stderr.trim()}`);
      await Promise.all([validator, full].map((name) => restart(dir, name)));
      return 1;
    }
    case "corrupt": {
      const stored = JSON.parse(fs.readFileSync(stateFile));
      const pieceName = `${stored.archiveId.slice(2)}.0.piece`;
      const holder = lib.network(dir).find((n) => fs.existsSync(path.join(lib.custodyDir(n), pieceName)));
      if (!holder) throw new Error(`nobody keeps ${pieceName}`);
      const piece = path.join(lib.custodyDir(holder), pieceName);
      const original = fs.readFileSync(piece);
      const corrupt = Buffer.from(original);
      corrupt[corrupt.length >> 1] ^= 0x80;
      fs.writeFileSync(piece, corrupt);
      try {
        const { stderr } = await readBack(entry, stored.record, stored.file, path.join(dir, "read-corrupt.json"));
        if (!/corrupt/.test(stderr)) throw new Error(`the reader was not told of ${holder.name}'s corrupt piece: ${stderr}`);
        const log = fs.readFileSync(path.join(dir, `${holder.name}.log`), "utf8");
        if (!log.includes("piece corrupt on disk")) throw new Error(`${holder.name} did not report its corrupt piece`);
        console.log(`read back past ${holder.name}'s corrupt piece 0; ${stderr.trim()}`);
      } finally {
        fs.writeFileSync(piece, original);
      }
      return 1;
    }
    case "mid-put":
      return midPut(dir, entry, victim);
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

async function midPut(dir, entry, victimName) {
  const victim = lib.node(dir, victimName);
  const store = lib.custodyDir(victim);
  const before = await lib.custodyStatus(victim);
  const recordsBefore = await list(entry);
  const file = path.join(dir, "large-record.json");
  fs.writeFileSync(file, documentReference(8 << 20));

  // Killed as soon as it starts writing its piece: the put has arrived whole, and the piece is
  // half on disk.
  let killedAt = null;
  const watcher = fs.watch(store, (_event, name) => {
    if (killedAt === null && name && name.endsWith(".piece.tmp")) {
      lib.kill(victimName);
      killedAt = name;
    }
  });
  let outcome;
  try {
    outcome = await add(entry, file).then(
      (stored) => ({ stored }),
      (error) => ({ error }),
    );
  } finally {
    watcher.close();
  }
  if (killedAt === null) throw new Error(`${victimName} never began writing a piece, so it was not killed`);
  console.log(`${victimName} killed while writing ${killedAt}`);

  await restart(dir, victimName);
  const leftovers = fs.readdirSync(store).filter((name) => name.endsWith(".tmp"));
  if (leftovers.length) throw new Error(`${victimName} kept partial files: ${leftovers}`);
  const after = await lib.until(
    `${victimName} to settle its pending pieces`,
    async () => {
      const status = await lib.custodyStatus(victim);
      return status.pending === 0 && status;
    },
    60_000,
  );
  if (after.pieces < before.pieces) throw new Error(`${victimName} lost anchored pieces: ${before.pieces} → ${after.pieces}`);

  if (outcome.stored) {
    // The kill lands a moment after the piece file appears: the custodian may have finished the
    // piece, even given its receipt, first. The chain's entry assigns it a piece either way
    // (held with a receipt, or missing, for repair): a held piece must be kept, a missing one
    // may be kept whole (it matches its commitment) or not at all, and no other.
    const { record, archiveId } = outcome.stored;
    const prefix = archiveId.slice(2);
    const assigned = await assignedPieces(entry, record, after.custodian);
    const keeps = (index) => ["meta", "piece"].every((ext) => fs.existsSync(path.join(store, `${prefix}.${index}.${ext}`)));
    for (const { index, held } of assigned) {
      if (held && !keeps(index)) throw new Error(`${victimName} lost piece ${index} although its receipt is on chain`);
    }
    const strays = fs
      .readdirSync(store)
      .filter((name) => name.startsWith(prefix) && !assigned.some(({ index }) => name.startsWith(`${prefix}.${index}.`)));
    if (strays.length) throw new Error(`${victimName} keeps ${strays}, which the chain does not assign to it`);
    await readBack(entry, record, file, path.join(dir, "read-large.json"));
    const fate = assigned
      .map(({ index, held }) => `piece ${index} ${held ? "held: its receipt beat the kill" : `missing, ${keeps(index) ? "kept whole" : "not kept"}`}`)
      .join(", ");
    console.log(`the writer anchored record ${record} with ${outcome.stored.held} receipts (${victimName}: ${fate}); read back`);
  } else {
    const recordsAfter = await list(entry);
    if (recordsAfter.length !== recordsBefore.length) throw new Error(`a failed write anchored a record: ${outcome.error}`);
    console.log(`the writer failed cleanly, nothing anchored: ${outcome.error.message}`);
  }
  return 1;
}

// Waits until `n` finalises `blocks` blocks past its finalised one; prints how long the first
// took.
async function finalisesAgain(n, after, blocks) {
  const from = await lib.finalizedNumber(n);
  const started = Date.now();
  await lib.until(`${n.name} to finalise past ${from}`, async () => (await lib.finalizedNumber(n)) > from, 90_000);
  console.log(`measured: finalised again ${((Date.now() - started) / 1000).toFixed(1)} s after ${after}`);
  await lib.until(`${n.name} to finalise ${from + blocks}`, async () => (await lib.finalizedNumber(n)) >= from + blocks, 90_000);
}

// The index of the piece of `archiveId` that node `n` keeps.
function pieceIndex(n, archiveId) {
  const prefix = `${archiveId.slice(2)}.`;
  const piece = fs.readdirSync(lib.custodyDir(n)).find((name) => name.startsWith(prefix) && name.endsWith(".piece"));
  if (!piece) throw new Error(`${n.name} keeps no piece of ${archiveId}`);
  return Number(piece.split(".")[1]);
}

// A FHIR R4 DocumentReference carrying `bytes` random bytes (base64), filed as a Document.
function documentReference(bytes) {
  return JSON.stringify({
    resourceType: "DocumentReference",
    status: "current",
    content: [{ attachment: { contentType: "application/octet-stream", data: crypto.randomBytes(bytes).toString("base64") } }],
  });
}

async function add(entry, file) {
  const { stdout } = await lib.ehr(entry, PATIENT, ["--json", "record", "add", "--file", file, "--k", K]);
  return JSON.parse(stdout);
}

// The pieces of `record` that the chain's archive entry assigns to the custodian whose account
// is `custodianHex` (as the custody status gives it): [{ index, held }], `held` when its receipt
// was checked on chain.
async function assignedPieces(entry, record, custodianHex) {
  const { Keyring } = require("@polkadot/api");
  const keyring = new Keyring();
  const status = JSON.parse((await lib.ehr(entry, PATIENT, ["--json", "archive", "status", String(record)])).stdout);
  const hex = (address) => `0x${Buffer.from(keyring.decodeAddress(address)).toString("hex")}`;
  return status.pieces.flatMap((piece, index) =>
    hex(piece.custodian) === custodianHex.toLowerCase() ? [{ index, held: JSON.stringify(piece.state).includes("Held") }] : [],
  );
}

async function list(entry) {
  return JSON.parse((await lib.ehr(entry, PATIENT, ["--json", "record", "list"])).stdout);
}

// Opens and reads `record` into `out`, which must equal `original` byte for byte.
async function readBack(entry, record, original, out) {
  const result = await lib.ehr(entry, PATIENT, ["record", "read", String(record), "--out", out]);
  if (!fs.readFileSync(out).equals(fs.readFileSync(original))) throw new Error(`record ${record} read back differs`);
  return result;
}

// Starts a killed node again and waits until its custody service answers and it has caught up
// with the network's finalised block; prints how long that took.
async function restart(dir, name) {
  const n = lib.node(dir, name);
  const others = lib.network(dir).filter((o) => o.name !== name);
  const target = Math.max(...(await Promise.all(others.map((o) => lib.finalizedNumber(o).catch(() => 0)))));
  const started = Date.now();
  lib.start(name);
  await lib.until(`${name}'s custody service`, () => lib.custodyStatus(n, 1000), 180_000);
  await lib.until(`${name} to reach block ${target}`, async () => (await lib.finalizedNumber(n)) >= target, 180_000);
  console.log(`measured: ${name} restarted, custody answering and caught up to finalised block ${target} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

module.exports = { run };
