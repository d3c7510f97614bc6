// The records worker: codec and custody work off the page's thread, with the project's Rust
// crates compiled to WebAssembly (client/web). It keeps the custody session keys (their secrets
// never leave it), validates, encodes, seals and sends pieces, checks receipts, fetches and
// checks pieces and decodes; the page (index.ts) does the chain's part.
import init, {
  RecordRead,
  RecordWrite,
  Session,
  defaultThreshold,
  getPath,
  putPath,
  registrarThreshold,
  validateFhir,
} from '../wasm/ehr_web';
import type { Answer, FromWorker, PieceSource, Progress, Request, Written } from './messages';

const ready = init();
const sessions = new Map<number, Session>();
let nextSession = 1;

/** How long a reader waits for a custodian that has not yet seen its ticket finalised. */
const TICKET_PATIENCE_MS = 20_000;

self.onmessage = (event: MessageEvent<{ id: number; request: Request }>) => {
  const { id, request } = event.data;
  const progress = (p: Progress) => post({ id, progress: p });
  ready
    .then(() => handle(request, progress))
    .then(
      (answer) => post({ id, answer }, answer.op === 'read' ? [answer.payload.buffer as ArrayBuffer] : []),
      (e) => post({ id, error: { name: e?.name ?? 'Error', message: e?.message ?? String(e), field: e?.field, reason: e?.reason } }),
    );
};

function post(message: FromWorker, transfer: Transferable[] = []): void {
  (self as unknown as Worker).postMessage(message, transfer);
}

async function handle(request: Request, progress: (p: Progress) => void): Promise<Answer> {
  switch (request.op) {
    case 'validate':
      return { op: 'validate', category: validateFhir(request.json) };
    case 'registrarThreshold':
      return { op: 'registrarThreshold', threshold: registrarThreshold(request.members) };
    case 'session': {
      const session = new Session(request.genesis, request.account, request.nowMs, request.lifetimeMs);
      const id = nextSession++;
      sessions.set(id, session);
      return { op: 'session', session: id, payload: session.grantPayload(), expiresAtMs: session.expiresAtMs };
    }
    case 'grant':
      sessionOf(request.session).acceptSignature(request.signature);
      return { op: 'grant' };
    case 'write':
      return { op: 'write', written: await write(request, progress) };
    case 'read':
      return { op: 'read', ...(await read(request, progress)) };
  }
}

function sessionOf(id: number): Session {
  const session = sessions.get(id);
  if (!session) throw named('NoSession', 'The custody session ended; try again.');
  return session;
}

async function write(request: Extract<Request, { op: 'write' }>, progress: (p: Progress) => void): Promise<Written> {
  const session = sessionOf(request.session);
  const { custodians } = request;
  const n = custodians.length;
  const k = request.k || defaultThreshold(n);
  progress({ phase: 'validating' });
  progress({ phase: 'encoding' });
  const supersedes = request.supersedes === undefined ? undefined : BigInt(request.supersedes);
  const record = new RecordWrite(session, request.patient, request.json, undefined, supersedes, k, n);
  try {
    const bodies = custodians.map((c, i) => record.putBody(i, c.account, c.x25519, session));
    const sent = new Array<number>(n).fill(0);
    const total = bodies.reduce((sum, b) => sum + b.length, 0);
    progress({ phase: 'uploading', done: 0, total });
    const answers = await Promise.all(
      custodians.map(async (c, i) => {
        try {
          const { status, body } = await send(c.endpoint + putPath(), bodies[i], 'up', (loaded) => {
            sent[i] = loaded;
            progress({ phase: 'uploading', done: sum(sent), total });
          });
          const receipt = record.receipt(i, c.account, c.receiptKey, status, body);
          const kept = { signature: receipt.signature, validUntil: receipt.validUntil };
          receipt.free();
          return { receipt: kept };
        } catch (e) {
          return { refusal: `${c.endpoint}: ${(e as Error).message}` };
        }
      }),
    );
    const refusals = answers.flatMap((a) => (a.refusal ? [a.refusal] : []));
    const held = n - refusals.length;
    if (held < k) {
      throw named('TooFewReceipts', `Only ${held} of ${n} custodians kept their piece and ${k} are needed; nothing was stored. ${refusals.join('; ')}`);
    }
    return {
      category: record.category,
      archiveId: record.archiveId,
      header: {
        version: record.version,
        threshold: record.threshold,
        payloadLen: Number(record.payloadLen),
        segmentSize: record.segmentSize,
      },
      pieces: custodians.map((c, i) => ({ custodian: c.account, hash: record.pieceHash(i), receipt: answers[i].receipt })),
      refusals,
    };
  } finally {
    record.free();
  }
}

async function read(
  request: Extract<Request, { op: 'read' }>,
  progress: (p: Progress) => void,
): Promise<{ payload: Uint8Array; refusals: string[] }> {
  const session = sessionOf(request.session);
  const { k } = request;
  const record = new RecordRead(
    session,
    BigInt(request.record),
    request.patient,
    request.archiveId,
    k,
    BigInt(request.payloadLen),
    request.segmentSize,
    request.pieceHashes,
  );
  try {
    const fragment = record.fragmentLen;
    const total = fragment * k;
    const received = new Map<number, number>();
    const report = () => progress({ phase: 'downloading', done: Math.min(total, sum([...received.values()])), total });
    report();
    // `k` custodians at once; for each that fails, the next ones, until `k` pieces are good.
    const sources = request.sources.filter((s) => s.held);
    const refusals: string[] = [];
    let next = 0;
    while (record.held < k && next < sources.length) {
      const batch = sources.slice(next, next + (k - record.held));
      next += batch.length;
      await Promise.all(
        batch.map((source) =>
          fetchPiece(record, session, source, (loaded) => {
            received.set(source.index, loaded);
            report();
          }).catch((e: Error) => {
            received.delete(source.index);
            refusals.push(`piece ${source.index}${source.endpoint ? ` at ${source.endpoint}` : ''}: ${e.message}`);
          }),
        ),
      );
    }
    if (record.held < k) {
      throw named('TooFewGoodPieces', `Only ${record.held} good pieces of the ${k} needed. ${refusals.join('; ')}`);
    }
    progress({ phase: 'decoding' });
    return { payload: record.decode(), refusals };
  } finally {
    record.free();
  }
}

/** Fetches and checks `source`'s piece; a custodian that does not see the ticket yet is asked again. */
async function fetchPiece(record: RecordRead, session: Session, source: PieceSource, onLoaded: (n: number) => void): Promise<void> {
  if (!source.endpoint) throw named('NotRegistered', 'its custodian is no longer registered');
  const deadline = Date.now() + TICKET_PATIENCE_MS;
  for (;;) {
    const request = record.request(source.custodian, session, Date.now());
    try {
      const { status, body } = await send(source.endpoint + getPath(), request.body, 'down', onLoaded);
      record.accept(request, source.index, status, body);
      return;
    } catch (e) {
      if ((e as Error).name !== 'Refused.NoTicket' || Date.now() > deadline) throw e;
      await new Promise((resolve) => setTimeout(resolve, 250));
    } finally {
      request.free();
    }
  }
}

/** POSTs `body` to a custodian, reporting bytes sent (`up`) or received (`down`). */
function send(url: string, body: Uint8Array, direction: 'up' | 'down', onLoaded: (n: number) => void): Promise<{ status: number; body: Uint8Array }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.responseType = 'arraybuffer';
    xhr.timeout = 120_000;
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    const target = direction === 'up' ? xhr.upload : xhr;
    target.onprogress = (e) => onLoaded(e.loaded);
    xhr.onload = () => resolve({ status: xhr.status, body: new Uint8Array(xhr.response as ArrayBuffer) });
    xhr.onerror = () => reject(named('Unreachable', `custodian ${url} unreachable`));
    xhr.ontimeout = () => reject(named('Unreachable', `custodian ${url} did not answer in time`));
    xhr.send(body as Uint8Array<ArrayBuffer>);
  });
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}
