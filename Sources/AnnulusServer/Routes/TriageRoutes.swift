import Accounts
import AnnulusApp
import Candidacy
import Foundation
import Hummingbird
import NIOCore

/// Any `Encodable` as a JSON response body with sorted keys (the same bytes as the command line's `--json`).
struct JSONBody<Value: Encodable & Sendable>: ResponseGenerator {
    var value: Value

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}

/// The worklist.
struct WorklistJSON: ResponseEncodable {
    var entries: [WorklistEntry]
}

extension APIRoutes {
    /// `GET /api/studies/{studyUID}/triage` (the evaluation `annulus triage --json` prints) and `GET /api/worklist`.
    func addTriageRoutes(to api: RouterGroup<AnnulusRequestContext>) {
        let app = useCases
        api.get("studies/:studyUID/triage") { request, context -> JSONBody<Evaluation> in
            let principal = try context.require(.triage).principal
            let study = try Parameters.uid("studyUID", context)
            let includeDrafts = try Parameters.queryBool("includeDrafts", request) ?? false
            let report = try await app.triage(study: study, includeDrafts: includeDrafts, by: principal)
            return JSONBody(value: report.evaluation)
        }
        api.get("worklist") { _, context -> WorklistJSON in
            let principal = try context.require(.worklist).principal
            return WorklistJSON(entries: try await app.worklist(by: principal))
        }
    }
}
