// What every screen gets: the API, the selected actor and its roles, the chain head, names.
import type { ApiPromise } from '@polkadot/api';
import type { Actor } from './wallet/index';
import type { Roles, Names } from './chain/queries';
import type { Head } from './chain/connection';

export interface Ctx {
  api: ApiPromise;
  actor: Actor;
  actors: Actor[];
  roles: Roles;
  head: Head;
  names: Names;
  /** Re-reads the roles and redraws the screen (after a transaction). */
  refresh: () => Promise<void>;
}

export type Screen = (ctx: Ctx) => Promise<HTMLElement>;
