"""ehr-fhir-server driven by clients no one here wrote: SMART on FHIR's `fhirclient` 4.4.0 (its
R4 models parse every answer) and HL7's R4 JSON schema (`fhir.schema.json`, checked with
`jsonschema` on every response body, through a hook on each HTTP session). Run by
scripts/test-fhir-python.sh, which starts an `ehr-node --dev`, sets up a hospital, two doctors
and a patient who consents to the first doctor with the `ehr` CLI, and starts the servers named
by the environment:

- EHR_FHIR_DOCTOR: a server acting for the doctor with read-and-write consent;
- EHR_FHIR_PATIENT: a server acting for the patient;
- EHR_FHIR_OTHER: a server acting for a doctor of the same hospital without consent;
- EHR_PATIENT, EHR_OTHER_DOCTOR: the patient's and that other doctor's SS58 addresses;
- EHR_SAMPLES: the folder of ehr-fhir's samples;
- EHR_FHIR_SCHEMA: the path of fhir.schema.json;
- EHR_MAX_BODY: the doctor's server's body limit in bytes.

The story runs in order (the methods are numbered): each step leaves the chain as the next one
expects.
"""
import datetime
import json
import os
import pathlib
import unittest

import requests
from fhirclient import server as fhir_server
from fhirclient.models.auditevent import AuditEvent
from fhirclient.models.bundle import Bundle
from fhirclient.models.condition import Condition
from fhirclient.models.consent import Consent
from fhirclient.models.operationoutcome import OperationOutcome
from jsonschema import Draft6Validator
from jsonschema.exceptions import best_match

DOCTOR = os.environ["EHR_FHIR_DOCTOR"]
PATIENT_SERVER = os.environ["EHR_FHIR_PATIENT"]
OTHER = os.environ["EHR_FHIR_OTHER"]
PATIENT = os.environ["EHR_PATIENT"]
OTHER_DOCTOR = os.environ["EHR_OTHER_DOCTOR"]
SAMPLES = pathlib.Path(os.environ["EHR_SAMPLES"])
MAX_BODY = int(os.environ["EHR_MAX_BODY"])
FHIR_JSON = "application/fhir+json"



def with_fhir_4_0_1(schema):
    """The schema with 4.0.1 among the FHIR versions: the file is the one HL7 published with
    4.0.0, and 4.0.1, its technical correction, is the version this server speaks. Nothing else
    is changed."""
    def walk(node):
        if isinstance(node, dict):
            versions = node.get("enum")
            if isinstance(versions, list) and "4.0.0" in versions and "4.0.1" not in versions:
                versions.append("4.0.1")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)
    walk(schema)
    return schema


SCHEMA_JSON = with_fhir_4_0_1(json.loads(pathlib.Path(os.environ["EHR_FHIR_SCHEMA"]).read_text()))
SCHEMA = Draft6Validator(SCHEMA_JSON)
CHECKED = {"bodies": 0}


def schema_error(body):
    """Where `body` breaks the R4 schema, if it does: against its own resource type's
    definition, so that the error names the element rather than the schema's top `oneOf`."""
    error = best_match(SCHEMA.iter_errors(body))
    resource_type = body.get("resourceType") if isinstance(body, dict) else None
    if error is None or resource_type not in SCHEMA_JSON["definitions"]:
        return error
    typed = {"$ref": f"#/definitions/{resource_type}", "definitions": SCHEMA_JSON["definitions"]}
    return best_match(Draft6Validator(typed).iter_errors(body)) or error


def schema_check(response, *args, **kwargs):
    """Every answer with a body is FHIR R4 JSON by HL7's schema, served as FHIR JSON."""
    if not response.content:
        return
    media = response.headers.get("content-type", "")
    assert media.startswith(FHIR_JSON), f"{response.url}: content-type {media}"
    body = response.json()
    error = schema_error(body)
    assert error is None, (
        f"{response.request.method} {response.url} ({response.status_code}): not R4 JSON at "
        f"{'/'.join(map(str, error.absolute_path))}: {error.message[:300]}"
    )
    CHECKED["bodies"] += 1


def connect(base):
    server = fhir_server.FHIRServer(None, base_uri=base)
    server.session.hooks["response"].append(schema_check)
    return server


def raw_session():
    session = requests.Session()
    session.hooks["response"].append(schema_check)
    return session


def sample(name):
    """A sample about the patient, without the id the server assigns."""
    data = json.loads((SAMPLES / name).read_text())
    data.pop("id", None)
    for element in ("subject", "patient", "beneficiary"):
        if element in data:
            data[element] = {"reference": f"Patient/{PATIENT}"}
    return data


def content(resource):
    """A resource without what the server sets."""
    return {k: v for k, v in resource.items() if k not in ("id", "meta")}


def diagnostics(response):
    outcome = OperationOutcome(response.json())
    return outcome.issue[0].diagnostics or ""


def record_identifiers(event):
    """The records an AuditEvent names."""
    return {
        entity.what.identifier.value
        for entity in event.entity or []
        if entity.what and entity.what.identifier
        and entity.what.identifier.system == "urn:ehr-chain:record"
    }


class FhirClientStory(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.doctor = connect(DOCTOR)
        cls.patient = connect(PATIENT_SERVER)
        cls.other = connect(OTHER)
        cls.http = raw_session()
        cls.created = {}  # sample name -> (resource type, id)

    def everything_total(self):
        answer = self.http.get(f"{PATIENT_SERVER}/Patient/{PATIENT}/$everything?_count=1")
        self.assertEqual(answer.status_code, 200, answer.text)
        return Bundle(answer.json()).total

    def test_00_the_schema_check_catches_what_r4_forbids(self):
        good = sample("condition-past.json")
        self.assertIsNone(schema_error(good))
        for element, value in [
            ("onsetDateTime", "yesterday"),
            ("wrongElement", 1),
            ("code", {"coding": "x"}),
            ("id", "has space"),
        ]:
            error = schema_error(dict(good, **{element: value}))
            self.assertIsNotNone(error, element)
            self.assertIn(element, f"{list(error.absolute_path)} {error.message}")

    def test_01_the_capability_statement_lists_what_is_served(self):
        statement = self.doctor.capabilityStatement
        self.assertEqual(statement.fhirVersion, "4.0.1")
        resources = {resource.type: resource for resource in statement.rest[0].resource}
        self.assertTrue({"Condition", "Patient", "AuditEvent", "Consent", "Bundle"} <= set(resources))
        params = {param.name for param in resources["Condition"].searchParam}
        self.assertEqual(params, {"patient", "_lastUpdated", "_count"})

    def test_02_every_sample_is_created_and_read_back_identical(self):
        names = sorted(path.name for path in SAMPLES.glob("*.json"))
        self.assertGreaterEqual(len(names), 8)
        for name in names:
            sent = sample(name)
            resource_type = sent["resourceType"]
            answer = self.http.post(
                f"{DOCTOR}/{resource_type}?patient=Patient/{PATIENT}",
                data=json.dumps(sent),
                headers={"content-type": FHIR_JSON},
            )
            self.assertEqual(answer.status_code, 201, f"{name}: {answer.text}")
            record = answer.json()["id"]
            self.assertEqual(
                answer.headers["location"], f"{DOCTOR}/{resource_type}/{record}/_history/1"
            )
            self.assertEqual(answer.headers["etag"], 'W/"1"')
            read = self.doctor.request_json(f"{resource_type}/{record}")
            self.assertEqual(read["meta"]["versionId"], "1", name)
            self.assertEqual(content(read), content(sent), f"{name} read back")
            self.assertTrue(read["meta"]["lastUpdated"].endswith("Z"), name)
            self.created[name] = (resource_type, record)
        condition = Condition.read(self.created["condition-present.json"][1], self.doctor)
        self.assertEqual(condition.subject.reference, f"Patient/{PATIENT}")

    def test_03_search_follows_the_next_links(self):
        search = Condition.where({"patient": PATIENT, "_count": "1"})
        bundles = list(search.perform_iter(self.doctor))
        self.assertEqual(len(bundles), 2, "one Condition a page")
        self.assertEqual(bundles[0].total, 2)
        ids = [entry.resource.id for bundle in bundles for entry in bundle.entry]
        conditions = [self.created[name][1] for name in ("condition-past.json", "condition-present.json")]
        self.assertEqual(ids, sorted(conditions, key=int), "oldest first")

    def test_04_last_updated_compares_with_the_anchoring_block(self):
        today = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        for value, expected in [
            (f"ge{today}", 2),
            ("lt2000-01-01", 0),
            (f"gt{today}T23:59:59Z", 0),
            (today[:4], 2),
        ]:
            search = Condition.where({"patient": PATIENT, "_lastUpdated": value})
            self.assertEqual(next(search.perform_iter(self.doctor)).total, expected, value)
        bad = self.http.get(f"{DOCTOR}/Condition?patient={PATIENT}&_lastUpdated=yesterday")
        self.assertEqual(bad.status_code, 400, bad.text)
        self.assertIn("_lastUpdated", diagnostics(bad))

    def test_05_an_update_is_a_new_version(self):
        resource_type, record = self.created["condition-present.json"]
        current = self.doctor.request_json(f"{resource_type}/{record}")
        current["code"]["text"] = "High blood pressure, treated"
        self.doctor.put_json(f"{resource_type}/{record}", current)
        read = Condition.read(record, self.doctor)
        self.assertEqual((read.meta.versionId, read.code.text), ("2", "High blood pressure, treated"))
        history = Bundle(self.doctor.request_json(f"{resource_type}/{record}/_history"))
        self.assertEqual((history.type, history.total), ("history", 2))
        first = self.doctor.request_json(f"{resource_type}/{record}/_history/1")
        self.assertEqual(content(first), content(sample("condition-present.json")))

    def test_06_a_doctor_without_consent_is_refused_by_the_chain(self):
        record = self.created["condition-past.json"][1]
        with self.assertRaises(fhir_server.FHIRPermissionDeniedException) as refused:
            Condition.read(record, self.other)
        self.assertEqual(refused.exception.response.status_code, 403)
        self.assertIn("NoConsent", diagnostics(refused.exception.response))

    def test_07_consent_round_trip_grants_and_revokes_a_read(self):
        record = self.created["condition-past.json"][1]
        listed = Bundle(self.patient.request_json(f"Consent?patient={PATIENT}"))
        before = listed.total
        grant = Consent({
            "resourceType": "Consent",
            "status": "active",
            "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope", "code": "patient-privacy"}]},
            "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
            "patient": {"reference": f"Patient/{PATIENT}"},
            "policyRule": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN"}]},
            "provision": {
                "type": "permit",
                "actor": [{
                    "role": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "PRCP"}]},
                    "reference": {"reference": f"Practitioner/{OTHER_DOCTOR}"},
                }],
                "action": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentaction", "code": "access"}]}],
                "class": [{"system": "http://hl7.org/fhir/resource-types", "code": "Condition"}],
            },
        })
        granted = grant.create(self.patient)
        grant_id = granted["id"]
        listed = Bundle(self.patient.request_json(f"Consent?patient={PATIENT}"))
        self.assertEqual(listed.total, before + 1)
        mine = [e.resource for e in listed.entry if e.resource.id == grant_id][0]
        self.assertEqual(mine.provision.actor[0].reference.reference, f"Practitioner/{OTHER_DOCTOR}")
        self.assertEqual(mine.provision.class_fhir[0].code, "Condition")

        read = Condition.read(record, self.other)
        self.assertEqual(read.id, record)

        self.patient.delete_json(f"Consent/{grant_id}")
        listed = Bundle(self.patient.request_json(f"Consent?patient={PATIENT}"))
        self.assertEqual(listed.total, before, "a revoked grant is not listed")
        with self.assertRaises(fhir_server.FHIRPermissionDeniedException) as refused:
            Condition.read(record, self.other)
        self.assertIn("NoConsent", diagnostics(refused.exception.response))

    def test_08_an_erased_record_is_gone(self):
        resource_type, record = self.created["encounter.json"]
        by_doctor = self.http.delete(f"{DOCTOR}/{resource_type}/{record}")
        self.assertEqual(by_doctor.status_code, 403, by_doctor.text)
        self.patient.delete_json(f"{resource_type}/{record}")
        gone = self.http.get(f"{DOCTOR}/{resource_type}/{record}")
        self.assertEqual(gone.status_code, 410, gone.text)
        self.assertIn("erased", diagnostics(gone))

    def test_09_the_audit_trail_shows_each_read_and_the_refusals(self):
        events = list(
            AuditEvent.where({"patient": PATIENT, "_count": "100"}).perform_resources_iter(self.doctor)
        )
        def who(event):
            agent = event.agent[0].who
            return agent.identifier.value if agent.identifier else agent.reference.split("/")[-1]
        reads = {
            value
            for event in events
            if event.action == "R" and event.outcome == "0"
            for value in record_identifiers(event)
        }
        for resource_type, record in self.created.values():
            self.assertIn(record, reads, f"the read of {resource_type}/{record}")
        refusals = [event for event in events if event.outcome == "4"]
        self.assertEqual(len(refusals), 2, "the two refused reads")
        for refusal in refusals:
            self.assertEqual(who(refusal), OTHER_DOCTOR)
            self.assertIn("NoConsent", refusal.outcomeDesc)
            self.assertEqual(record_identifiers(refusal), {self.created["condition-past.json"][1]})
        self.assertTrue(all(event.as_json()["recorded"].endswith("Z") for event in events))
        erased = [e for e in events if e.action == "D" and self.created["encounter.json"][1] in record_identifiers(e)]
        self.assertEqual(len(erased), 1, "the erasure")

    def test_10_bad_requests_get_their_4xx_and_store_nothing(self):
        before = self.everything_total()
        url = f"{DOCTOR}/Condition?patient=Patient/{PATIENT}"
        valid = json.dumps(sample("condition-past.json"))
        invalid = (SAMPLES / "invalid" / "patient-bad-birthdate.json").read_text()
        huge = sample("condition-past.json")
        huge["note"] = [{"text": "x" * MAX_BODY}]
        cases = [
            ("malformed JSON", url, '{"resourceType": "Condition",', FHIR_JSON, 400, "structure"),
            ("a wrong content type", url, valid, "text/plain", 415, None),
            ("a huge body", url, json.dumps(huge), FHIR_JSON, 413, "too-long"),
            ("an invalid resource", f"{DOCTOR}/Patient?patient={PATIENT}", invalid, FHIR_JSON, 400, None),
            ("another type than the URL's", url, json.dumps(sample("encounter.json")), FHIR_JSON, 400, None),
            ("no patient", f"{DOCTOR}/Condition", json.dumps(json.loads((SAMPLES / "condition-past.json").read_text())), FHIR_JSON, 422, None),
        ]
        for what, target, body, media, status, code in cases:
            answer = self.http.post(target, data=body, headers={"content-type": media})
            self.assertEqual(answer.status_code, status, f"{what}: {answer.text[:300]}")
            outcome = OperationOutcome(answer.json())
            self.assertEqual(outcome.issue[0].severity, "error", what)
            if code:
                self.assertEqual(outcome.issue[0].code, code, what)
        birth = self.http.post(
            f"{DOCTOR}/Patient?patient={PATIENT}", data=invalid, headers={"content-type": FHIR_JSON}
        )
        self.assertIn("birthDate", OperationOutcome(birth.json()).issue[0].expression[0])
        self.assertEqual(self.everything_total(), before, "nothing was stored")

    @classmethod
    def tearDownClass(cls):
        print(f"\n{CHECKED['bodies']} response bodies valid against the R4 JSON schema")


if __name__ == "__main__":
    unittest.main(verbosity=2)
