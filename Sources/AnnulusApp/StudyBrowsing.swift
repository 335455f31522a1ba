import AnnulusRecords
import Foundation
import Store
import TextSafety

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

    /// The longest cursor this server gives out or accepts.
    public static let maximumCursorLength = 160

    /// Refuses a limit out of range, a date that is not YYYYMMDD, a reversed range, a cursor not made here.
    func validated() throws(AppError) -> (filter: StudyFilter, start: StudyPageStart) {
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
        var start = StudyPageStart.first
        if let cursor {
            guard let decoded = StudyCursor.start(from: cursor) else {
                throw .invalidInput(
                    "cursor is not one this server gave out: pass nextCursor from the previous page unchanged",
                    field: "cursor", code: "bad-cursor")
            }
            start = decoded
        }
        let filter = StudyFilter(
            patientID: patientID, accessionNumber: accession, dateFrom: dateFrom, dateTo: dateTo, modality: modality)
        return (filter, start)
    }

    static func isDate(_ text: String) -> Bool {
        text.utf8.count == 8 && text.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }
}

/// The opaque paging cursor of a study search, made by this server only.
///
/// A cursor names the last study of its page by its place in the list's order (Study Date, Study Time, Study
/// Instance UID): `k` and that key in unpadded base64url. The next page is the studies after it (keyset paging), so
/// studies indexed while a client pages (new studies come first, newest first) neither repeat a study on the next
/// page nor skip one, as counting from the start would; and a page deep in the list costs no more than the first.
/// `o` and a base-36 number is the older form, a count of studies to skip: still accepted (cursors given out before
/// an upgrade), and given out when the key does not fit (a study whose date, time or UID is far longer than DICOM
/// allows, or holds the separator).
enum StudyCursor {
    /// The separator of the key's parts: U+001F, which a DICOM date, time or UID never holds.
    private static let separator: UInt8 = 0x1F

    /// The cursor of the page after the one ending at `last`, or nil when the key does not fit one.
    static func after(_ last: StudyOrderKey) -> String? {
        let parts = [last.studyDate, last.studyTime, last.studyInstanceUID]
        guard parts.allSatisfy({ !$0.utf8.contains(separator) }) else { return nil }
        let cursor = "k" + Base64URL.encode(parts.joined(separator: "\u{1F}").utf8)
        return cursor.utf8.count <= StudyQuery.maximumCursorLength ? cursor : nil
    }

    /// The cursor that skips `offset` studies.
    static func skipping(_ offset: Int) -> String { "o" + String(offset, radix: 36) }

    /// Where a page starts for a cursor this server gave out, or nil for any other text.
    static func start(from cursor: String) -> StudyPageStart? {
        guard cursor.utf8.count <= StudyQuery.maximumCursorLength, let kind = cursor.first else { return nil }
        let body = String(cursor.dropFirst())
        switch kind {
        case "o":
            guard body.utf8.count <= 11, let value = Int(body, radix: 36), value >= 0 else { return nil }
            return .offset(value)
        case "k":
            guard let data = Base64URL.decode(body), let text = String(data: data, encoding: .utf8) else {
                return nil
            }
            let parts = text.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, !parts[2].isEmpty else { return nil }
            return .after(StudyOrderKey(studyDate: parts[0], studyTime: parts[1], studyInstanceUID: parts[2]))
        default:
            return nil
        }
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
    /// The studies matching `query`, newest first, one page at a time: filtered and paged by the store's indexes.
    public func searchStudies(_ query: StudyQuery, by principal: Principal) async throws(AppError) -> StudyPage {
        let (filter, start) = try query.validated()
        return try await perform {
            let store = self.environment.store
            let page = try store.searchStudies(filter, from: start, limit: query.limit)
            var nextCursor: String?
            if page.hasMore, let last = page.studies.last {
                let key = StudyOrderKey(last)
                if let cursor = StudyCursor.after(key) {
                    nextCursor = cursor
                } else {
                    nextCursor = StudyCursor.skipping(try store.studyCount(filter, through: key))
                }
            }
            return StudyPage(studies: page.studies, nextCursor: nextCursor, total: page.total)
        }
    }

    /// One study (by its exact Study Instance UID) with its series and instances.
    public func studyDetail(uid: String, by principal: Principal) async throws(AppError) -> StudyDetail {
        try await perform {
            let store = self.environment.store
            guard let study = try store.study(uid: uid) else {
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
