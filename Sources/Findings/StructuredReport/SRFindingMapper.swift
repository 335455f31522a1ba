import SpineModel

/// Reads disc-level findings out of a TID 1500 measurement report: Annulus's own (every code of `SRCodes`) and
/// other tools' (a finding named in words Annulus knows, a SNOMED CT disc as finding site), each validated as a
/// clinician's entry is. What cannot be mapped is reported, group by group and item by item; the rest is mapped.
public enum SRFindingMapper {
    /// A finding read from one measurement group.
    public struct Mapped: Sendable, Equatable {
        /// The group's tracking identifier (or its position when it has none), for reports.
        public var source: String
        /// The group's tracking UID, when present.
        public var trackingUID: String?
        /// The finding, without an anchor (see `mark`).
        public var annotation: LevelAnnotation
        /// Where it was marked: the image (and frame) and the points, for the caller to resolve in its index.
        public var mark: Mark?
    }

    /// A point or polyline on an image, as the report gives it.
    public struct Mark: Sendable, Equatable {
        /// SOP Instance UID of the image.
        public var sopInstanceUID: String
        /// The frame (1 when the report names none).
        public var frame: Int
        /// Column, row of each point.
        public var points: [PixelPoint]
    }

    /// What could not be mapped: where in the report and why.
    public struct Unmapped: Error, Sendable, Equatable {
        /// "group 2 (L4-L5 annular fissure)" or "group 2 (…) evaluation 'x'".
        public var location: String
        /// Why.
        public var reason: String

        /// Creates an entry.
        public init(location: String, reason: String) {
            self.location = location
            self.reason = reason
        }
    }

    /// The findings of `document` and what could not be mapped. A document that is not a TID 1500 report
    /// (no "Imaging Measurements") gives one unmapped entry saying so.
    public static func map(_ document: SRDocumentTree) -> (findings: [Mapped], unmapped: [Unmapped]) {
        let measurements = document.root.descendants(named: imagingMeasurements)
        guard !measurements.isEmpty else {
            return (
                [],
                [
                    Unmapped(
                        location: "document",
                        reason: "not a TID 1500 measurement report: it has no \"Imaging Measurements\" container "
                            + "(title \(document.root.concept?.description ?? "none"))")
                ]
            )
        }
        var findings: [Mapped] = []
        var unmapped: [Unmapped] = []
        let groups = measurements.flatMap { $0.children(named: measurementGroup) }
        for (index, group) in groups.enumerated() {
            let tracking = group.children(named: trackingIdentifier).first?.string
            let location = "group \(index + 1)" + (tracking.map { " (\($0))" } ?? "")
            switch mapGroup(group, location: location) {
            case .success(let result):
                findings.append(result.mapped)
                unmapped += result.skipped
            case .failure(let problem):
                unmapped.append(problem)
            }
        }
        if groups.isEmpty {
            unmapped.append(Unmapped(location: "document", reason: "the report has no measurement groups"))
        }
        return (findings, unmapped)
    }

    static let imagingMeasurements = SRCode("126010", "DCM", "Imaging Measurements")
    static let measurementGroup = SRCode("125007", "DCM", "Measurement Group")
    static let trackingIdentifier = SRCode("112039", "DCM", "Tracking Identifier")
    static let trackingUID = SRCode("112040", "DCM", "Tracking Unique Identifier")
    static let findingConcept = SRCode("121071", "DCM", "Finding")
    static let findingSite = SRCode("363698007", "SCT", "Finding Site")
    static let findingSiteSRT = SRCode("G-C0E3", "SRT", "Finding Site")
    static let imageRegion = SRCode("111030", "DCM", "Image Region")
    /// Items of a group that carry no finding value (they are read elsewhere or are bookkeeping).
    static let structural = [
        trackingIdentifier, trackingUID, findingConcept, findingSite, findingSiteSRT, imageRegion, SRCodes.status,
        SRCodes.signedBy, SRCodes.numbering, SRCodes.note,
    ]

    private struct GroupResult {
        var mapped: Mapped
        var skipped: [Unmapped]
    }

    private static func mapGroup(_ group: SRContentItem, location: String) -> Result<GroupResult, Unmapped> {
        guard let findingCode = group.children(named: findingConcept).first?.code else {
            return .failure(Unmapped(location: location, reason: "the group has no Finding (121071, DCM)"))
        }
        guard let kind = kind(of: findingCode) else {
            return .failure(
                Unmapped(
                    location: location,
                    reason: "finding \(findingCode) is not one Annulus records (known: "
                        + FindingKind.allCases.map(\.rawValue).joined(separator: ", ") + ")"))
        }
        let tracking = group.children(named: trackingIdentifier).first?.string
        let siteCode = (group.children(named: findingSite) + group.children(named: findingSiteSRT)).first?.code
        guard let level = level(site: siteCode, tracking: tracking) else {
            return .failure(
                Unmapped(
                    location: location,
                    reason: "no disc level: the finding site \(siteCode?.description ?? "is missing") is not an "
                        + "intervertebral disc Annulus knows (SNOMED CT, CID 7604) and the tracking identifier "
                        + "names none"))
        }
        var values: [String: [String]] = [:]
        var order: [String] = []
        var skipped: [Unmapped] = []
        for item in group.children where !structural.contains(where: { item.concept?.matches($0) == true }) {
            let name = item.concept?.description ?? item.valueType
            guard let (field, value) = fieldValue(item, kind: kind) else {
                skipped.append(
                    Unmapped(
                        location: "\(location) item \(name)",
                        reason: "\(item.valueType) item is not a field of \(kind.rawValue): not imported"))
                continue
            }
            if values[field] == nil { order.append(field) }
            values[field, default: []].append(value)
        }
        let assignments = order.map { "\($0)=\(values[$0, default: []].joined(separator: ","))" }
        let finding: Finding
        do {
            finding = try Finding.parse(kind: kind.rawValue, assignments: assignments)
        } catch {
            return .failure(Unmapped(location: location, reason: "the finding is not valid: \(error.message)"))
        }
        let notes = group.children(named: SRCodes.note).compactMap(\.string)
            .filter { !$0.hasPrefix("marked on image ") && !$0.hasPrefix("finding not readable") }
        let basis = group.children(named: SRCodes.numbering).first?.code.flatMap { code in
            code.value.hasPrefix("level-numbering.")
                ? LevelNumberingBasis(rawValue: String(code.value.dropFirst("level-numbering.".count))) : nil
        }
        let annotation = LevelAnnotation(
            level: level, numberingBasis: basis ?? .unknown, finding: finding, anchor: nil,
            note: notes.isEmpty ? nil : notes.joined(separator: "\n"))
        return .success(
            GroupResult(
                mapped: Mapped(
                    source: tracking ?? location, trackingUID: group.children(named: trackingUID).first?.string,
                    annotation: annotation, mark: mark(group)),
                skipped: skipped))
    }

    /// The kind of a finding code: Annulus's local code, or a code whose meaning is a kind's name or title.
    static func kind(of code: SRCode) -> FindingKind? {
        if code.scheme == SRCodes.localScheme, let kind = FindingKind(rawValue: code.value) { return kind }
        if let kind = FindingKind.allCases.first(where: { $0.title.lowercased() == code.meaning.lowercased() }) {
            return kind
        }
        return try? FindingKind.parse(code.meaning)
    }

    /// The level of a finding site: a SNOMED CT disc, Annulus's `level.<name>`, a meaning or tracking identifier
    /// that starts with a level ("L4-L5 intervertebral disc").
    static func level(site: SRCode?, tracking: String?) -> DiscLevel? {
        if let site {
            if site.scheme == "SCT", let level = DiscLevel.allCases.first(where: { $0.snomedCode == site.value }) {
                return level
            }
            if site.scheme == SRCodes.localScheme, site.value.hasPrefix("level.") {
                return try? DiscLevel.parse(String(site.value.dropFirst("level.".count)))
            }
            if let level = leadingLevel(site.meaning) { return level }
        }
        return tracking.flatMap(leadingLevel)
    }

    private static func leadingLevel(_ text: String) -> DiscLevel? {
        text.split(separator: " ").first.flatMap { try? DiscLevel.parse(String($0)) }
    }

    /// The field and value of an evaluation: Annulus's `<kind>.<field>` names and `<kind>.<field>.<value>` or
    /// SNOMED CT values, RadElement's Pfirrmann classification, or a TEXT value.
    static func fieldValue(_ item: SRContentItem, kind: FindingKind) -> (String, String)? {
        guard let concept = item.concept else { return nil }
        let field: String
        if concept.matches(SRCodes.pfirrmannClassification) && kind == .pfirrmann {
            field = "grade"
        } else if concept.scheme == SRCodes.localScheme, concept.value.hasPrefix(kind.rawValue + ".") {
            field = String(concept.value.dropFirst(kind.rawValue.count + 1))
        } else if let spec = kind.fieldSpecs.first(where: { $0.name.lowercased() == concept.meaning.lowercased() }) {
            field = spec.name
        } else {
            return nil
        }
        guard kind.fieldSpecs.contains(where: { $0.name == field }) else { return nil }
        switch item.value {
        case .string(let text):
            return (field, text)
        case .code(let code):
            let prefix = "\(kind.rawValue).\(field)."
            if code.scheme == SRCodes.localScheme, code.value.hasPrefix(prefix) {
                return (field, String(code.value.dropFirst(prefix.count)))
            }
            if code.scheme == "SCT",
                let entry = FindingsCodes.snomedValues.first(where: {
                    $0.value.code == code.value && $0.key.hasPrefix(field + ".")
                })
            {
                return (field, String(entry.key.dropFirst(field.count + 1)))
            }
            return (field, code.meaning)
        case .number(let number, _):
            return (field, number)
        default:
            return nil
        }
    }

    /// The group's Image Region with the image it was selected from.
    static func mark(_ group: SRContentItem) -> Mark? {
        for region in group.children(named: imageRegion) {
            guard case .coordinates(_, let points) = region.value, !points.isEmpty else { continue }
            for child in region.children {
                if case .reference(_, let instance, let frames) = child.value {
                    return Mark(
                        sopInstanceUID: instance, frame: frames.first ?? 1,
                        points: points.map { PixelPoint(x: $0.x, y: $0.y) })
                }
            }
        }
        return nil
    }
}
