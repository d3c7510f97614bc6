import './style.css';
import { connect, followHead, nodeUrl, setNodeUrl, DEFAULT_NODE, type Head } from './chain/connection';
import { roles as detectRoles, Names, type Roles } from './chain/queries';
import { devActors, extensionActors, isDevChain, rememberSelected, rememberedSelected, type Actor } from './wallet/index';
import { h, notice, addr, errorNotice } from './ui/dom';
import { txWidget } from './ui/progress';
import type { Ctx, Screen } from './app';
import { registrarScreen } from './screens/registrar';
import { hospitalScreen } from './screens/hospital';
import { doctorScreen } from './screens/doctor';
import { invitationScreen } from './screens/invitation';
import { patientScreen, newcomerScreen } from './screens/patient';
import { consentScreen } from './screens/consent';
import { auditScreen } from './screens/audit';
import { guardianScreen } from './screens/guardian';

const app = document.getElementById('app')!;

interface Tab {
  id: string;
  label: string;
  screen: Screen;
}

function tabsFor(r: Roles): Tab[] {
  const tabs: Tab[] = [];
  if (r.registrar) tabs.push({ id: 'registrar', label: 'Registrar', screen: registrarScreen });
  if (r.hospital) tabs.push({ id: 'hospital', label: 'Hospital', screen: hospitalScreen });
  if (r.doctor) tabs.push({ id: 'doctor', label: 'Doctor', screen: doctorScreen });
  if (r.patient) {
    tabs.push({ id: 'patient', label: 'My records', screen: patientScreen });
    tabs.push({ id: 'consent', label: 'Consent', screen: (c) => consentScreen(c, c.actor.address) });
    tabs.push({ id: 'audit', label: 'Audit trail', screen: (c) => auditScreen(c, c.actor.address) });
  }
  if (r.guardianOf.length > 0) tabs.push({ id: 'guardian', label: 'Guardian', screen: guardianScreen });
  if (r.invitation && !r.doctor) tabs.push({ id: 'invitation', label: 'Doctor invitation', screen: invitationScreen });
  if (!r.patient && !r.hospital && !r.doctor) tabs.push({ id: 'welcome', label: 'Become a patient', screen: newcomerScreen });
  return tabs;
}

function roleBadges(r: Roles): HTMLElement {
  const badges: (HTMLElement | string)[] = [];
  const b = (t: string, cls = '') => h('li', { class: `badge ${cls}` }, t);
  if (r.registrar) badges.push(b('registrar'));
  if (r.hospital) badges.push(b(`hospital: ${r.hospital.name}${r.hospital.status === 'Suspended' ? ' (suspended)' : ''}`, r.hospital.status === 'Suspended' ? 'warn' : ''));
  if (r.doctor)
    badges.push(
      b(`doctor: ${r.doctor.name}, ${r.doctorHospital?.name ?? 'unknown hospital'} (${r.doctor.status === 'Active' ? 'active' : 'suspended'})`, r.doctor.status === 'Suspended' ? 'warn' : ''),
    );
  if (r.custodian) badges.push(b(`custodian (${r.custodian.status.toLowerCase()})`));
  if (r.patient) badges.push(b(`patient #${r.patient.id}`));
  if (r.guardianOf.length) badges.push(b(`guardian of ${r.guardianOf.length} patient${r.guardianOf.length > 1 ? 's' : ''}`));
  if (r.proposal && !r.patient) badges.push(b('proposed as a patient'));
  if (r.invitation && !r.doctor) badges.push(b('invited as a doctor'));
  if (badges.length === 0) badges.push(b('no role yet', 'none'));
  return h('ul', { class: 'badges', 'aria-label': 'Roles of the selected account', 'data-testid': 'roles' }, badges);
}

async function start(): Promise<void> {
  const url = nodeUrl();
  const headInfo = h('div', { class: 'chain-info', 'data-testid': 'chain-info', 'aria-live': 'off' }, `Connecting to ${url}…`);
  const nodeForm = h(
    'form',
    { class: 'node-form' },
    h('label', { for: 'node-url' }, 'Node'),
    h('input', { id: 'node-url', name: 'node', type: 'url', value: url, autocomplete: 'off', spellcheck: 'false' }),
    h('button', { type: 'submit', class: 'secondary' }, 'Connect'),
  );
  nodeForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = (nodeForm.elements.namedItem('node') as HTMLInputElement).value.trim() || DEFAULT_NODE;
    setNodeUrl(v);
    const u = new URL(location.href);
    u.searchParams.delete('node');
    location.href = u.toString();
  });
  const accountSlot = h('div', { class: 'account-slot' });
  const roleSlot = h('div', { class: 'role-slot' });
  const nav = h('nav', { class: 'tabs', 'aria-label': 'Screens' });
  const main = h('main', { id: 'main', tabindex: '-1' });
  app.replaceChildren(
    h(
      'header',
      { class: 'top' },
      h('div', { class: 'brand' }, h('h1', {}, 'ehr-chain'), headInfo),
      h('details', { class: 'settings' }, h('summary', {}, 'Node settings'), nodeForm),
      accountSlot,
      roleSlot,
      nav,
    ),
    main,
    txWidget(),
  );

  let conn;
  try {
    conn = await connect(url);
  } catch (e) {
    headInfo.textContent = 'Not connected';
    main.replaceChildren(errorNotice(e), h('p', {}, 'Change the node address under "Node settings" above.'));
    (app.querySelector('details.settings') as HTMLDetailsElement).open = true;
    return;
  }
  const { api, chain } = conn;
  const head: Head = { best: 0, finalized: 0 };
  const renderHead = () =>
    headInfo.replaceChildren(
      h('span', { 'data-testid': 'chain-name' }, chain),
      ' · best ',
      h('strong', { 'data-testid': 'best' }, `#${head.best}`),
      ' · finalised ',
      h('strong', { 'data-testid': 'finalized' }, `#${head.finalized}`),
    );
  await followHead(api, (hd) => {
    Object.assign(head, hd);
    renderHead();
  });
  api.on('disconnected', () => headInfo.replaceChildren(h('span', { class: 'warn' }, `Disconnected from ${url}; reconnecting…`)));
  api.on('connected', () => renderHead());

  // Accounts: extension first, then dev accounts on a dev chain.
  const [ext, dev] = await Promise.all([
    extensionActors(api).catch(() => ({ actors: [] as Actor[], wallets: [] as string[] })),
    isDevChain(api).then((isDev) => (isDev ? devActors(api) : [])),
  ]);
  // An account the wallet holds is offered once, as the wallet's.
  const devOnly = dev.filter((d) => !ext.actors.some((a) => a.address === d.address));
  const actors: Actor[] = [...ext.actors, ...devOnly];
  if (actors.length === 0) {
    main.replaceChildren(
      notice('warning', 'No account', 'Install the Polkadot.js extension (or Talisman, SubWallet), create an account and allow this page to see it, then reload.'),
    );
    return;
  }
  const remembered = rememberedSelected();
  let actor = actors.find((a) => a.address === remembered) ?? actors[0];
  const names = new Names(api);
  let roles: Roles = await detectRoles(api, actor.address);
  let current = new URLSearchParams(location.hash.slice(1)).get('screen') ?? '';

  const select = h(
    'select',
    { id: 'account', 'data-testid': 'account' },
    ext.actors.length
      ? h('optgroup', { label: `Wallet${ext.wallets.length ? ` (${ext.wallets.join(', ')})` : ''}` }, ext.actors.map((a) => h('option', { value: a.address }, `${a.name} · ${a.address.slice(0, 6)}…${a.address.slice(-4)}`)))
      : null,
    devOnly.length
      ? h('optgroup', { label: 'Dev accounts (development chain only)' }, devOnly.map((a) => h('option', { value: a.address }, `${a.name} (dev account) · ${a.address.slice(0, 6)}…`)))
      : null,
  ) as HTMLSelectElement;
  select.value = actor.address;
  const accountAddr = h('span', { class: 'account-addr' });
  accountSlot.replaceChildren(h('label', { for: 'account' }, 'Account'), select, accountAddr);

  let renderSeq = 0;
  const render = async () => {
    const seq = ++renderSeq;
    accountAddr.replaceChildren(addr(actor.address), actor.source === 'dev' ? h('span', { class: 'badge dev' }, 'dev account') : h('span', { class: 'badge' }, actor.wallet ?? 'extension'));
    roleSlot.replaceChildren(roleBadges(roles));
    const tabs = tabsFor(roles);
    if (!tabs.find((t) => t.id === current)) current = tabs[0]?.id ?? '';
    nav.replaceChildren(
      h(
        'ul',
        {},
        tabs.map((t) =>
          h(
            'li',
            {},
            h(
              'a',
              {
                href: `#screen=${t.id}`,
                'aria-current': t.id === current ? 'page' : undefined,
                'data-screen': t.id,
                onclick: (e: Event) => {
                  e.preventDefault();
                  current = t.id;
                  history.replaceState(null, '', `#screen=${t.id}`);
                  void render().then(() => main.focus());
                },
              },
              t.label,
            ),
          ),
        ),
      ),
    );
    const tab = tabs.find((t) => t.id === current);
    if (!tab) return;
    main.setAttribute('aria-busy', 'true');
    const ctx: Ctx = { api, actor, actors, roles, head, names, refresh };
    try {
      const el = await tab.screen(ctx);
      if (seq !== renderSeq) return;
      el.dataset.screen = tab.id;
      main.replaceChildren(el);
    } catch (e) {
      if (seq !== renderSeq) return;
      main.replaceChildren(errorNotice(e));
    } finally {
      if (seq === renderSeq) {
        main.removeAttribute('aria-busy');
        document.body.dataset.renders = String(Number(document.body.dataset.renders ?? 0) + 1);
      }
    }
  };
  async function refresh(): Promise<void> {
    names.clear();
    roles = await detectRoles(api, actor.address);
    await render();
  }
  select.addEventListener('change', () => {
    actor = actors.find((a) => a.address === select.value)!;
    rememberSelected(actor.address);
    current = '';
    void refresh();
  });
  await render();
  document.body.dataset.ready = 'true';
}

void start();
