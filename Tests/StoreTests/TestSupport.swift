import Foundation

@testable import Store

/// Runs `body` with a fresh folder under the system temporary directory, removed afterwards.
func withTemporaryFolder<T>(_ body: (String) async throws -> T) async throws -> T {
    let folder = FileManager.default.temporaryDirectory
        .appendingPathComponent("annulus-store-tests-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    return try await body(folder)
}

/// Runs `body` with a store opened in a fresh folder (the database one level down, so opening creates it).
func withStore<T>(_ body: (AnnulusStore, String) async throws -> T) async throws -> T {
    try await withTemporaryFolder { folder in
        let store = try AnnulusStore(path: folder + "/data/annulus.sqlite")
        return try await body(store, folder)
    }
}

/// Runs `script` with the sqlite3 tool on the database at `path` (an older store made from the registered
/// migrations' own SQL); returns the tool's exit status.
func runSQLite(_ path: String, _ script: String) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    process.arguments = [path]
    let input = Pipe()
    process.standardInput = input
    try process.run()
    input.fileHandleForWriting.write(Data(script.utf8))
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    return process.terminationStatus
}

/// Test records and payloads. Patient names here are obviously synthetic.
enum Fixture {
    /// A 64-digit hex "hash" derived from a number.
    static func sha(_ seed: Int) -> String {
        let hex = String(seed, radix: 16)
        return String(repeating: "0", count: 64 - hex.count) + hex
    }

    /// An instance record with sensible defaults.
    static func record(
        sop: String, series: String = "1.2.826.0.1.3680043.99.1.1", study: String = "1.2.826.0.1.3680043.99.1",
        accession: String? = "ACC001", date: String? = "20260105", time: String? = "101500",
        modality: String? = "MR", seriesNumber: Int? = 1, instanceNumber: Int? = 1, frames: Int = 1,
        path: String? = nil, sha seed: Int = 1, patientID: String = "SYNTH-0001"
    ) -> InstanceRecord {
        InstanceRecord(
            sopInstanceUID: sop, sopClassUID: "1.2.840.10008.5.1.4.1.1.4", studyInstanceUID: study,
            seriesInstanceUID: series, patientID: patientID, patientName: "Phantom^Lumbar", studyDate: date,
            studyTime: time, accessionNumber: accession, studyDescription: "MR LUMBAR SPINE", modality: modality,
            seriesNumber: seriesNumber, seriesDescription: "T2 SAG", instanceNumber: instanceNumber, rows: 256,
            columns: 256, frames: frames, path: path ?? "/exports/\(sop).dcm", fileSize: 131_072,
            contentSHA256: sha(seed), imagePosition: [-120.5, -130.25, 40.0],
            imageOrientation: [0, 1, 0, 0, 0, -1], pixelSpacing: [0.9375, 0.9375])
    }

    /// Ingests one study with one series of `count` instances; returns the study UID.
    @discardableResult
    static func ingestStudy(
        _ store: AnnulusStore, study: String = "1.2.826.0.1.3680043.99.1", accession: String? = "ACC001",
        date: String? = "20260105", count: Int = 3
    ) throws -> String {
        let series = study + ".1"
        let records = (1...count).map { index in
            record(
                sop: "\(series).\(index)", series: series, study: study, accession: accession, date: date,
                instanceNumber: index, sha: index)
        }
        _ = try store.ingest(records)
        return study
    }

    /// A JSON payload as the vocabulary module would send it.
    static func payload(_ grade: Int, note: String = "") -> Data {
        Data(#"{"grade":\#(grade),"note":"\#(note)","fissure":"radial"}"#.utf8)
    }
}
