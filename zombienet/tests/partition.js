// A partition made by pausing processes, so that each side builds blocks the other never sees:
//   mark   notes every node's finalised block before the partition;
//   side   notes the best and finalised blocks of the node named in the DSL line (one side's
//          tip, while the other side is paused);
//   check  once healed: every node finalises past both sides' tips, and all agree on every
//          finalised block since the mark; neither side finalised anything while it was alone
//          (two of four validators are no supermajority).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { network, node, rpc, bestNumber, finalizedNumber, until } = require("../lib/ehr");

async function run(nodeName, networkInfo, [mode]) {
  const file = path.join(networkInfo.tmpDir, "partition.json");
  const state = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file)) : { sides: [] };
  const nodes = network(networkInfo.tmpDir);
  switch (mode) {
    case "mark":
      state.finalized = Math.max(...(await Promise.all(nodes.map(finalizedNumber))));
      state.sides = [];
      break;
    case "side": {
      const n = node(networkInfo.tmpDir, nodeName);
      const best = await bestNumber(n);
      state.sides.push({
        name: nodeName,
        best,
        hash: await rpc(n, "chain_getBlockHash", [best]),
        finalized: await finalizedNumber(n),
      });
      break;
    }
    case "check": {
      for (const side of state.sides) {
        // One round may have been under way when the partition began.
        if (side.finalized > state.finalized + 1) {
          throw new Error(`${side.name}'s side finalised ${side.finalized} alone (mark ${state.finalized})`);
        }
      }
      const tip = Math.max(...state.sides.map((side) => side.best));
      await Promise.all(
        nodes.map((n) => until(`${n.name} to finalise past ${tip}`, async () => (await finalizedNumber(n)) > tip, 150_000)),
      );
      for (let height = state.finalized; height <= tip; height++) {
        const hashes = await Promise.all(nodes.map((n) => rpc(n, "chain_getBlockHash", [height])));
        if (new Set(hashes).size !== 1) throw new Error(`finalised block ${height} differs between nodes: ${hashes}`);
      }
      const forked = [];
      for (const side of state.sides) {
        if ((await rpc(nodes[0], "chain_getBlockHash", [side.best])) !== side.hash) forked.push(side.name);
      }
      console.log(
        `partition healed: one finalised chain from ${state.finalized} to past ${tip}; ` +
          `side tips abandoned: ${forked.length ? forked.join(", ") : "none (no fork arose)"}`,
      );
      break;
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
  fs.writeFileSync(file, JSON.stringify(state));
  return 1;
}

module.exports = { run };
