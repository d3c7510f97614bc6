// The test wallet: registers `window.injectedWeb3['polkadot-js']` through
// @polkadot/extension-inject's `injectExtension`, holding dev keys, and signs exactly as the
// Polkadot.js extension does (signPayload: an `ExtrinsicPayload` of a registry with the
// payload's signed extensions, signed with the pair; signRaw: the `<Bytes>` wrapped data).
// `window.__testWallet.reject = true` makes it refuse to sign, as a person clicking "Cancel".
import { injectExtension } from '@polkadot/extension-inject';
import type { Injected, InjectedAccount } from '@polkadot/extension-inject/types';
import type { SignerPayloadJSON, SignerPayloadRaw } from '@polkadot/types/types';
import { TypeRegistry } from '@polkadot/types';
import { Keyring } from '@polkadot/keyring';
import { cryptoWaitReady } from '@polkadot/util-crypto';
import { u8aToHex, u8aWrapBytes, hexToU8a, isHex } from '@polkadot/util';

interface WalletControl { reject: boolean; signed: number; rejected: number; accounts: string[] }
const control: WalletControl = { reject: false, signed: 0, rejected: 0, accounts: [] };
(window as unknown as { __testWallet: WalletControl }).__testWallet = control;

const NAMES: string[] = ((window as unknown as { __testWalletAccounts?: string[] }).__testWalletAccounts) ?? ['Bob', 'Charlie', 'Dave', 'Eve'];

const ready = cryptoWaitReady().then(() => {
  const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
  return NAMES.map((n) => keyring.addFromUri(`//${n}`, { name: `${n} (test wallet)` }));
});

let id = 0;
async function enable(_origin: string): Promise<Injected> {
  const pairs = await ready;
  control.accounts = pairs.map((p) => p.address);
  const accounts: InjectedAccount[] = pairs.map((p) => ({ address: p.address, name: String(p.meta.name), type: 'sr25519' }));
  const find = (address: string) => {
    const pair = pairs.find((p) => p.address === address);
    if (!pair) throw new Error(`Unable to find a keypair for ${address}`);
    return pair;
  };
  const refuse = () => {
    control.rejected++;
    throw new Error('Cancelled');
  };
  return {
    accounts: {
      get: async () => accounts,
      subscribe: (cb: (a: InjectedAccount[]) => void) => {
        cb(accounts);
        return () => {};
      },
    },
    signer: {
      signPayload: async (payload: SignerPayloadJSON) => {
        if (control.reject) refuse();
        const pair = find(payload.address);
        const registry = new TypeRegistry();
        registry.setSignedExtensions(payload.signedExtensions);
        const { signature } = registry.createType('ExtrinsicPayload', payload, { version: payload.version }).sign(pair);
        control.signed++;
        return { id: ++id, signature };
      },
      signRaw: async ({ address, data }: SignerPayloadRaw) => {
        if (control.reject) refuse();
        const pair = find(address);
        const bytes = isHex(data) ? hexToU8a(data) : new TextEncoder().encode(data);
        control.signed++;
        return { id: ++id, signature: u8aToHex(pair.sign(u8aWrapBytes(bytes))) };
      },
    },
  } as unknown as Injected;
}

injectExtension(enable, { name: 'polkadot-js', version: '0.63.1' });
