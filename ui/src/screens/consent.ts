// The consent manager of one patient, for the patient or a guardian: grants (live or lapsed),
// grant, revoke; live emergency sessions, which the patient or a guardian may close.
import type { Ctx } from '../app';
import { submit } from '../chain/tx';
import { patientGrants, hospitals, doctors, CATEGORIES, normaliseAddress, sameAccount, emergencySessions, EMERGENCY_REASONS } from '../chain/queries';
import { h, field, card, table, addr, actionButton, notice, values, errorNotice, newId } from '../ui/dom';
import { scopeText, grantState } from './doctor';

export async function consentScreen(ctx: Ctx, patient: string): Promise<HTMLElement> {
  const { api, actor } = ctx;
  const best = (await api.rpc.chain.getHeader()).number.toNumber();
  const [grants, hs, ds, sessionEntries] = await Promise.all([
    patientGrants(api, patient),
    hospitals(api),
    doctors(api),
    api.query.ehrAccess.emergencySessions.keys(),
  ]);
  const sessions = (
    await Promise.all(sessionEntries.map((k) => emergencySessions(api, (k.args[0] as unknown as { toString(): string }).toString())))
  )
    .flat()
    .filter((s) => sameAccount(s.patient, patient) && best < s.expiresAt);

  const rows = await Promise.all(
    grants.map(async (g) => {
      const out = h('div', { class: 'outcome', 'aria-live': 'polite' });
      const st = grantState(g, best);
      const name = await ctx.names.of(g.grantee.account);
      return [
        `#${g.id}`,
        h('span', {}, g.grantee.kind === 'Doctor' ? 'Doctor ' : 'Hospital ', addr(g.grantee.account, name)),
        scopeText(g),
        g.right === 'ReadWrite' ? 'read and write' : 'read',
        h('span', { class: `status ${st.live ? 'active' : 'lapsed'}`, 'data-grant-state': st.live ? 'live' : 'lapsed' }, st.text),
        [
          actionButton(
            'Revoke',
            out,
            async () => {
              await submit(api, api.tx.ehrAccess.revokeAccess(patient, g.id), actor);
              return `Grant ${g.id} revoked; it stops working at once, tickets included. Records the grantee wrote themselves stay readable to them: erase a record to close it to everyone.`;
            },
            { danger: true, after: () => void ctx.refresh(), ariaLabel: `Revoke grant ${g.id}` },
          ),
          out,
        ],
      ];
    }),
  );

  const sessionRows = await Promise.all(
    sessions.map(async (s) => {
      const out = h('div', { class: 'outcome', 'aria-live': 'polite' });
      return [
        addr(s.doctor, await ctx.names.of(s.doctor)),
        EMERGENCY_REASONS.find((r) => r.value === s.reason)?.label ?? s.reason,
        `#${s.openedAt}`,
        `#${s.expiresAt}`,
        [
          actionButton(
            'Close',
            out,
            async () => {
              await submit(api, api.tx.ehrAccess.closeEmergency(patient, s.doctor), actor);
              return 'Emergency access closed.';
            },
            { after: () => void ctx.refresh(), ariaLabel: `Close emergency access of ${s.doctor}` },
          ),
          out,
        ],
      ];
    }),
  );

  // The grant form.
  const granteeOptions = [
    ...ds.filter((d) => d.status === 'Active').map((d) => ({ value: `Doctor:${d.account}`, label: `Doctor ${d.name} (${hs.find((x) => sameAccount(x.account, d.hospital))?.name ?? 'hospital'})` })),
    ...hs.filter((x) => x.status === 'Active').map((x) => ({ value: `Hospital:${x.account}`, label: `Hospital ${x.name} (all its active doctors)` })),
    { value: 'other', label: 'Another account (enter it below)' },
  ];
  const scopeId = newId('scope');
  const scopeSelect = h(
    'select',
    { id: scopeId, name: 'scope' },
    h('option', { value: 'All' }, 'All records'),
    h('option', { value: 'Category' }, 'One category'),
    h('option', { value: 'Records' }, 'Listed records'),
  ) as HTMLSelectElement;
  const categoryField = field({ name: 'category', label: 'Category', options: CATEGORIES.map((c) => ({ value: c, label: c })) });
  const recordsField = field({ name: 'records', label: 'Record ids', hint: 'Separated by commas, e.g. 0, 3, 4.' });
  const syncScope = () => {
    categoryField.hidden = scopeSelect.value !== 'Category';
    recordsField.hidden = scopeSelect.value !== 'Records';
  };
  scopeSelect.addEventListener('change', syncScope);
  syncScope();
  const out = h('div', { class: 'outcome', 'aria-live': 'polite' });
  const btn = h('button', { type: 'submit', class: 'primary' }, 'Grant access');
  const form = h(
    'form',
    { class: 'stack', 'data-testid': 'grant-access' },
    field({ name: 'grantee', label: 'Grant to', required: true, options: granteeOptions }),
    field({ name: 'other', label: 'Other grantee account', hint: 'Only if "Another account" is chosen: a registered doctor or hospital.' }),
    field({ name: 'otherKind', label: 'Other grantee is a', options: [{ value: 'Doctor', label: 'Doctor' }, { value: 'Hospital', label: 'Hospital' }] }),
    h('div', { class: 'field' }, h('label', { for: scopeId }, 'Which records'), scopeSelect),
    categoryField,
    recordsField,
    field({ name: 'right', label: 'Right', options: [{ value: 'Read', label: 'Read' }, { value: 'ReadWrite', label: 'Read and write (add records)' }] }),
    field({ name: 'expires', label: 'Expires at block (optional)', type: 'number', hint: `Leave empty for no expiry. The chain is at block #${best}; the grant stops working at that block.` }),
    h('div', { class: 'actions' }, btn),
    out,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void (async () => {
      btn.disabled = true;
      out.replaceChildren(notice('info', 'Working…'));
      try {
        const v = values(form);
        let grantee: Record<string, string>;
        if (v.grantee === 'other') grantee = { [v.otherKind]: normaliseAddress(api, v.other) };
        else {
          const [kind, account] = v.grantee.split(':');
          grantee = { [kind]: account };
        }
        let scope: unknown = 'All';
        if (v.scope === 'Category') scope = { Category: v.category };
        if (v.scope === 'Records') {
          const ids = v.records.split(/[\s,;]+/).filter(Boolean);
          if (ids.length === 0 || ids.some((x) => !/^\d+$/.test(x))) throw new Error('List record ids as whole numbers separated by commas.');
          scope = { Records: [...new Set(ids.map(Number))].sort((a, b) => a - b) };
        }
        const expires = v.expires ? Number(v.expires) : null;
        await submit(api, api.tx.ehrAccess.grantAccess(patient, grantee, scope as never, v.right, expires), actor);
        out.replaceChildren(notice('success', 'Access granted', expires ? `Until block #${expires}.` : 'Until you revoke it.'));
        void ctx.refresh();
      } catch (e) {
        out.replaceChildren(errorNotice(e));
      } finally {
        btn.disabled = false;
      }
    })();
  });

  return h(
    'div',
    { class: 'screen' },
    h('h2', { class: 'screen-title' }, sameAccount(patient, actor.address) ? 'Consent' : h('span', {}, 'Consent of patient ', addr(patient))),
    card('Grants', 'Who may open your records. A lapsed grant works no more; revoking it returns its deposit.', table('Consent grants', ['Grant', 'Grantee', 'Scope', 'Right', 'State', 'Action'], rows, 'No grant: only you, your guardians and the authors of records can read them.')),
    card('Grant access', undefined, form),
    card('Live emergency access', `Break-glass sessions doctors opened for this patient. You may close one early: that doctor then cannot open another for ${cooldownText(api)}, while other doctors still can in an emergency.`, table('Emergency sessions', ['Doctor', 'Reason', 'Opened', 'Until block', 'Action'], sessionRows, 'None.')),
  );
}

export { errorNotice };

// The chain's cool-down after a patient or guardian closes a doctor's emergency session, in hours.
function cooldownText(api: Ctx['api']): string {
  const blocks = Number(api.consts.ehrAccess.emergencyCooldown.toString());
  // Aura's slot is twice the timestamp pallet's minimum period.
  const blockMs = 2 * Number(api.consts.timestamp.minimumPeriod.toString());
  const hours = (blocks * blockMs) / 3_600_000;
  return hours >= 1 ? `${Math.round(hours)} hours` : `${blocks} blocks`;
}
