import DicomIO

/// How one synthetic MR series is sampled and encoded.
struct MRSeriesPlan: Sendable {
    var number: Int
    var description: String
    var weighting: MRWeighting
    var folder: String
    var seed: UInt64
    var slices: [SliceGeometry]
    var sliceThickness: Double
    var spacingBetweenSlices: Double
    var transferSyntax: TransferSyntax
    var window: (center: Double, width: Double)

    /// 15 sagittal slices over 300 mm, 4 mm thick every 4.4 mm, right to left; T2 at 512 × 512, T1 at
    /// 384 × 384 (as clinical protocols often trade T1 resolution for time, and to keep the bundle small).
    static func sagittal(number: Int, description: String, weighting: MRWeighting, folder: String, seed: UInt64)
        -> MRSeriesPlan
    {
        let size = weighting == .t2 ? 512 : 384
        let spacing = 300.0 / Double(size)
        let slices = (0..<15).map { index in
            SliceGeometry.centered(
                at: Vector3(-30.8 + 4.4 * Double(index), 0, 0), rowDirection: Vector3(0, 1, 0),
                columnDirection: Vector3(0, 0, -1), rowSpacing: spacing, columnSpacing: spacing, rows: size,
                columns: size)
        }
        return MRSeriesPlan(
            number: number, description: description, weighting: weighting, folder: folder, seed: seed,
            slices: slices, sliceThickness: 4, spacingBetweenSlices: 4.4, transferSyntax: .jpegLSLossless,
            window: weighting == .t2 ? (1600, 3200) : (1400, 2800))
    }

    /// Axial blocks of 5 slices (3 mm thick, every 3.5 mm) angled parallel to each disc, 256 × 256 over 200 mm,
    /// stored uncompressed (Explicit VR Little Endian) so the bundle exercises native pixel data too.
    static func axialBlocks(
        number: Int, description: String, levels: [String], phantom: LumbarPhantom, folder: String, seed: UInt64
    ) -> MRSeriesPlan {
        let size = 256
        let spacing = 200.0 / Double(size)
        var slices: [SliceGeometry] = []
        for level in levels {
            guard let center = phantom.discCenter(level), let normal = phantom.discNormal(level) else { continue }
            let left = Vector3(1, 0, 0)
            let row = (left - normal * left.dot(normal)).normalized
            let column = normal.cross(row).normalized
            for step in [2.0, 1.0, 0.0, -1.0, -2.0] {
                slices.append(
                    SliceGeometry.centered(
                        at: center + normal * (3.5 * step), rowDirection: row, columnDirection: column,
                        rowSpacing: spacing, columnSpacing: spacing, rows: size, columns: size))
            }
        }
        return MRSeriesPlan(
            number: number, description: description, weighting: .t2, folder: folder, seed: seed, slices: slices,
            sliceThickness: 3, spacingBetweenSlices: 3.5, transferSyntax: .explicitVRLittleEndian,
            window: (1600, 3200))
    }

    /// Renders and writes every slice; returns the paths.
    func write(study: SampleStudy, phantom: LumbarPhantom, into folder: String) throws -> [String] {
        try slices.indices.map { try writeSlice($0, study: study, phantom: phantom, into: folder) }
    }

    /// Renders and writes slice `index` (0-based) as `IM%04d.dcm` (1-based); returns the path.
    /// Slices are independent of each other, so they may be written concurrently.
    func writeSlice(_ index: Int, study: SampleStudy, phantom: LumbarPhantom, into folder: String) throws -> String {
        let seriesKey = "\(study.key)/series-\(number)"
        let slice = slices[index]
        let pixels = phantom.renderMR(slice: slice, weighting: weighting, noiseSeed: seed &* 1000 &+ UInt64(index))
        let writer = try DicomWriter()
        try study.setStudyAttributes(writer)
        try writer.set(.sopClassUID, "1.2.840.10008.5.1.4.1.1.4")
        try writer.set(.sopInstanceUID, DeterministicUID.make("\(seriesKey)/instance-\(index + 1)"))
        try writer.set(.seriesInstanceUID, DeterministicUID.make(seriesKey))
        try writer.set(.modality, "MR")
        try writer.set(.seriesNumber, "\(number)")
        try writer.set(.seriesDescription, description)
        try writer.set(DicomTag(0x0018, 0x1030), description)
        try writer.set(DicomTag(0x0008, 0x0021), study.date)
        try writer.set(DicomTag(0x0008, 0x0031), study.time)
        try writer.set(DicomTag(0x0008, 0x0008), ["ORIGINAL", "PRIMARY", "M", "NONE"])
        try writer.set(DicomTag(0x0018, 0x5100), "HFS")
        try writer.set(DicomTag(0x0018, 0x0020), "SE")
        try writer.set(DicomTag(0x0018, 0x0021), ["SK", "SP"])
        try writer.set(DicomTag(0x0018, 0x0022), "FAST_GEMS")
        try writer.set(DicomTag(0x0018, 0x0023), "2D")
        try writer.set(DicomTag(0x0018, 0x0080), weighting == .t2 ? "3500" : "550")
        try writer.set(DicomTag(0x0018, 0x0081), weighting == .t2 ? "110" : "12")
        try writer.set(DicomTag(0x0018, 0x0087), "1.5")
        try writer.set(DicomTag(0x0018, 0x0091), weighting == .t2 ? "17" : "3")
        try writer.set(.sliceThickness, DicomWriter.decimalString(sliceThickness))
        try writer.set(DicomTag(0x0018, 0x0088), DicomWriter.decimalString(spacingBetweenSlices))
        try writer.set(.instanceNumber, "\(index + 1)")
        try writer.set(DicomTag(0x0020, 0x0012), "1")
        try writer.set(.imagePositionPatient, [slice.origin.x, slice.origin.y, slice.origin.z])
        try writer.set(
            .imageOrientationPatient,
            [
                slice.rowDirection.x, slice.rowDirection.y, slice.rowDirection.z, slice.columnDirection.x,
                slice.columnDirection.y, slice.columnDirection.z,
            ])
        try writer.set(DicomTag(0x0020, 0x1041), DicomWriter.decimalString(slice.center.dot(slice.normal)))
        try writer.set(.pixelSpacing, [slice.rowSpacing, slice.columnSpacing])
        try writer.setMonochromePixelModule(
            rows: slice.rows, columns: slice.columns, bitsAllocated: 16, bitsStored: 12)
        try writer.set(.windowCenter, DicomWriter.decimalString(window.center))
        try writer.set(.windowWidth, DicomWriter.decimalString(window.width))
        try writer.set(.windowExplanation, weighting == .t2 ? "T2 SPINE" : "T1 SPINE")
        try writer.setPixels(pixels)
        let path = folder + "/" + String(format: "IM%04d.dcm", index + 1)
        try writer.write(to: path, transferSyntax: transferSyntax)
        return path
    }
}
