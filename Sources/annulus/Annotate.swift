import AnnulusApp
import AnnulusRecords
import ArgumentParser
import Foundation
import SpineModel
import TextSafety

/// `annulus annotate`: disc-level findings, versioned, signed by a clinician.
struct AnnotateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annotate",
        abstract: "Annotate disc levels: add, list, show, amend, retract, sign and see the history of findings.",
        discussion: """
            Every change is a new version with its author, time and reason; nothing is deleted (retract instead). \
            Findings are drafts, preliminary until a clinician signs them; a signed version is frozen and later \
            changes become new draft versions. The author comes from --author or ANNULUS_USER. \
            See docs/annotations.md for the vocabulary and examples.
            """,
        subcommands: [
            AnnotateAdd.self, AnnotateList.self, AnnotateShow.self, AnnotateAmend.self, AnnotateRetract.self,
            AnnotateSign.self, AnnotateHistory.self, AnnotatePreview.self, AnnotateImport.self,
        ]
    )
}

/// Who is acting: `--author`, else ANNULUS_USER.
struct AuthorOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Who makes the change (default: $ANNULUS_USER).", valueName: "name"))
    var author: String?

    /// The author, or a usage error saying how to give one.
    func resolved() throws -> String {
        let name = author ?? ProcessInfo.processInfo.environment["ANNULUS_USER"] ?? ""
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("an author is required: pass --author NAME or set ANNULUS_USER")
        }
        return name
    }

    /// The author as the principal of a change (a name given on the command line, not verified).
    func principal() throws -> Principal { .cliUser(try resolved()) }
}

extension Principal {
    /// Who reads through the command line: `ANNULUS_USER`, else the login name from the environment, else "local
    /// user" (reads need no named author).
    static var commandLineReader: Principal {
        let environment = ProcessInfo.processInfo.environment
        let name = [environment["ANNULUS_USER"], environment["USER"], environment["LOGNAME"]].compactMap { $0 }
            .first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        return .cliUser(name ?? "local user")
    }
}

/// Where on an image a finding is: the instance (by SOP Instance UID, or series and instance number), the frame
/// and a point or polyline in pixel coordinates.
struct AnchorOptions: ParsableArguments {
    @Option(help: ArgumentHelp("SOP Instance UID of the image the finding is seen on.", valueName: "uid"))
    var sop: String?

    @Option(help: ArgumentHelp("Series number of the image (with --instance).", valueName: "n"))
    var series: Int?

    @Option(help: ArgumentHelp("Instance number of the image within --series.", valueName: "n"))
    var instance: Int?

    @Option(help: ArgumentHelp("Frame of a multi-frame image, from 1.", valueName: "n"))
    var frame: Int = 1

    @Option(
        help: ArgumentHelp(
            "Point(s) in pixel coordinates 'x,y' (column, row; 0,0 is the image's top-left corner); repeat for a "
                + "polyline.", valueName: "x,y"))
    var point: [String] = []

    /// The anchor as the use cases take it (points as given, checked in their turn).
    var request: AnchorRequest {
        AnchorRequest(sopInstanceUID: sop, seriesNumber: series, instanceNumber: instance, frame: frame, points: point)
    }
}

struct AnnotateAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add a finding at a disc level (a draft until signed).",
        discussion: """
            Example: annulus annotate add ACC-MR-0001 --level L4-L5 --finding annular-fissure type=radial \
            zones=central side=midline thickness=full --series 1 --instance 8 --point 300,270
            """
    )

    @Argument(help: "The study: Study Instance UID, accession number or a unique prefix (see `annulus studies`).")
    var study: String

    @Option(help: ArgumentHelp("Disc level, e.g. L4-L5 (L4/L5 and l4l5 are accepted).", valueName: "level"))
    var level: String

    @Option(help: ArgumentHelp("How levels were counted: from-C2, from-sacrum or unknown.", valueName: "basis"))
    var basis: String = "unknown"

    @Option(help: ArgumentHelp("Finding kind, e.g. annular-fissure, hiz, pfirrmann, modic.", valueName: "kind"))
    var finding: String

    @Argument(help: ArgumentHelp("The finding's fields as key=value, e.g. type=radial zones=central,subarticular."))
    var fields: [String] = []

    @Option(help: "Free-text note.")
    var note: String?

    @Option(help: "Why the annotation is made (kept in its history).")
    var reason: String?

    @Flag(help: "Print the stored version as JSON.")
    var json = false

    @Flag(help: "Sign the finding as its author in the same step (as `annotate sign`: the signed version is frozen).")
    var sign = false

    @OptionGroup var anchorOptions: AnchorOptions
    @OptionGroup var levelOverride: LevelOverrideOptions
    @OptionGroup var authorOptions: AuthorOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let author = try authorOptions.principal()
        let request = NewFindingRequest(
            study: study, level: level, numberingBasis: basis, kind: finding, fields: fields, note: note,
            reason: reason,
            anchor: anchorOptions.request, levelOutsideStudy: levelOverride.levelOutsideStudy, sign: sign)
        _ = try request.parsed()  // a misspelt level or finding is refused before the store is opened
        let change = try await storeOptions.useCases().addFinding(request, by: author)
        AnnotationPrinter.printChange(
            sign ? "added and signed" : "added", change.version, json: json, warning: change.warning, note: change.note)
    }
}

struct AnnotateList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List a study's findings (latest version of each).")

    @Argument(help: "The study: Study Instance UID, accession number or a unique prefix.")
    var study: String

    @Flag(help: "Include retracted findings.")
    var all = false

    @Flag(help: "One JSON object per finding.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let listing = try await storeOptions.useCases().findings(
            ofStudy: study, includeRetracted: all, by: .commandLineReader)
        let output = OutputLines()
        if json {
            for item in listing.items { output.write(AnnotationPrinter.json(item.version, warning: item.warning)) }
            return
        }
        guard !listing.items.isEmpty else {
            output.write(
                "no findings for study \(listing.study.studyInstanceUID.terminalSafe) yet: add one with `annulus annotate add`"
            )
            return
        }
        var rows = [["ID", "V", "STATUS", "LEVEL", "FINDING", "SUMMARY", "AUTHOR", "UPDATED"]]
        for version in listing.items.map(\.version) {
            let annotation = try? LevelAnnotation.decode(version.payload)
            rows.append([
                String(version.annotationID.prefix(8)), "\(version.version)", version.status.rawValue, version.level,
                version.findingKind, annotation?.finding.summary ?? "", version.author, version.createdAt,
            ])
        }
        output.write(TextTable.render(rows.map { Array($0[0..<5]) + [$0[6], $0[7], $0[5]] }))
        if listing.items.contains(where: { !$0.version.isSigned }) {
            output.write("drafts are preliminary until a clinician signs them (`annulus annotate sign ID`)")
        }
        for item in listing.items {
            guard let warning = item.warning else { continue }
            output.write(
                "warning: \(item.version.annotationID.prefix(8)) \(item.version.level.terminalSafe): \(warning.text)")
        }
    }
}

struct AnnotateShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show one finding in full.")

    @Argument(help: "Annotation id or a unique prefix (at least 4 characters).")
    var id: String

    @Flag(help: "Print as JSON.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let item = try await storeOptions.useCases().finding(id: id, by: .commandLineReader)
        let output = OutputLines()
        if json {
            output.write(AnnotationPrinter.json(item.version, warning: item.warning))
            return
        }
        output.write(AnnotationPrinter.details(item.version))
        if let warning = item.warning { output.write("warning: \(warning.text)") }
    }
}

struct AnnotateAmend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amend",
        abstract: "Change a finding: a new draft version (fields given replace those of the latest version).",
        discussion: "Example: annulus annotate amend 3f2a type=transverse --reason \"second read\""
    )

    @Argument(help: "Annotation id or a unique prefix.")
    var id: String

    @Argument(help: "Fields to change as key=value.")
    var fields: [String] = []

    @Option(help: "A new disc level.")
    var level: String?

    @Option(help: "A new finding kind (the fields given then describe the whole finding).")
    var finding: String?

    @Option(help: "A new note.")
    var note: String?

    @Option(help: "Why the finding changes (kept in its history).")
    var reason: String?

    @Flag(help: "Print the stored version as JSON.")
    var json = false

    @OptionGroup var levelOverride: LevelOverrideOptions
    @OptionGroup var authorOptions: AuthorOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let author = try authorOptions.principal()
        let change = try await storeOptions.useCases().amendFinding(
            AmendFindingRequest(
                id: id, fields: fields, level: level, kind: finding, note: note, reason: reason,
                levelOutsideStudy: levelOverride.levelOutsideStudy),
            by: author)
        AnnotationPrinter.printChange("amended", change.version, json: json, warning: change.warning, note: change.note)
    }
}

struct AnnotateRetract: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retract", abstract: "Withdraw a finding (a new version; nothing is deleted).")

    @Argument(help: "Annotation id or a unique prefix.")
    var id: String

    @Option(help: "Why the finding is withdrawn (required).")
    var reason: String

    @Flag(help: "Print the stored version as JSON.")
    var json = false

    @OptionGroup var authorOptions: AuthorOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let author = try authorOptions.principal()
        let version = try await storeOptions.useCases().retractFinding(id: id, reason: reason, by: author)
        AnnotationPrinter.printChange("retracted", version, json: json)
    }
}

struct AnnotateHistory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Every version of a finding: who, when, why and what.")

    @Argument(help: "Annotation id or a unique prefix.")
    var id: String

    @Flag(help: "One JSON object per version.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let versions = try await storeOptions.useCases().history(id: id, by: .commandLineReader)
        let output = OutputLines()
        if json {
            for version in versions { output.write(AnnotationPrinter.json(version)) }
            return
        }
        var rows = [["V", "STATUS", "BY", "AT", "LEVEL", "REASON", "FINDING"]]
        for version in versions {
            let summary = (try? LevelAnnotation.decode(version.payload))?.finding.summary ?? version.findingKind
            rows.append([
                "\(version.version)", version.status.rawValue, version.signedBy ?? version.author,
                version.signedAt ?? version.createdAt, version.level, version.reason ?? "", summary,
            ])
        }
        output.write(TextTable.render(rows))
    }
}

/// Text and JSON for annotation versions.
enum AnnotationPrinter {
    static func printChange(
        _ verb: String, _ version: AnnotationVersion, json: Bool, warning: LevelWarning? = nil, note: String? = nil
    ) {
        let output = OutputLines()
        if json {
            output.write(Self.json(version, warning: warning))
            return
        }
        defer {
            if let warning { output.write("warning: \(warning.text)") }
            if let note { output.write(note.terminalSafe) }
        }
        let summary = (try? LevelAnnotation.decode(version.payload))?.finding.summary ?? version.findingKind
        var line =
            "\(verb) \(version.annotationID.prefix(8)) v\(version.version) (\(version.status.rawValue)): "
            + "\(version.level) \(version.findingKind): \(summary)"
        if !version.isSigned && !version.isRetracted { line += " [preliminary until signed]" }
        output.write(line.terminalSafe)
    }

    static func json(_ version: AnnotationVersion, warning: LevelWarning? = nil) -> String {
        JSONLine.encode(AnnotationView(version, warning: warning))
    }

    static func details(_ version: AnnotationVersion) -> String {
        var rows: [[String]] = [
            ["id", version.annotationID], ["version", "\(version.version)"], ["status", version.status.rawValue],
            ["study", version.studyUID], ["level", version.level], ["finding", version.findingKind],
        ]
        if let annotation = try? LevelAnnotation.decode(version.payload) {
            rows.append(["numbering", annotation.numberingBasis.rawValue])
            if annotation.isLevelUncertain { rows.append(["level certainty", "uncertain (transitional anatomy)"]) }
            rows.append(["summary", annotation.finding.summary])
            for field in annotation.finding.fields { rows.append(["  " + field.name, field.value]) }
            if let anchor = annotation.anchor {
                rows.append(["image", "\(anchor.sopInstanceUID) frame \(anchor.frame)"])
                rows.append(["points", anchor.points.map { "\($0.x),\($0.y)" }.joined(separator: " ")])
                if let positions = anchor.patientPositions {
                    rows.append([
                        "patient position (mm)",
                        positions.map { $0.map { String(format: "%.1f", $0) }.joined(separator: ",") }
                            .joined(separator: " "),
                    ])
                }
            }
            if let note = annotation.note { rows.append(["note", note]) }
        }
        rows.append(["author", version.author])
        rows.append(["at", version.createdAt])
        if let reason = version.reason { rows.append(["reason", reason]) }
        if let signer = version.signedBy { rows.append(["signed by", "\(signer) at \(version.signedAt ?? "?")"]) }
        if !version.isSigned && !version.isRetracted { rows.append(["", "preliminary until a clinician signs it"]) }
        return TextTable.render(rows)
    }
}
