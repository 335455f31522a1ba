import Findings
import Foundation
import Testing

@Suite("Bundle reference checker")
struct ReferenceCheckerTests {
    @Test("every built Bundle resolves every reference to an allowed type", arguments: Fixture.allInputs.map(\.name))
    func builtBundlesPass(name: String) {
        let input = Fixture.allInputs.first { $0.name == name }!.input
        #expect(BundleReferenceChecker.problems(in: FHIRBundleBuilder.build(input)) == [])
    }

    private func bundle(subject: String, result: String) -> Data {
        Data(
            """
            {"resourceType": "Bundle", "type": "transaction", "entry": [
              {"fullUrl": "urn:uuid:p", "resource": {"resourceType": "Patient"}},
              {"fullUrl": "urn:uuid:d", "resource": {"resourceType": "Device"}},
              {"fullUrl": "urn:uuid:o", "resource": {"resourceType": "Observation", "subject": {"reference": "\(subject)"}}},
              {"fullUrl": "urn:uuid:r", "resource": {"resourceType": "DiagnosticReport",
                "result": [{"reference": "urn:uuid:o"}, {"reference": "\(result)"}]}}
            ]}
            """.utf8)
    }

    @Test("a correct hand-made Bundle passes")
    func correct() {
        #expect(BundleReferenceChecker.problems(in: bundle(subject: "urn:uuid:p", result: "urn:uuid:o")) == [])
    }

    @Test("a dangling reference is flagged")
    func dangling() {
        let problems = BundleReferenceChecker.problems(in: bundle(subject: "urn:uuid:p", result: "urn:uuid:gone"))
        #expect(problems.count == 1)
        #expect(problems.first?.contains("DiagnosticReport.result → urn:uuid:gone") == true)
        #expect(problems.first?.contains("no entry") == true)
    }

    @Test("a reference to a type R4 does not allow there is flagged")
    func wrongType() {
        let problems = BundleReferenceChecker.problems(in: bundle(subject: "urn:uuid:d", result: "urn:uuid:p"))
        #expect(problems.count == 1)  // Observation.subject → Device is allowed in R4
        #expect(problems.contains { $0.contains("DiagnosticReport.result → urn:uuid:p: a Patient") })
    }

    @Test("Observation.subject pointing at a DiagnosticReport is flagged")
    func wrongSubject() {
        let problems = BundleReferenceChecker.problems(in: bundle(subject: "urn:uuid:r", result: "urn:uuid:o"))
        #expect(
            problems == [
                "urn:uuid:o Observation.subject → urn:uuid:r: a DiagnosticReport, but R4 allows only Device, Group, "
                    + "Location, Patient"
            ])
    }
}
