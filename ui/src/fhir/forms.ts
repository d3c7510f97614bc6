// FHIR R4 JSON from the record forms (the original app's record parts), and a first check of a
// resource in the page (the records pipeline validates it fully, with the project's Rust
// validator, before anything is encrypted).
import { FhirInvalid } from '../records/index';

/** Resource type → record category (ehr-types' `Category::fhir_resource_types`). */
export const CATEGORY_OF: Record<string, string> = {
  Patient: 'Demographics',
  Coverage: 'Coverage',
  Condition: 'Condition',
  DiagnosticReport: 'DiagnosticReport',
  MedicationRequest: 'Medication',
  MedicationStatement: 'Medication',
  Procedure: 'Procedure',
  Encounter: 'Encounter',
  Observation: 'Observation',
  AllergyIntolerance: 'AllergyIntolerance',
  Immunization: 'Immunization',
  DocumentReference: 'Document',
};

type V = Record<string, string>;
const ref = (patient: string) => ({ reference: `Patient/${patient}` });
const text = (t: string) => ({ text: t });
const clean = <T extends object>(o: T): T => JSON.parse(JSON.stringify(o, (_k, v) => (v === '' || v === undefined ? undefined : v)));

export interface RecordKind {
  id: string;
  label: string;
  fields: { name: string; label: string; type?: string; required?: boolean; multiline?: boolean; hint?: string; options?: { value: string; label: string }[] }[];
  build: (patient: string, v: V) => object;
}

export const RECORD_KINDS: RecordKind[] = [
  {
    id: 'coverage',
    label: 'Insurance (Coverage)',
    fields: [
      { name: 'payor', label: 'Insurer', required: true },
      { name: 'subscriberId', label: 'Member / subscriber number' },
      { name: 'plan', label: 'Plan' },
      { name: 'start', label: 'Valid from', type: 'date' },
      { name: 'end', label: 'Valid until', type: 'date' },
    ],
    build: (p, v) =>
      clean({
        resourceType: 'Coverage',
        status: 'active',
        subscriberId: v.subscriberId,
        beneficiary: ref(p),
        period: v.start || v.end ? { start: v.start, end: v.end } : undefined,
        payor: [{ display: v.payor }],
        class: v.plan
          ? [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/coverage-class', code: 'plan' }] }, value: v.plan }]
          : undefined,
      }),
  },
  {
    id: 'present-illness',
    label: 'Present illness (Condition)',
    fields: [
      { name: 'illness', label: 'Illness', required: true },
      { name: 'onset', label: 'Since', type: 'date' },
      { name: 'note', label: 'Notes', multiline: true },
    ],
    build: (p, v) => condition(p, v, 'active'),
  },
  {
    id: 'past-illness',
    label: 'Past illness (Condition)',
    fields: [
      { name: 'illness', label: 'Illness', required: true },
      { name: 'onset', label: 'From', type: 'date' },
      { name: 'abatement', label: 'Until', type: 'date' },
      { name: 'note', label: 'Notes', multiline: true },
    ],
    build: (p, v) => condition(p, v, 'resolved'),
  },
  {
    id: 'prescription',
    label: 'Diagnosis and prescription (MedicationRequest)',
    fields: [
      { name: 'diagnosis', label: 'Diagnosis', required: true },
      { name: 'medication', label: 'Medication', required: true },
      { name: 'dosage', label: 'Dosage instructions', required: true },
      { name: 'authoredOn', label: 'Prescribed on', type: 'date' },
    ],
    build: (p, v) =>
      clean({
        resourceType: 'MedicationRequest',
        status: 'active',
        intent: 'order',
        medicationCodeableConcept: text(v.medication),
        subject: ref(p),
        authoredOn: v.authoredOn,
        reasonCode: [text(v.diagnosis)],
        dosageInstruction: [{ text: v.dosage }],
      }),
  },
  {
    id: 'treatment',
    label: 'Treatment summary (Procedure)',
    fields: [
      { name: 'treatment', label: 'Treatment', required: true },
      { name: 'performed', label: 'Performed on', type: 'date' },
      { name: 'outcome', label: 'Outcome / summary', multiline: true },
    ],
    build: (p, v) =>
      clean({
        resourceType: 'Procedure',
        status: 'completed',
        code: text(v.treatment),
        subject: ref(p),
        performedDateTime: v.performed,
        outcome: v.outcome ? text(v.outcome) : undefined,
      }),
  },
  {
    id: 'visits',
    label: 'Previous visit dates (Encounter)',
    fields: [
      { name: 'dates', label: 'Visit dates', required: true, hint: 'One or more dates, YYYY-MM-DD, separated by commas or spaces.' },
      { name: 'reason', label: 'Reason for the visits' },
    ],
    build: (p, v) => {
      const dates = v.dates.split(/[\s,;]+/).filter(Boolean);
      const enc = (d: string) =>
        clean({
          resourceType: 'Encounter',
          status: 'finished',
          class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
          subject: ref(p),
          period: { start: d, end: d },
          reasonCode: v.reason ? [text(v.reason)] : undefined,
        });
      if (dates.length <= 1) return enc(dates[0] ?? '');
      return { resourceType: 'Bundle', type: 'collection', entry: dates.map((d) => ({ resource: enc(d) })) };
    },
  },
];

function condition(p: string, v: V, clinical: 'active' | 'resolved'): object {
  return clean({
    resourceType: 'Condition',
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: clinical }] },
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
    code: text(v.illness),
    subject: ref(p),
    onsetDateTime: v.onset,
    abatementDateTime: v.abatement,
    note: v.note ? [{ text: v.note }] : undefined,
  });
}

/** The demographics form: a FHIR `Patient`. */
export const DEMOGRAPHICS: RecordKind = {
  id: 'demographics',
  label: 'Demographics (Patient)',
  fields: [
    { name: 'given', label: 'Given name(s)', required: true },
    { name: 'family', label: 'Family name', required: true },
    { name: 'birthDate', label: 'Date of birth', type: 'date' },
    {
      name: 'gender',
      label: 'Gender',
      options: [
        { value: '', label: 'Not given' },
        { value: 'female', label: 'Female' },
        { value: 'male', label: 'Male' },
        { value: 'other', label: 'Other' },
        { value: 'unknown', label: 'Unknown' },
      ],
    },
    { name: 'line', label: 'Street address' },
    { name: 'city', label: 'City' },
    { name: 'postalCode', label: 'Postal code' },
    { name: 'phone', label: 'Phone', type: 'tel' },
    { name: 'email', label: 'E-mail', type: 'email' },
    { name: 'kin', label: 'Next of kin (name and phone)' },
  ],
  build: (_p, v) =>
    clean({
      resourceType: 'Patient',
      name: [{ family: v.family, given: v.given.split(/\s+/).filter(Boolean) }],
      gender: v.gender,
      birthDate: v.birthDate,
      address: v.line || v.city || v.postalCode ? [{ line: v.line ? [v.line] : undefined, city: v.city, postalCode: v.postalCode }] : undefined,
      telecom: [
        v.phone ? { system: 'phone', value: v.phone } : undefined,
        v.email ? { system: 'email', value: v.email } : undefined,
      ].filter(Boolean),
      contact: v.kin ? [{ name: { text: v.kin } }] : undefined,
    }),
};

const DATE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;
const DATETIME = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(\.\d+)?(Z|[+-]((0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$/;

/** What each resource type must carry (R4 cardinality 1..*) and its date elements. */
const REQUIRED: Record<string, string[]> = {
  Coverage: ['status', 'beneficiary', 'payor'],
  Condition: ['subject'],
  MedicationRequest: ['status', 'intent', 'subject'],
  MedicationStatement: ['status', 'subject'],
  Procedure: ['status', 'subject'],
  Encounter: ['status', 'class'],
  DiagnosticReport: ['status', 'code'],
  Observation: ['status', 'code'],
  AllergyIntolerance: ['patient'],
  Immunization: ['status', 'vaccineCode', 'patient', 'occurrenceDateTime'],
  DocumentReference: ['status', 'content'],
  Patient: [],
};
const DATES: Record<string, string> = {
  birthDate: 'date',
  onsetDateTime: 'dateTime',
  abatementDateTime: 'dateTime',
  recordedDate: 'dateTime',
  authoredOn: 'dateTime',
  performedDateTime: 'dateTime',
  occurrenceDateTime: 'dateTime',
  effectiveDateTime: 'dateTime',
  start: 'dateTime',
  end: 'dateTime',
};

function checkResource(r: unknown, path: string): string {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) throw new FhirInvalid(path || 'resource', 'a resource must be a JSON object');
  const o = r as Record<string, unknown>;
  const type = o.resourceType;
  if (typeof type !== 'string') throw new FhirInvalid(`${path}resourceType`, 'resourceType is missing');
  const here = path ? `${path}` : '';
  if (type === 'Bundle') {
    const entries = o.entry;
    if (!Array.isArray(entries) || entries.length === 0) throw new FhirInvalid(`${here}Bundle.entry`, 'a Bundle record needs at least one entry');
    if (typeof o.type !== 'string') throw new FhirInvalid(`${here}Bundle.type`, 'Bundle.type is required');
    const cats = new Set<string>();
    entries.forEach((e, i) => {
      const res = (e as Record<string, unknown>)?.resource;
      if (res === undefined) throw new FhirInvalid(`${here}Bundle.entry[${i}].resource`, 'the entry has no resource');
      cats.add(checkResource(res, `${here}Bundle.entry[${i}].resource.`));
    });
    if (cats.size !== 1) throw new FhirInvalid(`${here}Bundle.entry`, 'the entries of a record must all be of one category');
    return [...cats][0];
  }
  const category = CATEGORY_OF[type];
  if (!category) throw new FhirInvalid(`${here}resourceType`, `"${type}" is not a resource type a record can hold`);
  for (const req of REQUIRED[type] ?? []) {
    const v = o[req];
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0))
      throw new FhirInvalid(`${here}${type}.${req}`, `${type}.${req} is required`);
  }
  const walk = (v: unknown, p: string) => {
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${p}[${i}]`));
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (DATES[k] && x !== undefined) {
          const re = DATES[k] === 'date' ? DATE : DATETIME;
          if (typeof x !== 'string' || !re.test(x)) throw new FhirInvalid(`${p}.${k}`, `${p}.${k} is not a FHIR ${DATES[k]} (YYYY-MM-DD)`);
        } else walk(x, `${p}.${k}`);
      }
    }
  };
  walk(o, `${here}${type}`);
  return category;
}

/**
 * Parses and checks `json` (the resource type maps to a category, required elements, dates);
 * throws `FhirInvalid` naming the field. Returns the record's category.
 */
export function precheck(json: string): { category: string; resourceType: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (e) {
    throw new FhirInvalid('(file)', `not JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  const category = checkResource(parsed, '');
  return { category, resourceType: (parsed as { resourceType: string }).resourceType };
}
