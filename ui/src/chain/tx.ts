// Submitting a transaction: sign with the actor's signer, follow it to finality, and turn a
// failure into something a person can read (the chain's own error name and doc text).
//
// Public API (the records pipeline imports it): `submit`, `ChainError`, `SignatureRejected`,
// `TxStatus`, `TxPhase`, `describeError`.
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { DispatchError, EventRecord } from '@polkadot/types/interfaces';
import type { ISubmittableResult } from '@polkadot/types/types';
import type { Actor } from '../wallet/index';

export type TxPhase =
  | 'signing'
  | 'ready'
  | 'broadcast'
  | 'inBlock'
  | 'finalized'
  | 'failed'
  | 'rejected';

/** What `submit` reports while a transaction makes its way, in order. */
export interface TxStatus {
  phase: TxPhase;
  /** What is being done, e.g. "ehrAccess.grantAccess". */
  label: string;
  blockHash?: string;
  blockNumber?: number;
  /** The failure, in plain words, when phase is 'failed' or 'rejected'. */
  message?: string;
}

/** A dispatch error of the chain, decoded from the metadata. */
export class ChainError extends Error {
  readonly section: string;
  readonly name: string;
  readonly docs: string;
  constructor(section: string, name: string, docs: string) {
    super(`${section}.${name}: ${docs}`);
    this.section = section;
    this.name = name;
    this.docs = docs;
    Object.setPrototypeOf(this, ChainError.prototype);
  }
  /** "ehrAccess.NotAuthorized". */
  get code(): string {
    return `${this.section}.${this.name}`;
  }
}

/** The wallet (or the person) refused to sign. */
export class SignatureRejected extends Error {
  constructor(detail?: string) {
    super(`The signature was rejected in the wallet${detail ? ` (${detail})` : ''}; nothing was sent.`);
    this.name = 'SignatureRejected';
    Object.setPrototypeOf(this, SignatureRejected.prototype);
  }
}

/** A transaction the pool or node refused before any block (bad nonce, no funds, …). */
export class TxInvalid extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TxInvalid';
    Object.setPrototypeOf(this, TxInvalid.prototype);
  }
}

/** Who listens to every transaction's progress (the page's progress widget). */
type Listener = (id: number, s: TxStatus) => void;
const listeners = new Set<Listener>();
let nextId = 1;
export function onAnyTx(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

/** Decodes a `DispatchError` with the metadata. */
export function decodeDispatchError(api: ApiPromise, err: DispatchError): ChainError {
  if (err.isModule) {
    const meta = api.registry.findMetaError(err.asModule);
    return new ChainError(meta.section, meta.name, meta.docs.join(' ').trim() || meta.name);
  }
  if (err.isToken) return new ChainError('token', err.asToken.type, tokenDocs[err.asToken.type] ?? 'A balance or token rule was broken.');
  if (err.isArithmetic) return new ChainError('arithmetic', err.asArithmetic.type, 'An arithmetic overflow or underflow.');
  if (err.isBadOrigin) return new ChainError('system', 'BadOrigin', 'This account may not make this call.');
  if (err.isCannotLookup) return new ChainError('system', 'CannotLookup', 'An account could not be looked up.');
  return new ChainError('system', err.type, err.toString());
}

const tokenDocs: Record<string, string> = {
  FundsUnavailable: 'The account does not have enough free funds (deposits are held from it).',
  OnlyProvider: 'The account would be reaped.',
  BelowMinimum: 'The amount is below the existential deposit.',
  CannotCreate: 'The account cannot be created.',
  UnknownAsset: 'Unknown asset.',
  Frozen: 'The funds are frozen.',
  Unsupported: 'Unsupported operation.',
};

/** Looks for the failure of a dispatched transaction in its events, including that of the call
 * a registrars' motion dispatched (`registrars.Executed`). */
export function failureOf(api: ApiPromise, events: EventRecord[]): ChainError | undefined {
  for (const { event } of events) {
    const { section, method, data } = event;
    if (section === 'system' && method === 'ExtrinsicFailed') {
      return decodeDispatchError(api, data[0] as DispatchError);
    }
    if (section === 'registrars' && method === 'Executed') {
      const result = data[1] as unknown as { isErr: boolean; asErr: DispatchError };
      if (result.isErr) return decodeDispatchError(api, result.asErr);
    }
  }
  return undefined;
}

function looksRejected(e: unknown): boolean {
  const m = e instanceof Error ? e.message : String(e);
  return /reject|cancel|denied by user|user denied/i.test(m);
}

/**
 * Signs `tx` with `actor`'s signer, sends it and follows it to finality, reporting each phase
 * (`signing → ready/broadcast → inBlock → finalized`, or `failed`/`rejected`) to `onStatus`
 * and to the page's progress widget. Resolves with the block and the transaction's own events;
 * rejects with a `ChainError` (a dispatch error), `SignatureRejected` or `TxInvalid`.
 */
export async function submit(
  api: ApiPromise,
  tx: SubmittableExtrinsic<'promise'>,
  actor: Actor,
  onStatus: (s: TxStatus) => void = () => {},
): Promise<{ blockHash: string; events: EventRecord[]; blockNumber?: number }> {
  const id = nextId++;
  const label = `${tx.method.section}.${tx.method.method}${
    tx.method.section === 'registrars' && tx.method.method === 'propose' ? ` (${innerCall(tx)})` : ''
  }`;
  const report = (s: Omit<TxStatus, 'label'>) => {
    const full = { ...s, label };
    try {
      onStatus(full);
    } catch {
      /* a listener's fault is not the transaction's */
    }
    for (const l of listeners) l(id, full);
  };
  report({ phase: 'signing' });
  return new Promise((resolve, reject) => {
    let unsub: (() => void) | undefined;
    let settled = false;
    let inBlock: { hash: string; events: EventRecord[]; number?: number } | undefined;
    const fail = (e: Error, phase: TxPhase = 'failed') => {
      if (settled) return;
      settled = true;
      unsub?.();
      report({ phase, message: describeError(e).text, blockHash: inBlock?.hash, blockNumber: inBlock?.number });
      reject(e);
    };
    const onResult = async (result: ISubmittableResult) => {
      if (settled) return;
      const { status } = result;
      if (status.isReady) report({ phase: 'ready' });
      else if (status.isBroadcast) report({ phase: 'broadcast' });
      else if (status.isInBlock || status.isFinalized) {
        const hash = (status.isInBlock ? status.asInBlock : status.asFinalized).toHex();
        if (!inBlock || inBlock.hash !== hash) {
          let number: number | undefined;
          try {
            number = (await api.rpc.chain.getHeader(hash)).number.toNumber();
          } catch {
            /* the height is only shown */
          }
          inBlock = { hash, events: result.events, number };
          const failure = failureOf(api, result.events);
          if (failure) return fail(failure);
          if (status.isInBlock) report({ phase: 'inBlock', blockHash: hash, blockNumber: number });
        }
        if (status.isFinalized) {
          settled = true;
          unsub?.();
          report({ phase: 'finalized', blockHash: hash, blockNumber: inBlock.number });
          resolve({ blockHash: hash, events: inBlock.events, blockNumber: inBlock.number });
        }
      } else if (status.isDropped || status.isInvalid || status.isUsurped || status.isFinalityTimeout) {
        fail(new TxInvalid(`The node dropped the transaction (${status.type}).`));
      }
    };
    tx.signAndSend(actor.address, { signer: actor.signer, nonce: -1 }, (r) => void onResult(r))
      .then((u) => {
        unsub = u;
        if (settled) u();
      })
      .catch((e: unknown) => {
        if (looksRejected(e)) fail(new SignatureRejected(e instanceof Error ? e.message : String(e)), 'rejected');
        else fail(new TxInvalid(`The node refused the transaction: ${e instanceof Error ? e.message : String(e)}`));
      });
  });
}

function innerCall(tx: SubmittableExtrinsic<'promise'>): string {
  try {
    const call = tx.method.args[1] as unknown as { section: string; method: string };
    return `${call.section}.${call.method}`;
  } catch {
    return 'call';
  }
}

/** Splits a camel-case name into words: "NotAuthorized" → "Not authorized". */
export function humanName(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Any error as a title and a plain sentence, never a stack trace. */
export function describeError(e: unknown): { title: string; text: string; code?: string } {
  if (e instanceof ChainError) {
    return {
      title: `The chain refused: ${e.name}`,
      text: `${humanName(e.name)} (${e.section}.${e.name}): ${e.docs}`,
      code: e.code,
    };
  }
  if (e instanceof SignatureRejected) return { title: 'Signature rejected', text: e.message };
  if (e instanceof TxInvalid) return { title: 'Transaction not accepted', text: e.message };
  if (e instanceof Error) {
    const field = (e as { field?: unknown }).field;
    if (typeof field === 'string') return { title: 'Invalid FHIR', text: `Invalid FHIR at ${field}: ${e.message}` };
    return { title: e.name && e.name !== 'Error' ? humanName(e.name) : 'Something went wrong', text: e.message };
  }
  return { title: 'Something went wrong', text: String(e) };
}
