// The audit trail of one patient, from the node's audit index (`ehr_auditTrail`), as a table:
// who opened which record when and why, refusals, emergency sessions, consent, records, guardians.
import type { Ctx } from '../app';
import { auditTrail, DENY_REASONS, EMERGENCY_REASONS, sameAccount, type AuditEntry } from '../chain/queries';
import { h, card, table, addr, formatDate } from '../ui/dom';
import { humanName } from '../chain/tx';

/* eslint-disable @typescript-eslint/no-explicit-any */
const s = (x: any) => x.toString();

function accessReason(r: any): string {
  if (r.isConsent) return `consent grant #${s(r.asConsent.grant)}`;
  return ({ Owner: 'the patient', Guardian: 'a guardian', Author: 'the author', Emergency: 'EMERGENCY access' } as Record<string, string>)[r.type] ?? r.type;
}

async function describe(ctx: Ctx, patient: string, e: AuditEntry): Promise<{ what: string; who: HTMLElement | string; record: string; why: string; kind: string }> {
  const d = e.data;
  const who = async (a: any) => {
    const acct = s(a);
    if (sameAccount(acct, patient)) return addr(acct, 'the patient');
    return addr(acct, await ctx.names.of(acct));
  };
  switch (e.kind) {
    case 'Read':
      return { kind: 'read', what: 'Opened', who: await who(d.reader), record: `#${s(d.record)}`, why: `${accessReason(d.reason)}; ticket until block #${s(d.expiresAt)}` };
    case 'Denied':
      return { kind: 'refused', what: 'REFUSED', who: await who(d.reader), record: `#${s(d.record)}`, why: `${d.reason.type}: ${DENY_REASONS[d.reason.type] ?? ''}` };
    case 'EmergencyOpened':
      return {
        kind: 'emergency',
        what: 'EMERGENCY access opened',
        who: await who(d.doctor),
        record: 'all',
        why: `${EMERGENCY_REASONS.find((r) => r.value === d.reason.type)?.label ?? d.reason.type}; until block #${s(d.expiresAt)}`,
      };
    case 'EmergencyClosed':
      return { kind: 'emergency', what: 'Emergency access closed', who: await who(d.doctor), record: '', why: `closed by ${(await ctx.names.of(s(d.by))) ?? (sameAccount(s(d.by), patient) ? 'the patient' : s(d.by))}` };
    case 'ConsentGranted': {
      const g = d.grantee;
      const acct = s(g.isDoctor ? g.asDoctor : g.asHospital);
      return {
        kind: 'consent',
        what: `Consent granted (#${s(d.grant)})`,
        who: await who(acct),
        record: '',
        why: `${d.right.type === 'ReadWrite' ? 'read and write' : 'read'}${d.expiresAt.isSome ? `, until block #${s(d.expiresAt.unwrap())}` : ''}`,
      };
    }
    case 'ConsentRevoked':
      return { kind: 'consent', what: `Consent revoked (#${s(d.grant)})`, who: await who(d.by), record: '', why: '' };
    case 'RecordAdded':
      return { kind: 'record', what: `Record added (${d.category.type})`, who: await who(d.author), record: `#${s(d.record)}`, why: '' };
    case 'RecordErased':
      return { kind: 'record', what: 'Record erased', who: '', record: `#${s(d.record)}`, why: '' };
    case 'GuardianAdded':
      return { kind: 'guardian', what: 'Guardian named', who: await who(d.guardian), record: '', why: '' };
    case 'GuardianRemoved':
      return { kind: 'guardian', what: 'Guardian removed', who: await who(d.guardian), record: '', why: '' };
    default:
      return { kind: 'other', what: humanName(e.kind), who: '', record: '', why: '' };
  }
}

export async function auditScreen(ctx: Ctx, patient: string): Promise<HTMLElement> {
  const { entries, indexedTo } = await auditTrail(ctx.api, patient);
  const described = await Promise.all(entries.map((e) => describe(ctx, patient, e)));
  const rows = entries
    .map((e, i) => ({ e, d: described[i] }))
    .reverse()
    .map(({ e, d }) => [
      h('time', { datetime: new Date(e.timeMs).toISOString() }, formatDate(e.timeMs)),
      `#${e.block}`,
      h('span', { class: `event ${d.kind}` }, d.what),
      d.who,
      d.record,
      d.why,
    ]);
  const reads = described.filter((d) => d.kind === 'read').length;
  const refusals = described.filter((d) => d.kind === 'refused').length;
  const emergencies = entries.filter((e) => e.kind === 'EmergencyOpened').length;
  return h(
    'div',
    { class: 'screen' },
    h('h2', { class: 'screen-title' }, sameAccount(patient, ctx.actor.address) ? 'Audit trail' : h('span', {}, 'Audit trail of patient ', addr(patient))),
    card(
      undefined,
      undefined,
      h(
        'p',
        { 'data-testid': 'audit-summary' },
        `${reads} read${reads === 1 ? '' : 's'}, ${refusals} refusal${refusals === 1 ? '' : 's'}, ${emergencies} emergency session${emergencies === 1 ? '' : 's'}; complete up to finalised block #${indexedTo}. Newest first.`,
      ),
      table('Audit trail', ['When', 'Block', 'What', 'Who', 'Record', 'Why'], rows, 'Nothing has happened to these records yet.'),
    ),
  );
}
