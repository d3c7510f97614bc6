// Accounts: those of the injected wallet extension(s), and on a development chain the
// well-known dev accounts (//Alice … //Ferdie), each signing exactly as the extension does.
import type { ApiPromise } from '@polkadot/api';
import type { Signer, SignerResult } from '@polkadot/api/types';
import type { SignerPayloadJSON, SignerPayloadRaw } from '@polkadot/types/types';
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { u8aToHex, u8aWrapBytes, hexToU8a, isHex } from '@polkadot/util';
import { cryptoWaitReady } from '@polkadot/util-crypto';

export interface Actor {
  address: string;
  name: string;
  source: 'extension' | 'dev';
  /** Which extension, for extension accounts. */
  wallet?: string;
  signer: Signer;
}

export const DEV_NAMES = ['Alice', 'Bob', 'Charlie', 'Dave', 'Eve', 'Ferdie'] as const;
const APP_NAME = 'ehr-chain';
const SELECTED_KEY = 'ehr.account';

/** A signer over a keyring pair that behaves like the Polkadot.js extension's. */
export class PairSigner implements Signer {
  private id = 0;
  constructor(
    private readonly api: ApiPromise,
    private readonly pair: KeyringPair,
  ) {}

  async signPayload(payload: SignerPayloadJSON): Promise<SignerResult> {
    const { signature } = this.api.registry
      .createType('ExtrinsicPayload', payload, { version: payload.version })
      .sign(this.pair);
    return { id: ++this.id, signature };
  }

  async signRaw({ data }: SignerPayloadRaw): Promise<SignerResult> {
    const bytes = isHex(data) ? hexToU8a(data) : new TextEncoder().encode(data);
    return { id: ++this.id, signature: u8aToHex(this.pair.sign(u8aWrapBytes(bytes))) };
  }
}

/** Whether the connected chain is a development chain (dev accounts are offered then). */
export async function isDevChain(api: ApiPromise): Promise<boolean> {
  try {
    const type = await api.rpc.system.chainType();
    return type.isDevelopment || type.isLocal;
  } catch {
    /* a node without system_chainType: judge by the chain's name */
  }
  const chain = (await api.rpc.system.chain()).toString();
  return /development|local testnet/i.test(chain);
}

/** The dev accounts, sr25519 from the well-known dev phrase. */
export async function devActors(api: ApiPromise): Promise<Actor[]> {
  await cryptoWaitReady();
  const keyring = new Keyring({ type: 'sr25519', ss58Format: api.registry.chainSS58 ?? 42 });
  return DEV_NAMES.map((name) => {
    const pair = keyring.addFromUri(`//${name}`, { name: `${name} (dev account)` });
    return { address: pair.address, name, source: 'dev' as const, signer: new PairSigner(api, pair) };
  });
}

/** Accounts of the injected extensions; an empty list if there is none or access was refused. */
export async function extensionActors(api: ApiPromise): Promise<{ actors: Actor[]; wallets: string[] }> {
  const w = window as unknown as { injectedWeb3?: Record<string, unknown> };
  if (!w.injectedWeb3 || Object.keys(w.injectedWeb3).length === 0) return { actors: [], wallets: [] };
  const { web3Enable, web3Accounts, web3FromAddress } = await import('@polkadot/extension-dapp');
  const extensions = await web3Enable(APP_NAME);
  if (extensions.length === 0) return { actors: [], wallets: [] };
  const accounts = await web3Accounts({ ss58Format: api.registry.chainSS58 ?? 42 });
  const actors: Actor[] = [];
  for (const a of accounts) {
    if (a.type && a.type !== 'sr25519' && a.type !== 'ed25519' && a.type !== 'ecdsa') continue;
    const injected = await web3FromAddress(a.address);
    if (!injected.signer) continue;
    actors.push({
      address: a.address,
      name: a.meta.name ?? a.address.slice(0, 8),
      source: 'extension',
      wallet: a.meta.source,
      signer: injected.signer,
    });
  }
  return { actors, wallets: extensions.map((e) => e.name) };
}

export function rememberSelected(address: string): void {
  try {
    localStorage.setItem(SELECTED_KEY, address);
  } catch {
    /* private mode */
  }
}

export function rememberedSelected(): string | null {
  try {
    return localStorage.getItem(SELECTED_KEY);
  } catch {
    return null;
  }
}
