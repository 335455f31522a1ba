import Accounts
import AnnulusApp
import AnnulusRecords
import Foundation
import Hummingbird

/// One intake version with its facts (the stored intake document, verbatim).
struct IntakeVersionJSON: Encodable, Sendable {
    var version: Int
    var author: String
    var reason: String?
    var createdAt: String
    var intake: RawJSON

    init(_ version: IntakeVersion) {
        self.version = version.version
        author = version.author
        reason = version.reason
        createdAt = version.createdAt
        intake = RawJSON(data: version.payload)
    }
}

/// A stored JSON document encoded as itself (not as a string).
struct RawJSON: Encodable, Sendable {
    var data: Data

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        let object = try JSONSerialization.jsonObject(with: data)
        try container.encode(AnyJSON(object))
    }
}

/// A JSONSerialization value, encodable.
struct AnyJSON: Encodable, @unchecked Sendable {
    // JSONSerialization values (dictionaries, arrays, strings, numbers, NSNull) are immutable once parsed.
    let value: Any
    init(_ value: Any) { self.value = value }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch value {
        case let dictionary as [String: Any]: try container.encode(dictionary.mapValues(AnyJSON.init))
        case let array as [Any]: try container.encode(array.map(AnyJSON.init))
        case let bool as Bool where (value as? NSNumber).map({ String(cString: $0.objCType) == "c" }) ?? true:
            try container.encode(bool)
        case let number as NSNumber where String(cString: number.objCType) == "c":
            try container.encode(number.boolValue)
        case let number as NSNumber:
            if let int = Int(exactly: number.doubleValue), !"\(number)".contains(".") {
                try container.encode(int)
            } else {
                try container.encode(number.doubleValue)
            }
        case let string as String: try container.encode(string)
        default: try container.encodeNil()
        }
    }
}

/// The current intake of a study.
struct IntakeJSON: ResponseEncodable {
    var studyInstanceUID: String
    var latest: IntakeVersionJSON?
}

/// Every intake version of a study.
struct IntakeHistoryJSON: ResponseEncodable {
    var versions: [IntakeVersionJSON]
}

/// `POST /api/studies/{studyUID}/intake`.
struct IntakeBody: Decodable {
    static let fields: Set<String> = ["facts", "reason"]
    var facts: [String]
    var reason: String?
}

extension APIRoutes {
    /// Intake: current, history, set (facts as `key=value`, the command line's `annulus intake set`).
    func addIntakeRoutes(to api: RouterGroup<AnnulusRequestContext>) {
        let app = useCases
        api.get("studies/:studyUID/intake") { _, context -> IntakeJSON in
            let principal = try context.require(.viewFindings).principal
            let record = try await app.intake(ofStudy: try Parameters.uid("studyUID", context), by: principal)
            return IntakeJSON(
                studyInstanceUID: record.study.studyInstanceUID, latest: record.latest.map(IntakeVersionJSON.init))
        }
        api.get("studies/:studyUID/intake/history") { _, context -> IntakeHistoryJSON in
            let principal = try context.require(.viewFindings).principal
            let versions = try await app.intakeHistory(ofStudy: try Parameters.uid("studyUID", context), by: principal)
            return IntakeHistoryJSON(versions: versions.map(IntakeVersionJSON.init))
        }
        api.post("studies/:studyUID/intake") { request, context -> IntakeJSON in
            let principal = try context.require(.intake).principal
            let study = try Parameters.uid("studyUID", context)
            let body = try await StrictJSON.decode(
                IntakeBody.self, allowed: IntakeBody.fields, from: request, context: context)
            let record = try await app.setIntake(
                IntakeUpdate(study: study, assignments: body.facts, reason: body.reason), by: principal)
            return IntakeJSON(
                studyInstanceUID: record.study.studyInstanceUID, latest: record.latest.map(IntakeVersionJSON.init))
        }
    }
}
