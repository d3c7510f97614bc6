// Registers every node as a custodian (by the registrars //Alice and //Bob) and //Ferdie as a
// patient, through the node named in the DSL line.
"use strict";
const { network, node, register } = require("../lib/ehr");

async function run(nodeName, networkInfo) {
  return register(node(networkInfo.tmpDir, nodeName), network(networkInfo.tmpDir), ["//Ferdie"]);
}

module.exports = { run };
