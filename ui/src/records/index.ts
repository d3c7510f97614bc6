// Records, end to end in the page: the chain's part here (custodians, `add_record`,
// `open_access`, the read plan, wallet prompts), the codec and custody part in the records
// worker (worker.ts: the project's Rust crates in WebAssembly). Payloads leave the page only
// encrypted, every read is decided (and audited) by the chain first, and every piece is checked
// against its on-chain commitment.
import type { ApiPromise } from '@polkadot/api';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { decodeAddress, encodeAddress } from '@polkadot/util-crypto';
import type { Actor } from '../wallet/index';
import { ChainError, SignatureRejected, submit, type TxStatus } from '../chain/tx';
import { DENY_REASONS } from '../chain/queries';
import type { Answer, CustodianKeys, FromWorker, PieceSource, Progress, Request } from './messages';

export interface RecordProgress {
  phase: Progress['phase'] | 'signing' | 'anchoring' | 'opening' | 'done';
  done?: number;
  total?: number;
}

/** Invalid FHIR: names the field. */
export class FhirInvalid extends Error {
  field: string;
  constructor(field: string, message: string) {
    super(message);
    this.name = 'FhirInvalid';
    this.field = field;
  }
}

/** How long the custody session the wallet grants lasts (custodians accept up to 12 h). */
const SESSION_MS = 60 * 60 * 1000;

/**
 * Validates `fhirJson` as FHIR R4 (the Rust validator, in the worker) and gives the category the
 * record files under and its resource type; throws `FhirInvalid` naming the field.
 */
export async function validateRecord(fhirJson: string): Promise<{ category: string; resourceType: string }> {
  const answer = await call({ op: 'validate', json: new TextEncoder().encode(fhirJson) });
  const category = (answer as Extract<Answer, { op: 'validate' }>).category;
  return { category, resourceType: (JSON.parse(fhirJson) as { resourceType: string }).resourceType };
}

/** The approvals a registrars' motion needs among `members` registrars (the chain's rule, from
 * the Rust crates in the worker). */
export async function registrarThreshold(members: number): Promise<number> {
  const answer = await call({ op: 'registrarThreshold', members });
  return (answer as Extract<Answer, { op: 'registrarThreshold' }>).threshold;
}

/**
 * `actor` adds a record of `input.patient`: validated, encrypted and dispersed to every active
 * custodian in the worker, then added on chain with its archive and receipts in one
 * transaction.
 */
export async function addRecord(
  api: ApiPromise,
  actor: Actor,
  input: { patient: string; fhirJson: string; supersedes?: number },
  onProgress: (p: RecordProgress) => void,
  onTx: (s: TxStatus) => void,
): Promise<{ record: number; category: string; archiveId: string }> {
  onProgress({ phase: 'validating' });
  const custodians = await activeCustodians(api);
  if (custodians.length === 0) {
    throw named('NoCustodians', 'No active custodian is registered on this chain: the registrar must register one first.');
  }
  const session = await sessionFor(api, actor, onProgress);
  const json = new TextEncoder().encode(input.fhirJson);
  const request: Request = {
    op: 'write',
    session,
    patient: decodeAddress(input.patient),
    json,
    supersedes: input.supersedes,
    k: 0,
    custodians,
  };
  const { written } = (await call(request, [json.buffer], onProgress)) as Extract<Answer, { op: 'write' }>;
  onProgress({ phase: 'anchoring' });
  const archive = {
    archiveId: u8aToHex(written.archiveId),
    header: written.header,
    pieces: written.pieces.map((p) => ({
      custodian: encodeAddress(p.custodian),
      hash: u8aToHex(p.hash),
      receipt: p.receipt ? { signature: u8aToHex(p.receipt.signature), validUntil: p.receipt.validUntil } : null,
    })),
  };
  const tx = api.tx.ehrAccess.addRecord(input.patient, written.category, input.supersedes ?? null, archive);
  const { events } = await submit(api, tx, actor, onTx);
  const added = events.find(({ event }) => event.section === 'ehrAccess' && event.method === 'RecordAdded');
  if (!added) throw named('NoRecordAdded', 'The transaction went through without a RecordAdded event.');
  onProgress({ phase: 'done' });
  const record = Number((added.event.data as unknown as { record: { toString(): string } }).record.toString());
  return { record, category: written.category, archiveId: archive.archiveId };
}

/**
 * `actor` reads `record`: the chain decides and records the access (`open_access`; a refusal is
 * on the patient's audit trail too and is thrown as the chain's reason), then the worker fetches
 * `k` pieces under the ticket, checks each against its commitment and decodes.
 */
export async function readRecord(
  api: ApiPromise,
  actor: Actor,
  record: number,
  onProgress: (p: RecordProgress) => void,
  onTx: (s: TxStatus) => void,
): Promise<{ json: string; resourceType: string }> {
  onProgress({ phase: 'opening' });
  const { events } = await submit(api, api.tx.ehrAccess.openAccess(record), actor, onTx);
  const denied = events.find(({ event }) => event.section === 'ehrAccess' && event.method === 'AccessDenied');
  if (denied) {
    const reason = (denied.event.data as unknown as { reason: { type: string } }).reason.type;
    throw new ChainError('ehrAccess', reason, `Access refused: ${DENY_REASONS[reason] ?? reason}. The refusal is on the patient's audit trail.`);
  }
  const plan: any = await api.call.shamirArchiveApi.readPlan(record);
  if (plan.isNone || plan.unwrap().entry.state.type === 'Erased') {
    throw named('NoArchive', `Record ${record} has no archive to read (it was erased, or never stored).`);
  }
  const { entry, patient, custodians } = plan.unwrap();
  const sources: PieceSource[] = [...entry.pieces].map((piece: any, index: number) => {
    const custodian = custodians[index];
    return {
      index,
      custodian: piece.custodian.toU8a(),
      endpoint: custodian.isSome ? bytesText(custodian.unwrap().endpoint) : undefined,
      held: piece.state.type === 'Held',
    };
  });
  const session = await sessionFor(api, actor, onProgress);
  const request: Request = {
    op: 'read',
    session,
    record,
    patient: patient.toU8a(),
    archiveId: entry.archiveId.toU8a(),
    k: entry.k.toNumber(),
    payloadLen: Number(entry.payloadLen.toString()),
    segmentSize: entry.segmentSize.toNumber(),
    // @polkadot/types names a `hash` field `hash_`: a codec's `.hash` is the hash of its encoding.
    pieceHashes: new Uint8Array([...entry.pieces].flatMap((p: any) => [...p.hash_.toU8a()])),
    sources,
  };
  const { payload } = (await call(request, [], onProgress)) as Extract<Answer, { op: 'read' }>;
  onProgress({ phase: 'done' });
  const json = new TextDecoder().decode(payload);
  let resourceType = 'FHIR resource';
  try {
    resourceType = (JSON.parse(json) as { resourceType: string }).resourceType;
  } catch {
    /* a payload that is not JSON is still shown and offered as it is */
  }
  return { json, resourceType };
}

/**
 * The active custodians, in storage order, as many as a record may have pieces
 * (`ShamirArchive::MaxPieces`), with the keys the worker seals and checks with.
 */
async function activeCustodians(api: ApiPromise): Promise<CustodianKeys[]> {
  const maxPieces = Number(api.consts.shamirArchive.maxPieces.toString());
  const listed: any = await api.call.shamirArchiveApi.custodians(null, 100);
  return [...listed]
    .filter(([, c]: any) => c.status.type === 'Active')
    .slice(0, maxPieces)
    .map(([account, c]: any) => ({
      account: account.toU8a(),
      endpoint: bytesText(c.endpoint),
      x25519: c.x25519Public.toU8a(),
      receiptKey: c.receiptKey.toU8a(),
    }));
}

function bytesText(bytes: { toU8a(bare: boolean): Uint8Array }): string {
  return new TextDecoder().decode(bytes.toU8a(true));
}

// One custody session per account and chain, granted by one wallet prompt (`signRaw`).
const sessions = new Map<string, { id: number; expiresAtMs: number }>();

async function sessionFor(api: ApiPromise, actor: Actor, onProgress: (p: RecordProgress) => void): Promise<number> {
  const key = `${api.genesisHash.toHex()}/${actor.address}`;
  const known = sessions.get(key);
  if (known && known.expiresAtMs - Date.now() > 60_000) return known.id;
  const signRaw = actor.signer.signRaw?.bind(actor.signer);
  if (!signRaw) throw named('NoRawSigning', `The wallet of ${actor.name} cannot sign messages, which custody needs once per session.`);
  const granted = (await call({
    op: 'session',
    genesis: api.genesisHash.toU8a(),
    account: decodeAddress(actor.address),
    nowMs: Date.now(),
    lifetimeMs: SESSION_MS,
  })) as Extract<Answer, { op: 'session' }>;
  onProgress({ phase: 'signing' });
  let signature: string;
  try {
    ({ signature } = await signRaw({ address: actor.address, data: u8aToHex(granted.payload), type: 'bytes' }));
  } catch (e) {
    throw new SignatureRejected(`custody session: ${(e as Error).message}`);
  }
  await call({ op: 'grant', session: granted.session, signature: hexToU8a(signature) });
  sessions.set(key, { id: granted.session, expiresAtMs: granted.expiresAtMs });
  return granted.session;
}

// The worker, started on first use; answers and progress are matched to calls by id.
let worker: Worker | undefined;
let nextCall = 1;
const calls = new Map<number, { resolve: (a: Answer) => void; reject: (e: Error) => void; onProgress?: (p: Progress) => void }>();

function call(request: Request, transfer: Transferable[] = [], onProgress?: (p: Progress) => void): Promise<Answer> {
  if (!worker) {
    worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      const pending = calls.get(message.id);
      if (!pending) return;
      if ('progress' in message) {
        pending.onProgress?.(message.progress);
        return;
      }
      calls.delete(message.id);
      if ('answer' in message) pending.resolve(message.answer);
      else if (message.error.name === 'InvalidFhir') pending.reject(new FhirInvalid(message.error.field ?? '$', message.error.reason ?? message.error.message));
      else pending.reject(named(message.error.name, message.error.message));
    };
    // The worker or its WebAssembly did not load: every call waiting on it fails, and the next
    // call starts a new worker.
    worker.onerror = (event) => {
      event.preventDefault();
      worker = undefined;
      const failure = named('WorkerFailed', `The records worker failed to start: ${event.message || 'its script or WebAssembly did not load'}.`);
      for (const pending of calls.values()) pending.reject(failure);
      calls.clear();
    };
  }
  const id = nextCall++;
  return new Promise((resolve, reject) => {
    calls.set(id, { resolve, reject, onProgress });
    worker!.postMessage({ id, request }, transfer);
  });
}

function named(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}
