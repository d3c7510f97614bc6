// Small DOM helpers: elements, labelled fields, forms whose submit runs an action and shows its
// outcome (success, or the error in plain words) in a live region beside it.
import { describeError } from '../chain/tx';

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | EventListener | undefined | null>;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v as EventListener);
    else if (k === 'class') el.className = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false || c === '') continue;
    el.append(c instanceof Node ? c : String(c));
  }
  return el;
}

let uid = 0;
export const newId = (p = 'f') => `${p}-${++uid}`;

export interface FieldOpts {
  name: string;
  label: string;
  type?: string;
  value?: string;
  required?: boolean;
  hint?: string;
  placeholder?: string;
  options?: { value: string; label: string }[];
  multiline?: boolean;
  min?: number;
  autocomplete?: string;
  accept?: string;
}

/** A labelled input, select or textarea (with an optional hint tied by aria-describedby). */
export function field(o: FieldOpts): HTMLElement {
  const id = newId(o.name);
  const hintId = o.hint ? `${id}-hint` : undefined;
  let control: HTMLElement;
  if (o.options) {
    control = h(
      'select',
      { id, name: o.name, required: o.required, 'aria-describedby': hintId },
      o.options.map((opt) => h('option', { value: opt.value, selected: opt.value === o.value }, opt.label)),
    );
  } else if (o.multiline) {
    control = h('textarea', { id, name: o.name, required: o.required, rows: 3, 'aria-describedby': hintId, placeholder: o.placeholder }, o.value ?? '');
  } else {
    control = h('input', {
      id,
      name: o.name,
      type: o.type ?? 'text',
      value: o.value,
      required: o.required,
      placeholder: o.placeholder,
      min: o.min,
      accept: o.accept,
      autocomplete: o.autocomplete ?? 'off',
      'aria-describedby': hintId,
      spellcheck: o.type ? undefined : 'false',
    });
  }
  return h(
    'div',
    { class: 'field' },
    h('div', { class: 'label-row' }, h('label', { for: id }, o.label), o.required ? h('span', { class: 'req', 'aria-hidden': 'true' }, '*') : null),
    control,
    o.hint ? h('p', { class: 'hint', id: hintId }, o.hint) : null,
  );
}

export function checkbox(name: string, label: string, checked = false): HTMLElement {
  const id = newId(name);
  return h('div', { class: 'check' }, h('input', { type: 'checkbox', id, name, checked }), h('label', { for: id }, label));
}

export function values(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  for (const el of Array.from(form.elements) as HTMLInputElement[]) {
    if (!el.name) continue;
    if (el.type === 'checkbox') out[el.name] = el.checked ? 'true' : '';
    else if (el.type === 'file') continue;
    else out[el.name] = el.value.trim();
  }
  return out;
}

/** A notice: `kind` success, error, warning or info. */
export function notice(kind: 'success' | 'error' | 'warning' | 'info', title: string, text?: string | Node): HTMLElement {
  return h(
    'div',
    { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('strong', {}, title),
    text ? h('div', {}, text) : null,
  );
}

export function errorNotice(e: unknown): HTMLElement {
  const d = describeError(e);
  const n = notice('error', d.title, d.text);
  if (d.code) n.dataset.error = d.code;
  return n;
}

/**
 * A form card: the fields, a submit button and an outcome region. `run` gets the form's values
 * and returns a success message (or a node); a thrown error is shown as the chain's own error.
 */
export function actionForm(opts: {
  title?: string;
  description?: string | Node;
  fields: (HTMLElement | null)[];
  submit: string;
  danger?: boolean;
  testid?: string;
  run: (v: Record<string, string>, form: HTMLFormElement) => Promise<string | Node | void>;
  after?: () => void;
}): HTMLElement {
  const out = h('div', { class: 'outcome', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: opts.danger ? 'danger' : 'primary' }, opts.submit);
  const form = h('form', { class: 'stack', novalidate: false, 'data-testid': opts.testid }, ...opts.fields, h('div', { class: 'actions' }, button), out);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void (async () => {
      button.disabled = true;
      form.setAttribute('aria-busy', 'true');
      out.replaceChildren(notice('info', 'Working…'));
      try {
        const msg = await opts.run(values(form), form);
        out.replaceChildren(notice('success', 'Done', msg ?? undefined));
        opts.after?.();
      } catch (e) {
        out.replaceChildren(errorNotice(e));
      } finally {
        button.disabled = false;
        form.removeAttribute('aria-busy');
      }
    })();
  });
  return card(opts.title, opts.description, form);
}

export function card(title?: string, description?: string | Node, ...body: Child[]): HTMLElement {
  const headingId = title ? newId('h') : undefined;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': headingId },
    title ? h('h2', { id: headingId }, title) : null,
    description ? (typeof description === 'string' ? h('p', { class: 'muted' }, description) : description) : null,
    ...body,
  );
}

/** A button that runs `run` and puts the outcome in `out`. */
export function actionButton(
  label: string,
  out: HTMLElement,
  run: () => Promise<string | Node | void>,
  opts: { danger?: boolean; after?: () => void; ariaLabel?: string; secondary?: boolean } = {},
): HTMLButtonElement {
  const b = h('button', { type: 'button', class: opts.danger ? 'danger' : opts.secondary ? 'secondary' : 'primary', 'aria-label': opts.ariaLabel }, label);
  b.addEventListener('click', () => {
    void (async () => {
      b.disabled = true;
      out.replaceChildren(notice('info', 'Working…'));
      try {
        const msg = await run();
        out.replaceChildren(notice('success', 'Done', msg ?? undefined));
        opts.after?.();
      } catch (e) {
        out.replaceChildren(errorNotice(e));
      } finally {
        b.disabled = false;
      }
    })();
  });
  return b;
}

/** A responsive table: on narrow screens each row becomes a card with labelled cells. */
export function table(caption: string, headers: string[], rows: (Child | Child[])[][], empty = 'Nothing yet.'): HTMLElement {
  if (rows.length === 0) return h('p', { class: 'muted empty' }, empty);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('caption', { class: 'sr-only' }, caption),
      h('thead', {}, h('tr', {}, headers.map((t) => h('th', { scope: 'col' }, t)))),
      h(
        'tbody',
        {},
        rows.map((r) => h('tr', {}, r.map((c, i) => h('td', { 'data-label': headers[i] }, ...(Array.isArray(c) ? c : [c]))))),
      ),
    ),
  );
}

export function shortAddress(a: string): string {
  return a.length > 16 ? `${a.slice(0, 6)}…${a.slice(-6)}` : a;
}

/** An address shown short, with the full address as its accessible title. */
export function addr(a: string, name?: string): HTMLElement {
  return h('span', { class: 'addr', title: a }, name ? `${name} ` : '', h('code', {}, shortAddress(a)));
}

export function formatDate(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms === 0) return '—';
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
}

export function progressBar(label: string): { el: HTMLElement; set: (phase: string, done?: number, total?: number) => void } {
  const id = newId('p');
  const bar = h('progress', { id, max: 100, value: 0 }) as HTMLProgressElement;
  const text = h('span', { class: 'progress-text' }, 'waiting');
  const el = h('div', { class: 'progress' }, h('label', { for: id }, label), bar, text);
  return {
    el,
    set(phase, done, total) {
      if (total && total > 0 && done !== undefined) {
        bar.value = Math.round((done / total) * 100);
        text.textContent = `${phase}: ${Math.round((done / total) * 100)}%`;
      } else {
        if (phase === 'done') bar.value = 100;
        else bar.removeAttribute('value');
        text.textContent = phase;
      }
    },
  };
}
