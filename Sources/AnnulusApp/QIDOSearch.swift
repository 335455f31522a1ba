import AnnulusRecords
import Foundation
import Store

/// Where a DICOMweb search looks: every study, one study, or one series of a study.
public struct QIDOScope: Sendable, Equatable {
    /// The study searched in (nil: every study).
    public var studyUID: String?
    /// The series searched in (only with a study).
    public var seriesUID: String?

    /// A scope.
    public init(studyUID: String? = nil, seriesUID: String? = nil) {
        self.studyUID = studyUID
        self.seriesUID = seriesUID
    }
}

/// One answer of a DICOMweb search: the page's DICOM JSON objects, and whether more matches follow it.
public struct QIDOResult: Sendable, Equatable {
    /// One object per matching study, series or instance, in the index's order.
    public var objects: [DICOMJSONObject]
    /// More matches follow this page (ask again with `offset` advanced by the page's length).
    public var hasMore: Bool
}

/// What one search result is made of: the study and, below the study level, its series and instance.
struct QIDOEntity {
    var study: StudyAttributes
    var summary: StudySummary?
    var series: SeriesSummary?
    var instance: InstanceRecord?

    /// The values of `attribute` for matching (text as stored; empty when absent).
    func matchValues(_ attribute: QIDOAttribute) -> [String] {
        switch attribute.keyword {
        case "StudyDate": [study.studyDate ?? ""]
        case "StudyTime": [study.studyTime ?? ""]
        case "AccessionNumber": [study.accessionNumber ?? ""]
        case "ModalitiesInStudy": study.modalities
        case "StudyDescription": [study.studyDescription ?? ""]
        case "PatientName": [study.patientName]
        case "PatientID": [study.patientID]
        case "StudyInstanceUID": [study.studyInstanceUID]
        case "Modality": [series?.modality ?? ""]
        case "SeriesDescription": [series?.seriesDescription ?? ""]
        case "BodyPartExamined": [series?.bodyPartExamined ?? ""]
        case "ProtocolName": [series?.protocolName ?? ""]
        case "SeriesInstanceUID": [series?.seriesInstanceUID ?? ""]
        case "SeriesNumber": [series?.seriesNumber.map(String.init) ?? ""]
        case "SOPClassUID": [instance?.sopClassUID ?? ""]
        case "SOPInstanceUID": [instance?.sopInstanceUID ?? ""]
        case "InstanceNumber": [instance?.instanceNumber.map(String.init) ?? ""]
        default: []
        }
    }

    /// Whether every key at `level` matches.
    func matches(_ query: QIDOQuery, at level: QIDOLevel) -> Bool {
        query.keys.allSatisfy { key in
            key.attribute.level != level || QIDOMatcher.matches(matchValues(key.attribute), key, fuzzy: query.fuzzy)
        }
    }

    /// The JSON values of a returned attribute, or nil when this entity cannot say (a count without the summary).
    func jsonValues(_ attribute: QIDOAttribute, base: String) -> [DICOMJSONValue]? {
        let studyURL = base + "/studies/" + study.studyInstanceUID
        func text(_ value: String?) -> [DICOMJSONValue] { value.map { $0.isEmpty ? [] : [.string($0)] } ?? [] }
        switch attribute.keyword {
        case "InstanceAvailability": return [.string("ONLINE")]
        case "ModalitiesInStudy": return (summary?.modalities ?? study.modalities).map { .string($0) }
        case "PatientName": return study.patientName.isEmpty ? [] : [.personName(study.patientName)]
        case "NumberOfStudyRelatedSeries": return summary.map { [.number($0.seriesCount)] }
        case "NumberOfStudyRelatedInstances": return summary.map { [.number($0.instanceCount)] }
        case "NumberOfSeriesRelatedInstances": return series.map { [.number($0.instanceCount)] }
        case "SeriesNumber": return series.map { $0.seriesNumber.map { [.number($0)] } ?? [] }
        case "InstanceNumber": return instance.map { $0.instanceNumber.map { [.number($0)] } ?? [] }
        case "NumberOfFrames": return instance.map { [.number($0.frames)] }
        case "Rows": return instance.map { [.number($0.rows)] }
        case "Columns": return instance.map { [.number($0.columns)] }
        case "RetrieveURL":
            switch attribute.level {
            case .study: return [.string(studyURL)]
            case .series, .instance: return nil
            }
        default: return text(matchValues(attribute).first)
        }
    }

    /// The URL of the entity at `level`.
    func retrieveURL(_ level: QIDOLevel, base: String) -> String {
        var url = base + "/studies/" + study.studyInstanceUID
        if level >= .series, let series { url += "/series/" + series.seriesInstanceUID }
        if level == .instance, let instance { url += "/instances/" + instance.sopInstanceUID }
        return url
    }

    /// The DICOM JSON object of a result at `level`: the return attributes of its level, and of the levels above
    /// it that the scope did not fix (below that, only the UIDs).
    func object(_ query: QIDOQuery, scope: QIDOScope, base: String) -> DICOMJSONObject {
        let level = query.level
        var levels: Set<QIDOLevel> = [level]
        if scope.studyUID == nil { levels.insert(.study) }
        if level == .instance, scope.seriesUID == nil { levels.insert(.series) }
        var object: DICOMJSONObject = [:]
        for attribute in QIDOAttribute.all where levels.contains(attribute.level) && query.returns(attribute) {
            if let values = jsonValues(attribute, base: base) {
                object[attribute.tag] = DICOMJSONAttribute(vr: attribute.vr, values: values)
            }
        }
        object["0020000D"] = DICOMJSONAttribute(vr: "UI", values: [.string(study.studyInstanceUID)])
        if level >= .series, let series {
            object["0020000E"] = DICOMJSONAttribute(vr: "UI", values: [.string(series.seriesInstanceUID)])
        }
        object["00081190"] = DICOMJSONAttribute(vr: "UR", values: [.string(retrieveURL(level, base: base))])
        return object
    }
}

extension UseCases {
    /// A DICOMweb search (QIDO-RS): the studies, series or instances in `scope` matching every key of `query`, in
    /// the index's order (studies newest first; series and instances by number), one page from `query.offset`.
    ///
    /// The index's exact criteria (Patient ID and Accession Number without wildcards, the Study Date range, one
    /// modality, Study Instance UIDs) narrow the studies in SQL; `QIDOMatcher` then applies every key, so the
    /// answer is the same whichever criteria the index could use. Only the page's studies are counted.
    ///
    /// - Parameters:
    ///   - baseURL: The service's root as the client reaches it (`https://host/dicomweb`), for Retrieve URLs.
    public func searchDICOMweb(_ query: QIDOQuery, in scope: QIDOScope, baseURL: String, by principal: Principal)
        async throws(AppError) -> QIDOResult
    {
        try await perform {
            let store = self.environment.store
            let wanted = query.offset + query.limit
            var found: [QIDOEntity] = []
            let studies = try store.studyAttributes(
                Self.pushdown(query), studyUIDs: scope.studyUID.map { [$0] } ?? Self.studyUIDs(query))
            search: for study in studies {
                let entity = QIDOEntity(study: study)
                guard entity.matches(query, at: .study) else { continue }
                if query.level == .study {
                    found.append(entity)
                    if scope.studyUID == nil, found.count > wanted { break }
                    continue
                }
                for series in try store.series(ofStudy: study.studyInstanceUID) {
                    if let seriesUID = scope.seriesUID, series.seriesInstanceUID != seriesUID { continue }
                    var child = entity
                    child.series = series
                    guard child.matches(query, at: .series) else { continue }
                    if query.level == .series {
                        found.append(child)
                    } else {
                        for instance in try store.instances(ofSeries: series.seriesInstanceUID) {
                            var leaf = child
                            leaf.instance = instance
                            if leaf.matches(query, at: .instance) { found.append(leaf) }
                        }
                    }
                    if found.count > wanted { break search }
                }
            }
            let page = Array(found.dropFirst(query.offset).prefix(query.limit))
            let counted = Set(page.map(\.study.studyInstanceUID))
            let summaries = try store.studies(uids: Array(counted))
            let byUID = Dictionary(summaries.map { ($0.studyInstanceUID, $0) }, uniquingKeysWith: { first, _ in first })
            let objects = page.map { entity in
                var entity = entity
                entity.summary = byUID[entity.study.studyInstanceUID]
                return entity.object(query, scope: scope, base: baseURL)
            }
            return QIDOResult(objects: objects, hasMore: found.count > wanted)
        }
    }

    /// The criteria of `query` the index evaluates exactly (a superset of the matches: the matcher has the last
    /// word).
    static func pushdown(_ query: QIDOQuery) -> StudyFilter {
        var filter = StudyFilter()
        for key in query.keys {
            switch (key.attribute.keyword, key.condition) {
            case ("PatientID", .patterns(let values)) where values.count == 1 && !isWildcard(values[0]):
                filter.patientID = values[0]
            case ("AccessionNumber", .patterns(let values)) where values.count == 1 && !isWildcard(values[0]):
                filter.accessionNumber = values[0]
            case ("StudyDate", .dates(let from, let to)):
                filter.dateFrom = from
                filter.dateTo = to
            case ("ModalitiesInStudy", .patterns(let values)) where values.count == 1 && !isWildcard(values[0]):
                filter.modality = values[0]
            default: break
            }
        }
        return filter
    }

    /// The Study Instance UIDs a study key lists, if any.
    static func studyUIDs(_ query: QIDOQuery) -> [String]? {
        for key in query.keys where key.attribute.keyword == "StudyInstanceUID" {
            if case .uids(let uids) = key.condition { return uids.sorted() }
        }
        return nil
    }

    private static func isWildcard(_ text: String) -> Bool { text.contains("*") || text.contains("?") }
}
