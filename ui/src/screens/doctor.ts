// Doctor: propose a patient; patients who granted access; add and read records; emergency access;
// the doctor's own public profile.
import type { Ctx } from '../app';
import { submit } from '../chain/tx';
import { grantsFor, emergencySessions, normaliseAddress, EMERGENCY_REASONS, type Grant } from '../chain/queries';
import { h, actionForm, field, card, table, addr, actionButton, notice } from '../ui/dom';
import { addRecordCard, readRecordCard } from './records-ui';

export function scopeText(g: Grant): string {
  if (g.scope.kind === 'All') return 'all records';
  if (g.scope.kind === 'Category') return `${g.scope.category} records`;
  return `records ${g.scope.records.join(', ')}`;
}

export function grantState(g: Grant, best: number): { live: boolean; text: string } {
  const live = g.expiresAt === null || best < g.expiresAt;
  return { live, text: live ? (g.expiresAt === null ? 'live, no expiry' : `live until block #${g.expiresAt}`) : `lapsed at block #${g.expiresAt}` };
}

export async function doctorScreen(ctx: Ctx): Promise<HTMLElement> {
  const { api, actor, roles } = ctx;
  const me = roles.doctor!;
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  const [grants, sessions] = await Promise.all([grantsFor(api, actor.address, me.hospital), emergencySessions(api, actor.address)]);
  const grantRows = await Promise.all(
    grants.map(async (g) => {
      const st = grantState(g, best);
      return [
        addr(g.patient),
        g.grantee.kind === 'Doctor' ? 'you, in person' : `your hospital (${(await ctx.names.of(g.grantee.account)) ?? 'hospital'})`,
        scopeText(g),
        g.right === 'ReadWrite' ? 'read and write' : 'read',
        h('span', { class: `status ${st.live ? 'active' : 'lapsed'}` }, st.text),
        `#${g.id}`,
      ];
    }),
  );
  const liveSessions = sessions.filter((s) => best < s.expiresAt);
  const sessionRows = liveSessions.map((s) => {
    const out = h('div', { class: 'outcome', 'aria-live': 'polite' });
    return [
      addr(s.patient),
      EMERGENCY_REASONS.find((r) => r.value === s.reason)?.label ?? s.reason,
      `#${s.openedAt}`,
      `#${s.expiresAt}`,
      [
        actionButton(
          'Close',
          out,
          async () => {
            await submit(api, api.tx.ehrAccess.closeEmergency(s.patient, actor.address), actor);
            return 'Emergency access closed.';
          },
          { after: () => void ctx.refresh(), ariaLabel: `Close emergency access to ${s.patient}` },
        ),
        out,
      ],
    ];
  });

  return h(
    'div',
    { class: 'screen' },
    h('h2', { class: 'screen-title' }, `${me.name}, ${roles.doctorHospital?.name ?? ''}`),
    me.status === 'Suspended'
      ? notice('warning', 'You are suspended', 'A suspended doctor can neither read nor write nor open emergency access; the chain refuses it.')
      : roles.doctorHospital?.status === 'Suspended'
        ? notice('warning', 'Your hospital is suspended', 'You cannot author records, propose patients or open emergency access; grants made to you in person still work.')
        : null,
    card('Patients who granted you access', 'Grants to you in person and to your hospital, live or lapsed.', table('Grants', ['Patient', 'Granted to', 'Scope', 'Right', 'State', 'Grant'], grantRows, 'No patient has granted you access yet.')),
    actionForm({
      title: 'Propose a patient',
      testid: 'propose-patient',
      description: "The patient's own account confirms by registering; the proposal gives you no right over the patient.",
      fields: [field({ name: 'patient', label: "Patient's account", required: true })],
      submit: 'Propose',
      run: async (v) => {
        await submit(api, api.tx.ehrAccess.proposePatient(normaliseAddress(api, v.patient)), actor);
        return 'Proposed. The patient confirms by registering with their own account.';
      },
      after: () => void ctx.refresh(),
    }),
    addRecordCard(ctx, {}),
    readRecordCard(ctx),
    card(
      'Emergency access',
      h(
        'div',
        { class: 'notice warning loud', role: 'note' },
        h('strong', {}, 'Break-glass access is audited and the patient is told.'),
        h('p', {}, 'Opening it puts an event on the chain that the patient and their guardians see, with your name, your hospital and the reason you give. It lasts a limited time and is counted against you.'),
      ),
      table('Your live emergency sessions', ['Patient', 'Reason', 'Opened', 'Until block', 'Action'], sessionRows, 'No live emergency session.'),
    ),
    actionForm({
      title: 'Open emergency access',
      testid: 'open-emergency',
      fields: [
        field({ name: 'patient', label: "Patient's account", required: true }),
        field({ name: 'reason', label: 'Reason', required: true, options: EMERGENCY_REASONS }),
      ],
      submit: 'Open emergency access (audited)',
      danger: true,
      run: async (v) => {
        await submit(api, api.tx.ehrAccess.openEmergency(normaliseAddress(api, v.patient), v.reason), actor);
        return 'Emergency access is open. The patient and their guardians are told.';
      },
      after: () => void ctx.refresh(),
    }),
    actionForm({
      title: 'Your public profile',
      testid: 'update-profile',
      description: 'Public on chain while you are registered: professional details only. Only you can change it.',
      fields: [
        field({ name: 'name', label: 'Name', required: true, value: me.name }),
        field({ name: 'speciality', label: 'Speciality', value: me.speciality }),
        field({ name: 'contact', label: 'Professional contact', value: me.contact }),
      ],
      submit: 'Update profile',
      run: async (v) => {
        await submit(api, api.tx.ehrAccess.updateDoctor(v.name, v.speciality, v.contact), actor);
        return 'Profile updated.';
      },
      after: () => void ctx.refresh(),
    }),
  );
}
