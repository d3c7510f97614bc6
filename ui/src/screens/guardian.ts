// Guardian: for each patient they guard, the consent manager, the records and the audit trail.
import type { Ctx } from '../app';
import { h, card, addr, newId } from '../ui/dom';
import { consentScreen } from './consent';
import { auditScreen } from './audit';
import { recordsTable } from './patient';

export async function guardianScreen(ctx: Ctx): Promise<HTMLElement> {
  const patients = ctx.roles.guardianOf;
  const selId = newId('patient');
  const stored = sessionStorage.getItem('ehr.guarded');
  const select = h(
    'select',
    { id: selId, 'data-testid': 'guarded-patient' },
    await Promise.all(patients.map(async (p) => h('option', { value: p, selected: p === stored }, p))),
  ) as HTMLSelectElement;
  const body = h('div', { class: 'stack' });
  const show = async () => {
    const p = select.value;
    sessionStorage.setItem('ehr.guarded', p);
    body.setAttribute('aria-busy', 'true');
    const [consent, records, audit] = await Promise.all([consentScreen(ctx, p), recordsTable(ctx, p, true), auditScreen(ctx, p)]);
    body.replaceChildren(card('Records', undefined, records), consent, audit);
    body.removeAttribute('aria-busy');
  };
  select.addEventListener('change', () => void show());
  await show();
  return h(
    'div',
    { class: 'screen' },
    h('h2', { class: 'screen-title' }, 'Guardian'),
    card(
      'Patient',
      h('p', { class: 'muted' }, 'You manage consent for these patients and may read their records. ', addr(ctx.actor.address, 'You are')),
      h('div', { class: 'field' }, h('label', { for: selId }, 'Patient you guard'), select),
    ),
    body,
  );
}
