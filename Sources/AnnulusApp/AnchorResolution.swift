import AnnulusRecords
import Foundation
import SpineModel
import Store
import TextSafety

/// Where on an image a finding is, as a request names it: the image (by SOP Instance UID, or by series and
/// instance number), the frame (from 1) and one point, or a polyline, in pixel coordinates.
public struct AnchorRequest: Sendable, Equatable {
    /// SOP Instance UID of the image.
    public var sopInstanceUID: String?
    /// Series Number of the image (with `instanceNumber`).
    public var seriesNumber: Int?
    /// Instance Number of the image within the series.
    public var instanceNumber: Int?
    /// The frame of a multi-frame image, from 1.
    public var frame: Int
    /// The points as given, each `x,y` in pixels (column, row; 0,0 is the image's top-left corner). Kept as text so
    /// that a malformed point is reported in its turn, after the image and the frame, with the text as given.
    public var points: [String]
    /// How the face that made the request numbers frames in what people see (1: the command line; 0: the HTTP API,
    /// as its rendered-frame routes do); `frame` itself always counts from 1.
    public var frameNumbering = 1

    /// Creates an anchor request from points as text (`x,y`).
    public init(
        sopInstanceUID: String? = nil, seriesNumber: Int? = nil, instanceNumber: Int? = nil, frame: Int = 1,
        points: [String] = []
    ) {
        self.sopInstanceUID = sopInstanceUID
        self.seriesNumber = seriesNumber
        self.instanceNumber = instanceNumber
        self.frame = frame
        self.points = points
    }

    /// Creates an anchor request from numeric points.
    public init(
        sopInstanceUID: String? = nil, seriesNumber: Int? = nil, instanceNumber: Int? = nil, frame: Int = 1,
        pixelPoints: [PixelPoint]
    ) {
        self.init(
            sopInstanceUID: sopInstanceUID, seriesNumber: seriesNumber, instanceNumber: instanceNumber, frame: frame,
            points: pixelPoints.map { "\($0.x),\($0.y)" })
    }

    /// True when any part of an anchor was given (an empty request means "not anchored").
    public var isGiven: Bool {
        sopInstanceUID != nil || seriesNumber != nil || instanceNumber != nil || !points.isEmpty
    }
}

/// Resolves an anchor against the study's indexed instances: the image must exist in the study, the frame must be
/// in range and every point inside the image; the patient-space positions come from the image's geometry.
enum AnchorResolver {
    static func resolve(_ request: AnchorRequest?, study: StudySummary, store: AnnulusStore) throws -> ImageAnchor? {
        guard let request, request.isGiven else { return nil }
        let record: InstanceRecord
        if let sop = request.sopInstanceUID {
            guard let found = try store.instance(sopInstanceUID: sop), found.studyInstanceUID == study.studyInstanceUID
            else {
                throw AppError.invalidInput(
                    "no image with SOP Instance UID \(sop.terminalSafe) in study \(study.studyInstanceUID.terminalSafe)",
                    field: "anchor.sop", value: sop, code: "unknown-instance")
            }
            record = found
        } else {
            guard let seriesNumber = request.seriesNumber, let instanceNumber = request.instanceNumber else {
                throw AppError.invalidInput(
                    "name the image with --sop UID, or with both --series N and --instance N", field: "anchor",
                    code: "anchor-image-missing")
            }
            let series = try store.series(ofStudy: study.studyInstanceUID)
            guard let match = series.first(where: { $0.seriesNumber == seriesNumber }) else {
                let numbers = series.compactMap(\.seriesNumber).map(String.init)
                throw AppError.invalidInput(
                    "study has no series \(seriesNumber); its series are: \(numbers.joined(separator: ", "))",
                    field: "anchor.series", value: "\(seriesNumber)", allowed: numbers, code: "unknown-series")
            }
            let instances = try store.instances(ofSeries: match.seriesInstanceUID)
            guard let found = instances.first(where: { $0.instanceNumber == instanceNumber }) else {
                let range = instances.compactMap(\.instanceNumber)
                let allowed = "\(range.min() ?? 0)…\(range.max() ?? 0)"
                throw AppError.invalidInput(
                    "series \(seriesNumber) has no instance \(instanceNumber); its instances are \(allowed)",
                    field: "anchor.instance", value: "\(instanceNumber)", allowed: [allowed], code: "unknown-instance")
            }
            record = found
        }
        guard (1...max(1, record.frames)).contains(request.frame) else {
            let base = request.frameNumbering
            let given = request.frame - 1 + base
            let allowed = "\(base)…\(max(1, record.frames) - 1 + base)"
            throw AppError.invalidInput(
                "frame \(given) is out of range: the image has \(record.frames) frame(s), numbered \(allowed)",
                field: "anchor.frame", value: "\(given)", allowed: [allowed], code: "invalid-frame")
        }
        guard !request.points.isEmpty else {
            throw AppError.invalidInput(
                "give the finding's position with --point x,y (pixel column, row)", field: "anchor.point",
                code: "anchor-point-missing")
        }
        var points: [PixelPoint] = []
        for text in request.points {
            let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard parts.count == 2, let x = parts[0], let y = parts[1] else {
                throw AppError.invalidInput(
                    "--point takes 'x,y' in pixels, e.g. --point 256,310 (got '\(text.terminalSafe)')",
                    field: "anchor.point", value: text, code: "malformed-point")
            }
            guard (0...Double(record.columns)).contains(x), (0...Double(record.rows)).contains(y) else {
                throw AppError.invalidInput(
                    "point \(text) is outside the image, which is \(record.columns) × \(record.rows) pixels "
                        + "(x 0…\(record.columns), y 0…\(record.rows))", field: "anchor.point", value: text,
                    code: "point-outside-image")
            }
            points.append(PixelPoint(x: x, y: y))
        }
        let positions = record.patientPositions(of: points, frame: request.frame)
        return ImageAnchor(
            studyInstanceUID: study.studyInstanceUID, seriesInstanceUID: record.seriesInstanceUID,
            sopInstanceUID: record.sopInstanceUID, frame: request.frame, points: points, patientPositions: positions)
    }
}

extension InstanceRecord {
    /// Patient-space positions (mm, LPS) of pixel points on frame `frame` (from 1) of this image, from that frame's
    /// geometry (an enhanced image's per-frame entry), or nil when it is incomplete (no Image Position/Orientation
    /// (Patient) or Pixel Spacing, as in projection images).
    func patientPositions(of points: [PixelPoint], frame: Int = 1) -> [[Double]]? {
        guard let geometry = frameGeometry(frame: frame), let position = geometry.imagePosition, position.count == 3,
            let orientation = geometry.imageOrientation, orientation.count == 6, let spacing = geometry.pixelSpacing,
            spacing.count == 2
        else { return nil }
        return points.map {
            ImageAnchor.patientPosition(
                of: $0, imagePosition: position, rowDirection: Array(orientation[0..<3]),
                columnDirection: Array(orientation[3..<6]), pixelSpacing: (spacing[0], spacing[1]))
        }
    }
}
