import Findings
import Foundation
import SchemaTestSupport
import Testing

@Suite("Schema validation")
struct SchemaValidationTests {
    @Test(
        "every Bundle passes HL7's R4 JSON schema (Draft 6)",
        .enabled(
            if: SchemaValidator.hasFHIRSchema,
            "HL7's R4 schema is not at ../shared/fhir/fhir.schema.json (or python3 is missing)"),
        arguments: Fixture.allInputs.map(\.name))
    func fhirSchema(name: String) {
        let input = Fixture.allInputs.first { $0.name == name }!.input
        let problems = SchemaValidator.problems(
            in: FHIRBundleBuilder.build(input), schema: SchemaValidator.fhirSchema, draft: "6")
        #expect(problems == nil, "\(problems ?? "")")
    }

    @Test(
        "the validator fails a broken Bundle with its message",
        .enabled(
            if: SchemaValidator.hasFHIRSchema,
            "HL7's R4 schema is not at ../shared/fhir/fhir.schema.json (or python3 is missing)"))
    func fhirSchemaCatchesErrors() throws {
        let bundle = FHIRBundleBuilder.build(Fixture.signedInput)
        var object = try #require(try JSONSerialization.jsonObject(with: bundle) as? [String: Any])
        var entries = try #require(object["entry"] as? [[String: Any]])
        var resource = try #require(entries[2]["resource"] as? [String: Any])
        resource["status"] = 42
        entries[2]["resource"] = resource
        object["entry"] = entries
        let broken = try JSONSerialization.data(withJSONObject: object)
        let problems = SchemaValidator.problems(in: broken, schema: SchemaValidator.fhirSchema, draft: "6")
        #expect(problems?.contains("42") == true, "\(problems ?? "no problem reported")")
    }

    @Test(
        "the native findings document passes docs/findings.schema.json (draft 2020-12)",
        .enabled(if: SchemaValidator.hasPython, "python3 is missing"),
        arguments: Fixture.allInputs.map(\.name))
    func nativeSchema(name: String) {
        let input = Fixture.allInputs.first { $0.name == name }!.input
        let problems = SchemaValidator.problems(
            in: FindingsDocument.build(input), schema: SchemaValidator.findingsSchema, draft: "2020-12")
        #expect(problems == nil, "\(problems ?? "")")
    }

    @Test(
        "the example export in docs/examples (scripts/demo-handoff) passes both schemas and the reference check",
        .enabled(if: SchemaValidator.hasFHIRSchema, "HL7's R4 schema (../shared/fhir) or python3 is missing"))
    func documentedExample() throws {
        let examples = URL(fileURLWithPath: SchemaValidator.findingsSchema).deletingLastPathComponent()
            .appendingPathComponent("examples")
        let bundle = try Data(contentsOf: examples.appendingPathComponent("ACC-MR-0001.fhir.json"))
        let native = try Data(contentsOf: examples.appendingPathComponent("ACC-MR-0001.findings.json"))
        let fhirProblems = SchemaValidator.problems(in: bundle, schema: SchemaValidator.fhirSchema, draft: "6")
        #expect(fhirProblems == nil, "\(fhirProblems ?? "")")
        #expect(BundleReferenceChecker.problems(in: bundle) == [])
        let nativeProblems = SchemaValidator.problems(
            in: native, schema: SchemaValidator.findingsSchema, draft: "2020-12")
        #expect(nativeProblems == nil, "\(nativeProblems ?? "")")
        let document = try #require(try JSONSerialization.jsonObject(with: native) as? [String: Any])
        #expect(document["schemaVersion"] as? String == FindingsDocument.schemaVersion, "regenerate the example")
    }
}
