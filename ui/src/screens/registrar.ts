// Registrar (a member of the Registrars collective): hospitals and custodians. Each action is
// this member's approval of a motion, done once two thirds of the registrars approve it.
import type { Ctx } from '../app';
import { approve, motionText } from '../chain/registrar';
import { hospitals, custodians, normaliseAddress } from '../chain/queries';
import { h, actionForm, field, card, table, addr, actionButton, notice } from '../ui/dom';

const specs = (s: string) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

export async function registrarScreen(ctx: Ctx): Promise<HTMLElement> {
  const { api, actor } = ctx;
  const act = async (call: Parameters<typeof approve>[1], done: string) => motionText(await approve(api, call, actor), done);
  const [hs, cs] = await Promise.all([hospitals(api), custodians(api)]);

  const hospitalRows = hs.map((x) => {
    const out = h('div', { class: 'outcome', 'aria-live': 'polite' });
    const suspend = x.status === 'Active';
    return [
      h('strong', {}, x.name),
      addr(x.account),
      x.address,
      x.specialities.join(', '),
      h('span', { class: `status ${x.status.toLowerCase()}` }, x.status),
      String(x.doctors),
      [
        actionButton(
          suspend ? 'Suspend' : 'Reinstate',
          out,
          async () => {
            const call = api.tx.ehrAccess.setHospitalStatus(x.account, suspend ? 'Suspended' : 'Active');
            return act(call, `${x.name} is ${suspend ? 'suspended' : 'active again'}.`);
          },
          { danger: suspend, after: () => void ctx.refresh(), ariaLabel: `${suspend ? 'Suspend' : 'Reinstate'} ${x.name}` },
        ),
        out,
      ],
    ];
  });

  const custodianRows = cs.map((c) => {
    const out = h('div', { class: 'outcome', 'aria-live': 'polite' });
    const suspend = c.status === 'Active';
    return [
      addr(c.account),
      h('code', {}, c.endpoint),
      h('span', { class: `status ${c.status.toLowerCase()}` }, c.status),
      [
        actionButton(
          suspend ? 'Suspend' : 'Reinstate',
          out,
          async () => {
            const call = api.tx.shamirArchive.setCustodianStatus(c.account, suspend ? 'Suspended' : 'Active');
            return act(call, `Custodian ${suspend ? 'suspended' : 'reinstated'}.`);
          },
          { danger: suspend, after: () => void ctx.refresh(), ariaLabel: `${suspend ? 'Suspend' : 'Reinstate'} custodian ${c.endpoint}` },
        ),
        out,
      ],
    ];
  });

  return h(
    'div',
    { class: 'screen' },
    h('h2', { class: 'screen-title' }, 'Registrar'),
    notice(
      'info',
      'You are one of the registrars.',
      'Each action here is your approval: it is done once two thirds of the registrars have approved the same action, and the chain still checks it and names any refusal.',
    ),
    card('Hospitals', undefined, table('Registered hospitals', ['Name', 'Account', 'Address', 'Specialities', 'Status', 'Doctors', 'Action'], hospitalRows, 'No hospital is registered yet.')),
    actionForm({
      title: 'Register a hospital',
      testid: 'register-hospital',
      fields: [
        field({ name: 'account', label: "Administrator's account", required: true, hint: 'SS58 address of the hospital administrator.' }),
        field({ name: 'name', label: 'Name', required: true }),
        field({ name: 'address', label: 'Postal address' }),
        field({ name: 'specialities', label: 'Specialities', hint: 'Separated by commas.' }),
      ],
      submit: 'Register hospital',
      run: async (v) => {
        const account = normaliseAddress(api, v.account);
        return act(api.tx.ehrAccess.registerHospital(account, v.name, v.address, specs(v.specialities)), `${v.name} is registered.`);
      },
      after: () => void ctx.refresh(),
    }),
    hs.length === 0 ? null : actionForm({
      title: "Update a hospital's profile",
      testid: 'update-hospital',
      fields: [
        field({ name: 'account', label: 'Hospital', required: true, options: hs.map((x) => ({ value: x.account, label: x.name })) }),
        field({ name: 'name', label: 'Name', required: true }),
        field({ name: 'address', label: 'Postal address' }),
        field({ name: 'specialities', label: 'Specialities', hint: 'Separated by commas.' }),
      ],
      submit: 'Update profile',
      run: async (v) => {
        return act(api.tx.ehrAccess.updateHospital(v.account, v.name, v.address, specs(v.specialities)), 'Profile updated.');
      },
      after: () => void ctx.refresh(),
    }),
    card('Custodians', 'Custody nodes that keep the encrypted pieces of records.', table('Custodians', ['Account', 'Endpoint', 'Status', 'Action'], custodianRows, 'No custodian is registered yet: records cannot be stored.')),
    actionForm({
      title: 'Register a custodian',
      testid: 'register-custodian',
      description: "The page asks the custody node for its account and keys (GET /custody/v1/status), then registers them, as `ehr custodian register <url>` does.",
      fields: [field({ name: 'endpoint', label: 'Custody URL', required: true, type: 'url', value: 'http://127.0.0.1:9955', hint: 'The URL clients reach the custody node at.' })],
      submit: 'Register custodian',
      run: async (v) => {
        const endpoint = v.endpoint.replace(/\/+$/, '');
        let status: { custodian: string; receiptKey: string; x25519Public: string };
        try {
          const res = await fetch(`${endpoint}/custody/v1/status`);
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          status = await res.json();
        } catch (e) {
          throw new Error(`The custody node at ${endpoint} did not answer its status (${e instanceof Error ? e.message : String(e)}).`);
        }
        const call = api.tx.shamirArchive.registerCustodian(status.custodian, endpoint, status.x25519Public, status.receiptKey);
        return act(call, `Custodian at ${endpoint} is registered.`);
      },
      after: () => void ctx.refresh(),
    }),
  );
}
