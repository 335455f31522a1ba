import AnnulusRecords
import Foundation
import Store

/// What a study search asks for: every criterion given must match; paging by `limit` and an opaque `cursor`.
public struct StudyQuery: Sendable, Equatable {
    /// Patient ID, exactly (compared, never logged).
    public var patientID: String?
    /// Accession Number, exactly.
    public var accession: String?
    /// Earliest Study Date (YYYYMMDD), inclusive.
    public var dateFrom: String?
    /// Latest Study Date (YYYYMMDD), inclusive.
    public var dateTo: String?
    /// A modality one of the study's series has (e.g. `MR`).
    public var modality: String?
    /// Page size (1...500).
    public var limit: Int
    /// Where the previous page ended (`nextCursor` of that page), nil for the first page.
    public var cursor: String?

    /// The largest page.
    public static let maximumLimit = 500

    /// Creates a query.
    public init(
        patientID: String? = nil, accession: String? = nil, dateFrom: String? = nil, dateTo: String? = nil,
        modality: String? = nil, limit: Int = 50, cursor: String? = nil
    ) {
        self.patientID = patientID
        self.accession = accession
        self.dateFrom = dateFrom
        self.dateTo = dateTo
        self.modality = modality
        self.limit = limit
        self.cursor = cursor
    }

    /// Refuses a limit out of range, a date that is not YYYYMMDD, a reversed range, a cursor not made here.
    func validated() throws(AppError) -> (query: StudyQuery, offset: Int) {
        guard (1...Self.maximumLimit).contains(limit) else {
            throw .invalidInput(
                "limit must be between 1 and \(Self.maximumLimit), got \(limit)", field: "limit", value: String(limit),
                allowed: ["1...\(Self.maximumLimit)"], code: "bad-limit")
        }
        for (field, value) in [("dateFrom", dateFrom), ("dateTo", dateTo)] {
            if let value, !Self.isDate(value) {
                throw .invalidInput(
                    "\(field) must be a date as YYYYMMDD (e.g. 20240131)", field: field, value: value,
                    allowed: ["YYYYMMDD"], code: "bad-date")
            }
        }
        if let dateFrom, let dateTo, dateFrom > dateTo {
            throw .invalidInput(
                "dateFrom \(dateFrom) is after dateTo \(dateTo)", field: "dateFrom", value: dateFrom,
                code: "bad-date-range")
        }
        var offset = 0
        if let cursor {
            guard let decoded = Self.offset(fromCursor: cursor) else {
                throw .invalidInput(
                    "cursor is not one this server gave out: pass nextCursor from the previous page unchanged",
                    field: "cursor", code: "bad-cursor")
            }
            offset = decoded
        }
        return (self, offset)
    }

    static func isDate(_ text: String) -> Bool {
        text.utf8.count == 8 && text.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }

    static func cursor(forOffset offset: Int) -> String { "o" + String(offset, radix: 36) }

    static func offset(fromCursor cursor: String) -> Int? {
        guard cursor.hasPrefix("o"), cursor.utf8.count <= 12, let value = Int(cursor.dropFirst(), radix: 36),
            value >= 0
        else { return nil }
        return value
    }

    func matches(_ study: StudySummary) -> Bool {
        if let patientID, study.patientID != patientID { return false }
        if let accession, study.accessionNumber != accession { return false }
        if let modality, !study.modalities.contains(where: { $0.caseInsensitiveCompare(modality) == .orderedSame }) {
            return false
        }
        if dateFrom != nil || dateTo != nil {
            guard let date = study.studyDate else { return false }
            if let dateFrom, date < dateFrom { return false }
            if let dateTo, date > dateTo { return false }
        }
        return true
    }
}

/// One page of a study search.
public struct StudyPage: Sendable, Equatable {
    /// The studies of this page, newest first.
    public var studies: [StudySummary]
    /// The cursor of the next page, nil on the last page.
    public var nextCursor: String?
    /// How many studies match in all.
    public var total: Int
}

/// One study with its series, each with its instances and their geometry.
public struct StudyDetail: Sendable, Equatable {
    /// The study.
    public var study: StudySummary
    /// Its series, by series number.
    public var series: [SeriesDetail]
}

/// One series with its instances.
public struct SeriesDetail: Sendable, Equatable {
    /// The series.
    public var series: SeriesSummary
    /// Its instances, by instance number.
    public var instances: [InstanceRecord]
    /// Its stacks, in the order of their first instance, each in spatial order.
    public var stacks: [StackDetail]
}

extension UseCases {
    /// The studies matching `query`, newest first, one page at a time.
    public func searchStudies(_ query: StudyQuery, by principal: Principal) async throws(AppError) -> StudyPage {
        let (query, offset) = try query.validated()
        let all = try await perform { try self.environment.store.studies() }
        let matching = all.filter(query.matches)
        let page = Array(matching.dropFirst(offset).prefix(query.limit))
        let end = offset + page.count
        return StudyPage(
            studies: page, nextCursor: end < matching.count ? StudyQuery.cursor(forOffset: end) : nil,
            total: matching.count)
    }

    /// One study (by its exact Study Instance UID) with its series and instances.
    public func studyDetail(uid: String, by principal: Principal) async throws(AppError) -> StudyDetail {
        try await perform {
            let store = self.environment.store
            guard let study = try store.studies().first(where: { $0.studyInstanceUID == uid }) else {
                throw AppError.notFound("no study with Study Instance UID \(uid) is indexed", code: "unknown-study")
            }
            let series = try store.series(ofStudy: uid).map { series in
                let instances = try store.instances(ofSeries: series.seriesInstanceUID)
                return SeriesDetail(series: series, instances: instances, stacks: StackDetail.stacks(of: instances))
            }
            return StudyDetail(study: study, series: series)
        }
    }

    /// One indexed instance by SOP Instance UID.
    public func instance(uid: String, by principal: Principal) async throws(AppError) -> InstanceRecord {
        try await perform {
            guard let record = try self.environment.store.instance(sopInstanceUID: uid) else {
                throw AppError.notFound("no instance with SOP Instance UID \(uid) is indexed", code: "unknown-instance")
            }
            return record
        }
    }
}
