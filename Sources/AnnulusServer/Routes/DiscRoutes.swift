import Accounts
import AnnulusApp
import Hummingbird

/// `PUT /api/studies/{studyUID}/discs`.
struct DiscLabelsBody: Decodable {
    static let fields: Set<String> = ["basis", "labels", "reason", "expectedVersion"]
    var basis: String?
    var labels: [DiscLabelBody]
    var reason: String?
    var expectedVersion: Int?
}

/// One disc of `DiscLabelsBody`.
struct DiscLabelBody: Decodable {
    static let fields: Set<String> = ["level", "anchor"]
    var level: String
    var anchor: AnchorBody

    private enum CodingKeys: String, CodingKey { case level, anchor }

    init(from decoder: any Decoder) throws {
        try StrictJSON.refuseUnknownKeys(decoder, allowed: Self.fields)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        level = try container.decode(String.self, forKey: .level)
        anchor = try container.decode(AnchorBody.self, forKey: .anchor)
    }
}

/// `POST /api/studies/{studyUID}/discs/nearest`.
struct NearestDiscBody: Decodable {
    static let fields: Set<String> = ["anchor"]
    var anchor: AnchorBody
}

extension DiscLabelsView: ResponseEncodable {}
extension LevelProposalView: ResponseEncodable {}

/// Every version of a study's disc labels.
struct DiscLabelHistoryJSON: ResponseEncodable {
    var versions: [DiscLabelsVersionView]
}

extension APIRoutes {
    /// Disc labels: the current set with the next disc to label, its history, a new set, and the level of the
    /// labelled disc nearest a click.
    func addDiscRoutes(to api: RouterGroup<AnnulusRequestContext>) {
        let app = useCases
        api.get("studies/:studyUID/discs") { _, context -> DiscLabelsView in
            let principal = try context.require(.viewFindings).principal
            return DiscLabelsView(
                try await app.discLabels(ofStudy: try Parameters.uid("studyUID", context), by: principal))
        }
        api.get("studies/:studyUID/discs/history") { _, context -> DiscLabelHistoryJSON in
            let principal = try context.require(.viewFindings).principal
            let versions = try await app.discLabelHistory(
                ofStudy: try Parameters.uid("studyUID", context), by: principal)
            return DiscLabelHistoryJSON(versions: versions.map(DiscLabelsVersionView.init))
        }
        api.put("studies/:studyUID/discs") { request, context -> DiscLabelsView in
            let principal = try context.require(.annotate).principal
            let study = try Parameters.uid("studyUID", context)
            let body = try await StrictJSON.decode(
                DiscLabelsBody.self, allowed: DiscLabelsBody.fields, from: request, context: context)
            let recorded = try await app.labelDiscs(
                DiscLabelRequest(
                    study: study, basis: body.basis,
                    labels: try body.labels.map { .init(level: $0.level, anchor: try $0.anchor.request()) },
                    reason: body.reason,
                    expectedVersion: body.expectedVersion),
                by: principal)
            return DiscLabelsView(recorded)
        }
        api.post("studies/:studyUID/discs/nearest") { request, context -> LevelProposalView in
            let principal = try context.require(.viewFindings).principal
            let study = try Parameters.uid("studyUID", context)
            let body = try await StrictJSON.decode(
                NearestDiscBody.self, allowed: NearestDiscBody.fields, from: request, context: context)
            return LevelProposalView(
                try await app.proposeLevel(study: study, anchor: try body.anchor.request(), by: principal))
        }
    }
}
