import AnnulusApp
import ArgumentParser
import Foundation
import SpineModel
import TextSafety

/// `annulus levels`: a study's disc labels, and the level of a click read from them.
struct LevelsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "levels",
        abstract: "Label a study's discs once (L5-S1, then up the spine); then read the level of any click from them.",
        discussion: """
            Each label is a click on a disc's centre; its patient position comes from the image's geometry, so \
            sagittal and axial images agree. Every change is a new version of the whole set (nothing is deleted). \
            Once labelled, a finding marked at another labelled disc than its level's is refused unless accepted \
            with --level-outside-study. See docs/annotations.md, "Disc labels".
            """,
        subcommands: [LevelsLabel.self, LevelsShow.self, LevelsHistory.self, LevelsNearest.self]
    )
}

/// The study a `levels` command works on.
struct LevelsStudyOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The study: Study Instance UID, accession number or a unique prefix (see `annulus studies`).",
            valueName: "study"))
    var study: String
}

struct LevelsLabel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "label",
        abstract: "Label discs: each a level and a click on its centre (added to the study's current labels).",
        discussion: """
            One disc: --level L5-S1 --series 1 --instance 8 --point 252,410 (or --sop UID; --frame N for a \
            multi-frame image). Several: --disc L4-L5@1:8:247,351 --disc L3-L4@1:8:246,290 \
            (LEVEL@SERIES:INSTANCE:x,y). A level labelled again is moved; --replace makes the discs given the \
            whole set. The next disc to label is printed.
            """
    )

    @OptionGroup var studyOption: LevelsStudyOption

    @Option(help: ArgumentHelp("The disc level clicked, e.g. L5-S1 (with the image options).", valueName: "level"))
    var level: String?

    @Option(
        name: .customLong("disc"),
        help: ArgumentHelp(
            "A disc as LEVEL@SERIES:INSTANCE:x,y, e.g. L4-L5@1:8:247,351; repeat for several.",
            valueName: "disc"))
    var discs: [String] = []

    @Option(
        help: ArgumentHelp(
            "How the vertebrae were counted: from-C2, from-sacrum or unknown (default: the current labels' basis, "
                + "else unknown).", valueName: "basis"))
    var basis: String?

    @Flag(help: "Make the discs given the whole set (the other labelled discs are dropped).")
    var replace = false

    @Option(help: "Why the labels change (kept in their history).")
    var reason: String?

    @Flag(help: "Print the recorded labels as JSON.")
    var json = false

    @OptionGroup var anchorOptions: AnchorOptions
    @OptionGroup var authorOptions: AuthorOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        let anchorGiven = anchorOptions.request.isGiven
        if level == nil, anchorGiven {
            throw ValidationError("--series/--instance/--sop/--point name the click of --level: give --level too")
        }
        if level != nil, !anchorGiven {
            throw ValidationError(
                "--level needs the click on the disc's centre: --series N --instance N --point x,y (or --sop UID)")
        }
        if level == nil, discs.isEmpty {
            throw ValidationError(
                "name a disc: --level L5-S1 --series N --instance N --point x,y, or --disc LEVEL@SERIES:INSTANCE:x,y")
        }
        _ = try discs.map(Self.disc)
    }

    /// `L4-L5@1:8:247,351` as a label of the request.
    static func disc(_ text: String) throws -> DiscLabelRequest.Label {
        let usage = "--disc takes LEVEL@SERIES:INSTANCE:x,y, e.g. --disc L4-L5@1:8:247,351 (got '\(text.terminalSafe)')"
        let halves = text.split(separator: "@", maxSplits: 1).map(String.init)
        guard halves.count == 2 else { throw ValidationError(usage) }
        let parts = halves[1].split(separator: ":").map(String.init)
        guard parts.count == 3, let series = Int(parts[0]), let instance = Int(parts[1]) else {
            throw ValidationError(usage)
        }
        return DiscLabelRequest.Label(
            level: halves[0], anchor: AnchorRequest(seriesNumber: series, instanceNumber: instance, points: [parts[2]]))
    }

    mutating func run() async throws {
        try global.bootstrap()
        let author = try authorOptions.principal()
        var labels = try discs.map(Self.disc)
        if let level { labels.insert(DiscLabelRequest.Label(level: level, anchor: anchorOptions.request), at: 0) }
        let recorded = try await storeOptions.useCases().labelDiscs(
            DiscLabelRequest(
                study: studyOption.study, basis: basis, labels: labels, keepOthers: !replace, reason: reason),
            by: author)
        let output = OutputLines()
        if json {
            output.write(JSONLine.encode(DiscLabelsView(recorded)))
            return
        }
        let given = labels.map { (try? DiscLevel.parse($0.level).name) ?? $0.level }.joined(separator: ", ")
        output.write(
            "labelled \(given.terminalSafe) (version \(recorded.current?.version ?? 0), basis "
                + "\(recorded.labels.basis.rawValue), by \(author.name.terminalSafe))")
        LevelsPrinter.table(recorded, study: studyOption.study, output: output)
    }
}

struct LevelsShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show a study's labelled discs and the disc to label next.")

    @OptionGroup var studyOption: LevelsStudyOption

    @Flag(help: "Print as JSON.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let found = try await storeOptions.useCases().discLabels(ofStudy: studyOption.study, by: .commandLineReader)
        let output = OutputLines()
        if json {
            output.write(JSONLine.encode(DiscLabelsView(found)))
            return
        }
        if let current = found.current {
            output.write(
                "disc labels of study \(found.study.studyInstanceUID.terminalSafe): version \(current.version) by "
                    + "\(current.author.terminalSafe) at \(current.createdAt.terminalSafe), basis "
                    + current.labels.basis.rawValue)
        }
        LevelsPrinter.table(found, study: studyOption.study, output: output)
    }
}

struct LevelsHistory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Every version of a study's disc labels, oldest first.")

    @OptionGroup var studyOption: LevelsStudyOption

    @Flag(help: "One JSON object per version.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let versions = try await storeOptions.useCases().discLabelHistory(
            ofStudy: studyOption.study, by: .commandLineReader)
        let output = OutputLines()
        if json {
            for version in versions { output.write(JSONLine.encode(DiscLabelsVersionView(version))) }
            return
        }
        guard !versions.isEmpty else {
            output.write("no discs labelled yet")
            return
        }
        var rows = [["V", "BY", "AT", "BASIS", "LEVELS", "REASON"]]
        for version in versions {
            rows.append([
                "\(version.version)", version.author, version.createdAt, version.labels.basis.rawValue,
                version.labels.labels.map(\.level.name).joined(separator: " "), version.reason ?? "",
            ])
        }
        output.write(TextTable.render(rows))
    }
}

struct LevelsNearest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nearest",
        abstract: "The level of the labelled disc nearest a click (sagittal or axial), with the runner-up.",
        discussion: "Example: annulus levels nearest --study ACC-MR-0001 --series 1 --instance 8 --point 300,270")

    @OptionGroup var studyOption: LevelsStudyOption

    @Flag(help: "Print as JSON.")
    var json = false

    @OptionGroup var anchorOptions: AnchorOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let proposal = try await storeOptions.useCases().proposeLevel(
            study: studyOption.study, anchor: anchorOptions.request, by: .commandLineReader)
        let view = LevelProposalView(proposal)
        let output = OutputLines()
        if json {
            output.write(JSONLine.encode(view))
            return
        }
        let runnerUp = view.runnerUp.map { " (runner-up \($0.level), \(LevelsPrinter.mm($0.distanceMm)))" } ?? ""
        output.write("\(view.level): \(LevelsPrinter.mm(view.distanceMm)) from its labelled centre\(runnerUp)")
    }
}

/// The text face of disc labels.
enum LevelsPrinter {
    /// `12.3 mm`.
    static func mm(_ value: Double) -> String {
        value == value.rounded() ? "\(Int(value)) mm" : "\(value) mm"
    }

    /// The labels as a table (level, position, image and point), then the disc to label next and how.
    static func table(_ found: StudyDiscLabels, study: String, output: OutputLines) {
        let labels = found.labels.labels
        if labels.isEmpty {
            output.write("no discs labelled yet")
        } else {
            var rows = [["LEVEL", "POSITION (mm)", "IMAGE (SOP INSTANCE UID)", "FRAME", "POINT"]]
            for label in labels {
                let point = label.anchor.points.first.map { "\(round($0.x)),\(round($0.y))" } ?? ""
                rows.append([
                    label.level.name, label.position.description, label.anchor.sopInstanceUID,
                    "\(label.anchor.frame)", point,
                ])
            }
            output.write(TextTable.render(rows))
        }
        guard let next = found.next else {
            output.write("every disc up to C2-C3 is labelled")
            return
        }
        output.write(
            "next: \(next.name): annulus levels label --study \(study.terminalSafe) --level \(next.name) "
                + "--series N --instance N --point x,y")
    }

    /// A pixel coordinate to 0.1.
    private static func round(_ value: Double) -> String {
        let rounded = (value * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
