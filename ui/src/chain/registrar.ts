// The registrar: two thirds of the `Registrars` collective, never one key. Every member takes
// part the same way (as `ehr_client::registrar::approve` does): the first to approve a call
// proposes it and votes for it, each other member's approval is a vote for it, and the approval
// that reaches the threshold also closes the motion, which dispatches the call.
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { Actor } from '../wallet/index';
import { registrarThreshold } from '../records/index';
import { sameAccount } from './queries';
import { submit } from './tx';

/** Where a motion stands after an approval. */
export type Motion = { dispatched: true } | { dispatched: false; approvals: number; threshold: number };

/** The registrars' accounts. */
export async function registrarMembers(api: ApiPromise): Promise<string[]> {
  const members: any = await api.query.registrars.members();
  return members.map((m: any) => m.toString());
}

/** `actor`, a registrar, approves `call`; the chain decides whether the quorum is reached. */
export async function approve(api: ApiPromise, call: SubmittableExtrinsic<'promise'>, actor: Actor): Promise<Motion> {
  const members = await registrarMembers(api);
  const length = call.method.encodedLength;
  const hash = call.method.hash;
  const voting: any = await api.query.registrars.voting(hash);
  if (voting.isNone) {
    const threshold = await registrarThreshold(members.length);
    const { events } = await submit(api, api.tx.registrars.propose(threshold, call, length), actor);
    if (threshold < 2) return { dispatched: true };
    // A proposal is not its proposer's vote.
    const proposed = events.find(({ event }) => api.events.registrars.Proposed.is(event));
    if (!proposed) throw new Error('The registrars\' motion was not proposed.');
    const index = (proposed.event.data as any).proposalIndex;
    await submit(api, api.tx.registrars.vote(hash, index, true), actor);
    return { dispatched: false, approvals: 1, threshold };
  }
  const votes = voting.unwrap();
  const threshold = votes.threshold.toNumber();
  let approvals = votes.ayes.length;
  if (!votes.ayes.some((a: any) => sameAccount(a.toString(), actor.address))) {
    await submit(api, api.tx.registrars.vote(hash, votes.index, true), actor);
    approvals += 1;
  }
  if (approvals < threshold) return { dispatched: false, approvals, threshold };
  const info: any = await api.call.transactionPaymentCallApi.queryCallInfo(call, length);
  await submit(api, api.tx.registrars.close(hash, votes.index, info.weight, length), actor);
  return { dispatched: true };
}

/** What a person reads after approving: `done` once dispatched, else how many more must. */
export function motionText(motion: Motion, done: string): string {
  if (motion.dispatched) return done;
  const more = motion.threshold - motion.approvals;
  return `Approved by ${motion.approvals} of the ${motion.threshold} registrars needed: done once ${more} more approve${more === 1 ? 's' : ''} the same action.`;
}
