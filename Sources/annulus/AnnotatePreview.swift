import AnnulusApp
import ArgumentParser
import Foundation
import Imaging
import TextSafety

/// `annulus annotate preview`: burned-in previews of a study's anchored findings.
struct AnnotatePreview: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Render each annotated image with its findings burned in (marker, level, short finding text).",
        discussion: """
            One PNG per annotated image frame: OUT/series<N>-<instance>[-fN]-annotated.png. Drafts are drawn in \
            yellow, signed findings in green (a legend says so); retracted findings are left out. When the study's \
            discs are labelled (`annulus levels`), they are drawn in cyan on every image they project on (the images \
            they were clicked on included), with a contact sheet per slice stack they fall on: \
            OUT/sheet-series<N>[-stackK]-levels.png. Written atomically.
            """
    )

    @Argument(help: "The study: Study Instance UID, accession number or a unique prefix.")
    var study: String

    @Option(name: .long, help: "Folder to write PNG files into (created if missing).")
    var out: String

    @Option(help: ArgumentHelp("Longest side of each preview in pixels (default: the stored size).", valueName: "PX"))
    var size: Int?

    @Option(help: ArgumentHelp("Window: \(WindowChoice.syntax).", valueName: "choice"))
    var window: String = "file"

    @Flag(help: "Print one JSON object per PNG written.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var reader: ReaderOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard WindowChoice(argument: window) != nil else {
            throw ValidationError("--window must be \(WindowChoice.syntax) (got '\(window.terminalSafe)')")
        }
        if let size, !(64...8192).contains(size) {
            throw ValidationError("--size must be between 64 and 8192 pixels (got \(size))")
        }
    }

    mutating func run() async throws {
        try global.bootstrap()
        let useCases = try storeOptions.useCases(readOptions: reader.readOptions)
        let options = PreviewOptions(window: WindowChoice(argument: window) ?? .automatic, longestSide: size)
        let written = try await useCases.annotatedPreviews(
            AnnotatedPreviewRequest(study: study, out: out, options: options), by: .commandLineReader)
        let output = OutputLines()
        guard !written.isEmpty else {
            output.write(
                "no anchored findings or labelled discs in this study: add a finding with --series/--instance/--point, "
                    + "or label the discs with `annulus levels label`")
            return
        }
        for preview in written {
            let count = preview.annotations.count
            let discs = preview.discLabels.isEmpty ? "" : ", discs \(preview.discLabels.joined(separator: " "))"
            output.write(
                json
                    ? JSONLine.encode(preview)
                    : "OK   \(preview.path.terminalSafe) (\(count) finding\(count == 1 ? "" : "s")\(discs))")
        }
    }
}
