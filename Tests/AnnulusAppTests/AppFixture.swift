import AnnulusApp
import AnnulusRecords
import Candidacy
import Foundation
import Store
import Testing

/// A data folder in a temporary directory with the bundled SampleStudies ingested through the use cases, and the
/// use cases over it: the real store, rules and files, no spawned binary.
final class AppFixture: Sendable {
    /// The package root (for SampleStudies).
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    /// The bundled SampleStudies.
    static let sampleStudies = packageRoot + "/SampleStudies"

    /// The temporary folder holding the data folder (and anything a test writes beside it).
    let root: String
    /// The data folder.
    let dataFolder: DataFolder
    /// The use cases over the store.
    let useCases: UseCases

    /// A clinician who annotates and signs.
    static let clinician = Principal.cliUser("dr.okafor")
    /// A second clinician.
    static let colleague = Principal.cliUser("dr.lindqvist")

    /// A new data folder; SampleStudies ingested unless `ingest` is false (then the store is new and empty).
    init(ingest: Bool = true, rules: RuleSet? = nil, clock: @escaping @Sendable () -> Date = { Date() }) async throws {
        root =
            FileManager.default.temporaryDirectory.appendingPathComponent("annulus-app-tests-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        dataFolder = DataFolder(path: root + "/data")
        let store = try dataFolder.openStore(creating: true)
        useCases = UseCases(try AppEnvironment(store: store, dataFolder: dataFolder, rules: rules, clock: clock))
        if ingest {
            let run = try await useCases.ingest([Self.sampleStudies], by: Self.clinician)
            #expect(run.report.failed.isEmpty)
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    /// The store.
    var store: AnnulusStore { useCases.environment.store }

    /// Use cases over the same store with other rules.
    func with(rules: RuleSet) throws -> UseCases {
        UseCases(try AppEnvironment(store: store, dataFolder: dataFolder, rules: rules))
    }

    /// Adds a draft finding (`kind` and its fields) at `level` of `study` and returns the version.
    @discardableResult
    func add(
        _ study: String, _ level: String, _ kind: String, _ fields: [String] = [], by principal: Principal = clinician
    ) async throws -> AnnotationVersion {
        try await useCases.addFinding(
            NewFindingRequest(study: study, level: level, kind: kind, fields: fields), by: principal
        ).version
    }

    /// The AppError `body` throws (nil, with an issue recorded, when it throws none or another error).
    static func error<T>(_ body: () async throws -> T) async -> AppError? {
        do {
            _ = try await body()
            Issue.record("expected an AppError")
            return nil
        } catch let error as AppError {
            return error
        } catch {
            Issue.record("expected an AppError, got \(error)")
            return nil
        }
    }
}

/// The intake of the sample patient that makes L4-L5 a candidate once the findings are signed.
let candidateIntake = [
    "age=45", "pain-months=14", "back-pain=vas:70", "leg-pain=nrs:3", "leg-radicular=no",
    "care=physical-therapy:12:no", "care=nsaids:8:no", "fit=yes", "infection=no", "tumour=no", "fracture=no",
    "cauda-equina=no", "prior-surgery=no", "prefers-non-surgical=yes",
]
