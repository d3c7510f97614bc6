"""ehr-fhir-server driven by a third-party FHIR client: SMART on FHIR's `fhirclient` 4.4.0
(its R4 models parse, and so check, every answer). Run by scripts/test-fhir-python.sh, which
starts an `ehr-node --dev`, sets up a hospital, a doctor, a patient and consent with the `ehr`
CLI, and starts the servers named by the environment:

- EHR_FHIR_DOCTOR: the base URL of a server acting for the doctor (who may read and write);
- EHR_FHIR_STRANGER: the base URL of a server acting for an account without consent;
- EHR_PATIENT: the patient's SS58 address;
- EHR_SAMPLES: the folder of ehr-fhir's samples.
"""
import json
import os
import pathlib
import unittest

from fhirclient import server as fhir_server
from fhirclient.models.auditevent import AuditEvent
from fhirclient.models.condition import Condition

DOCTOR = os.environ["EHR_FHIR_DOCTOR"]
STRANGER = os.environ["EHR_FHIR_STRANGER"]
PATIENT = os.environ["EHR_PATIENT"]
SAMPLES = pathlib.Path(os.environ["EHR_SAMPLES"])


def connect(base):
    return fhir_server.FHIRServer(None, base_uri=base)


def sample_condition(name):
    """A sample Condition, about the patient, without the id the server assigns."""
    data = json.loads((SAMPLES / name).read_text())
    data.pop("id")
    data["subject"] = {"reference": f"Patient/{PATIENT}"}
    return Condition(data)


class FhirClientInterop(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.doctor = connect(DOCTOR)
        cls.stranger = connect(STRANGER)
        created = []
        for name in ["condition-present.json", "condition-past.json"]:
            answer = sample_condition(name).create(cls.doctor)
            created.append(answer["id"])
        cls.created = created

    def test_the_capability_statement_parses_as_r4(self):
        statement = self.doctor.capabilityStatement
        self.assertEqual(statement.fhirVersion, "4.0.1")
        types = {resource.type for resource in statement.rest[0].resource}
        self.assertTrue({"Condition", "Patient", "AuditEvent", "Consent", "Bundle"} <= types)

    def test_a_created_condition_reads_back(self):
        read = Condition.read(self.created[0], self.doctor)
        self.assertEqual(read.id, self.created[0])
        self.assertEqual(read.meta.versionId, "1")
        expected = sample_condition("condition-present.json")
        self.assertEqual(read.code.as_json(), expected.code.as_json())
        self.assertEqual(read.subject.reference, f"Patient/{PATIENT}")

    def test_search_follows_the_next_links(self):
        search = Condition.where({"patient": PATIENT, "_count": "1"})
        bundles = list(search.perform_iter(self.doctor))
        self.assertGreaterEqual(len(bundles), 2, "one Condition a page")
        self.assertEqual(bundles[0].total, len(bundles))
        ids = [entry.resource.id for bundle in bundles for entry in bundle.entry]
        for record in self.created:
            self.assertIn(record, ids)

    def test_a_stranger_is_refused(self):
        with self.assertRaises(fhir_server.FHIRPermissionDeniedException) as refused:
            Condition.read(self.created[0], self.stranger)
        outcome = refused.exception.response.json()
        self.assertEqual(outcome["resourceType"], "OperationOutcome")
        self.assertIn("NoConsent", outcome["issue"][0]["diagnostics"])

    def test_the_audit_trail_parses_as_audit_events(self):
        # The refusal above may run after this test: ask for one of our own first.
        with self.assertRaises(fhir_server.FHIRPermissionDeniedException):
            Condition.read(self.created[1], self.stranger)
        events = list(AuditEvent.where({"patient": PATIENT, "_count": "100"})
                      .perform_resources_iter(self.doctor))
        outcomes = {event.outcome for event in events}
        self.assertIn("0", outcomes)
        self.assertIn("4", outcomes)
        for event in events:
            self.assertTrue(event.as_json()["recorded"].endswith("Z"))


if __name__ == "__main__":
    unittest.main(verbosity=2)
