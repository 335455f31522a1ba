import SpineModel

/// One fact that says which regions a study (or one series of it) shows.
public struct CoverageEvidence: Sendable, Equatable {
    /// Where the fact comes from.
    public enum Source: String, Sendable, Equatable, CaseIterable {
        /// Body Part Examined (0018,0015) of a series.
        case bodyPartExamined
        /// Series Description (0008,103E).
        case seriesDescription
        /// Protocol Name (0018,1030).
        case protocolName
        /// Study Description (0008,1030).
        case studyDescription
        /// The series' images reach further along the body than one region can.
        case geometry

        /// The attribute's name and tag, for people.
        public var attribute: String {
            switch self {
            case .bodyPartExamined: "Body Part Examined (0018,0015)"
            case .seriesDescription: "Series Description (0008,103E)"
            case .protocolName: "Protocol Name (0018,1030)"
            case .studyDescription: "Study Description (0008,1030)"
            case .geometry: "image geometry"
            }
        }
    }

    /// Where the fact comes from.
    public var source: Source
    /// The series it belongs to (nil for the study description).
    public var seriesInstanceUID: String?
    /// That series' number, when known.
    public var seriesNumber: Int?
    /// The header value as read (for geometry, the extent in mm).
    public var value: String
    /// The regions it names.
    public var regions: Set<SpineRegion>

    /// Creates a piece of evidence.
    public init(
        source: Source, seriesInstanceUID: String? = nil, seriesNumber: Int? = nil, value: String,
        regions: Set<SpineRegion>
    ) {
        self.source = source
        self.seriesInstanceUID = seriesInstanceUID
        self.seriesNumber = seriesNumber
        self.value = value
        self.regions = regions
    }

    /// Longest part of a header value quoted to people.
    static let quotedCharacters = 64

    /// The evidence for people, the same facts of several series said once: `Body Part Examined (0018,0015)
    /// "LSPINE" in series 1, 2, 3; Study Description (0008,1030) "MR LUMBAR SPINE"`. Header values are quoted
    /// and shortened, not escaped: escape the text before a terminal or log.
    public static func describe(_ evidence: [CoverageEvidence]) -> String {
        var groups: [(key: String, series: [String])] = []
        for item in evidence {
            let key: String
            if item.source == .geometry {
                key = "the images reach \(item.value) mm along the body (more than one region)"
            } else {
                let value =
                    item.value.count > quotedCharacters
                    ? String(item.value.prefix(quotedCharacters)) + "…" : item.value
                key = "\(item.source.attribute) \"\(value)\""
            }
            let series = item.seriesNumber.map(String.init) ?? (item.seriesInstanceUID == nil ? nil : "?")
            if let index = groups.firstIndex(where: { $0.key == key }) {
                if let series, !groups[index].series.contains(series) { groups[index].series.append(series) }
            } else {
                groups.append((key, series.map { [$0] } ?? []))
            }
        }
        return groups.map { group in
            group.series.isEmpty ? group.key : "\(group.key) in series \(group.series.joined(separator: ", "))"
        }.joined(separator: "; ")
    }
}

extension Set where Element == SpineRegion {
    /// "the lumbar spine", "the cervical and thoracic spine", "the whole spine".
    public var spineText: String {
        let ordered = SpineRegion.allCases.filter(contains)
        if ordered.count == SpineRegion.allCases.count { return "the whole spine" }
        var names = ordered.map(\.rawValue)
        let last = names.popLast() ?? ""
        return "the \(names.isEmpty ? last : names.joined(separator: ", ") + " and " + last) spine"
    }
}
