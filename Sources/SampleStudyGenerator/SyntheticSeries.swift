import DicomIO
import Dispatch
import Foundation
import Synchronization

/// Large synthetic series for benchmarks and stress tests, drawn from the same phantoms as the bundled
/// SampleStudies (so they compress and window like real images, not like noise).
///
/// Both are deterministic: the same arguments give the same bytes and the same UIDs on every run; the UIDs depend on
/// the kind, count and size, so series of different shapes never share a UID. They are not part of the bundle.
///
/// - ``writeMRStack(into:slices:size:)``: a sagittal T2 MR stack, one Explicit VR Little Endian file per slice.
/// - ``writeRFCine(into:frames:size:)``: an 8-bit X-Ray Radiofluoroscopic cine, one multi-frame JPEG-LS file.
public enum SyntheticSeries {
    /// What `annulus samples --synthetic` can write.
    public enum Kind: String, CaseIterable, Sendable {
        /// A sagittal MR stack (``SyntheticSeries/writeMRStack(into:slices:size:)``).
        case mrStack = "mr-stack"
        /// A fluoroscopy cine (``SyntheticSeries/writeRFCine(into:frames:size:)``).
        case rfCine = "rf-cine"

        /// Slices (MR) or frames (RF) written when no count is given: 300 for both.
        public var defaultCount: Int { 300 }

        /// Rows = columns when no size is given: 512 for the MR stack, 1024 for the cine.
        public var defaultSize: Int {
            switch self {
            case .mrStack: 512
            case .rfCine: 1024
            }
        }
    }

    /// Bad arguments to a generator.
    public struct ArgumentError: Error, CustomStringConvertible, Sendable {
        /// What is wrong, e.g. "size must be between 16 and 4096 (got 8)".
        public var description: String
    }

    /// Smallest accepted rows = columns.
    public static let minimumSize = 16
    /// Largest accepted rows = columns.
    public static let maximumSize = 4096
    /// Largest accepted slice or frame count.
    public static let maximumCount = 10_000
    /// Width of the sagittal MR stack across the patient, mm (spine, psoas and paraspinal muscles).
    public static let mrStackCoverage = 150.0

    /// Writes `kind` into `folder` (created if missing) and returns the paths written, sorted.
    ///
    /// - Parameters:
    ///   - count: slices or frames; `nil` for ``Kind/defaultCount``.
    ///   - size: rows = columns; `nil` for ``Kind/defaultSize``.
    public static func write(_ kind: Kind, count: Int? = nil, size: Int? = nil, into folder: String) throws
        -> [String]
    {
        let count = count ?? kind.defaultCount
        let size = size ?? kind.defaultSize
        switch kind {
        case .mrStack: return try writeMRStack(into: folder, slices: count, size: size)
        case .rfCine: return [try writeRFCine(into: folder, frames: count, size: size)]
        }
    }

    /// Writes a sagittal T2 MR stack of the normal lumbar phantom: `slices` files `IM0001.dcm`… in `folder`
    /// (created if missing); returns their paths in slice order.
    ///
    /// Each slice is `size × size` over a 300 mm field of view, BitsAllocated 16 / BitsStored 12, Explicit VR Little
    /// Endian (uncompressed), with ImagePositionPatient, ImageOrientationPatient, PixelSpacing, SliceThickness,
    /// SpacingBetweenSlices and the file's T2 window (1600 / 3200). The slices are contiguous (thickness = spacing)
    /// and cover ``mrStackCoverage`` mm centred on the midline, from patient left to right, so positions advance
    /// along the plane normal (row × column direction); 300 slices are 0.5 mm apart. Slices are rendered on every
    /// core; the bytes do not depend on the order in which they are written.
    public static func writeMRStack(into folder: String, slices: Int = 300, size: Int = 512) throws -> [String] {
        try validate(count: slices, size: size, what: "slices")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let study = SampleStudy.synthetic(key: "synthetic/mr-stack-\(slices)x\(size)", description: "MR STACK")
        let plan = MRSeriesPlan.sagittalStack(count: slices, size: size)
        let phantom = LumbarPhantom(pathology: .normal)
        let results = Mutex([Result<String, any Error>?](repeating: nil, count: slices))
        DispatchQueue.concurrentPerform(iterations: slices) { index in
            let result = Result { try plan.writeSlice(index, study: study, phantom: phantom, into: folder) }
            results.withLock { $0[index] = result }
        }
        return try results.withLock { $0 }.map { result in
            guard let result else { throw ArgumentError(description: "a slice was not written") }
            return try result.get()
        }
    }

    /// Writes an X-Ray Radiofluoroscopic cine of the discography phantom: one multi-frame file `IM0001.dcm` in
    /// `folder` (created if missing) of `frames` frames, `size × size`, 8-bit, JPEG-LS lossless, with FrameTime
    /// 100 ms, CineRate 10 and FrameIncrementPointer → FrameTime; returns its path.
    ///
    /// The needle-then-contrast timeline stretches over however many frames are asked for. The decoded frames are
    /// held once (`frames × size²` bytes) while DCMTK copies and encodes them.
    public static func writeRFCine(into folder: String, frames: Int = 300, size: Int = 1024) throws -> String {
        try validate(count: frames, size: size, what: "frames")
        guard frames * size * size < 0xFFFF_FFF0 else {
            throw ArgumentError(description: "\(frames) frames of \(size) x \(size) exceed 4 GiB of pixel data")
        }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let study = SampleStudy.synthetic(key: "synthetic/rf-cine-\(frames)x\(size)", description: "RF CINE")
        let plan = FluoroscopyPlan(folder: "", frames: frames, size: size)
        return try plan.write(study: study, into: folder)
    }

    private static func validate(count: Int, size: Int, what: String) throws {
        guard (1...maximumCount).contains(count) else {
            throw ArgumentError(description: "\(what) must be between 1 and \(maximumCount) (got \(count))")
        }
        guard (minimumSize...maximumSize).contains(size) else {
            throw ArgumentError(description: "size must be between \(minimumSize) and \(maximumSize) (got \(size))")
        }
    }
}

extension SamplePatient {
    /// The patient of the synthetic benchmark series (never part of the bundled SampleStudies).
    static let synthetic = SamplePatient(
        key: "synthetic", name: "SAMPLE^SYNTHETIC^BENCHMARK", id: "ANNULUS-SYNTHETIC-0001", birthDate: "19700101",
        sex: "O")
}

extension SampleStudy {
    /// A one-series study of the synthetic patient; `key` seeds every UID.
    static func synthetic(key: String, description: String) -> SampleStudy {
        SampleStudy(
            patient: .synthetic, folderName: "", key: key, date: "20260301", time: "120000",
            accession: "ACC-SYN-0001", description: "SYNTHETIC " + description, series: [])
    }
}

extension MRSeriesPlan {
    /// `count` contiguous sagittal T2 slices, `size × size` over 300 mm, covering
    /// ``SyntheticSeries/mrStackCoverage`` mm from patient left (+x) to right, stored uncompressed.
    static func sagittalStack(count: Int, size: Int) -> MRSeriesPlan {
        let pixelSpacing = 300.0 / Double(size)
        let step = SyntheticSeries.mrStackCoverage / Double(count)
        let slices = (0..<count).map { index in
            // Row × column direction = (0,1,0) × (0,0,-1) = (-1,0,0): stepping towards -x advances along the normal.
            SliceGeometry.centered(
                at: Vector3(SyntheticSeries.mrStackCoverage / 2 - step * (Double(index) + 0.5), 0, 0),
                rowDirection: Vector3(0, 1, 0), columnDirection: Vector3(0, 0, -1), rowSpacing: pixelSpacing,
                columnSpacing: pixelSpacing, rows: size, columns: size)
        }
        return MRSeriesPlan(
            number: 1, description: "T2 TSE SAG STACK", weighting: .t2, folder: "", seed: 31, slices: slices,
            sliceThickness: step, spacingBetweenSlices: step, transferSyntax: .explicitVRLittleEndian,
            window: (1600, 3200))
    }
}
