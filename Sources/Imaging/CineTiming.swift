import DicomIO

/// How long each frame of a multi-frame image is shown, and which attribute said so: Frame Time, else Frame Time
/// Vector, else Cine Rate, else Recommended Display Frame Rate, else 10 frames per second. Every number goes
/// through ``HeaderNumbers`` (``DicomDataset/double(_:index:)``), so a hostile header falls back to the next source.
public struct CineTiming: Sendable, Equatable {
    /// The attribute the timing comes from.
    public enum Source: String, Sendable, CaseIterable {
        /// Frame Time (0018,1063): one interval for every frame.
        case frameTime = "Frame Time"
        /// Frame Time Vector (0018,1065): an interval per frame.
        case frameTimeVector = "Frame Time Vector"
        /// Cine Rate (0018,0040), frames per second.
        case cineRate = "Cine Rate"
        /// Recommended Display Frame Rate (0008,2144), frames per second.
        case recommendedDisplayFrameRate = "Recommended Display Frame Rate"
        /// None of them: ``CineTiming/defaultDelay``.
        case defaultRate = "default"
    }

    /// The interval used when the file says nothing usable, in milliseconds (10 frames per second).
    public static let defaultDelay = 100

    /// How long each frame is shown, in milliseconds (1...65535), one entry per frame.
    public var delays: [Int]
    /// Where the delays come from.
    public var source: Source

    /// The timing of `frames` frames (at least 1) from the header `dataset`.
    public init(dataset: DicomDataset, frames: Int) {
        let count = max(1, frames)
        func clamp(_ milliseconds: Double) -> Int { Int(min(max(milliseconds, 1), 65535).rounded()) }
        if let frameTime = dataset.double(.frameTime), frameTime > 0 {
            delays = Array(repeating: clamp(frameTime), count: count)
            source = .frameTime
            return
        }
        let vector = dataset.doubles(.frameTimeVector)
        if vector.count == count, count > 1 {
            // Entry i is the time from frame i-1 to frame i; frame i is shown until frame i+1 arrives.
            let increments = Array(vector.dropFirst()) + [vector.last ?? Double(Self.defaultDelay)]
            delays = increments.map { clamp($0 > 0 ? $0 : Double(Self.defaultDelay)) }
            source = .frameTimeVector
            return
        }
        for (tag, tagSource) in [
            (DicomTag.cineRate, Source.cineRate), (.recommendedDisplayFrameRate, .recommendedDisplayFrameRate),
        ] {
            if let rate = dataset.double(tag), rate > 0 {
                delays = Array(repeating: clamp(1000 / rate), count: count)
                source = tagSource
                return
            }
        }
        delays = Array(repeating: Self.defaultDelay, count: count)
        source = .defaultRate
    }

    /// True for a multi-frame image whose frames are moments in time (fluoroscopy, angiography, ultrasound), not
    /// slices: more than one frame, no per-frame functional groups, and a frame timing or a cine modality.
    public static func isCine(dataset: DicomDataset, frames: Int) -> Bool {
        guard frames > 1 else { return false }
        if !dataset.sequence(.perFrameFunctionalGroupsSequence).isEmpty { return false }
        if dataset.contains(.frameTime) || dataset.contains(.frameTimeVector) || dataset.contains(.cineRate) {
            return true
        }
        return ["XA", "RF", "US", "XRF"].contains(dataset.string(.modality)?.uppercased() ?? "")
    }

    /// The mean interval, in milliseconds.
    public var meanDelay: Double { Double(delays.reduce(0, +)) / Double(max(1, delays.count)) }

    /// True when every frame is shown for the same time.
    public var isUniform: Bool { delays.allSatisfy { $0 == delays.first } }
}
