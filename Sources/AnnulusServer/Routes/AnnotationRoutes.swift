import Accounts
import AnnulusApp
import AnnulusRecords
import Hummingbird
import SpineModel

/// `POST /api/studies/{studyUID}/annotations`.
struct NewAnnotationBody: Decodable {
    static let fields: Set<String> = [
        "level", "numberingBasis", "kind", "fields", "note", "reason", "levelOutsideStudy", "sign", "anchor",
    ]
    var level: String
    var numberingBasis: String?
    var kind: String
    var fields: [String]?
    var note: String?
    var reason: String?
    var levelOutsideStudy: String?
    var sign: Bool?
    var anchor: AnchorBody?
}

/// Where on an image a finding (or a disc label) is, as a request body gives it: the image, the frame from 0 (as
/// the rendered-frame routes number them) and its points as `[column, row]` pairs.
struct AnchorBody: Decodable {
    /// The most points an anchor may have (a fissure's course is a short polyline).
    static let maxPoints = 256
    static let fields: Set<String> = ["sopInstanceUID", "frame", "points"]
    var sopInstanceUID: String
    var frame: Int?
    var points: [[Double]]

    private enum CodingKeys: String, CodingKey { case sopInstanceUID, frame, points }

    /// Decodes the anchor, refusing a field it does not know (`anchor.frme`) as the body's own fields are.
    init(from decoder: any Decoder) throws {
        try StrictJSON.refuseUnknownKeys(decoder, allowed: Self.fields)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        sopInstanceUID = try container.decode(String.self, forKey: .sopInstanceUID)
        frame = try container.decodeIfPresent(Int.self, forKey: .frame)
        points = try container.decode([[Double]].self, forKey: .points)
    }

    /// The use cases' anchor request (frames from 1); a malformed point or too many points are refused here with the
    /// field named.
    func request() throws -> AnchorRequest {
        guard !points.isEmpty, points.count <= Self.maxPoints else {
            throw APIError(
                .badRequest, code: "bad-anchor", message: "anchor.points must hold 1 to \(Self.maxPoints) points")
        }
        var pixels: [PixelPoint] = []
        for point in points {
            guard point.count == 2, point.allSatisfy(\.isFinite) else {
                throw APIError(
                    .badRequest, code: "bad-anchor", message: "each of anchor.points must be [column, row] in pixels")
            }
            pixels.append(PixelPoint(x: point[0], y: point[1]))
        }
        let frame = frame ?? 0
        guard (0..<1_000_000).contains(frame) else {
            throw APIError(.badRequest, code: "bad-anchor", message: "anchor.frame must be 0 or more (frames from 0)")
        }
        var request = AnchorRequest(sopInstanceUID: sopInstanceUID, frame: frame + 1, pixelPoints: pixels)
        request.frameNumbering = 0
        return request
    }
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
                    anchor: try body.anchor?.request(), levelOutsideStudy: body.levelOutsideStudy,
                    sign: body.sign ?? false),
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
