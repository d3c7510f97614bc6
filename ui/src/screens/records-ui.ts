// Adding and reading records through the records pipeline (ui/src/records), with progress bars,
// the chain's permission check first, and the read record shown readably and as a file.
import type { Ctx } from '../app';
import { addRecord, readRecord, validateRecord, type RecordProgress } from '../records/index';
import { canAccess, canWrite, decisionText, normaliseAddress } from '../chain/queries';
import { RECORD_KINDS, DEMOGRAPHICS, type RecordKind } from '../fhir/forms';
import { h, field, card, values, notice, errorNotice, progressBar, newId } from '../ui/dom';

const PHASES: Record<RecordProgress['phase'], string> = {
  validating: 'Checking the FHIR resource',
  encoding: 'Encrypting and encoding',
  uploading: 'Sending pieces to custodians',
  signing: 'Signing',
  anchoring: 'Anchoring on chain',
  opening: 'Asking the chain for access',
  downloading: 'Fetching pieces',
  decoding: 'Checking and decrypting',
  done: 'Done',
};

/**
 * The add-record card. `patient` fixed (a patient's own records) or chosen in the form (a doctor);
 * `kinds` the forms offered; a file upload is always offered too.
 */
export function addRecordCard(ctx: Ctx, opts: { patient?: string; kinds?: RecordKind[]; title?: string; testid?: string }): HTMLElement {
  const { api, actor } = ctx;
  const kinds = opts.kinds ?? RECORD_KINDS;
  const kindId = newId('kind');
  const kindSelect = h(
    'select',
    { id: kindId, name: 'kind' },
    kinds.map((k) => h('option', { value: k.id }, k.label)),
    h('option', { value: 'file' }, 'Upload a FHIR JSON file'),
  ) as HTMLSelectElement;
  const dynamic = h('div', { class: 'stack' });
  const fileId = newId('file');
  const fileInput = h('input', { type: 'file', id: fileId, name: 'file', accept: '.json,application/json,application/fhir+json' }) as HTMLInputElement;
  const renderKind = () => {
    const k = kinds.find((x) => x.id === kindSelect.value);
    if (!k) {
      dynamic.replaceChildren(h('div', { class: 'field' }, h('label', { for: fileId }, 'FHIR R4 JSON file (a resource, or a Bundle of one category)'), fileInput));
      return;
    }
    dynamic.replaceChildren(...k.fields.map((f) => field({ ...f })));
  };
  kindSelect.addEventListener('change', renderKind);
  renderKind();
  const bar = progressBar('Record');
  bar.el.hidden = true;
  const out = h('div', { class: 'outcome', 'aria-live': 'polite' });
  const submitBtn = h('button', { type: 'submit', class: 'primary' }, 'Add record');
  const form = h(
    'form',
    { class: 'stack', 'data-testid': opts.testid ?? 'add-record' },
    opts.patient ? null : field({ name: 'patient', label: "Patient's account", required: true }),
    h('div', { class: 'field' }, h('label', { for: kindId }, 'Record part'), kindSelect),
    dynamic,
    field({ name: 'supersedes', label: 'Amends record (optional)', type: 'number', min: 0, hint: 'The id of the record this one replaces (same patient and category).' }),
    h('div', { class: 'actions' }, submitBtn),
    bar.el,
    out,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void (async () => {
      submitBtn.disabled = true;
      out.replaceChildren(notice('info', 'Checking…'));
      try {
        const v = values(form);
        const patient = opts.patient ?? normaliseAddress(api, v.patient);
        let json: string;
        const k = kinds.find((x) => x.id === v.kind);
        if (k) json = JSON.stringify(k.build(patient, v), null, 2);
        else {
          const file = fileInput.files?.[0];
          if (!file) throw new Error('Choose a FHIR JSON file first.');
          json = await file.text();
        }
        const { category } = await validateRecord(json);
        const supersedes = v.supersedes ? Number(v.supersedes) : undefined;
        const decision = await canWrite(api, actor.address, patient, category, supersedes ?? null);
        if (!decision.allowed) {
          const n = notice('error', `The chain would refuse this record: ${decision.reason}`, decisionText(decision));
          n.dataset.error = `deny.${decision.reason}`;
          out.replaceChildren(n);
          return;
        }
        out.replaceChildren(notice('info', `${decisionText(decision)}. Encrypting and storing a ${category} record…`));
        bar.el.hidden = false;
        bar.set('starting');
        const started = performance.now();
        const res = await addRecord(
          api,
          actor,
          { patient, fhirJson: json, supersedes },
          (p) => bar.set(PHASES[p.phase] ?? p.phase, p.done, p.total),
          () => {},
        );
        bar.set('done');
        out.replaceChildren(
          notice('success', `Record ${res.record} added`, `${res.category} record, archive ${res.archiveId}, in ${((performance.now() - started) / 1000).toFixed(1)} s.`),
        );
        // No re-render here: it would take the outcome away before it is read. Lists show the
        // record the next time their screen is opened.
      } catch (e) {
        out.replaceChildren(errorNotice(e));
      } finally {
        submitBtn.disabled = false;
      }
    })();
  });
  return card(opts.title ?? 'Add a record', 'Checked here, encrypted in this page and dispersed to custodians; the chain keeps only its anchor.', form);
}

export function demographicsCard(ctx: Ctx): HTMLElement {
  return addRecordCard(ctx, { patient: ctx.actor.address, kinds: [DEMOGRAPHICS], title: 'Demographics', testid: 'demographics' });
}

/** The largest record shown as text in the page, in characters. */
const SHOWN_MAX = 1 << 20;

/** Reads record `id` through the pipeline into `out`, with a progress bar. */
export async function readInto(ctx: Ctx, id: number, out: HTMLElement): Promise<void> {
  const bar = progressBar(`Record ${id}`);
  out.replaceChildren(bar.el);
  const started = performance.now();
  try {
    const res = await readRecord(ctx.api, ctx.actor, id, (p) => bar.set(PHASES[p.phase] ?? p.phase, p.done, p.total), () => {});
    bar.set('done');
    const blob = new Blob([res.json], { type: 'application/fhir+json' });
    const link = h('a', { href: URL.createObjectURL(blob), download: `record-${id}.json`, class: 'button secondary' }, `Download record ${id} (${res.resourceType}, JSON)`);
    const read = notice('success', `Record ${id}: ${res.resourceType}`, `Read in ${((performance.now() - started) / 1000).toFixed(1)} s; every piece checked against its commitment.`);
    // A large record (an attached scan, say) is offered as a file only: laying out megabytes of
    // text would freeze the page.
    if (res.json.length > SHOWN_MAX) {
      out.replaceChildren(read, link, notice('info', `${(res.json.length / 1048576).toFixed(1)} MiB: too large to show here; download it to open it.`));
      return;
    }
    let pretty = res.json;
    try {
      pretty = JSON.stringify(JSON.parse(res.json), null, 2);
    } catch {
      /* shown as it is */
    }
    out.replaceChildren(
      read,
      link,
      h('pre', { class: 'json', tabindex: '0', role: 'region', 'aria-label': `Record ${id} as FHIR JSON`, 'data-testid': 'record-json' }, pretty),
    );
  } catch (e) {
    out.replaceChildren(errorNotice(e));
  }
}

export function readRecordCard(ctx: Ctx): HTMLElement {
  const out = h('div', { class: 'outcome', 'aria-live': 'polite' });
  const check = h('div', { class: 'outcome', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'stack', 'data-testid': 'read-record' },
    field({ name: 'record', label: 'Record id', type: 'number', min: 0, required: true }),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', class: 'primary' }, 'Read record'),
      h('button', { type: 'button', class: 'secondary', 'data-action': 'check' }, 'Check access only'),
    ),
    check,
    out,
  );
  const recordId = () => {
    const v = values(form).record;
    if (v === '' || !/^\d+$/.test(v)) throw new Error('Enter a record id (a whole number).');
    return Number(v);
  };
  form.querySelector('[data-action="check"]')!.addEventListener('click', () => {
    void (async () => {
      try {
        const d = await canAccess(ctx.api, ctx.actor.address, recordId());
        const n = notice(d.allowed ? 'success' : 'error', d.allowed ? 'The chain would open it' : `The chain would refuse: ${d.reason}`, decisionText(d));
        if (!d.allowed) n.dataset.error = `deny.${d.reason}`;
        check.replaceChildren(n);
      } catch (e) {
        check.replaceChildren(errorNotice(e));
      }
    })();
  });
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void (async () => {
      check.replaceChildren();
      try {
        await readInto(ctx, recordId(), out);
      } catch (e) {
        out.replaceChildren(errorNotice(e));
      }
    })();
  });
  return card('Read a record', 'Every read asks the chain first; allowed or refused, it is on the patient\u2019s audit trail.', form);
}
