import Accounts
import AnnulusApp
import AnnulusRecords
import Hummingbird

/// `POST /api/studies/{studyUID}/annotations`.
struct NewAnnotationBody: Decodable {
    static let fields: Set<String> = [
        "level", "numberingBasis", "kind", "fields", "note", "reason", "levelOutsideStudy", "sign",
    ]
    var level: String
    var numberingBasis: String?
    var kind: String
    var fields: [String]?
    var note: String?
    var reason: String?
    var levelOutsideStudy: String?
    var sign: Bool?
}

/// `POST /api/annotations/{annotationID}/amend`.
struct AmendAnnotationBody: Decodable {
    static let fields: Set<String> = ["fields", "level", "kind", "note", "reason", "levelOutsideStudy"]
    var fields: [String]?
    var level: String?
    var kind: String?
    var note: String?
    var reason: String?
    var levelOutsideStudy: String?
}

/// `POST /api/annotations/{annotationID}/retract`.
struct RetractAnnotationBody: Decodable {
    static let fields: Set<String> = ["reason"]
    var reason: String
}

/// A list of annotation versions.
struct AnnotationListJSON: ResponseEncodable {
    var annotations: [AnnotationView]
}

/// One annotation version, as a response.
struct AnnotationJSON: ResponseEncodable {
    var annotation: AnnotationView
    var note: String?
}

extension APIRoutes {
    /// Annotations: list, one, history, add, amend, sign, retract. The signer is always the signed-in account.
    func addAnnotationRoutes(to api: RouterGroup<AnnulusRequestContext>) {
        let app = useCases
        api.get("studies/:studyUID/annotations") { request, context -> AnnotationListJSON in
            let principal = try context.require(.viewFindings).principal
            let study = try Parameters.uid("studyUID", context)
            let includeRetracted = try Parameters.queryBool("includeRetracted", request) ?? false
            let found = try await app.findings(ofStudy: study, includeRetracted: includeRetracted, by: principal)
            return AnnotationListJSON(annotations: found.items.map { AnnotationView($0.version, warning: $0.warning) })
        }
        api.post("studies/:studyUID/annotations") { request, context -> Response in
            let caller = try context.require(.annotate)
            let study = try Parameters.uid("studyUID", context)
            let body = try await StrictJSON.decode(
                NewAnnotationBody.self, allowed: NewAnnotationBody.fields, from: request, context: context)
            if body.sign == true { _ = try context.require(.sign) }
            let change = try await app.addFinding(
                NewFindingRequest(
                    study: study, level: body.level, numberingBasis: body.numberingBasis ?? "unknown", kind: body.kind,
                    fields: body.fields ?? [], note: body.note, reason: body.reason,
                    levelOutsideStudy: body.levelOutsideStudy, sign: body.sign ?? false),
                by: caller.principal)
            var response = try AnnotationJSON(
                annotation: AnnotationView(change.version, warning: change.warning), note: change.note
            ).response(from: request, context: context)
            response.status = .created
            return response
        }
        api.get("annotations/:annotationID") { _, context -> AnnotationJSON in
            let principal = try context.require(.viewFindings).principal
            let item = try await app.finding(id: try Parameters.annotationID(context), by: principal)
            return AnnotationJSON(annotation: AnnotationView(item.version, warning: item.warning))
        }
        api.get("annotations/:annotationID/history") { _, context -> AnnotationListJSON in
            let principal = try context.require(.viewFindings).principal
            let versions = try await app.history(id: try Parameters.annotationID(context), by: principal)
            return AnnotationListJSON(annotations: versions.map { AnnotationView($0) })
        }
        api.post("annotations/:annotationID/amend") { request, context -> AnnotationJSON in
            let principal = try context.require(.annotate).principal
            let id = try Parameters.annotationID(context)
            let body = try await StrictJSON.decode(
                AmendAnnotationBody.self, allowed: AmendAnnotationBody.fields, from: request, context: context)
            let change = try await app.amendFinding(
                AmendFindingRequest(
                    id: id, fields: body.fields ?? [], level: body.level, kind: body.kind, note: body.note,
                    reason: body.reason, levelOutsideStudy: body.levelOutsideStudy),
                by: principal)
            return AnnotationJSON(
                annotation: AnnotationView(change.version, warning: change.warning), note: change.note)
        }
        api.post("annotations/:annotationID/sign") { _, context -> AnnotationListJSON in
            let principal = try context.require(.sign).principal
            let signed = try await app.sign([try Parameters.annotationID(context)], by: principal)
            return AnnotationListJSON(annotations: signed.map { AnnotationView($0) })
        }
        api.post("annotations/:annotationID/retract") { request, context -> AnnotationJSON in
            let principal = try context.require(.annotate).principal
            let id = try Parameters.annotationID(context)
            let body = try await StrictJSON.decode(
                RetractAnnotationBody.self, allowed: RetractAnnotationBody.fields, from: request, context: context)
            let version = try await app.retractFinding(id: id, reason: body.reason, by: principal)
            return AnnotationJSON(annotation: AnnotationView(version))
        }
    }
}
