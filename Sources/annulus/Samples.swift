import ArgumentParser
import Foundation
import SampleStudyGenerator

/// `annulus samples`: regenerate the bundled SampleStudies, byte for byte (or, with the hidden `--synthetic`, a large
/// benchmark series).
struct Samples: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the synthetic SampleStudies (lumbar MR, fluoroscopy cine, a normal control) to a folder.",
        discussion:
            "Deterministic: the same bytes on every run. Existing files of the same names are replaced atomically."
    )

    @Option(name: .long, help: "Folder to write into (created if missing).")
    var out: String

    // Benchmark generators (Benchmarks/render): hidden from the help of the everyday command.
    @Option(
        help: ArgumentHelp(
            """
            Instead of the SampleStudies, write one large synthetic series into --out: 'mr-stack' (sagittal MR, \
            one uncompressed 16-bit file per slice, default 300 × 512²) or 'rf-cine' (one 8-bit JPEG-LS \
            multi-frame fluoroscopy file, default 300 × 1024²).
            """,
            valueName: "kind", visibility: .hidden))
    var synthetic: String?

    @Option(
        help: ArgumentHelp(
            "With --synthetic: slices (mr-stack) or frames (rf-cine), 1…10000.", valueName: "N", visibility: .hidden))
    var count: Int?

    @Option(
        help: ArgumentHelp(
            "With --synthetic: rows = columns in pixels, 16…4096.", valueName: "PX", visibility: .hidden))
    var size: Int?

    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard let synthetic else {
            guard count == nil, size == nil else { throw ValidationError("--count and --size need --synthetic") }
            return
        }
        guard SyntheticSeries.Kind(rawValue: synthetic) != nil else {
            let kinds = SyntheticSeries.Kind.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or ")
            throw ValidationError("--synthetic must be \(kinds) (got '\(synthetic)')")
        }
        if let count, !(1...SyntheticSeries.maximumCount).contains(count) {
            throw ValidationError("--count must be between 1 and \(SyntheticSeries.maximumCount) (got \(count))")
        }
        if let size, !(SyntheticSeries.minimumSize...SyntheticSeries.maximumSize).contains(size) {
            throw ValidationError(
                "--size must be between \(SyntheticSeries.minimumSize) and \(SyntheticSeries.maximumSize) (got \(size))"
            )
        }
    }

    mutating func run() async throws {
        try global.bootstrap()
        let written: [String]
        if let synthetic, let kind = SyntheticSeries.Kind(rawValue: synthetic) {
            written = try SyntheticSeries.write(kind, count: count, size: size, into: out)
        } else {
            written = try SampleStudies.generate(into: out)
        }
        for file in written { print(file) }
        print("\(written.count) file(s) written to \(out)")
    }
}
