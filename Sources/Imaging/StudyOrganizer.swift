import DicomIO
/// Groups instances into patients, studies, series and slice stacks, and checks each stack's geometry.
public enum StudyOrganizer {
    /// Organises `instances` (any order). Deterministic: the same input gives the same model.
    public static func organize(_ instances: [InstanceHeader]) -> [PatientModel] {
        let byPatient = Dictionary(grouping: instances, by: \.patientID)
        return byPatient.keys.sorted().map { patientID in
            let byStudy = Dictionary(grouping: byPatient[patientID] ?? [], by: \.studyInstanceUID)
            let studies = byStudy.values.map { members -> StudyModel in
                let first = members[0]
                let bySeries = Dictionary(grouping: members, by: \.seriesInstanceUID)
                let series = bySeries.values.map { seriesModel($0) }.sorted {
                    ($0.number ?? Int.max, $0.uid) < ($1.number ?? Int.max, $1.uid)
                }
                return StudyModel(
                    uid: first.studyInstanceUID, date: first.studyDate, accessionNumber: first.accessionNumber,
                    description: first.studyDescription, series: series)
            }.sorted { ($0.date ?? "", $0.uid) < ($1.date ?? "", $1.uid) }
            return PatientModel(id: patientID, studies: studies)
        }
    }

    /// A series split into stacks: by orientation and echo first, then into successive volumes when
    /// positions repeat (time series, repeated acquisitions).
    /// Empty `members` give a series without a UID or stacks.
    public static func seriesModel(_ members: [InstanceHeader]) -> SeriesModel {
        guard let first = members.first else {
            return SeriesModel(uid: "", number: nil, description: nil, modality: nil, stacks: [])
        }
        let slices = members.sorted { ($0.instanceNumber ?? 0, $0.path) < ($1.instanceNumber ?? 0, $1.path) }
            .flatMap { header in
                header.frameGeometry.enumerated().map { frame, geometry in
                    (header, frame, geometry)
                }
            }
        var groups: [String: [(InstanceHeader, Int, InstanceHeader.FrameGeometry)]] = [:]
        var order: [String] = []
        for slice in slices {
            let key = stackKey(orientation: slice.2.orientation, echo: slice.0.echoNumber)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(slice)
        }
        var stacks: [SliceStack] = []
        for key in order {
            for volume in splitRepeatedPositions(groups[key] ?? []) {
                stacks.append(stack(volume))
            }
        }
        return SeriesModel(
            uid: first.seriesInstanceUID, number: first.seriesNumber, description: first.seriesDescription,
            modality: first.modality, stacks: stacks)
    }

    private static func stackKey(orientation: (row: Vector3, column: Vector3)?, echo: Int?) -> String {
        let echoPart = echo.map { "e\($0)" } ?? "e-"
        guard let orientation else { return "none/" + echoPart }
        let values = [
            orientation.row.x, orientation.row.y, orientation.row.z, orientation.column.x,
            orientation.column.y, orientation.column.z,
        ]
        return values.map { String(Int(saturating: $0 * 1000)) }.joined(separator: ",") + "/" + echoPart
    }

    /// Splits slices (in instance order) into volumes each time a position repeats.
    private static func splitRepeatedPositions(
        _ slices: [(InstanceHeader, Int, InstanceHeader.FrameGeometry)]
    ) -> [[(InstanceHeader, Int, InstanceHeader.FrameGeometry)]] {
        var volumes: [[(InstanceHeader, Int, InstanceHeader.FrameGeometry)]] = [[]]
        var seen: Set<String> = []
        for slice in slices {
            if let position = slice.2.position {
                let key = [position.x, position.y, position.z].map { String(Int(saturating: $0 * 100)) }
                    .joined(separator: ",")
                if seen.contains(key) {
                    volumes.append([])
                    seen = []
                }
                seen.insert(key)
            }
            volumes[volumes.count - 1].append(slice)
        }
        return volumes.filter { !$0.isEmpty }
    }

    private static func stack(_ members: [(InstanceHeader, Int, InstanceHeader.FrameGeometry)]) -> SliceStack {
        let orientation = members.first?.2.orientation
        let normal = orientation.map { $0.row.cross($0.column).normalized }
        var slices = members.map { header, frame, geometry in
            StackSlice(
                path: header.path, sopInstanceUID: header.sopInstanceUID, frame: frame,
                instanceNumber: header.instanceNumber, position: geometry.position,
                location: normal.flatMap { n in geometry.position.map { $0.dot(n) } })
        }
        var issues: [GeometryIssue] = []
        if slices.allSatisfy({ $0.location != nil }) {
            slices.sort { ($0.location ?? 0, $0.instanceNumber ?? 0) < ($1.location ?? 0, $1.instanceNumber ?? 0) }
        } else {
            if slices.count > 1 { issues.append(.orderedByInstanceNumber) }
            slices.sort { ($0.instanceNumber ?? 0, $0.frame) < ($1.instanceNumber ?? 0, $1.frame) }
        }
        let locations = slices.compactMap(\.location)
        let spacing = analyseSpacing(locations, issues: &issues)
        return SliceStack(
            slices: slices, rowDirection: orientation?.row, columnDirection: orientation?.column,
            plane: normal.map { ImagePlane(normal: $0) } ?? .unknown, echoNumber: members.first?.0.echoNumber,
            spacing: spacing, issues: issues)
    }

    /// The median step between sorted locations; records duplicates, gaps and irregular steps.
    static func analyseSpacing(_ locations: [Double], issues: inout [GeometryIssue]) -> Double? {
        guard locations.count > 1 else { return nil }
        let steps = zip(locations.dropFirst(), locations).map { $0 - $1 }
        for (index, step) in steps.enumerated() where step < 0.01 {
            issues.append(.duplicatePosition(location: locations[index]))
        }
        let positive = steps.filter { $0 >= 0.01 }.sorted()
        guard !positive.isEmpty else { return nil }
        let median = positive[positive.count / 2]
        var irregular: [Double] = []
        for (index, step) in steps.enumerated() where step >= 0.01 {
            if step > 1.5 * median {
                issues.append(.gap(after: locations[index], step: step))
            } else if abs(step - median) > 0.1 * median {
                irregular.append(step)
            }
        }
        if let minimum = irregular.min(), let maximum = irregular.max() {
            issues.append(.irregularSpacing(minimum: min(minimum, median), maximum: max(maximum, median)))
        }
        return median
    }
}
