import AnnulusRecords
import Candidacy
import Foundation
import Store
import TextSafety

/// Intake JSON with sorted keys (stable bytes in the store), and its reading with the origin named.
public enum IntakeCoding {
    /// The largest intake file accepted (an intake is well under 2 KiB).
    public static let fileLimit = BoundedFile.mebibyte

    /// The stored form of an intake.
    public static func encode(_ intake: Intake) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(intake)) ?? Data("{}".utf8)
    }

    /// An intake read from JSON and validated; invalid input names `origin` (a file, "the stored intake").
    public static func decode(_ data: Data, origin: String) throws(AppError) -> Intake {
        let intake: Intake
        do { intake = try JSONDecoder().decode(Intake.self, from: data) } catch {
            throw AppError.invalidInput(
                "\(origin.terminalSafe) is not a valid intake: \(String(describing: error).terminalSafe)",
                field: "intake", code: "invalid-intake")
        }
        do { try intake.validate() } catch {
            throw AppError.invalidInput(
                "\(origin.terminalSafe): \(error.description)", field: error.field, value: error.value,
                allowed: error.allowed, suggestion: error.suggestion, code: "bad-intake-value")
        }
        return intake
    }
}

/// A new intake version: the facts given (`key=value`) applied to a starting intake.
public struct IntakeUpdate: Sendable, Equatable {
    /// Where the new version starts from.
    public enum Base: Sendable, Equatable {
        /// The latest recorded version (an empty intake when there is none).
        case latest
        /// An intake file named by a command-line user (read within `IntakeCoding.fileLimit`). Never a path from
        /// a network request.
        case file(path: String)
        /// Intake JSON sent with the request; `origin` names it in messages.
        case json(Data, origin: String)
    }

    /// The study whose patient the intake belongs to (UID, accession or unique prefix).
    public var study: String
    /// Where to start from.
    public var base: Base
    /// Facts as `key=value` (docs/rules.md).
    public var assignments: [String]
    /// Why the intake changes.
    public var reason: String?

    /// Creates an update.
    public init(study: String, base: Base = .latest, assignments: [String], reason: String? = nil) {
        self.study = study
        self.base = base
        self.assignments = assignments
        self.reason = reason
    }
}

/// A study's patient's latest intake, if any.
public struct IntakeRecord: Sendable, Equatable {
    /// The study asked for.
    public var study: StudySummary
    /// The latest version, nil when none was recorded.
    public var latest: IntakeVersion?
}

extension UseCases {
    /// Records a new intake version for the study's patient (every study of the patient shares it).
    public func setIntake(_ update: IntakeUpdate, by principal: Principal) async throws(AppError) -> IntakeRecord {
        try await perform {
            let store = self.environment.store
            let target = try store.resolveStudy(update.study)
            var intake: Intake
            switch update.base {
            case .file(let path):
                let bytes: [UInt8]
                do throws(BoundedFileError) {
                    bytes = try BoundedFile.read(path: path, limit: IntakeCoding.fileLimit, what: "intake file")
                } catch {
                    throw AppError.invalidInput(error.description, field: "from", code: "unusable-file")
                }
                intake = try IntakeCoding.decode(Data(bytes), origin: path)
            case .json(let data, let origin):
                intake = try IntakeCoding.decode(data, origin: origin)
            case .latest:
                if let latest = try store.latestIntake(studyUID: target.studyInstanceUID) {
                    intake = try IntakeCoding.decode(latest.payload, origin: "the stored intake")
                } else {
                    intake = Intake()
                }
            }
            try intake.apply(assignments: update.assignments)
            guard update.base != .latest || !update.assignments.isEmpty else {
                throw AppError.invalidInput(
                    "give intake facts as key=value (see `annulus intake set --help`) or --from FILE",
                    field: "assignments", code: "no-intake-facts")
            }
            let version = try store.recordIntake(
                studyUID: target.studyInstanceUID, payload: IntakeCoding.encode(intake), author: principal.name,
                reason: update.reason)
            return IntakeRecord(study: target, latest: version)
        }
    }

    /// The latest intake of the study's patient (nil `latest` when none was recorded).
    public func intake(ofStudy study: String, by principal: Principal) async throws(AppError) -> IntakeRecord {
        try await perform {
            let store = self.environment.store
            let target = try store.resolveStudy(study)
            return IntakeRecord(study: target, latest: try store.latestIntake(studyUID: target.studyInstanceUID))
        }
    }

    /// Every intake version of the study's patient, oldest first.
    public func intakeHistory(ofStudy study: String, by principal: Principal) async throws(AppError)
        -> [IntakeVersion]
    {
        try await perform {
            let store = self.environment.store
            return try store.intakeHistory(studyUID: try store.resolveStudy(study).studyInstanceUID)
        }
    }
}
