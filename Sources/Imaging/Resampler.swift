/// Resizes planes of `Float` samples: area averaging when shrinking (each output pixel is the mean of the
/// source area it covers, so thin bright structures fade instead of aliasing), linear interpolation when
/// enlarging. Separable: rows first, then columns.
public enum Resampler {
    /// One output sample's sources along an axis: the first source index and the weights of consecutive samples.
    struct Contribution {
        var first: Int
        var weights: [Float]
    }

    /// The contributions that map `source` samples onto `target` samples along one axis.
    static func contributions(source: Int, target: Int) -> [Contribution] {
        let scale = Double(source) / Double(target)
        return (0..<target).map { output in
            if scale >= 1 {
                // Area averaging: the output pixel covers [output·scale, (output+1)·scale) of the source.
                let start = Double(output) * scale
                let end = min(Double(source), start + scale)
                let first = Int(start)
                let last = min(source - 1, Int((end - 1e-9).rounded(.down)))
                var weights: [Float] = []
                for index in first...max(first, last) {
                    let overlap = min(end, Double(index + 1)) - max(start, Double(index))
                    weights.append(Float(max(0, overlap) / (end - start)))
                }
                return Contribution(first: first, weights: weights)
            }
            // Linear interpolation between the two nearest source centres.
            let position = (Double(output) + 0.5) * scale - 0.5
            let clamped = min(max(position, 0), Double(source - 1))
            let first = min(Int(clamped.rounded(.down)), max(0, source - 2))
            guard source > 1 else { return Contribution(first: 0, weights: [1]) }
            let fraction = Float(clamped - Double(first))
            return Contribution(first: first, weights: [1 - fraction, fraction])
        }
    }

    /// Resizes `values` (row-major, `channels` interleaved) from `width × height` to `newWidth × newHeight`.
    public static func resize(
        _ values: [Float], width: Int, height: Int, channels: Int = 1, toWidth newWidth: Int, height newHeight: Int
    ) -> [Float] {
        precondition(values.count == width * height * channels, "sample count does not match the size")
        precondition(newWidth > 0 && newHeight > 0, "the target needs at least one pixel")
        if newWidth == width && newHeight == height { return values }
        let horizontal = contributions(source: width, target: newWidth)
        let vertical = contributions(source: height, target: newHeight)
        var rows = [Float](repeating: 0, count: newWidth * height * channels)
        values.withUnsafeBufferPointer { source in
            rows.withUnsafeMutableBufferPointer { target in
                for row in 0..<height {
                    let sourceRow = row * width * channels
                    let targetRow = row * newWidth * channels
                    for (column, contribution) in horizontal.enumerated() {
                        for channel in 0..<channels {
                            var sum: Float = 0
                            for (offset, weight) in contribution.weights.enumerated() {
                                sum += weight * source[sourceRow + (contribution.first + offset) * channels + channel]
                            }
                            target[targetRow + column * channels + channel] = sum
                        }
                    }
                }
            }
        }
        var output = [Float](repeating: 0, count: newWidth * newHeight * channels)
        let stride = newWidth * channels
        rows.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                for (row, contribution) in vertical.enumerated() {
                    let targetRow = row * stride
                    for (offset, weight) in contribution.weights.enumerated() {
                        let sourceRow = (contribution.first + offset) * stride
                        for index in 0..<stride { target[targetRow + index] += weight * source[sourceRow + index] }
                    }
                }
            }
        }
        return output
    }
}

/// The size a preview is drawn at: corrected for non-square pixels, then fitted to a requested size.
public struct PreviewSize: Sendable, Equatable {
    /// Output width in pixels.
    public var width: Int
    /// Output height in pixels.
    public var height: Int

    /// Creates a size.
    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    /// The display size of a `columns × rows` image whose pixels are `spacing` (row, column) mm apart.
    ///
    /// Without `longestSide` the stored grid is kept, stretched along the coarser axis when pixels are not
    /// square; with it, the longest side becomes `longestSide` pixels and the other keeps the physical aspect.
    public static func fitting(
        columns: Int, rows: Int, spacing: (row: Double, column: Double)?, longestSide: Int?
    ) -> PreviewSize {
        // The physical height of a pixel over its width. Beyond 16:1 the header is not describing a real detector
        // (PixelSpacing 1\\0.0000004 asks for a 2,500,000:1 stretch): such pixels are drawn square.
        var aspect = spacing.map { $0.row / $0.column } ?? 1
        if !aspect.isFinite || aspect > maximumAspect || aspect < 1 / maximumAspect { aspect = 1 }
        var width = Double(columns)
        var height = Double(rows)
        if aspect > 1 { height *= aspect } else if aspect < 1 { width /= aspect }
        if let longestSide {
            let scale = Double(longestSide) / max(width, height)
            width *= scale
            height *= scale
        }
        return PreviewSize(width: max(1, Int(saturating: width)), height: max(1, Int(saturating: height)))
    }

    /// The largest pixel aspect ratio (either way) corrected for; beyond it pixels are drawn square.
    public static let maximumAspect = 16.0
}
