import Foundation

/// The shared DICOM corpus (../shared/corpus, read in place, never copied) and its expectations.
enum Corpus {
    /// One row of expectations.csv.
    struct Row: Sendable, CustomTestStringConvertible {
        var path: String
        var modality: String
        var transferSyntaxUID: String
        var rows: String
        var columns: String
        var frames: String
        var bitsAllocated: String
        var photometric: String
        var category: String

        /// Absolute path of the file.
        var url: String { Corpus.root + "/" + path }
        var testDescription: String { path }
    }

    /// The corpus folder: $ANNULUS_CORPUS, else ../shared/corpus next to the package.
    static let root: String = {
        if let configured = ProcessInfo.processInfo.environment["ANNULUS_CORPUS"] { return configured }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return package.deletingLastPathComponent().appendingPathComponent("shared/corpus").path
    }()

    /// True when the corpus and its expectations are present.
    static var isAvailable: Bool { FileManager.default.fileExists(atPath: root + "/expectations.csv") }

    /// Why corpus tests are skipped.
    static let skipMessage: Comment = "corpus not found at ../shared/corpus (set ANNULUS_CORPUS); corpus tests skipped"

    /// Every row, or none when the corpus is absent.
    static let rows: [Row] = {
        guard let text = try? String(contentsOfFile: root + "/expectations.csv", encoding: .utf8) else { return [] }
        return text.split(whereSeparator: \.isNewline).dropFirst().compactMap { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                String($0).trimmingCharacters(in: .whitespaces)
            }
            guard fields.count >= 11 else { return nil }
            return Row(
                path: fields[0], modality: fields[1], transferSyntaxUID: fields[2], rows: fields[3],
                columns: fields[4], frames: fields[5], bitsAllocated: fields[6], photometric: fields[7],
                category: fields[10])
        }
    }()

    /// Rows of one category.
    static func rows(_ category: String) -> [Row] { rows.filter { $0.category == category } }

    /// A corpus file by its path under the corpus folder.
    static func file(_ relative: String) -> String { root + "/" + relative }
}

import Testing
