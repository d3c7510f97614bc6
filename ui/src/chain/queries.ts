// Reading the chain: roles of an account, profiles, doctors, grants, records, emergency sessions,
// the audit trail. Storage through `api.query.ehrAccess`, decisions and listings through the
// runtime APIs (`api.call.ehrAccessApi`, `api.call.shamirArchiveApi`), the trail through the
// node's `ehr_auditTrail` RPC.
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { ApiPromise } from '@polkadot/api';
import { u8aToString, u8aToHex } from '@polkadot/util';
import { decodeAddress, encodeAddress } from '@polkadot/util-crypto';
import { registrarMembers } from './registrar';

export type StatusName = 'Active' | 'Suspended';

export interface HospitalProfile {
  name: string;
  address: string;
  specialities: string[];
}
export interface Hospital extends HospitalProfile {
  account: string;
  status: StatusName;
  registeredAt: number;
  doctors: number;
}
export interface DoctorProfile {
  name: string;
  speciality: string;
  contact: string;
}
export interface Doctor extends DoctorProfile {
  account: string;
  hospital: string;
  status: StatusName;
  registeredAt: number;
  emergenciesOpened: number;
}
export interface Patient {
  account: string;
  id: number;
  registeredAt: number;
  guardians: string[];
  grants: number[];
  records: number;
}
export interface Custodian {
  account: string;
  endpoint: string;
  status: StatusName;
}
export interface Roles {
  registrar: boolean;
  hospital?: Hospital;
  doctor?: Doctor;
  doctorHospital?: Hospital;
  custodian?: Custodian;
  patient?: Patient;
  proposal?: { doctor: string; proposedAt: number };
  /** A hospital's invitation to register as its doctor, awaiting this account's acceptance. */
  invitation?: DoctorInvitation;
  guardianOf: string[];
}
export interface DoctorInvitation extends DoctorProfile {
  doctor: string;
  hospital: string;
  invitedAt: number;
}

export type Scope = { kind: 'All' } | { kind: 'Category'; category: string } | { kind: 'Records'; records: number[] };
export interface Grant {
  id: number;
  patient: string;
  grantee: { kind: 'Doctor' | 'Hospital'; account: string };
  scope: Scope;
  right: 'Read' | 'ReadWrite';
  grantedBy: string;
  grantedAt: number;
  expiresAt: number | null;
}
export interface RecordAnchor {
  id: number;
  patient: string;
  author: string;
  hospital: string | null;
  category: string;
  size: number;
  createdAt: number;
  supersedes: number | null;
  erasedAt: number | null;
  k: number;
  n: number;
}
export interface EmergencySession {
  doctor: string;
  patient: string;
  reason: string;
  openedAt: number;
  expiresAt: number;
}

export const CATEGORIES = [
  'Demographics',
  'Coverage',
  'Condition',
  'DiagnosticReport',
  'Medication',
  'Procedure',
  'Encounter',
  'Observation',
  'AllergyIntolerance',
  'Immunization',
  'Document',
] as const;

export const EMERGENCY_REASONS: { value: string; label: string }[] = [
  { value: 'Unconscious', label: 'The patient is unconscious' },
  { value: 'LifeThreatening', label: "The patient's life is in immediate danger" },
  { value: 'UnableToConsent', label: 'Conscious but unable to consent, and no guardian can be reached' },
  { value: 'MassCasualty', label: 'A mass-casualty incident' },
  { value: 'Other', label: 'Another emergency (the hospital must be able to justify it)' },
];

export const DENY_REASONS: Record<string, string> = {
  UnknownRecord: 'no such record',
  UnknownPatient: 'no such patient',
  DoctorSuspended: 'the doctor is suspended',
  HospitalSuspended: "the doctor's hospital is suspended and nothing personal allows it",
  NoConsent: 'no consent: not the patient, a guardian or the author, and no live grant or emergency session',
  Erased: 'the record was erased',
};

const text = (c: any): string => u8aToString(c.toU8a(true));
const num = (c: any): number => Number(c.toString());
const acc = (c: any): string => c.toString();
const status = (c: any): StatusName => c.type as StatusName;
const opt = <T>(c: any, f: (x: any) => T): T | null => (c.isSome ? f(c.unwrap()) : null);

/** The SS58 address of `input` (address or 0x hex); throws a plain error if it is neither. */
export function normaliseAddress(api: ApiPromise, input: string): string {
  const s = input.trim();
  if (!s) throw new Error('Enter an account address.');
  try {
    return encodeAddress(decodeAddress(s), api.registry.chainSS58 ?? 42);
  } catch {
    throw new Error(`"${s}" is not an account address (SS58 or 0x hex).`);
  }
}

export function sameAccount(a: string, b: string): boolean {
  try {
    return u8aToHex(decodeAddress(a)) === u8aToHex(decodeAddress(b));
  } catch {
    return false;
  }
}

function hospitalOf(account: string, h: any): Hospital {
  return {
    account,
    name: text(h.profile.name),
    address: text(h.profile.address),
    specialities: [...h.profile.specialities].map(text),
    status: status(h.status),
    registeredAt: num(h.registeredAt),
    doctors: num(h.doctors),
  };
}

/** A doctor's public profile as the chain stores it, as text. */
function profileOf(p: any): { name: string; speciality: string; contact: string } {
  return { name: text(p.name), speciality: text(p.speciality), contact: text(p.contact) };
}

function doctorOf(account: string, d: any): Doctor {
  return {
    account,
    hospital: acc(d.hospital),
    ...profileOf(d.profile),
    status: status(d.status),
    registeredAt: num(d.registeredAt),
    emergenciesOpened: num(d.emergenciesOpened),
  };
}

export async function hospital(api: ApiPromise, account: string): Promise<Hospital | undefined> {
  const h: any = await api.query.ehrAccess.hospitals(account);
  return h.isSome ? hospitalOf(account, h.unwrap()) : undefined;
}

export async function doctor(api: ApiPromise, account: string): Promise<Doctor | undefined> {
  const d: any = await api.query.ehrAccess.doctors(account);
  return d.isSome ? doctorOf(account, d.unwrap()) : undefined;
}

export async function patient(api: ApiPromise, account: string): Promise<Patient | undefined> {
  const p: any = await api.query.ehrAccess.patients(account);
  if (!p.isSome) return undefined;
  const info = p.unwrap();
  return {
    account,
    id: num(info.id),
    registeredAt: num(info.registeredAt),
    guardians: [...info.guardians].map((g: any) => acc(g.account)),
    grants: [...info.grants].map(num),
    records: num(info.records),
  };
}

export async function hospitals(api: ApiPromise): Promise<Hospital[]> {
  const entries = await api.query.ehrAccess.hospitals.entries();
  return entries
    .map(([k, v]: [any, any]) => hospitalOf(acc(k.args[0]), v.unwrap()))
    .sort((a, b) => a.registeredAt - b.registeredAt || a.name.localeCompare(b.name));
}

function invitationOf(doctor: string, i: any): DoctorInvitation {
  return {
    doctor,
    hospital: acc(i.hospital),
    ...profileOf(i.profile),
    invitedAt: num(i.invitedAt),
  };
}

/** The pending doctor invitations of `ofHospital`, oldest first. */
export async function doctorInvitations(api: ApiPromise, ofHospital: string): Promise<DoctorInvitation[]> {
  const entries = await api.query.ehrAccess.pendingDoctors.entries();
  return entries
    .map(([k, v]: [any, any]) => invitationOf(acc(k.args[0]), v.unwrap()))
    .filter((i) => sameAccount(i.hospital, ofHospital))
    .sort((a, b) => a.invitedAt - b.invitedAt || a.name.localeCompare(b.name));
}

export async function doctors(api: ApiPromise, ofHospital?: string): Promise<Doctor[]> {
  const entries = await api.query.ehrAccess.doctors.entries();
  return entries
    .map(([k, v]: [any, any]) => doctorOf(acc(k.args[0]), v.unwrap()))
    .filter((d) => !ofHospital || sameAccount(d.hospital, ofHospital))
    .sort((a, b) => a.registeredAt - b.registeredAt || a.name.localeCompare(b.name));
}

export async function custodians(api: ApiPromise): Promise<Custodian[]> {
  const list: any = await api.call.shamirArchiveApi.custodians(null, 100);
  return [...list].map(([account, c]: any) => ({
    account: acc(account),
    endpoint: text(c.endpoint),
    status: status(c.status),
  }));
}

export async function custodian(api: ApiPromise, account: string): Promise<Custodian | undefined> {
  const c: any = await api.call.shamirArchiveApi.custodian(account);
  if (!c.isSome) return undefined;
  const v = c.unwrap();
  return { account, endpoint: text(v.endpoint), status: status(v.status) };
}

/** Patients that `guardian` guards. */
export async function guardedPatients(api: ApiPromise, guardian: string): Promise<string[]> {
  const keys = await api.query.ehrAccess.guardianships.keys(guardian);
  return keys.map((k: any) => acc(k.args[1]));
}

export async function roles(api: ApiPromise, account: string): Promise<Roles> {
  const [registrars, h, d, c, p, proposal, invitation, guardianOf] = await Promise.all([
    registrarMembers(api),
    hospital(api, account),
    doctor(api, account),
    custodian(api, account),
    patient(api, account),
    api.query.ehrAccess.pendingPatients(account),
    api.query.ehrAccess.pendingDoctors(account),
    guardedPatients(api, account),
  ]);
  const prop: any = proposal;
  const r: Roles = {
    registrar: registrars.some((member) => sameAccount(member, account)),
    hospital: h,
    doctor: d,
    custodian: c,
    patient: p,
    proposal: prop.isSome ? { doctor: acc(prop.unwrap().doctor), proposedAt: num(prop.unwrap().proposedAt) } : undefined,
    invitation: (invitation as any).isSome ? invitationOf(account, (invitation as any).unwrap()) : undefined,
    guardianOf,
  };
  if (d) r.doctorHospital = await hospital(api, d.hospital);
  return r;
}

function scopeOf(s: any): Scope {
  if (s.isCategory) return { kind: 'Category', category: s.asCategory.type };
  if (s.isRecords) return { kind: 'Records', records: [...s.asRecords].map(num) };
  return { kind: 'All' };
}

function grantOf(id: number, g: any): Grant {
  return {
    id,
    patient: acc(g.patient),
    grantee: { kind: g.grantee.isDoctor ? 'Doctor' : 'Hospital', account: acc(g.grantee.isDoctor ? g.grantee.asDoctor : g.grantee.asHospital) },
    scope: scopeOf(g.scope),
    right: g.right.type,
    grantedBy: acc(g.grantedBy),
    grantedAt: num(g.grantedAt),
    expiresAt: opt(g.expiresAt, num),
  };
}

/** Every grant of `patient`, lapsed ones included, through the runtime API (paged). */
export async function patientGrants(api: ApiPromise, patientAccount: string): Promise<Grant[]> {
  const out: Grant[] = [];
  let after: number | null = null;
  for (;;) {
    const page: any = await api.call.ehrAccessApi.patientGrants(patientAccount, after, 100);
    const items = [...page].map(([id, g]: any) => grantOf(num(id), g));
    out.push(...items);
    if (items.length < 100) return out;
    after = items[items.length - 1].id;
  }
}

/** Every grant on chain naming `doctor` in person or its hospital `hospitalAccount`. */
export async function grantsFor(api: ApiPromise, doctorAccount: string, hospitalAccount?: string): Promise<Grant[]> {
  const entries = await api.query.ehrAccess.grants.entries();
  return entries
    .map(([k, v]: [any, any]) => grantOf(num(k.args[0]), v.unwrap()))
    .filter(
      (g) =>
        (g.grantee.kind === 'Doctor' && sameAccount(g.grantee.account, doctorAccount)) ||
        (g.grantee.kind === 'Hospital' && !!hospitalAccount && sameAccount(g.grantee.account, hospitalAccount)),
    )
    .sort((a, b) => a.id - b.id);
}

function anchorOf(a: any): RecordAnchor {
  return {
    id: num(a.id),
    patient: acc(a.patient),
    author: acc(a.author),
    hospital: opt(a.hospital, acc),
    category: a.category.type,
    size: num(a.size),
    createdAt: num(a.createdAt),
    supersedes: opt(a.supersedes, num),
    erasedAt: opt(a.erasedAt, num),
    k: num(a.archive.k),
    n: num(a.archive.n),
  };
}

export async function patientRecords(api: ApiPromise, patientAccount: string): Promise<RecordAnchor[]> {
  const out: RecordAnchor[] = [];
  let after: number | null = null;
  for (;;) {
    const page: any = await api.call.ehrAccessApi.patientRecords(patientAccount, after, 100);
    const items = [...page].map(([, a]: any) => anchorOf(a));
    out.push(...items);
    if (items.length < 100) return out;
    after = items[items.length - 1].id;
  }
}

export async function record(api: ApiPromise, id: number): Promise<RecordAnchor | undefined> {
  const r: any = await api.query.ehrAccess.records(id);
  return r.isSome ? anchorOf(r.unwrap()) : undefined;
}

export async function emergencySessions(api: ApiPromise, doctorAccount: string): Promise<EmergencySession[]> {
  const list: any = await api.query.ehrAccess.emergencySessions(doctorAccount);
  return [...list].map((s: any) => ({
    doctor: doctorAccount,
    patient: acc(s.patient),
    reason: s.reason.type,
    openedAt: num(s.openedAt),
    expiresAt: num(s.expiresAt),
  }));
}

export type Decision = { allowed: true; reason: string; grant?: number } | { allowed: false; reason: string };

function decisionOf(d: any): Decision {
  if (d.isAllowed) {
    const r = d.asAllowed;
    return r.isConsent ? { allowed: true, reason: 'Consent', grant: num(r.asConsent.grant) } : { allowed: true, reason: r.type };
  }
  return { allowed: false, reason: d.asDenied.type };
}

/** The chain's decision whether `who` may open `recordId` now (no transaction, not audited). */
export async function canAccess(api: ApiPromise, who: string, recordId: number): Promise<Decision> {
  return decisionOf(await api.call.ehrAccessApi.canAccess(who, recordId));
}

/** The chain's decision whether `author` may add a record of `category` for `patientAccount` now. */
export async function canWrite(
  api: ApiPromise,
  author: string,
  patientAccount: string,
  category: string,
  supersedes: number | null,
): Promise<Decision> {
  return decisionOf(await api.call.ehrAccessApi.canWrite(author, patientAccount, category, supersedes));
}

export function decisionText(d: Decision): string {
  if (d.allowed) {
    const why: Record<string, string> = {
      Owner: 'you are the patient',
      Guardian: "you are the patient's guardian",
      Author: 'you wrote the record',
      Consent: `consent grant ${d.allowed && 'grant' in d ? d.grant : ''}`,
      Emergency: 'your emergency session',
    };
    return `Allowed: ${why[d.reason] ?? d.reason}`;
  }
  return `Refused (${d.reason}): ${DENY_REASONS[d.reason] ?? d.reason}`;
}

// ---- the audit trail ----

export interface AuditEntry {
  block: number;
  event: number;
  timeMs: number;
  kind: string;
  data: Record<string, any>;
}

/** The whole trail of `patientAccount` from the node's audit index, oldest first. */
export async function auditTrail(api: ApiPromise, patientAccount: string): Promise<{ entries: AuditEntry[]; indexedTo: number }> {
  const provider: any = (api as any)._rpcCore.provider;
  const entries: AuditEntry[] = [];
  let after: { block: number; event: number } | null = null;
  let indexedTo = 0;
  for (let pages = 0; pages < 100; pages++) {
    const hex: string = await provider.send('ehr_auditTrail', [patientAccount, null, null, after, 1000]);
    const page: any = api.registry.createType('EhrUiAuditPage' as any, hex);
    indexedTo = num(page.indexedTo);
    for (const e of page.get('entries')) {
      const ev = e.event;
      entries.push({
        block: num(e.at.block),
        event: num(e.at.event),
        timeMs: num(e.timeMs),
        kind: ev.type,
        data: ev[`as${ev.type}`],
      });
    }
    if (page.next.isNone) break;
    const n = page.next.unwrap();
    after = { block: num(n.block), event: num(n.event) };
  }
  return { entries, indexedTo };
}

/** Public names of doctors and hospitals, cached per page load. */
export class Names {
  private cache = new Map<string, Promise<string | undefined>>();
  constructor(private readonly api: ApiPromise) {}

  /** "Dr Grey, St Mary" for a doctor, "St Mary" for a hospital, undefined otherwise. */
  of(account: string): Promise<string | undefined> {
    let p = this.cache.get(account);
    if (!p) {
      p = (async () => {
        const d = await doctor(this.api, account);
        if (d) {
          const h = await hospital(this.api, d.hospital);
          return h ? `${d.name}, ${h.name}` : d.name;
        }
        const h = await hospital(this.api, account);
        return h?.name;
      })();
      this.cache.set(account, p);
    }
    return p;
  }

  clear(): void {
    this.cache.clear();
  }
}

/** The time of block `n` (ms since the epoch), from its timestamp; cached. */
const blockTimes = new Map<number, Promise<number | undefined>>();
export function blockTime(api: ApiPromise, n: number): Promise<number | undefined> {
  let p = blockTimes.get(n);
  if (!p) {
    p = (async () => {
      try {
        const hash = await api.rpc.chain.getBlockHash(n);
        if (hash.isEmpty) return undefined;
        const at = await api.at(hash);
        return Number((await at.query.timestamp.now()).toString());
      } catch {
        return undefined;
      }
    })();
    blockTimes.set(n, p);
  }
  return p;
}
