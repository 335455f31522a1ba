import AnnulusRecords
import Foundation
internal import GRDB

/// What a study search asks the index for: every criterion given must hold (none given: every study).
public struct StudyFilter: Sendable, Equatable {
    /// Patient ID, exactly.
    public var patientID: String?
    /// Accession Number, exactly.
    public var accessionNumber: String?
    /// Earliest Study Date, inclusive, compared as text (YYYYMMDD); a study without a date (none or empty text:
    /// ingest keeps an empty one as none) never matches a date bound.
    public var dateFrom: String?
    /// Latest Study Date, inclusive, compared as text (YYYYMMDD).
    public var dateTo: String?
    /// A modality one of the study's series has, ignoring ASCII case (Modality is upper-case ASCII in DICOM; other
    /// letters must match exactly); an empty modality matches nothing.
    public var modality: String?

    /// Creates a filter.
    public init(
        patientID: String? = nil, accessionNumber: String? = nil, dateFrom: String? = nil, dateTo: String? = nil,
        modality: String? = nil
    ) {
        self.patientID = patientID
        self.accessionNumber = accessionNumber
        self.dateFrom = dateFrom
        self.dateTo = dateTo
        self.modality = modality
    }
}

/// A study's place in the order of `studies()`: newest Study Date first, then newest Study Time, then Study
/// Instance UID ascending (a missing date or time sorts as empty text, after every other).
public struct StudyOrderKey: Sendable, Hashable {
    /// Study Date, "" when the study has none.
    public var studyDate: String
    /// Study Time, "" when the study has none.
    public var studyTime: String
    /// Study Instance UID.
    public var studyInstanceUID: String

    /// Creates a key.
    public init(studyDate: String, studyTime: String, studyInstanceUID: String) {
        self.studyDate = studyDate
        self.studyTime = studyTime
        self.studyInstanceUID = studyInstanceUID
    }

    /// The key of a listed study.
    public init(_ study: StudySummary) {
        self.init(
            studyDate: study.studyDate ?? "", studyTime: study.studyTime ?? "",
            studyInstanceUID: study.studyInstanceUID)
    }
}

/// Where a page of a study search starts.
public enum StudyPageStart: Sendable, Equatable {
    /// At the first match.
    case first
    /// After skipping this many matches.
    case offset(Int)
    /// At the first match that comes after this key in `studies()` order (keyset paging: a study inserted or
    /// removed elsewhere in the list does not shift the pages that follow).
    case after(StudyOrderKey)
}

/// One page of a study search.
public struct StudySearchPage: Sendable, Equatable {
    /// The page's studies, in `studies()` order, counted as `studies()` counts them.
    public var studies: [StudySummary]
    /// How many studies match the filter in all (whatever the page).
    public var total: Int
    /// Whether more matches follow the page.
    public var hasMore: Bool
}

extension AnnulusStore {
    /// One page of the studies matching `filter`, in `studies()` order, with the number of all matches.
    ///
    /// The filter and the paging run in SQL over indexes (migration `v11-study-search`); the counts and modalities
    /// of a summary are computed for the page's studies only. The total is counted from the indexes: a patient's
    /// or an accession's studies directly, a date or modality search by reading the matching part of
    /// `studies_by_recency` (about 2 ms for 10,000 studies).
    ///
    /// - Parameters:
    ///   - filter: The criteria.
    ///   - start: Where the page starts.
    ///   - limit: The largest number of studies returned (at least 1 is asked of the index).
    public func searchStudies(_ filter: StudyFilter, from start: StudyPageStart = .first, limit: Int) throws(StoreError)
        -> StudySearchPage
    {
        let statements = Self.searchStatements(filter, from: start, limit: limit)
        return try read { db in
            let total = try Int.fetchOne(db, sql: statements.count.sql, arguments: statements.count.arguments) ?? 0
            let uids = try String.fetchAll(db, sql: statements.page.sql, arguments: statements.page.arguments)
            let studies = try Self.summaries(db, scope: .studies(Array(uids.prefix(statements.limit))))
            return StudySearchPage(studies: studies, total: total, hasMore: uids.count > statements.limit)
        }
    }

    /// The statements of a search: the count of all matches, and the UIDs of the page's studies with one more
    /// (whether more follow).
    static func searchStatements(_ filter: StudyFilter, from start: StudyPageStart, limit: Int) -> (
        count: (sql: String, arguments: StatementArguments), page: (sql: String, arguments: StatementArguments),
        limit: Int
    ) {
        let limit = max(1, limit)
        let matching = filter.condition()
        var page = matching
        var offset = 0
        switch start {
        case .first: break
        case .offset(let skip): offset = max(0, skip)
        case .after(let key): page.append(after(key))
        }
        var pageArguments = page.arguments
        pageArguments += [limit + 1, offset]
        return (
            count: ("SELECT count(*) FROM studies st" + matching.whereClause, matching.arguments),
            page: (
                "SELECT st.study_uid FROM studies st" + page.whereClause + "\n" + studyOrder + "\nLIMIT ? OFFSET ?",
                pageArguments
            ),
            limit: limit
        )
    }

    /// How many studies match `filter` up to and including the place of `key` in `studies()` order: the offset of
    /// the study after it.
    public func studyCount(_ filter: StudyFilter, through key: StudyOrderKey) throws(StoreError) -> Int {
        try read { db in
            var matching = filter.condition()
            let after = Self.after(key)
            matching.append(SQLCondition(text: "NOT (\(after.text))", arguments: after.arguments))
            return try Int.fetchOne(
                db, sql: "SELECT count(*) FROM studies st" + matching.whereClause, arguments: matching.arguments) ?? 0
        }
    }

    /// One study by its exact Study Instance UID, counted as `studies()` counts, or nil when it is not indexed.
    public func study(uid: String) throws(StoreError) -> StudySummary? {
        try read { db in try Self.summaries(db, scope: .studies([uid])).first }
    }

    /// The order of `studies()`; the index `studies_by_recency` holds exactly these expressions, so a page is read
    /// in index order without sorting.
    static let studyOrder =
        "ORDER BY coalesce(st.study_date, '') DESC, coalesce(st.study_time, '') DESC, st.study_uid"

    /// The studies after `key` in `studyOrder`. The date bound comes first and alone so that it is a range on the
    /// index; the order's mixed directions rule out a row-value comparison.
    static func after(_ key: StudyOrderKey) -> SQLCondition {
        SQLCondition(
            text: """
                coalesce(st.study_date, '') <= ? AND (coalesce(st.study_date, '') < ? OR coalesce(st.study_time, '') < ?
                    OR (coalesce(st.study_time, '') = ? AND st.study_uid > ?))
                """,
            arguments: [
                key.studyDate, key.studyDate, key.studyTime, key.studyTime, key.studyInstanceUID,
            ])
    }
}

/// A condition on `studies st` with its arguments.
struct SQLCondition {
    var text: String
    var arguments: StatementArguments
}

/// Conditions joined by AND.
struct SQLConditions {
    var parts: [SQLCondition] = []

    mutating func append(_ condition: SQLCondition) { parts.append(condition) }

    /// " WHERE a AND b", or "" when there is no condition.
    var whereClause: String {
        parts.isEmpty ? "" : "\nWHERE " + parts.map { "(\($0.text))" }.joined(separator: " AND ")
    }

    var arguments: StatementArguments {
        parts.reduce(into: StatementArguments()) { $0 += $1.arguments }
    }
}

extension StudyFilter {
    /// The filter as SQL over `studies st`. Patient ID and accession are equalities on `studies_by_patient` and
    /// `studies_by_accession`; the dates are a range on `studies_by_recency` (as the coalesced expression it holds)
    /// and the modality a test on `modality_set`, which that index holds too.
    func condition() -> SQLConditions {
        var conditions = SQLConditions()
        if let patientID { conditions.append(SQLCondition(text: "st.patient_id = ?", arguments: [patientID])) }
        if let accessionNumber {
            conditions.append(SQLCondition(text: "st.accession_number = ?", arguments: [accessionNumber]))
        }
        if let dateFrom {
            conditions.append(SQLCondition(text: "coalesce(st.study_date, '') >= ?", arguments: [dateFrom]))
        }
        if let dateTo {
            conditions.append(SQLCondition(text: "coalesce(st.study_date, '') <= ?", arguments: [dateTo]))
        }
        if dateFrom != nil || dateTo != nil, (dateFrom ?? "").isEmpty {
            // A study without a date never matches a date bound; a non-empty lower bound already excludes it. Tested
            // on the expression the index holds, so the count still reads the index alone.
            conditions.append(SQLCondition(text: "coalesce(st.study_date, '') <> ''", arguments: []))
        }
        if let modality {
            // The study's own `modality_set` (kept by triggers on `series`); a separator in the text asked for could
            // match across two modalities, and no modality holds one once listed, so it matches nothing.
            conditions.append(
                modality.contains("\u{1F}")
                    ? SQLCondition(text: "0", arguments: [])
                    : SQLCondition(
                        text: "instr(st.modality_set, char(31) || upper(?) || char(31)) > 0", arguments: [modality]))
        }
        return conditions
    }
}
