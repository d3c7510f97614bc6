// FHIR R4 JSON from the record forms (the original app's record parts). The records pipeline
// validates it with the project's Rust validator (in WebAssembly) before anything is encrypted.

type V = Record<string, string>;
const ref = (patient: string) => ({ reference: `Patient/${patient}` });
const text = (t: string) => ({ text: t });
// Drops empty fields: FHIR forbids empty strings and empty arrays.
const clean = <T extends object>(o: T): T =>
  JSON.parse(JSON.stringify(o, (_k, v) => (v === '' || v === undefined || (Array.isArray(v) && v.length === 0) ? undefined : v)));

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
