// What the page and its records worker (worker.ts) say to each other: one definition for both
// sides. The worker holds the custody session keys and does all codec and custody work (the
// project's Rust crates in WebAssembly), so a 16 MiB record never freezes the page; the page
// does the chain's part (transactions, runtime calls) and the wallet prompts.

/** A custodian as the chain lists it (bytes as Uint8Array). */
export interface CustodianKeys {
  account: Uint8Array;
  endpoint: string;
  x25519: Uint8Array;
  receiptKey: Uint8Array;
}

/** A piece of a record being read: which custodian keeps it, its commitment, whether held. */
export interface PieceSource {
  index: number;
  custodian: Uint8Array;
  /** `undefined`: the custodian is no longer registered. */
  endpoint?: string;
  held: boolean;
}

export type Request =
  | { op: 'validate'; json: Uint8Array }
  | { op: 'registrarThreshold'; members: number }
  | { op: 'session'; genesis: Uint8Array; account: Uint8Array; nowMs: number; lifetimeMs: number }
  | { op: 'grant'; session: number; signature: Uint8Array }
  | {
      op: 'write';
      session: number;
      patient: Uint8Array;
      json: Uint8Array;
      supersedes?: number;
      k: number;
      custodians: CustodianKeys[];
    }
  | {
      op: 'read';
      session: number;
      record: number;
      patient: Uint8Array;
      archiveId: Uint8Array;
      k: number;
      payloadLen: number;
      segmentSize: number;
      pieceHashes: Uint8Array;
      sources: PieceSource[];
    };

/** The archive of a record whose pieces the custodians keep, as `add_record` takes it. */
export interface Written {
  category: string;
  archiveId: Uint8Array;
  header: { version: number; threshold: number; payloadLen: number; segmentSize: number };
  pieces: { custodian: Uint8Array; hash: Uint8Array; receipt?: { signature: Uint8Array; validUntil: number } }[];
  /** Why each custodian without a receipt gave none. */
  refusals: string[];
}

export type Answer =
  | { op: 'validate'; category: string }
  | { op: 'registrarThreshold'; threshold: number }
  | { op: 'session'; session: number; payload: Uint8Array; expiresAtMs: number }
  | { op: 'grant' }
  | { op: 'write'; written: Written }
  | { op: 'read'; payload: Uint8Array; refusals: string[] };

/** Progress of a write or read, sent while it runs. */
export interface Progress {
  phase: 'validating' | 'encoding' | 'uploading' | 'downloading' | 'decoding';
  done?: number;
  total?: number;
}

/** An error as it crosses from the worker: its kind (`Error.name`), words, and for invalid FHIR
 * the field and what is wrong with it. */
export interface WorkerError {
  name: string;
  message: string;
  field?: string;
  reason?: string;
}

export type FromWorker =
  | { id: number; answer: Answer }
  | { id: number; progress: Progress }
  | { id: number; error: WorkerError };
