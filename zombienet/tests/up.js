// Every node of the network: best and finalised heights rising, connected to all the others,
// and its custody service healthy (its status answers with its keys and a quota). Prints how
// long after zombienet began the network first finalised a block.
"use strict";
const { network, rpc, bestNumber, finalizedNumber, custodyStatus, until } = require("../lib/ehr");
const fs = require("node:fs");
const path = require("node:path");

async function run(_nodeName, networkInfo) {
  const nodes = network(networkInfo.tmpDir);
  const { networkStartTime } = JSON.parse(fs.readFileSync(path.join(networkInfo.tmpDir, "zombie.json")));
  await until("a finalised block", async () => (await finalizedNumber(nodes[0])) >= 1, 120_000);
  console.log(`measured: first block finalised ${((Date.now() - networkStartTime) / 1000).toFixed(1)} s after zombienet began`);

  await Promise.all(
    nodes.map(async (n) => {
      const [best, final] = [await bestNumber(n), await finalizedNumber(n)];
      await until(`${n.name}'s best block to rise`, async () => (await bestNumber(n)) > best, 60_000);
      await until(`${n.name}'s finalised block to rise`, async () => (await finalizedNumber(n)) > final, 60_000);
      await until(
        `${n.name} to see the ${nodes.length - 1} others`,
        async () => (await rpc(n, "system_health")).peers >= nodes.length - 1,
        60_000,
      );
      const status = await custodyStatus(n);
      if (!/^0x[0-9a-f]{64}$/.test(status.custodian) || !/^0x[0-9a-f]{64}$/.test(status.x25519Public) || !(status.quotaBytes > 0)) {
        throw new Error(`${n.name}'s custody status is not healthy: ${JSON.stringify(status)}`);
      }
    }),
  );
  return nodes.length;
}

module.exports = { run };
