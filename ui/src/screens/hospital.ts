// Hospital: its profile; invite doctors (each accepts with their own key), withdraw invitations,
// suspend, reinstate and remove its own doctors.
import type { Ctx } from '../app';
import { submit } from '../chain/tx';
import { doctors, doctorInvitations, normaliseAddress } from '../chain/queries';
import { h, actionForm, field, card, table, addr, actionButton, notice } from '../ui/dom';

export async function hospitalScreen(ctx: Ctx): Promise<HTMLElement> {
  const { api, actor } = ctx;
  const me = ctx.roles.hospital!;
  const [mine, invited] = await Promise.all([doctors(api, actor.address), doctorInvitations(api, actor.address)]);
  const invitationRows = invited.map((i) => {
    const out = h('div', { class: 'outcome', 'aria-live': 'polite' });
    return [
      h('strong', {}, i.name),
      addr(i.doctor),
      i.speciality,
      `#${i.invitedAt}`,
      [
        actionButton(
          'Withdraw',
          out,
          async () => {
            await submit(api, api.tx.ehrAccess.withdrawDoctorInvitation(i.doctor), actor);
            return `The invitation of ${i.name} is withdrawn; the deposit is released.`;
          },
          { danger: true, after: () => void ctx.refresh(), ariaLabel: `Withdraw the invitation of ${i.name}` },
        ),
        out,
      ],
    ];
  });
  const rows = mine.map((d) => {
    const out = h('div', { class: 'outcome', 'aria-live': 'polite' });
    const suspend = d.status === 'Active';
    return [
      h('strong', {}, d.name),
      addr(d.account),
      d.speciality,
      d.contact,
      h('span', { class: `status ${d.status.toLowerCase()}` }, d.status),
      String(d.emergenciesOpened),
      [
        h(
          'div',
          { class: 'row-actions' },
          actionButton(
            suspend ? 'Suspend' : 'Reinstate',
            out,
            async () => {
              await submit(api, api.tx.ehrAccess.setDoctorStatus(d.account, suspend ? 'Suspended' : 'Active'), actor);
              return `${d.name} is ${suspend ? 'suspended' : 'active again'}.`;
            },
            { danger: suspend, after: () => void ctx.refresh(), ariaLabel: `${suspend ? 'Suspend' : 'Reinstate'} ${d.name}` },
          ),
          actionButton(
            'Remove',
            out,
            async () => {
              await submit(api, api.tx.ehrAccess.removeDoctor(d.account), actor);
              return `${d.name} is removed; the deposit is released.`;
            },
            { danger: true, after: () => void ctx.refresh(), ariaLabel: `Remove ${d.name}` },
          ),
        ),
        out,
      ],
    ];
  });
  return h(
    'div',
    { class: 'screen' },
    h('h2', { class: 'screen-title' }, me.name),
    me.status === 'Suspended' ? notice('warning', 'This hospital is suspended', 'It cannot act, and its doctors cannot author records, propose patients or open emergency access.') : null,
    card(
      'Public profile',
      'Only the registrar can change it.',
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Name'),
        h('dd', {}, me.name),
        h('dt', {}, 'Address'),
        h('dd', {}, me.address || '—'),
        h('dt', {}, 'Specialities'),
        h('dd', {}, me.specialities.join(', ') || '—'),
        h('dt', {}, 'Status'),
        h('dd', {}, me.status),
        h('dt', {}, 'Registered at'),
        h('dd', {}, `block #${me.registeredAt}`),
      ),
    ),
    card('Doctors', undefined, table('Doctors of this hospital', ['Name', 'Account', 'Speciality', 'Contact', 'Status', 'Emergencies', 'Actions'], rows, 'No doctor yet.')),
    card('Invitations', 'Doctors invited who have not accepted yet.', table('Pending invitations', ['Name', 'Account', 'Speciality', 'Invited at', 'Action'], invitationRows, 'No pending invitation.')),
    actionForm({
      title: 'Invite a doctor',
      testid: 'invite-doctor',
      description: 'The doctor is registered, with this public profile, once they accept with their own account; they keep their profile themselves from then on. A deposit is held from the hospital until the invitation is withdrawn or the doctor is removed.',
      fields: [
        field({ name: 'account', label: "Doctor's account", required: true }),
        field({ name: 'name', label: 'Name', required: true }),
        field({ name: 'speciality', label: 'Speciality' }),
        field({ name: 'contact', label: 'Professional contact' }),
      ],
      submit: 'Invite doctor',
      run: async (v) => {
        await submit(api, api.tx.ehrAccess.inviteDoctor(normaliseAddress(api, v.account), v.name, v.speciality, v.contact), actor);
        return `${v.name} is invited.`;
      },
      after: () => void ctx.refresh(),
    }),
  );
}
