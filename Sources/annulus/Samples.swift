import ArgumentParser
import Foundation
import SampleStudyGenerator

/// `annulus samples`: regenerate the bundled SampleStudies, byte for byte.
struct Samples: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the synthetic SampleStudies (lumbar MR, fluoroscopy cine, a normal control) to a folder.",
        discussion:
            "Deterministic: the same bytes on every run. Existing files of the same names are replaced atomically."
    )

    @Option(name: .long, help: "Folder to write into (created if missing).")
    var out: String

    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let written = try SampleStudies.generate(into: out)
        for file in written { print(file) }
        print("\(written.count) file(s) written to \(out)")
    }
}
