// Patient: registration (confirming a proposal), demographics, guardians, own records.
import type { Ctx } from '../app';
import { submit } from '../chain/tx';
import { patientRecords, normaliseAddress, blockTime } from '../chain/queries';
import { h, actionForm, field, card, table, addr, actionButton, notice, formatDate } from '../ui/dom';
import { demographicsCard, addRecordCard, readInto } from './records-ui';

export async function newcomerScreen(ctx: Ctx): Promise<HTMLElement> {
  const { api, actor, roles } = ctx;
  const proposer = roles.proposal ? await ctx.names.of(roles.proposal.doctor) : undefined;
  return h(
    'div',
    { class: 'screen' },
    h('h2', { class: 'screen-title' }, 'Become a patient'),
    roles.proposal
      ? notice('info', 'A doctor proposed that you register', h('span', {}, 'Proposed by ', addr(roles.proposal.doctor, proposer), ` at block #${roles.proposal.proposedAt}. Registering confirms it; the proposal gives the doctor no right over you.`))
      : null,
    actionForm({
      title: 'Register as a patient',
      testid: 'register-patient',
      description: 'Your own account registers you, with a deposit held while you are registered. Nothing about you but a pseudonymous number goes on chain.',
      fields: [],
      submit: roles.proposal ? 'Confirm and register' : 'Register',
      run: async () => {
        await submit(api, api.tx.ehrAccess.registerPatient(), actor);
        return 'You are registered as a patient.';
      },
      after: () => void ctx.refresh(),
    }),
    roles.proposal
      ? actionForm({
          title: 'Decline the proposal',
          fields: [],
          submit: 'Decline',
          danger: true,
          run: async () => {
            await submit(api, api.tx.ehrAccess.withdrawPatientProposal(actor.address), actor);
            return 'Proposal withdrawn.';
          },
          after: () => void ctx.refresh(),
        })
      : null,
  );
}

/** The records of `patient` as a table with read (and, for the patient or a guardian, erase). */
export async function recordsTable(ctx: Ctx, patient: string, canErase: boolean): Promise<HTMLElement> {
  const { api, actor } = ctx;
  const records = await patientRecords(api, patient);
  const reader = h('div', { class: 'outcome', 'aria-live': 'polite', 'data-testid': 'record-view' });
  const rows = await Promise.all(
    records.map(async (r) => {
      const out = h('div', { class: 'outcome', 'aria-live': 'polite' });
      const author = (await ctx.names.of(r.author)) ?? (r.author === patient ? 'the patient' : undefined);
      const readBtn = h('button', { type: 'button', class: 'secondary', 'aria-label': `Read record ${r.id}` }, 'Read');
      readBtn.addEventListener('click', () => void readInto(ctx, r.id, reader));
      return [
        `#${r.id}`,
        r.category,
        addr(r.author, author),
        formatDate(await blockTime(api, r.createdAt)),
        r.supersedes !== null ? `amends #${r.supersedes}` : '',
        r.erasedAt !== null ? h('span', { class: 'status suspended' }, `erased at #${r.erasedAt}`) : `${r.size} B, ${r.k} of ${r.n}`,
        r.erasedAt !== null
          ? ''
          : [
              h(
                'div',
                { class: 'row-actions' },
                readBtn,
                canErase
                  ? actionButton(
                      'Erase',
                      out,
                      async () => {
                        await submit(api, api.tx.shamirArchive.erase(r.id), actor);
                        return `Record ${r.id} is erased; custodians delete its pieces.`;
                      },
                      { danger: true, after: () => void ctx.refresh(), ariaLabel: `Erase record ${r.id}` },
                    )
                  : null,
              ),
              out,
            ],
      ];
    }),
  );
  return h('div', {}, table('Records', ['Record', 'Category', 'Author', 'Added', 'Amends', 'Stored', 'Actions'], rows, 'No record yet.'), reader);
}

export async function patientScreen(ctx: Ctx): Promise<HTMLElement> {
  const { api, actor, roles } = ctx;
  const me = roles.patient!;
  const guardianRows = me.guardians.map((g) => {
    const out = h('div', { class: 'outcome', 'aria-live': 'polite' });
    return [
      addr(g),
      [
        actionButton(
          'Remove',
          out,
          async () => {
            await submit(api, api.tx.ehrAccess.removeGuardian(g), actor);
            return 'Guardian removed.';
          },
          { danger: true, after: () => void ctx.refresh(), ariaLabel: `Remove guardian ${g}` },
        ),
        out,
      ],
    ];
  });
  return h(
    'div',
    { class: 'screen' },
    h('h2', { class: 'screen-title' }, `Patient #${me.id}`),
    card('My records', 'Every record about you. Reading one is on your own audit trail too.', await recordsTable(ctx, actor.address, true)),
    demographicsCard(ctx),
    card('Guardians', 'A guardian manages consent for you and may read your records; they cannot author records.', table('Guardians', ['Guardian', 'Action'], guardianRows, 'No guardian.')),
    actionForm({
      title: 'Name a guardian',
      testid: 'add-guardian',
      fields: [field({ name: 'guardian', label: "Guardian's account", required: true })],
      submit: 'Add guardian',
      run: async (v) => {
        await submit(api, api.tx.ehrAccess.addGuardian(normaliseAddress(api, v.guardian)), actor);
        return 'Guardian added.';
      },
      after: () => void ctx.refresh(),
    }),
    addRecordCard(ctx, { patient: actor.address, title: 'Add a record yourself', testid: 'patient-add-record' }),
  );
}
