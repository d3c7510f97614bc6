// The node connection: its URL (a setting, remembered; `?node=` overrides it), the API, the
// types the node's audit RPC answers with, and the live chain head.
import { ApiPromise, WsProvider } from '@polkadot/api';

export const DEFAULT_NODE = 'ws://127.0.0.1:9944';
const NODE_KEY = 'ehr.node';

/** The node URL: `?node=` (remembered), else the remembered one, else the default. */
export function nodeUrl(): string {
  const fromQuery = new URLSearchParams(location.search).get('node');
  if (fromQuery && /^wss?:\/\//.test(fromQuery)) {
    setNodeUrl(fromQuery);
    return fromQuery;
  }
  try {
    return localStorage.getItem(NODE_KEY) || DEFAULT_NODE;
  } catch {
    return DEFAULT_NODE;
  }
}

export function setNodeUrl(url: string): void {
  try {
    localStorage.setItem(NODE_KEY, url);
  } catch {
    /* private mode */
  }
}

/**
 * The shapes of `ehr_types::audit::AuditPage` (SCALE, served by `ehr_auditTrail`), built on the
 * runtime's own `ehr_types` enums from the metadata so there is one definition of each.
 */
export const AUDIT_TYPES = {
  EhrUiAuditCursor: { block: 'u32', event: 'u32' },
  EhrUiAuditEvent: {
    _enum: {
      Read: { record: 'u64', reader: 'AccountId32', ticket: 'u64', reason: 'EhrTypesAccessReason', expiresAt: 'u32' },
      Denied: { record: 'u64', reader: 'AccountId32', reason: 'EhrTypesDenyReason' },
      EmergencyOpened: { doctor: 'AccountId32', hospital: 'AccountId32', reason: 'EhrTypesEmergencyReason', expiresAt: 'u32' },
      EmergencyClosed: { doctor: 'AccountId32', by: 'AccountId32' },
      ConsentGranted: {
        grant: 'u64',
        grantee: 'EhrTypesGrantee',
        right: 'EhrTypesRight',
        expiresAt: 'Option<u32>',
        by: 'AccountId32',
      },
      ConsentRevoked: { grant: 'u64', by: 'AccountId32' },
      RecordAdded: { record: 'u64', author: 'AccountId32', category: 'EhrTypesCategory' },
      RecordErased: { record: 'u64' },
      GuardianAdded: { guardian: 'AccountId32' },
      GuardianRemoved: { guardian: 'AccountId32' },
    },
  },
  EhrUiAuditEntry: { at: 'EhrUiAuditCursor', timeMs: 'u64', event: 'EhrUiAuditEvent' },
  EhrUiAuditPage: { entries: 'Vec<EhrUiAuditEntry>', next: 'Option<EhrUiAuditCursor>', indexedTo: 'u32' },
};

export interface Connection {
  api: ApiPromise;
  url: string;
  chain: string;
}

/** Connects to `url`; rejects if the node cannot be reached within `timeoutMs`. */
export async function connect(url: string, timeoutMs = 15000): Promise<Connection> {
  const provider = new WsProvider(url, 2500, {}, timeoutMs);
  const api = await new Promise<ApiPromise>((resolve, reject) => {
    const timer = setTimeout(() => {
      void provider.disconnect();
      reject(new Error(`No node answered at ${url}. Is ehr-node running (scripts/dev.sh)?`));
    }, timeoutMs);
    ApiPromise.create({ provider, noInitWarn: true, throwOnConnect: true })
      .then((api) => {
        clearTimeout(timer);
        resolve(api);
      })
      .catch((e: unknown) => {
        clearTimeout(timer);
        void provider.disconnect();
        reject(new Error(`Could not connect to ${url}: ${e instanceof Error ? e.message : String(e)}`));
      });
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  api.registry.register(AUDIT_TYPES as any);
  const chain = (await api.rpc.system.chain()).toString();
  return { api, url, chain };
}

export interface Head {
  best: number;
  finalized: number;
}

/** Follows the best and finalised heights; returns the unsubscribe function. */
export async function followHead(api: ApiPromise, on: (h: Head) => void): Promise<() => void> {
  const head: Head = { best: 0, finalized: 0 };
  const u1 = await api.rpc.chain.subscribeNewHeads((h) => {
    head.best = h.number.toNumber();
    on({ ...head });
  });
  const u2 = await api.rpc.chain.subscribeFinalizedHeads((h) => {
    head.finalized = h.number.toNumber();
    on({ ...head });
  });
  return () => {
    u1();
    u2();
  };
}
