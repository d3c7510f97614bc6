// `node lib/setup.js <network dir>`: once zombienet has spawned local.toml in that directory,
// registers every node as a custodian and //Ferdie as a patient, then prints the endpoints.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const lib = require("./ehr");

async function main(dir) {
  const nodes = lib.network(dir);
  const { networkStartTime } = JSON.parse(fs.readFileSync(path.join(dir, "zombie.json")));
  await lib.until("the first finalised block", async () => (await lib.finalizedNumber(nodes[0])) >= 1, 180_000);
  console.log(`first block finalised ${((Date.now() - networkStartTime) / 1000).toFixed(1)} s after zombienet began`);
  const registered = await lib.register(nodes[0], nodes, ["//Ferdie"]);
  console.log(`registered ${registered} custodians and patients (registrars: //Alice and //Bob; patient: //Ferdie)\n`);
  console.log("node     role        RPC (ws and http)        custody");
  for (const n of nodes) {
    console.log(`${n.name.padEnd(8)} ${(n.validator ? "validator" : "full node").padEnd(11)} ${n.wsUri.padEnd(24)} ${n.custodyUrl}`);
  }
  console.log(`\nlogs: ${dir}/<node>.log`);
}

main(process.argv[2]).then(
  () => process.exit(0),
  (error) => {
    console.error(`setup failed: ${error.message}`);
    process.exit(1);
  },
);
