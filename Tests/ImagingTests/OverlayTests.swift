@testable import Imaging
import Testing

@Suite("Overlays burned with cairo")
struct OverlayTests {
    /// The sample at column `x`, row `y`, `channel`.
    static func sample(_ image: PreviewImage, _ x: Int, _ y: Int, channel: Int = 0) -> UInt16 {
        image.samples[(y * image.width + x) * image.channels.rawValue + channel]
    }

    /// Pixels whose first channel is above `threshold`, as (column, row).
    static func lit(_ image: PreviewImage, above threshold: UInt16 = 0) -> [(x: Int, y: Int)] {
        var pixels: [(x: Int, y: Int)] = []
        for y in 0..<image.height {
            for x in 0..<image.width where sample(image, x, y) > threshold {
                pixels.append((x, y))
            }
        }
        return pixels
    }

    /// The value-weighted centroid of the first channel, in SCOORD (pixel centres at +0.5).
    static func centroid(_ image: PreviewImage) -> OverlayPoint {
        var total = 0.0
        var sumX = 0.0
        var sumY = 0.0
        for y in 0..<image.height {
            for x in 0..<image.width {
                let value = Double(sample(image, x, y))
                total += value
                sumX += value * (Double(x) + 0.5)
                sumY += value * (Double(y) + 0.5)
            }
        }
        return OverlayPoint(x: sumX / total, y: sumY / total)
    }

    static func burned(_ image: PreviewImage, _ items: [OverlayItem], transform: OverlayTransform = .identity) throws
        -> PreviewImage
    {
        var copy = image
        try copy.burn(OverlayLayer(items: items, transform: transform))
        return copy
    }

    static let black64 = PreviewImage(width: 64, height: 64)

    @Test("a white cross lights its centre and arms and leaves far pixels black")
    func crossMarker() throws {
        let center = OverlayPoint.pixelCenter(column: 32, row: 32)
        let image = try Self.burned(Self.black64, [.marker(center, shape: .cross, size: 11, color: .white)])
        #expect(image.channels == .grey)
        #expect(Self.sample(image, 32, 32) == 255)
        #expect(Self.sample(image, 36, 32) > 200)
        #expect(Self.sample(image, 32, 28) > 200)
        #expect(Self.sample(image, 36, 36) == 0, "a cross has no diagonal ink")
        #expect(Self.sample(image, 0, 0) == 0)
        #expect(Self.sample(image, 50, 32) == 0, "beyond the arm")
        #expect(Self.lit(image).allSatisfy { abs($0.x - 32) <= 6 && abs($0.y - 32) <= 6 })
    }

    @Test("circle and square markers are hollow and about `size` across")
    func hollowMarkers() throws {
        let center = OverlayPoint.pixelCenter(column: 32, row: 32)
        for shape in [MarkerShape.circle, .square] {
            let image = try Self.burned(Self.black64, [.marker(center, shape: shape, size: 21, color: .white)])
            #expect(Self.sample(image, 32, 32) == 0, "\(shape) is hollow")
            let lit = Self.lit(image, above: 127)
            #expect(lit.contains { $0.x == 22 && $0.y == 32 }, "\(shape) left edge")
            #expect(lit.allSatisfy { abs($0.x - 32) <= 10 && abs($0.y - 32) <= 10 }, "\(shape) stays within size")
        }
    }

    @Test("a grey layer keeps a grey image grey; a yellow item turns it RGB, yellow at the marker")
    func greyAndColour() throws {
        let center = OverlayPoint.pixelCenter(column: 20, row: 20)
        let grey = try Self.burned(
            Self.black64,
            [
                .marker(center, shape: .square, size: 9, color: .grey(0.5)),
                .label(
                    "A", at: center,
                    anchor: .center, size: 12, color: .white),
            ])
        #expect(grey.channels == .grey)

        let yellow = try Self.burned(Self.black64, [.marker(center, shape: .cross, size: 9, color: .yellow)])
        #expect(yellow.channels == .rgb)
        let red = Self.sample(yellow, 20, 20, channel: 0)
        let green = Self.sample(yellow, 20, 20, channel: 1)
        let blue = Self.sample(yellow, 20, 20, channel: 2)
        #expect(red > 200 && abs(Int(red) - Int(green)) <= 2 && blue < 20)
        #expect(Self.sample(yellow, 50, 50, channel: 0) == 0)
        #expect(OverlayColor.yellow.isGrey == false && OverlayColor.grey(0.3).isGrey && OverlayColor.white.isGrey)
    }

    @Test("a 16-bit image keeps 16 bits and gets values near 65535 under white text")
    func sixteenBit() throws {
        let image = PreviewImage(width: 96, height: 48, bitDepth: 16, fill: 1000)
        let label = OverlayItem.label("L4-L5", at: OverlayPoint(x: 48, y: 24), anchor: .center, size: 24, color: .white)
        let burned = try Self.burned(image, [label])
        #expect(burned.bitDepth == 16 && burned.channels == .grey)
        #expect(burned.samples.max() == 65535)
        #expect(Self.lit(burned, above: 60000).count > 50)
        #expect(Self.sample(burned, 0, 0) == 1000, "untouched pixels keep their exact value")
        #expect(burned.samples.contains { $0 < 1000 }, "the black halo darkens the background")
    }

    @Test("labels render glyphs: more text lights more pixels")
    func labelGlyphs() throws {
        let image = PreviewImage(width: 128, height: 64)
        let at = OverlayPoint(x: 64, y: 32)
        let single = try Self.burned(image, [.label("L", at: at, anchor: .center, size: 20, color: .white)])
        let level = try Self.burned(image, [.label("L4-L5", at: at, anchor: .center, size: 20, color: .white)])
        let singleCount = Self.lit(single, above: 127).count
        let levelCount = Self.lit(level, above: 127).count
        #expect(singleCount > 20)
        #expect(levelCount > 3 * singleCount)
        let xs = Self.lit(level, above: 127).map(\.x)
        #expect(xs.max()! - xs.min()! > 40, "five glyphs at 20 px span more than 40 px")
    }

    @Test("the halo is dark around light text and light around black text")
    func halo() throws {
        let mid = PreviewImage(width: 96, height: 48, fill: 128)
        let at = OverlayPoint(x: 48, y: 24)
        let white = try Self.burned(mid, [.label("L4", at: at, anchor: .center, size: 24, color: .white)])
        #expect(white.samples.contains { $0 < 20 } && white.samples.contains { $0 > 235 })
        let black = try Self.burned(Self.black64, [.label("L4", at: at, anchor: .center, size: 24, color: .black)])
        #expect(Self.lit(black, above: 200).count > 20, "a black label still shows, outlined in white")
    }

    @Test("a label anchored top-left at (2, 2) stays in the top-left corner")
    func topLeftAnchor() throws {
        let image = PreviewImage(width: 128, height: 128, fill: 128)
        let burned = try Self.burned(
            image, [.label("L4-L5", at: OverlayPoint(x: 2, y: 2), anchor: .topLeft, size: 16, color: .white)])
        let changed = (0..<burned.samples.count).filter { burned.samples[$0] != image.samples[$0] }
        let xs = changed.map { $0 % 128 }
        let ys = changed.map { $0 / 128 }
        #expect(!changed.isEmpty)
        #expect(xs.min()! >= 1 && ys.min()! >= 1, "nothing left of or above the anchor (halo included)")
        #expect(xs.min()! <= 3 && ys.min()! <= 3, "the box starts at the anchor")
        #expect(xs.max()! < 64 && ys.max()! < 24)
    }

    @Test("every anchor places the label's box against its point")
    func anchors() throws {
        let image = PreviewImage(width: 128, height: 128)
        let point = OverlayPoint(x: 64, y: 64)
        let cases: [(LabelAnchor, Int, Int)] = [
            (.topLeft, 1, 1), (.top, 0, 1), (.topRight, -1, 1), (.left, 1, 0), (.center, 0, 0), (.right, -1, 0),
            (.bottomLeft, 1, -1), (.bottom, 0, -1), (.bottomRight, -1, -1),
        ]
        for (anchor, sideX, sideY) in cases {
            let burned = try Self.burned(image, [.label("M", at: point, anchor: anchor, size: 20, color: .white)])
            let middle = Self.centroid(burned)
            let dx = middle.x - point.x
            let dy = middle.y - point.y
            #expect(sideX == 0 ? abs(dx) < 2 : Double(sideX) * dx > 4, "\(anchor) horizontal offset \(dx)")
            #expect(sideY == 0 ? abs(dy) < 2 : Double(sideY) * dy > 4, "\(anchor) vertical offset \(dy)")
        }
    }

    @Test("a polyline lights pixels along its segments and not far off them")
    func polyline() throws {
        let from = OverlayPoint(x: 8, y: 8)
        let to = OverlayPoint(x: 56, y: 56)
        let image = try Self.burned(Self.black64, [.polyline([from, to], closed: false, color: .white, lineWidth: 2)])
        for t in stride(from: 10, through: 54, by: 4) {
            #expect(Self.sample(image, t, t) > 200, "on the segment at \(t)")
        }
        #expect(Self.sample(image, 40, 20) == 0 && Self.sample(image, 20, 40) == 0)
        #expect(Self.sample(image, 60, 60) == 0 && Self.sample(image, 3, 3) == 0, "beyond the end points")
        // Every lit pixel centre lies within the half-width (plus antialiasing) of the line y = x.
        #expect(Self.lit(image).allSatisfy { abs(Double($0.x - $0.y)) / 2.squareRoot() <= 2.5 })

        let corners = [OverlayPoint(x: 10, y: 10), OverlayPoint(x: 54, y: 10), OverlayPoint(x: 54, y: 54)]
        let open = try Self.burned(Self.black64, [.polyline(corners, closed: false, color: .white, lineWidth: 2)])
        let closed = try Self.burned(Self.black64, [.polyline(corners, closed: true, color: .white, lineWidth: 2)])
        #expect(Self.sample(open, 32, 32) == 0)
        #expect(Self.sample(closed, 32, 32) > 200, "closing draws the diagonal back to the start")
    }

    @Test("the transform maps source coordinates to the preview; sizes are not scaled")
    func transform() throws {
        let transform = OverlayTransform(scaleX: 0.5, scaleY: 0.5, offsetX: 16, offsetY: 8)
        let source = OverlayPoint.pixelCenter(column: 64, row: 64)
        #expect(transform.apply(source) == OverlayPoint(x: 48.25, y: 40.25))
        let image = PreviewImage(width: 96, height: 96)
        let marker = OverlayItem.marker(source, shape: .square, size: 11, color: .white)
        let burned = try Self.burned(image, [marker], transform: transform)
        let middle = Self.centroid(burned)
        #expect(abs(middle.x - 48.25) < 0.5 && abs(middle.y - 40.25) < 0.5, "\(middle)")
        let xs = Self.lit(burned, above: 127).map(\.x)
        #expect(xs.max()! - xs.min()! + 1 >= 10, "11 preview pixels wide, not 5.5")

        let fit = OverlayTransform.fitting(
            sourceWidth: 512, sourceHeight: 256, toWidth: 128, height: 128, atX: 10, y: 20)
        #expect(fit.apply(OverlayPoint(x: 512, y: 256)) == OverlayPoint(x: 138, y: 148))
    }

    @Test("orientation letters land near their edges")
    func orientationLetters() throws {
        let image = PreviewImage(width: 128, height: 96)
        func litPixels(top: String? = nil, bottom: String? = nil, left: String? = nil, right: String? = nil) throws
            -> [(x: Int, y: Int)]
        {
            var copy = image
            try copy.burn(
                .orientationLetters(
                    top: top, bottom: bottom, left: left, right: right, width: 128, height: 96, size: 14))
            return Self.lit(copy, above: 127)
        }
        let left = try litPixels(left: "A")
        #expect(!left.isEmpty && left.allSatisfy { $0.x < 32 && abs($0.y - 48) < 12 })
        let right = try litPixels(right: "P")
        #expect(!right.isEmpty && right.allSatisfy { $0.x >= 96 && abs($0.y - 48) < 12 })
        let top = try litPixels(top: "S")
        #expect(!top.isEmpty && top.allSatisfy { $0.y < 24 && abs($0.x - 64) < 12 })
        let bottom = try litPixels(bottom: "IL")
        #expect(!bottom.isEmpty && bottom.allSatisfy { $0.y >= 72 && abs($0.x - 64) < 16 })

        let partial = OverlayLayer.orientationLetters(
            top: "S", bottom: nil, left: nil, right: "", width: 128, height: 96, size: 14)
        #expect(partial.items.count == 1 && partial.transform == .identity)
    }

    @Test("an empty layer, or items wholly off the image, leave it byte-identical")
    func unchanged() throws {
        var image = PreviewImage(width: 32, height: 16, channels: .rgb, bitDepth: 16)
        for index in image.samples.indices { image.samples[index] = UInt16(truncatingIfNeeded: index &* 2_654_435_761) }
        var copy = image
        try copy.burn(OverlayLayer())
        #expect(copy == image)
        let grey = PreviewImage(width: 32, height: 16, fill: 77)
        let offImage = try Self.burned(
            grey, [.marker(OverlayPoint(x: -50, y: -50), shape: .circle, size: 9, color: .white)])
        #expect(offImage == grey)
    }

    @Test("translucent items blend with the background")
    func translucency() throws {
        let center = OverlayPoint.pixelCenter(column: 32, row: 32)
        let half = OverlayColor(red: 1, green: 1, blue: 1, alpha: 0.5)
        let eight = try Self.burned(Self.black64, [.marker(center, shape: .cross, size: 11, color: half)])
        #expect(abs(Int(Self.sample(eight, 32, 32)) - 128) <= 1, "the crossing is blended once, not twice")
        let white16 = PreviewImage(width: 64, height: 64, bitDepth: 16, fill: 65535)
        let dark = OverlayColor(red: 0, green: 0, blue: 0, alpha: 0.5)
        let sixteen = try Self.burned(white16, [.marker(center, shape: .cross, size: 11, color: dark)])
        #expect(abs(Int(Self.sample(sixteen, 32, 32)) - 32768) <= 300)
    }

    @Test("compositing premultiplied ARGB32: source + destination × (1 − alpha), 8 and 16 bits, grey and RGB")
    func compositing() {
        // One pixel: alpha 128, premultiplied red 128, green 64, blue 0.
        let pixel: [UInt32] = [0x8080_4000]
        var rgb8 = PreviewImage(width: 1, height: 1, channels: .rgb, bitDepth: 8, fill: 200)
        pixel.withUnsafeBytes { OverlayCairo.composite($0.baseAddress!, stride: 4, onto: &rgb8) }
        // 200 × 127 / 255 = 99.6 → 100.
        #expect(rgb8.samples == [228, 164, 100])
        var rgb16 = PreviewImage(width: 1, height: 1, channels: .rgb, bitDepth: 16, fill: 65535)
        pixel.withUnsafeBytes { OverlayCairo.composite($0.baseAddress!, stride: 4, onto: &rgb16) }
        // 65535 × 127 / 255 = 32639 exactly.
        let expected16: [UInt16] = [128 * 257 + 32639, 64 * 257 + 32639, 32639]
        #expect(rgb16.samples == expected16)
        var grey8 = PreviewImage(width: 1, height: 1, fill: 0)
        let greyPixel: [UInt32] = [0xFF5A_5A5A]
        greyPixel.withUnsafeBytes { OverlayCairo.composite($0.baseAddress!, stride: 4, onto: &grey8) }
        #expect(grey8.samples == [90])
    }

    @Test("bad items and oversized images throw actionable errors")
    func errors() {
        let image = PreviewImage(width: 8, height: 8)
        let nan = OverlayPoint(x: .nan, y: 1)
        #expect(throws: OverlayError.self) {
            try Self.burned(image, [.marker(nan, shape: .cross, size: 5, color: .white)])
        }
        do {
            _ = try Self.burned(
                image, [.label("L1", at: OverlayPoint(x: 1, y: 1), anchor: .center, size: 0, color: .white)])
            Issue.record("a zero-size label was accepted")
        } catch {
            #expect("\(error)".hasPrefix("overlay drawing failed: "))
            #expect("\(error)".contains("positive size"))
        }
        let far = OverlayTransform(scaleX: 1e9, scaleY: 1, offsetX: 0, offsetY: 0)
        #expect(throws: OverlayError.self) {
            try Self.burned(
                image, [.marker(OverlayPoint(x: 5, y: 5), shape: .cross, size: 5, color: .white)], transform: far)
        }
        let wide = PreviewImage(width: 40_000, height: 1)
        #expect(throws: OverlayError.self) {
            try Self.burned(wide, [.marker(OverlayPoint(x: 5, y: 0.5), shape: .cross, size: 5, color: .white)])
        }
    }

    @Test("concurrent burns give the same pixels as one at a time")
    func concurrent() async throws {
        let layer = OverlayLayer(items: [
            .label("L4-L5", at: OverlayPoint(x: 100, y: 60), anchor: .left, size: 18, color: .yellow),
            .polyline(
                [OverlayPoint(x: 20, y: 20), OverlayPoint(x: 200, y: 100)], closed: false, color: .cyan, lineWidth: 2),
            .marker(OverlayPoint(x: 60, y: 60), shape: .circle, size: 15, color: .orange),
        ])
        var expected = PreviewImage(width: 256, height: 128, fill: 40)
        try expected.burn(layer)
        let results = try await withThrowingTaskGroup(of: PreviewImage.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    var image = PreviewImage(width: 256, height: 128, fill: 40)
                    try image.burn(layer)
                    return image
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(results.count == 16)
        #expect(results.allSatisfy { $0 == expected })
    }
}
