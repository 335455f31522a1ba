import Foundation

/// Test support shared by the Findings and CLI tests: runs `validate_json.py` with Python's `jsonschema` in a venv created once and cached under /tmp.
public enum SchemaValidator {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("validate_json.py").path
    /// HL7's R4 JSON schema, `../shared/fhir/fhir.schema.json` from the repository.
    public static let fhirSchema = repository.appendingPathComponent("../shared/fhir/fhir.schema.json").standardized
        .path
    /// The native findings document's schema, `docs/findings.schema.json`.
    public static let findingsSchema = repository.appendingPathComponent("docs/findings.schema.json").path
    static let venv = "/tmp/annulus-fhir-venv"

    /// Whether Debian's python3 (needed for the venv) is installed.
    public static var hasPython: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") }
    /// Whether python3 and HL7's schema are both present.
    public static var hasFHIRSchema: Bool { hasPython && FileManager.default.fileExists(atPath: fhirSchema) }

    /// Validates `instance` against `schema` with the given draft ("6", "7", "2020-12"); nil when valid, else
    /// the validator's output (or why it could not run).
    public static func problems(in instance: Data, schema: String, draft: String) -> String? {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent(
            "annulus-validate-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            try instance.write(to: file)
        } catch {
            return "cannot write \(file.path): \(error)"
        }
        // flock: tests run in parallel; the first one creates the venv, the others wait for it.
        let setup =
            "test -f \(venv)/.ready || { rm -rf \(venv) && /usr/bin/python3 -m venv \(venv) "
            + "&& \(venv)/bin/pip install --quiet --disable-pip-version-check jsonschema && touch \(venv)/.ready; }"
        let (status, setupOutput) = run(["/usr/bin/flock", venv + ".lock", "/bin/sh", "-c", setup])
        guard status == 0 else { return "could not create the jsonschema venv:\n\(setupOutput)" }
        let (result, output) = run(["\(venv)/bin/python", script, schema, file.path, draft])
        return result == 0 ? nil : "validation failed (exit \(result)):\n\(output)"
    }

    private static func run(_ arguments: [String]) -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do {
            try process.run()
        } catch {
            return (-1, "cannot run \(arguments[0]): \(error)")
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
