// An account a hospital invited as its doctor: the proposed public profile, accept or decline.
import type { Ctx } from '../app';
import { submit } from '../chain/tx';
import { h, actionForm, card, addr, notice } from '../ui/dom';

export async function invitationScreen(ctx: Ctx): Promise<HTMLElement> {
  const { api, actor, roles } = ctx;
  const inv = roles.invitation!;
  const hospitalName = (await ctx.names.of(inv.hospital)) ?? 'a hospital';
  return h(
    'div',
    { class: 'screen' },
    h('h2', { class: 'screen-title' }, `Invitation from ${hospitalName}`),
    notice('info', 'A hospital invited you to register as its doctor', h('span', {}, 'Invited by ', addr(inv.hospital, hospitalName), ` at block #${inv.invitedAt}. Nothing is registered or published until you accept; you can change your profile later.`)),
    card(
      'The public profile you would publish',
      'It stays on chain, public, while you are registered: professional details only.',
      h('dl', { class: 'facts' }, h('dt', {}, 'Name'), h('dd', {}, inv.name), h('dt', {}, 'Speciality'), h('dd', {}, inv.speciality || '—'), h('dt', {}, 'Professional contact'), h('dd', {}, inv.contact || '—')),
    ),
    actionForm({
      title: 'Accept',
      testid: 'accept-invitation',
      fields: [],
      submit: 'Accept and register as a doctor',
      run: async () => {
        await submit(api, api.tx.ehrAccess.acceptDoctorInvitation(), actor);
        return `You are a doctor of ${hospitalName}.`;
      },
      after: () => void ctx.refresh(),
    }),
    actionForm({
      title: 'Decline',
      testid: 'decline-invitation',
      fields: [],
      submit: 'Decline the invitation',
      danger: true,
      run: async () => {
        await submit(api, api.tx.ehrAccess.withdrawDoctorInvitation(actor.address), actor);
        return 'Invitation declined.';
      },
      after: () => void ctx.refresh(),
    }),
  );
}
