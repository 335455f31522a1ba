import Foundation
import Store

/// The result of checking a store's file: either it could not be opened as a store (empty, not SQLite, no annulus
/// schema, damaged beyond opening) or SQLite's check ran and found these problems.
public enum StoreCheck: Sendable, Equatable {
    /// The file is not a usable store; the message says why.
    case unusable(path: String, message: String)
    /// The check ran.
    case checked(path: String, report: IntegrityReport, milliseconds: Int)

    /// The store file checked.
    public var path: String {
        switch self {
        case .unusable(let path, _), .checked(let path, _, _): path
        }
    }

    /// True when the check ran and found nothing.
    public var isClean: Bool {
        if case .checked(_, let report, _) = self { return report.isClean }
        return false
    }
}

extension UseCases {
    /// Checks the store file of `dataFolder` for damage with SQLite (`quick_check`, or `integrity_check` with
    /// `full`, then `foreign_key_check`). Reads only: the store is neither created nor migrated. No store there is
    /// `notFound`; a file that is not a usable store is a result, not an error.
    public static func checkStore(_ dataFolder: DataFolder, full: Bool) async throws(AppError) -> StoreCheck {
        try dataFolder.checkIsFolder()
        let path = dataFolder.storePath
        let store: AnnulusStore
        do {
            store = try AnnulusStore(path: path, mode: .inspectOnly)
        } catch .missing {
            throw AppError.from(StoreError.missing(path: path))
        } catch {
            return .unusable(path: path, message: error.description)
        }
        let start = DispatchTime.now().uptimeNanoseconds
        let report: IntegrityReport
        do { report = try store.integrityCheck(full: full) } catch { throw AppError.from(error) }
        let milliseconds = Int((DispatchTime.now().uptimeNanoseconds - start) / 1_000_000)
        return .checked(path: path, report: report, milliseconds: milliseconds)
    }
}
