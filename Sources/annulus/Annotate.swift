import ArgumentParser
import Foundation
import SpineModel
import Store
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

    var isGiven: Bool { sop != nil || series != nil || instance != nil || !point.isEmpty }
}

/// Resolves an anchor against the study's indexed instances: the image must exist in the study, the frame must
/// be in range and every point inside the image.
enum AnchorResolver {
    static func resolve(_ options: AnchorOptions, study: StudySummary, store: AnnulusStore) throws -> ImageAnchor? {
        guard options.isGiven else { return nil }
        let record: InstanceRecord
        if let sop = options.sop {
            guard let found = try store.instance(sopInstanceUID: sop), found.studyInstanceUID == study.studyInstanceUID
            else {
                throw ValidationError(
                    "no image with SOP Instance UID \(sop.terminalSafe) in study \(study.studyInstanceUID.terminalSafe)"
                )
            }
            record = found
        } else {
            guard let seriesNumber = options.series, let instanceNumber = options.instance else {
                throw ValidationError("name the image with --sop UID, or with both --series N and --instance N")
            }
            let series = try store.series(ofStudy: study.studyInstanceUID)
            guard let match = series.first(where: { $0.seriesNumber == seriesNumber }) else {
                let numbers = series.compactMap(\.seriesNumber).map(String.init).joined(separator: ", ")
                throw ValidationError("study has no series \(seriesNumber); its series are: \(numbers)")
            }
            let instances = try store.instances(ofSeries: match.seriesInstanceUID)
            guard let found = instances.first(where: { $0.instanceNumber == instanceNumber }) else {
                let range = instances.compactMap(\.instanceNumber)
                throw ValidationError(
                    "series \(seriesNumber) has no instance \(instanceNumber); its instances are "
                        + "\(range.min() ?? 0)…\(range.max() ?? 0)")
            }
            record = found
        }
        guard (1...max(1, record.frames)).contains(options.frame) else {
            throw ValidationError("frame \(options.frame) is out of range: the image has \(record.frames) frame(s)")
        }
        guard !options.point.isEmpty else {
            throw ValidationError("give the finding's position with --point x,y (pixel column, row)")
        }
        var points: [PixelPoint] = []
        for text in options.point {
            let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let x = parts[0], let y = parts[1] else {
                throw ValidationError(
                    "--point takes 'x,y' in pixels, e.g. --point 256,310 (got '\(text.terminalSafe)')")
            }
            guard (0...Double(record.columns)).contains(x), (0...Double(record.rows)).contains(y) else {
                throw ValidationError(
                    "point \(text) is outside the image, which is \(record.columns) × \(record.rows) pixels "
                        + "(x 0…\(record.columns), y 0…\(record.rows))")
            }
            points.append(PixelPoint(x: x, y: y))
        }
        let positions = record.patientPositions(of: points)
        return ImageAnchor(
            studyInstanceUID: study.studyInstanceUID, seriesInstanceUID: record.seriesInstanceUID,
            sopInstanceUID: record.sopInstanceUID, frame: options.frame, points: points, patientPositions: positions)
    }
}

/// Turns SpineModel's validation errors into usage errors with their full text.
func validated<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as SpineValidationError {
        throw ValidationError(error.message)
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
        let author = try authorOptions.resolved()
        let discLevel = try validated { try DiscLevel.parse(level) }
        let numbering = try validated { try LevelNumberingBasis.parse(basis) }
        let parsed = try validated { try Finding.parse(kind: finding, assignments: fields) }
        let store = try storeOptions.open()
        let target = try store.resolveStudy(study)
        let anchor = try AnchorResolver.resolve(anchorOptions, study: target, store: store)
        let levelCheck = try LevelCheck(store: store, study: target)
        let (override, levelNote) = try LevelCheck.verify(
            levelCheck.decide(discLevel, anchor: anchor), reason: levelOverride.levelOutsideStudy)
        let annotation = LevelAnnotation(
            level: discLevel, numberingBasis: numbering, finding: parsed, anchor: anchor, note: note)
        let new = NewAnnotation(
            studyUID: target.studyInstanceUID, seriesUID: anchor?.seriesInstanceUID,
            sopInstanceUID: anchor?.sopInstanceUID, frame: anchor?.frame, level: discLevel.name,
            findingKind: parsed.kind.rawValue, payload: annotation.encodedJSON())
        // --sign: added and signed by the author in one transaction (AnnotateSign's rules: the signer is a named
        // author; the signed version is version 2, after the draft). A level override goes with the draft.
        let draft: AnnotationVersion
        let version: AnnotationVersion
        if sign {
            (draft, version) = try store.addSigned(
                new, author: try SignerCheck.signer(author, store: store), reason: reason, levelOverride: override)
        } else {
            draft = try store.add(new, author: author, reason: reason, levelOverride: override)
            version = draft
        }
        AnnotationPrinter.printChange(
            sign ? "added and signed" : "added", version, json: json,
            warning: LevelWarning(recorded: override, in: draft), note: levelNote)
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
        let store = try storeOptions.open()
        let target = try store.resolveStudy(study)
        let versions = try store.annotations(studyUID: target.studyInstanceUID, includeRetracted: all)
        let levelCheck = try LevelCheck(store: store, study: target)
        let overrides = try store.levelOverrides(studyUID: target.studyInstanceUID)
        let warnings = versions.map { levelCheck.warning(for: $0, override: overrides[$0.annotationID]) }
        let output = OutputLines()
        if json {
            for (version, warning) in zip(versions, warnings) {
                output.write(AnnotationPrinter.json(version, warning: warning))
            }
            return
        }
        guard !versions.isEmpty else {
            output.write(
                "no findings for study \(target.studyInstanceUID.terminalSafe) yet: add one with `annulus annotate add`"
            )
            return
        }
        var rows = [["ID", "V", "STATUS", "LEVEL", "FINDING", "SUMMARY", "AUTHOR", "UPDATED"]]
        for version in versions {
            let annotation = try? LevelAnnotation.decode(version.payload)
            rows.append([
                String(version.annotationID.prefix(8)), "\(version.version)", version.status.rawValue, version.level,
                version.findingKind, annotation?.finding.summary ?? "", version.author, version.createdAt,
            ])
        }
        output.write(TextTable.render(rows.map { Array($0[0..<5]) + [$0[6], $0[7], $0[5]] }))
        if versions.contains(where: { !$0.isSigned }) {
            output.write("drafts are preliminary until a clinician signs them (`annulus annotate sign ID`)")
        }
        for (version, warning) in zip(versions, warnings) {
            guard let warning else { continue }
            output.write("warning: \(version.annotationID.prefix(8)) \(version.level.terminalSafe): \(warning.text)")
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
        let store = try storeOptions.open()
        let full = try store.resolveAnnotation(id)
        guard let version = try store.latest(id: full) else {
            throw ValidationError("no annotation \(id.terminalSafe)")
        }
        let warning = try LevelCheck(store: store, study: store.resolveStudy(version.studyUID)).warning(
            for: version, override: store.levelOverride(annotationID: version.annotationID, level: version.level))
        let output = OutputLines()
        if json {
            output.write(AnnotationPrinter.json(version, warning: warning))
            return
        }
        output.write(AnnotationPrinter.details(version))
        if let warning { output.write("warning: \(warning.text)") }
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
        let author = try authorOptions.resolved()
        let store = try storeOptions.open()
        let full = try store.resolveAnnotation(id)
        guard let latest = try store.latest(id: full) else { throw ValidationError("no annotation \(id.terminalSafe)") }
        var annotation = try LevelAnnotation.decode(latest.payload)
        if let level { annotation.level = try validated { try DiscLevel.parse(level) } }
        if let finding {
            annotation.finding = try validated { try Finding.parse(kind: finding, assignments: fields) }
        } else if !fields.isEmpty {
            var merged: [String: String] = [:]
            for field in annotation.finding.fields { merged[field.name] = field.value }
            for assignment in fields {
                let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else {
                    throw ValidationError("fields are key=value (got '\(assignment.terminalSafe)')")
                }
                merged[parts[0]] = parts[1]
            }
            annotation.finding = try validated {
                try Finding.parse(
                    kind: annotation.finding.kind.rawValue,
                    assignments: merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
            }
        }
        if let note { annotation.note = note }
        // A new level is checked against the study; an unchanged one only when an override is given for it.
        let levelChanged = annotation.level.name != latest.level
        var (override, levelNote): (NewLevelOverride?, String?) = (nil, nil)
        if levelChanged || levelOverride.levelOutsideStudy != nil {
            let levelCheck = try LevelCheck(store: store, study: store.resolveStudy(latest.studyUID))
            (override, levelNote) = try LevelCheck.verify(
                levelCheck.decide(annotation.level, anchor: annotation.anchor, excluding: full),
                reason: levelOverride.levelOutsideStudy, required: levelChanged)
        }
        let version = try store.amend(
            id: full, payload: annotation.encodedJSON(), level: annotation.level.name,
            findingKind: annotation.finding.kind.rawValue, author: author, reason: reason, levelOverride: override)
        AnnotationPrinter.printChange(
            "amended", version, json: json, warning: LevelWarning(recorded: override, in: version), note: levelNote)
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
        let author = try authorOptions.resolved()
        let store = try storeOptions.open()
        let version = try store.retract(id: try store.resolveAnnotation(id), author: author, reason: reason)
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
        let store = try storeOptions.open()
        let versions = try store.history(id: try store.resolveAnnotation(id))
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

    struct Line: Encodable {
        var id: String
        var version: Int
        var status: String
        var studyUID: String
        var level: String
        var findingKind: String
        var author: String
        var reason: String?
        var createdAt: String
        var signedBy: String?
        var signedAt: String?
        var annotation: LevelAnnotation?
        var levelWarning: LevelWarning?
    }

    static func json(_ version: AnnotationVersion, warning: LevelWarning? = nil) -> String {
        JSONLine.encode(
            Line(
                id: version.annotationID, version: version.version, status: version.status.rawValue,
                studyUID: version.studyUID, level: version.level, findingKind: version.findingKind,
                author: version.author, reason: version.reason, createdAt: version.createdAt,
                signedBy: version.signedBy, signedAt: version.signedAt,
                annotation: try? LevelAnnotation.decode(version.payload), levelWarning: warning))
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
