// TEMPORARY stand-in for the records pipeline (encryption, custody, WebAssembly), which the
// lead is writing and will overwrite this file with. The signatures are the agreed ones; both
// functions fail with a clear "not yet available" error until then.
import type { ApiPromise } from '@polkadot/api';
import type { Actor } from '../wallet/index';
import type { TxStatus } from '../chain/tx';

export interface RecordProgress {
  phase: 'validating' | 'encoding' | 'uploading' | 'signing' | 'anchoring' | 'opening' | 'downloading' | 'decoding' | 'done';
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

class NotYetAvailable extends Error {
  constructor(what: string) {
    super(`${what} is not yet available in this build: the in-browser records pipeline (encryption and custody, WebAssembly) has not landed yet.`);
    this.name = 'NotYetAvailable';
  }
}

export async function addRecord(
  _api: ApiPromise,
  _actor: Actor,
  _input: { patient: string; fhirJson: string; supersedes?: number },
  _onProgress: (p: RecordProgress) => void,
  _onTx: (s: TxStatus) => void,
): Promise<{ record: number; category: string; archiveId: string }> {
  throw new NotYetAvailable('Adding a record');
}

export async function readRecord(
  _api: ApiPromise,
  _actor: Actor,
  _record: number,
  _onProgress: (p: RecordProgress) => void,
  _onTx: (s: TxStatus) => void,
): Promise<{ json: string; resourceType: string }> {
  throw new NotYetAvailable('Reading a record');
}
