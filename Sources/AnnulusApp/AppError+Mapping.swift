import Accounts
import Candidacy
import DicomIO
import ResearchImport
import SpineModel
import Store
import TextSafety
import Watch

extension AppError {
    /// The `AppError` for any error a use case's parts throw: the store's (refusals by kind, failures as
    /// `unavailable` or `internal`), the vocabulary's and the intake's (invalid input with field, allowed values
    /// and suggestion), a rule file's, a file's, a DICOM reader's. Anything unknown is `internal`.
    public init(_ error: any Error) {
        switch error {
        case let app as AppError: self = app
        case let store as StoreError: self = Self.from(store)
        case let spine as SpineValidationError:
            self = .invalidInput(
                spine.message, field: spine.field, value: spine.value, allowed: spine.allowed,
                suggestion: spine.suggestion, code: spine.problem.rawValue)
        case let intake as IntakeError:
            self = .invalidInput(
                intake.description, field: intake.field, value: intake.value, allowed: intake.allowed,
                suggestion: intake.suggestion, code: "bad-intake-value")
        case let rules as RuleFileError:
            self = AppError(
                .invalidInput, code: "invalid-rule-file", message: rules.description, field: "rules",
                problems: rules.problems.map { Problem(reference: $0.rule ?? rules.source, message: $0.message) })
        case let file as BoundedFileError:
            self = .invalidInput(file.description, code: "unusable-file")
        case let research as ResearchImportError:
            self = .invalidInput(research.description, code: "unusable-label-file")
        case let dicom as DicomError:
            self = Self.from(dicom)
        case let watch as WatchError:
            self = .unavailable(watch.description, code: "watch")
        case let account as AccountError:
            self = Self.from(account)
        default:
            self = .internal(String(describing: error))
        }
    }

    /// The accounts' errors by kind (authentication itself is a face's business: a use case only meets a signer
    /// who is not allowed to sign, or the store failing under an account operation).
    static func from(_ error: AccountError) -> AppError {
        let message = error.description
        switch error.kind {
        case .invalidInput: return .invalidInput(message, code: "invalid-account-request")
        case .unauthenticated: return AppError(.forbidden, code: "unauthenticated", message: message)
        case .forbidden: return AppError(.forbidden, code: "forbidden", message: message)
        case .notFound: return .notFound(message, code: "unknown-account")
        case .conflict:
            if case .store(let store) = error { return from(store) }
            return AppError(.conflict, code: "account-conflict", message: message)
        case .tooManyAttempts: return .unavailable(message, code: "locked-out")
        case .failed:
            if case .store(let store) = error { return from(store) }
            return .internal(message)
        }
    }

    /// The store's errors: the refusals it names (`StoreError.isRefusal`) by what they refuse, its failures as
    /// `unavailable` (locked, full, read-only, damaged, not a store) or `internal`. The message is the store's.
    static func from(_ error: StoreError) -> AppError {
        let message = error.description
        switch error {
        case .missing: return .notFound(message, field: "data", code: "no-store")
        case .unknownStudy: return .notFound(message, field: "study", code: "unknown-study")
        case .unknownAnnotation: return .notFound(message, field: "id", code: "unknown-annotation")
        case .emptyStudyReference: return .invalidInput(message, field: "study", code: "empty-study-reference")
        case .ambiguousStudy(let reference, let candidates):
            return .invalidInput(
                message, field: "study", value: reference, allowed: candidates.map(\.studyInstanceUID),
                code: "ambiguous-study")
        case .unknownSeries: return .invalidInput(message, field: "anchor.series", code: "unknown-series")
        case .unknownInstance: return .invalidInput(message, field: "anchor.sop", code: "unknown-instance")
        case .invalidFrame: return .invalidInput(message, field: "anchor.frame", code: "invalid-frame")
        case .authorRequired: return .invalidInput(message, field: "author", code: "author-required")
        case .reasonRequired: return .invalidInput(message, field: "reason", code: "reason-required")
        case .invalidPayload: return .invalidInput(message, field: "payload", code: "invalid-payload")
        case .annotationPrefixTooShort(let prefix):
            return .invalidInput(message, field: "id", value: prefix, code: "annotation-prefix-too-short")
        case .ambiguousAnnotation(let prefix, let candidates):
            return .invalidInput(
                message, field: "id", value: prefix, allowed: candidates, code: "ambiguous-annotation")
        case .annotationRetracted: return .conflict(message, code: "annotation-retracted")
        case .alreadySigned: return .conflict(message, code: "already-signed")
        case .versionChanged: return .conflict(message, code: "version-changed")
        case .locked: return .unavailable(message, code: "store-locked")
        case .readOnly: return .unavailable(message, code: "store-read-only")
        case .diskFull: return .unavailable(message, code: "store-disk-full")
        case .damaged: return .unavailable(message, code: "store-damaged")
        case .emptyFile, .notADatabase: return .unavailable(message, code: "not-a-store")
        case .newerSchema: return .unavailable(message, code: "store-newer-schema")
        case .cannotCreateFolder, .cannotOpen: return .unavailable(message, code: "store-cannot-open")
        case .migrationFailed: return .internal(message, code: "store-migration-failed")
        case .database: return .internal(message, code: "store-database")
        case .invalidRecord: return .internal(message, code: "invalid-record")
        }
    }

    /// A DICOM reader's error: a request's own mistake (no such window, a bad argument) is invalid input; a file
    /// that cannot be read or decoded is `unavailable` for the image it names; the rest is internal. The message
    /// is the reader's (the file and the problem).
    static func from(_ error: DicomError) -> AppError {
        let message = error.description
        switch error.kind {
        case .noSuchWindow, .invalidArgument, .frameOutOfRange:
            return .invalidInput(message, code: error.kind.rawValue)
        case .internal, .dictionaryMissing, .decoderUnavailable, .writeFailed:
            return .internal(message, code: error.kind.rawValue)
        default:
            return .unavailable(message, code: error.kind.rawValue)
        }
    }
}
