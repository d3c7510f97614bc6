// The transaction progress widget: every transaction's phases, signing → ready → in block →
// finalised (or the failure), in a live region at the bottom of the page.
import { onAnyTx, type TxStatus } from '../chain/tx';
import { h } from './dom';

const STEPS: { phase: TxStatus['phase']; label: string }[] = [
  { phase: 'signing', label: 'Signing' },
  { phase: 'ready', label: 'Sent' },
  { phase: 'inBlock', label: 'In block' },
  { phase: 'finalized', label: 'Finalised' },
];
const ORDER: Record<string, number> = { signing: 0, ready: 1, broadcast: 1, inBlock: 2, finalized: 3 };

export function txWidget(): HTMLElement {
  const list = h('ol', { class: 'tx-list' });
  const root = h('aside', { class: 'tx-widget', 'aria-label': 'Transactions', 'aria-live': 'polite', 'data-testid': 'tx-widget' }, list);
  const items = new Map<number, { el: HTMLElement; reached: number }>();
  onAnyTx((id, s) => {
    let item = items.get(id);
    if (!item) {
      item = { el: h('li', { class: 'tx' }), reached: -1 };
      items.set(id, item);
      list.prepend(item.el);
      while (list.children.length > 3) list.lastElementChild?.remove();
      root.classList.add('has-tx');
    }
    root.dataset.count = String(id);
    root.dataset.lastPhase = s.phase;
    root.dataset.lastLabel = s.label;
    if (s.phase in ORDER) item.reached = Math.max(item.reached, ORDER[s.phase]);
    const failed = s.phase === 'failed' || s.phase === 'rejected';
    // A finalised transaction leaves the screen after a while; a failure stays until the next ones push it out.
    if (s.phase === 'finalized') {
      const el = item.el;
      setTimeout(() => el.remove(), 8000);
    }
    item.el.dataset.phase = s.phase;
    item.el.replaceChildren(
      h('div', { class: 'tx-label' }, h('code', {}, s.label), s.blockNumber !== undefined ? ` · block #${s.blockNumber}` : ''),
      h(
        'ol',
        { class: 'tx-steps', 'aria-label': 'Progress' },
        STEPS.map((step, i) =>
          h(
            'li',
            { class: i <= item!.reached ? 'done' : failed && i === item!.reached + 1 ? 'fail' : '' },
            step.label,
            i <= item!.reached ? h('span', { class: 'sr-only' }, ' (done)') : '',
          ),
        ),
      ),
      ...(failed ? [h('p', { class: 'tx-fail' }, s.phase === 'rejected' ? 'Signature rejected: ' : 'Failed: ', s.message ?? '')] : []),
    );
  });
  return root;
}
