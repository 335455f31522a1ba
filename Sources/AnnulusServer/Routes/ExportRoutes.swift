import Accounts
import AnnulusApp
import AnnulusRecords
import Foundation
import Hummingbird
import NIOCore

/// `POST /api/studies/{studyUID}/exports`.
struct ExportBody: Decodable {
    static let fields: Set<String> = ["format", "includeDrafts"]
    var format: String
    var includeDrafts: Bool?
}

/// `POST /api/studies/{studyUID}/deliveries`.
struct DeliverBody: Decodable {
    static let fields: Set<String> = ["includeDrafts"]
    var includeDrafts: Bool?
}

/// Deliveries with their attempts.
struct DeliveryListJSON: ResponseEncodable {
    var deliveries: [DeliveryView]
}

/// The result of one retry.
struct RetryJSON: ResponseEncodable {
    var deliveryID: String
    var outcome: String
    var attempts: Int
    var message: String
}

/// The watcher's state, as `annulus status --json`.
struct StatusJSON: ResponseEncodable {
    var status: StatusView
}

extension APIRoutes {
    /// Exports (FHIR Bundle or native findings document), deliveries with attempts, retry, and the watcher's status.
    func addExportRoutes(to api: RouterGroup<AnnulusRequestContext>) {
        let app = useCases
        let deliveryToken = options.deliveryToken
        let endpoint = options.fhirEndpoint
        api.post("studies/:studyUID/exports") { request, context -> Response in
            let principal = try context.require(.export).principal
            let study = try Parameters.uid("studyUID", context)
            let body = try await StrictJSON.decode(
                ExportBody.self, allowed: ExportBody.fields, from: request, context: context)
            guard let format = ExportFormat(rawValue: body.format) else {
                throw APIError(
                    .badRequest, code: "bad-format", message: "format must be fhir or findings", field: "format",
                    value: body.format, allowed: ExportFormat.allCases.map(\.rawValue))
            }
            let document = try await app.export(
                ExportRequest(study: study, format: format, includeDrafts: body.includeDrafts ?? false), by: principal)
            return Response(
                status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: document.data)))
        }
        api.post("studies/:studyUID/deliveries") { request, context -> Response in
            let principal = try context.require(.export).principal
            let study = try Parameters.uid("studyUID", context)
            let body = try await StrictJSON.decode(
                DeliverBody.self, allowed: DeliverBody.fields, from: request, context: context)
            guard let endpoint else {
                throw APIError(
                    .conflict, code: "no-endpoint",
                    message:
                        "this server has no FHIR endpoint to deliver to: start annulus serve with --fhir-endpoint URL "
                        + "(and --token-file for its bearer token), or export the document and send it yourself")
            }
            let result = try await app.exportAndDeliver(
                ExportRequest(study: study, format: .fhir, includeDrafts: body.includeDrafts ?? false), to: endpoint,
                token: deliveryToken, policy: ServeOptions.interactiveDelivery, by: principal)
            var response = try RetryJSON(
                deliveryID: result.deliveryID, outcome: result.last.outcome.rawValue, attempts: result.last.attempt,
                message: result.last.message
            ).response(from: request, context: context)
            response.status = .created
            return response
        }
        api.get("deliveries") { request, context -> DeliveryListJSON in
            let principal = try context.require(.deliveries).principal
            let study = try Parameters.queryString("study", request, maxLength: 64)
            if let study, !Parameters.isUID(study) {
                throw APIError(
                    .badRequest, code: "bad-uid", message: "study must be a Study Instance UID", field: "study")
            }
            var state: DeliveryRecord.State?
            if let text = try Parameters.queryString("state", request, maxLength: 16) {
                guard let parsed = DeliveryRecord.State(rawValue: text) else {
                    throw APIError(
                        .badRequest, code: "bad-state", message: "state must be pending, delivered or failed",
                        field: "state", value: text, allowed: DeliveryRecord.State.allCases.map(\.rawValue))
                }
                state = parsed
            }
            return DeliveryListJSON(deliveries: try await app.deliveries(study: study, state: state, by: principal))
        }
        api.post("deliveries/:deliveryID/retry") { _, context -> RetryJSON in
            let principal = try context.require(.deliveries).principal
            let id = try Parameters.uuid("deliveryID", context)
            let pending = try await app.pendingDeliveries(by: principal)
            guard let attempt = pending.first(where: { $0.deliveryID == id }) else {
                throw APIError(
                    .conflict, code: "not-pending",
                    message:
                        "delivery \(id) is not pending (unknown, delivered or failed): only pending ones are retried")
            }
            switch try await app.resend(attempt, token: deliveryToken, policy: DeliveryPolicy(), by: principal) {
            case .sent(let result):
                return RetryJSON(
                    deliveryID: id, outcome: result.last.outcome.rawValue, attempts: result.last.attempt,
                    message: result.last.message)
            case .unsendable(_, let message):
                throw APIError(.conflict, code: "unsendable", message: message)
            }
        }
        api.get("status") { _, context -> StatusJSON in
            let principal = try context.require(.viewStudies).principal
            return StatusJSON(status: StatusView(try await app.status(by: principal)))
        }
    }
}
