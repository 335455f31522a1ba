/// A point in overlay coordinates, using the DICOM SCOORD convention: (0, 0) is the top-left corner of the
/// top-left pixel, x grows to the right and y downwards, and the centre of the pixel in column `c`, row `r` is
/// (`c` + 0.5, `r` + 0.5).
public struct OverlayPoint: Sendable, Equatable {
    /// Horizontal position in pixels from the left edge.
    public var x: Double
    /// Vertical position in pixels from the top edge.
    public var y: Double

    /// Creates a point.
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    /// The centre of the pixel in `column`, `row`.
    public static func pixelCenter(column: Int, row: Int) -> OverlayPoint {
        OverlayPoint(x: Double(column) + 0.5, y: Double(row) + 0.5)
    }
}

/// A straight (not premultiplied) sRGB colour with opacity; every component is in `0...1`.
public struct OverlayColor: Sendable, Equatable {
    /// Red, `0...1`.
    public var red: Double
    /// Green, `0...1`.
    public var green: Double
    /// Blue, `0...1`.
    public var blue: Double
    /// Opacity, `0...1` (1 is opaque).
    public var alpha: Double

    /// Creates a colour; components outside `0...1` are clamped when drawing.
    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = red
        self.green = green
        self.blue = blue
        self.alpha = alpha
    }

    /// A neutral grey of `level` (0 black, 1 white).
    public static func grey(_ level: Double, alpha: Double = 1) -> OverlayColor {
        OverlayColor(red: level, green: level, blue: level, alpha: alpha)
    }

    /// Opaque white.
    public static let white = OverlayColor(red: 1, green: 1, blue: 1)
    /// Opaque black.
    public static let black = OverlayColor(red: 0, green: 0, blue: 0)
    /// Opaque yellow.
    public static let yellow = OverlayColor(red: 1, green: 1, blue: 0)
    /// Opaque red.
    public static let red = OverlayColor(red: 1, green: 0, blue: 0)
    /// Opaque green.
    public static let green = OverlayColor(red: 0, green: 1, blue: 0)
    /// Opaque cyan.
    public static let cyan = OverlayColor(red: 0, green: 1, blue: 1)
    /// Opaque orange.
    public static let orange = OverlayColor(red: 1, green: 0.6, blue: 0)

    /// True when red, green and blue are equal to within half an 8-bit step, so the colour can be burned into a
    /// grey image without converting it to RGB.
    public var isGrey: Bool {
        let tolerance = 0.5 / 255
        return abs(red - green) <= tolerance && abs(green - blue) <= tolerance && abs(red - blue) <= tolerance
    }

    /// Relative luminance weight (Rec. 709) of the colour, `0...1`.
    var luminance: Double { 0.2126 * red + 0.7152 * green + 0.0722 * blue }
}

/// The shape of a point marker.
public enum MarkerShape: Sendable, Equatable {
    /// A "+" of two strokes through the point.
    case cross
    /// A stroked circle centred on the point.
    case circle
    /// A stroked axis-aligned square centred on the point.
    case square
}

/// Which point of a label's box sits at the label's position. The box is the text's ink extent plus its halo,
/// so a label anchored `.topLeft` at (0, 0) lies inside the image (to within half a pixel: the baseline is snapped
/// to a whole pixel for crisp text).
public enum LabelAnchor: Sendable, Equatable {
    /// The box's top-left corner.
    case topLeft
    /// The middle of the box's top edge.
    case top
    /// The box's top-right corner.
    case topRight
    /// The middle of the box's left edge.
    case left
    /// The box's centre.
    case center
    /// The middle of the box's right edge.
    case right
    /// The box's bottom-left corner.
    case bottomLeft
    /// The middle of the box's bottom edge.
    case bottom
    /// The box's bottom-right corner.
    case bottomRight

    /// The anchor's fraction of the box width and height from its top-left corner.
    var fractions: (x: Double, y: Double) {
        switch self {
        case .topLeft: (0, 0)
        case .top: (0.5, 0)
        case .topRight: (1, 0)
        case .left: (0, 0.5)
        case .center: (0.5, 0.5)
        case .right: (1, 0.5)
        case .bottomLeft: (0, 1)
        case .bottom: (0.5, 1)
        case .bottomRight: (1, 1)
        }
    }
}

/// One thing to draw. Positions are in source coordinates (mapped through the layer's transform); sizes and line
/// widths are in preview pixels and are not scaled.
public enum OverlayItem: Sendable, Equatable {
    /// A marker centred on a point; `size` is its outer width and height in preview pixels, and its stroke is
    /// `max(1.5, size / 8)` pixels wide.
    case marker(OverlayPoint, shape: MarkerShape, size: Double, color: OverlayColor)
    /// Straight segments through the points with round joins and caps; `closed` joins the last point to the first.
    case polyline([OverlayPoint], closed: Bool, color: OverlayColor, lineWidth: Double)
    /// Text in DejaVu Sans Bold at `size` pixels (the em size), placed by `anchor`, with a halo `size / 6` wide
    /// so it reads on any background: black, or white around very dark colours (luminance below 0.15).
    case label(String, at: OverlayPoint, anchor: LabelAnchor, size: Double, color: OverlayColor)

    /// The item's colour.
    public var color: OverlayColor {
        switch self {
        case .marker(_, _, _, let color), .polyline(_, _, let color, _), .label(_, _, _, _, let color): color
        }
    }
}

/// Maps source coordinates (e.g. the DICOM pixel grid, where annotations live) to the preview, which may be
/// resized or placed in a contact-sheet tile: `preview = source × scale + offset`, per axis.
public struct OverlayTransform: Sendable, Equatable {
    /// Horizontal scale, preview pixels per source pixel.
    public var scaleX: Double
    /// Vertical scale, preview pixels per source pixel.
    public var scaleY: Double
    /// Horizontal offset in preview pixels.
    public var offsetX: Double
    /// Vertical offset in preview pixels.
    public var offsetY: Double

    /// Creates a transform.
    public init(scaleX: Double = 1, scaleY: Double = 1, offsetX: Double = 0, offsetY: Double = 0) {
        self.scaleX = scaleX
        self.scaleY = scaleY
        self.offsetX = offsetX
        self.offsetY = offsetY
    }

    /// The transform that leaves coordinates unchanged.
    public static let identity = OverlayTransform()

    /// The transform for a source image of `sourceWidth` × `sourceHeight` resized to `width` × `height` and
    /// placed with its top-left corner at (`x`, `y`) of the preview (a contact-sheet tile, say).
    public static func fitting(
        sourceWidth: Int, sourceHeight: Int, toWidth width: Int, height: Int, atX x: Int = 0, y: Int = 0
    ) -> OverlayTransform {
        OverlayTransform(
            scaleX: Double(width) / Double(sourceWidth), scaleY: Double(height) / Double(sourceHeight),
            offsetX: Double(x), offsetY: Double(y))
    }

    /// `p` in preview coordinates.
    public func apply(_ p: OverlayPoint) -> OverlayPoint {
        OverlayPoint(x: p.x * scaleX + offsetX, y: p.y * scaleY + offsetY)
    }
}

/// Items to burn into a preview, drawn in order (later items on top), and the transform that places them.
public struct OverlayLayer: Sendable, Equatable {
    /// The items, bottom first.
    public var items: [OverlayItem]
    /// Source-to-preview mapping of the items' positions.
    public var transform: OverlayTransform

    /// Creates a layer.
    public init(items: [OverlayItem] = [], transform: OverlayTransform = .identity) {
        self.items = items
        self.transform = transform
    }

    /// Appends `item` on top of the others.
    public mutating func add(_ item: OverlayItem) {
        items.append(item)
    }

    /// True when every item's colour is grey, so a grey image can stay grey.
    public var isGrey: Bool { items.allSatisfy { $0.color.isGrey } }

    /// Orientation letters at the midpoints of the four edges of a preview of `width` × `height` pixels, each
    /// `max(2, size / 4)` pixels in from its edge; `nil` leaves that edge bare (direction unknown). Letters are
    /// strings because oblique directions have two or three ("AL", "SPR"). The layer uses the identity transform,
    /// so burn it after any resizing, on the final preview.
    public static func orientationLetters(
        top: String?, bottom: String?, left: String?, right: String?, width: Int, height: Int, size: Double,
        color: OverlayColor = .white
    ) -> OverlayLayer {
        let margin = max(2, size / 4)
        let midX = Double(width) / 2
        let midY = Double(height) / 2
        let placements: [(String?, OverlayPoint, LabelAnchor)] = [
            (top, OverlayPoint(x: midX, y: margin), .top),
            (bottom, OverlayPoint(x: midX, y: Double(height) - margin), .bottom),
            (left, OverlayPoint(x: margin, y: midY), .left),
            (right, OverlayPoint(x: Double(width) - margin, y: midY), .right),
        ]
        var layer = OverlayLayer()
        for case let (letters?, point, anchor) in placements where !letters.isEmpty {
            layer.add(.label(letters, at: point, anchor: anchor, size: size, color: color))
        }
        return layer
    }
}

/// An overlay could not be drawn; the message says what to change.
public struct OverlayError: Error, CustomStringConvertible, Sendable {
    /// What went wrong and how to fix it.
    public var message: String

    /// Creates an error.
    public init(message: String) {
        self.message = message
    }

    /// "overlay drawing failed: …".
    public var description: String { "overlay drawing failed: \(message)" }
}

extension PreviewImage {
    /// Burns `layer` into the image with cairo (antialiased, alpha-blended).
    ///
    /// A grey image stays grey when every item's colour is grey; otherwise it is converted to RGB first. 16-bit
    /// images keep 16 bits (cairo draws at 8 bits per channel; its result is scaled by 257). An empty layer leaves
    /// the image untouched. Safe to call concurrently on different images.
    public mutating func burn(_ layer: OverlayLayer) throws {
        guard !layer.items.isEmpty else { return }
        try OverlayCairo.validate(layer)
        if channels == .grey && !layer.isGrey {
            self = convertedToRGB()
        }
        try OverlayCairo.burn(layer, into: &self)
    }
}
