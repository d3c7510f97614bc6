// Finality of the node named in the DSL line, as the scenario needs it:
//   stalls,<s>    its finalised block stays put for s seconds (after one slot, for a round in
//                 flight), while its best block rises;
//   resumes       its finalised block reaches the best block it had when called;
//   catches-up    it answers, and its finalised block reaches the highest one of the others
//                 when called (prints how long that took).
"use strict";
const { network, node, bestNumber, finalizedNumber, until, sleep } = require("../lib/ehr");

const SLOT_MS = 6000;

async function run(nodeName, networkInfo, [mode, value]) {
  const n = node(networkInfo.tmpDir, nodeName);
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
  switch (mode) {
    case "stalls": {
      await sleep(SLOT_MS);
      const [final, best] = [await finalizedNumber(n), await bestNumber(n)];
      await sleep(Number(value) * 1000);
      const [finalAfter, bestAfter] = [await finalizedNumber(n), await bestNumber(n)];
      if (finalAfter !== final) throw new Error(`${nodeName} finalised ${final} → ${finalAfter} without a supermajority`);
      if (bestAfter <= best) throw new Error(`${nodeName} built no block (${best} → ${bestAfter})`);
      console.log(`finality stalled at ${final} for ${value} s while blocks went on (${best} → ${bestAfter})`);
      return 1;
    }
    case "resumes": {
      const best = await bestNumber(n);
      await until(`${nodeName} to finalise ${best}`, async () => (await finalizedNumber(n)) >= best, 120_000);
      console.log(`measured: ${nodeName} finalised the ${best} blocks built meanwhile ${seconds()} s after the step began`);
      return 1;
    }
    case "catches-up": {
      const others = network(networkInfo.tmpDir).filter((o) => o.name !== nodeName);
      const heights = await Promise.all(others.map((o) => finalizedNumber(o).catch(() => 0)));
      const target = Math.max(...heights);
      await until(`${nodeName} to reach ${target}`, async () => (await finalizedNumber(n)) >= target, 120_000);
      console.log(`measured: ${nodeName} caught up to finalised block ${target} ${seconds()} s after the step began`);
      return 1;
    }
    default:
      throw new Error(`unknown mode ${mode}`);
  }
}

module.exports = { run };
