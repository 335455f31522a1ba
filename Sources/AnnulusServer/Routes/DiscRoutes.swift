import Accounts
import AnnulusApp
import Foundation
import Hummingbird
import SpineModel

/// A click on an image, as the API takes it: the image by SOP Instance UID, the frame from 0 (as the rendered-frame
/// routes count), one point or a polyline as `[[x, y], …]` in image pixels (column, row).
struct AnchorBody: Decodable {
    static let fields: Set<String> = ["sopInstanceUID", "frame", "points"]
    var request: AnchorRequest

    private enum CodingKeys: String, CodingKey { case sopInstanceUID, frame, points }

    init(from decoder: any Decoder) throws {
        try StrictJSON.refuseUnknownKeys(decoder, allowed: Self.fields)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let sop = try container.decode(String.self, forKey: .sopInstanceUID)
        let frame = try container.decodeIfPresent(Int.self, forKey: .frame) ?? 0
        let path = StrictJSON.path(decoder.codingPath)
        guard frame >= 0 else {
            throw APIError(
                .badRequest, code: "bad-frame", message: "frame counts from 0 (the first frame), got \(frame)",
                field: path + ".frame", value: String(frame))
        }
        let points = try container.decode([[Double]].self, forKey: .points)
        guard !points.isEmpty, points.count <= 1000 else {
            throw APIError(
                .badRequest, code: "bad-points",
                message: "points holds 1 to 1000 points, each [x, y] in pixels (column, row)", field: path + ".points")
        }
        if let bad = points.firstIndex(where: { $0.count != 2 }) {
            throw APIError(
                .badRequest, code: "malformed-point", message: "a point is [x, y] in pixels (column, row)",
                field: "\(path).points[\(bad)]")
        }
        request = AnchorRequest(
            sopInstanceUID: sop, frame: frame + 1, pixelPoints: points.map { PixelPoint(x: $0[0], y: $0[1]) })
    }
}

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

/// Where a label was clicked: the image, the frame from 0 and the point.
struct LabelImageJSON: Encodable {
    var seriesInstanceUID: String
    var sopInstanceUID: String
    var frame: Int
    var points: [[Double]]
}

/// One labelled disc.
struct DiscLabelJSON: Encodable {
    var level: String
    var position: [Double]
    var image: LabelImageJSON

    init(_ label: DiscLabel) {
        level = label.level.name
        position = label.position.values
        image = LabelImageJSON(
            seriesInstanceUID: label.anchor.seriesInstanceUID, sopInstanceUID: label.anchor.sopInstanceUID,
            frame: label.anchor.frame - 1, points: label.anchor.points.map { [$0.x, $0.y] })
    }
}

/// One version of a study's disc labels.
struct DiscLabelsVersionJSON: Encodable {
    var version: Int
    var basis: String
    var author: String
    var reason: String?
    var createdAt: String
    var labels: [DiscLabelJSON]

    init(_ version: DiscLabelsVersion) {
        self.version = version.version
        basis = version.labels.basis.rawValue
        author = version.author
        reason = version.reason
        createdAt = version.createdAt
        labels = version.labels.labels.map(DiscLabelJSON.init)
    }
}

/// A study's current disc labels and the disc to label next.
struct DiscLabelsJSON: ResponseEncodable {
    var studyInstanceUID: String
    var version: Int?
    var basis: String
    var author: String?
    var reason: String?
    var createdAt: String?
    var labels: [DiscLabelJSON]
    var next: String?

    init(_ found: StudyDiscLabels) {
        studyInstanceUID = found.study.studyInstanceUID
        version = found.current?.version
        basis = found.labels.basis.rawValue
        author = found.current?.author
        reason = found.current?.reason
        createdAt = found.current?.createdAt
        labels = found.labels.labels.map(DiscLabelJSON.init)
        next = found.next?.name
    }
}

/// Every version of a study's disc labels.
struct DiscLabelHistoryJSON: ResponseEncodable {
    var versions: [DiscLabelsVersionJSON]
}

/// A labelled level and its distance from a click.
struct DiscDistanceJSON: Encodable {
    var level: String
    var distanceMm: Double

    init(_ distance: DiscDistance) {
        level = distance.level.name
        distanceMm = (distance.distance * 10).rounded() / 10
    }
}

/// The level of the labelled disc nearest a click.
struct NearestDiscJSON: ResponseEncodable {
    var level: String
    var distanceMm: Double
    var runnerUp: DiscDistanceJSON?
    var position: [Double]
    var labelsVersion: Int

    init(_ proposal: LevelProposal) {
        let nearest = DiscDistanceJSON(proposal.nearest.nearest)
        level = nearest.level
        distanceMm = nearest.distanceMm
        runnerUp = proposal.nearest.runnerUp.map(DiscDistanceJSON.init)
        position = proposal.point.values
        labelsVersion = proposal.labelsVersion
    }
}

extension APIRoutes {
    /// Disc labels: the current set with the next disc to label, its history, a new set, and the level of the
    /// labelled disc nearest a click.
    func addDiscRoutes(to api: RouterGroup<AnnulusRequestContext>) {
        let app = useCases
        api.get("studies/:studyUID/discs") { _, context -> DiscLabelsJSON in
            let principal = try context.require(.viewFindings).principal
            return DiscLabelsJSON(
                try await app.discLabels(ofStudy: try Parameters.uid("studyUID", context), by: principal))
        }
        api.get("studies/:studyUID/discs/history") { _, context -> DiscLabelHistoryJSON in
            let principal = try context.require(.viewFindings).principal
            let versions = try await app.discLabelHistory(
                ofStudy: try Parameters.uid("studyUID", context), by: principal)
            return DiscLabelHistoryJSON(versions: versions.map(DiscLabelsVersionJSON.init))
        }
        api.put("studies/:studyUID/discs") { request, context -> DiscLabelsJSON in
            let principal = try context.require(.annotate).principal
            let study = try Parameters.uid("studyUID", context)
            let body = try await StrictJSON.decode(
                DiscLabelsBody.self, allowed: DiscLabelsBody.fields, from: request, context: context)
            let recorded = try await app.labelDiscs(
                DiscLabelRequest(
                    study: study, basis: body.basis,
                    labels: body.labels.map { .init(level: $0.level, anchor: $0.anchor.request) }, reason: body.reason,
                    expectedVersion: body.expectedVersion),
                by: principal)
            return DiscLabelsJSON(recorded)
        }
        api.post("studies/:studyUID/discs/nearest") { request, context -> NearestDiscJSON in
            let principal = try context.require(.viewFindings).principal
            let study = try Parameters.uid("studyUID", context)
            let body = try await StrictJSON.decode(
                NearestDiscBody.self, allowed: NearestDiscBody.fields, from: request, context: context)
            return NearestDiscJSON(try await app.proposeLevel(study: study, anchor: body.anchor.request, by: principal))
        }
    }
}
