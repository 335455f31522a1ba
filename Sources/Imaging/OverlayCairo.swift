import CCairo

/// Draws overlay layers with cairo and composites the result onto previews.
///
/// Every call creates its own surface and context, so burning is safe on many threads at once (cairo and
/// fontconfig lock their shared font caches themselves).
enum OverlayCairo {
    /// The font family asked of fontconfig for labels (package fonts-dejavu-core).
    static let fontFamily = "DejaVu Sans"
    /// Cairo's limit on an image surface's side.
    static let maximumSide = 32767
    /// Transformed coordinates beyond this are refused: cairo's 24.8 fixed point would wrap them silently.
    static let maximumCoordinate = 1_000_000.0

    /// Throws when an item cannot be drawn faithfully: non-finite or far-out positions, non-positive sizes.
    static func validate(_ layer: OverlayLayer) throws {
        let transform = layer.transform
        let factors = [transform.scaleX, transform.scaleY, transform.offsetX, transform.offsetY]
        guard factors.allSatisfy(\.isFinite) else {
            throw OverlayError(message: "the transform \(transform) is not finite; check the source and preview sizes")
        }
        for item in layer.items {
            let color = item.color
            guard [color.red, color.green, color.blue, color.alpha].allSatisfy(\.isFinite) else {
                throw OverlayError(message: "the colour \(color) is not finite; give components in 0...1")
            }
            switch item {
            case .marker(let point, _, let size, _):
                try requireDrawable(point, transform, what: "a marker")
                try requirePositive(size, what: "a marker's size")
            case .polyline(let points, _, _, let lineWidth):
                for point in points { try requireDrawable(point, transform, what: "a polyline point") }
                try requirePositive(lineWidth, what: "a polyline's line width")
            case .label(let text, let point, _, let size, _):
                try requireDrawable(point, transform, what: "the label \"\(text)\"")
                try requirePositive(size, what: "the label \"\(text)\"'s size")
            }
        }
    }

    private static func requireDrawable(_ point: OverlayPoint, _ transform: OverlayTransform, what: String) throws {
        let mapped = transform.apply(point)
        guard mapped.x.isFinite, mapped.y.isFinite else {
            throw OverlayError(
                message: "\(what) at (\(point.x), \(point.y)) has a non-finite position; check the annotation")
        }
        guard abs(mapped.x) <= maximumCoordinate, abs(mapped.y) <= maximumCoordinate else {
            throw OverlayError(
                message:
                    "\(what) maps to (\(mapped.x), \(mapped.y)), beyond ±\(Int(maximumCoordinate)) preview pixels; "
                    + "check the annotation and the transform")
        }
    }

    private static func requirePositive(_ value: Double, what: String) throws {
        guard value.isFinite, value > 0 else {
            throw OverlayError(message: "\(what) is \(value); give a positive size in preview pixels")
        }
    }

    /// Draws `layer` on a transparent ARGB32 surface the size of `image` and composites it onto `image`, whose
    /// channels must already suit the layer (RGB unless the layer is grey).
    static func burn(_ layer: OverlayLayer, into image: inout PreviewImage) throws {
        guard image.width <= maximumSide, image.height <= maximumSide else {
            throw OverlayError(
                message: "a \(image.width) x \(image.height) image is too large for cairo (at most \(maximumSide) "
                    + "pixels a side); burn the overlay into tiles before assembling them")
        }
        // A new image surface is cleared to transparent black by cairo.
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(image.width), Int32(image.height))
        else { throw OverlayError(message: "cairo could not create a drawing surface (out of memory?)") }
        defer { cairo_surface_destroy(surface) }
        try check(cairo_surface_status(surface), "creating a \(image.width) x \(image.height) drawing surface")
        guard let context = cairo_create(surface) else {
            throw OverlayError(message: "cairo could not create a drawing context (out of memory?)")
        }
        defer { cairo_destroy(context) }
        try check(cairo_status(context), "creating a drawing context")
        cairo_set_antialias(context, CAIRO_ANTIALIAS_GRAY)
        if layer.items.contains(where: { if case .label = $0 { true } else { false } }) {
            try selectFont(context)
        }
        for item in layer.items {
            draw(item, transform: layer.transform, context: context)
        }
        try check(cairo_status(context), "drawing \(layer.items.count) overlay item(s)")
        cairo_surface_flush(surface)
        guard let data = cairo_image_surface_get_data(surface) else {
            throw OverlayError(message: "cairo returned no pixel data for the drawing surface")
        }
        composite(UnsafeRawPointer(data), stride: Int(cairo_image_surface_get_stride(surface)), onto: &image)
    }

    private static func check(_ status: cairo_status_t, _ doing: String) throws {
        guard status != CAIRO_STATUS_SUCCESS else { return }
        let reason = cairo_status_to_string(status).map { String(cString: $0) } ?? "status \(status.rawValue)"
        throw OverlayError(message: "\(doing): cairo says \(reason)")
    }

    /// Selects DejaVu Sans Bold and makes sure a real font stands behind it: without any font, cairo silently
    /// falls back to its built-in stroke font ("twin", a user font), which we refuse.
    private static func selectFont(_ context: OpaquePointer) throws {
        cairo_select_font_face(context, fontFamily, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD)
        cairo_set_font_size(context, 12)
        var extents = cairo_text_extents_t()
        cairo_text_extents(context, "L4-L5", &extents)
        try check(cairo_status(context), "loading the font \(fontFamily) Bold")
        let fontType = cairo_scaled_font_get_type(cairo_get_scaled_font(context))
        guard extents.width > 0, fontType != CAIRO_FONT_TYPE_USER else {
            throw OverlayError(
                message: "no font found for overlay labels (fontconfig offers no \(fontFamily) or substitute): "
                    + "install fonts-dejavu-core (apt-get install fonts-dejavu-core)")
        }
    }

    private static func draw(_ item: OverlayItem, transform: OverlayTransform, context: OpaquePointer) {
        switch item {
        case .marker(let point, let shape, let size, let color):
            drawMarker(at: transform.apply(point), shape: shape, size: size, color: color, context)
        case .polyline(let points, let closed, let color, let lineWidth):
            drawPolyline(points.map(transform.apply), closed: closed, color: color, lineWidth: lineWidth, context)
        case .label(let text, let point, let anchor, let size, let color):
            drawLabel(text, at: transform.apply(point), anchor: anchor, size: size, color: color, context)
        }
    }

    private static func setSource(_ color: OverlayColor, alpha: Double? = nil, _ context: OpaquePointer) {
        cairo_set_source_rgba(context, color.red, color.green, color.blue, alpha ?? color.alpha)
    }

    private static func drawMarker(
        at point: OverlayPoint, shape: MarkerShape, size: Double, color: OverlayColor, _ context: OpaquePointer
    ) {
        let lineWidth = max(1.5, size / 8)
        cairo_set_line_width(context, lineWidth)
        setSource(color, context)
        switch shape {
        case .cross:
            let half = size / 2
            cairo_set_line_cap(context, CAIRO_LINE_CAP_BUTT)
            cairo_move_to(context, point.x - half, point.y)
            cairo_line_to(context, point.x + half, point.y)
            cairo_move_to(context, point.x, point.y - half)
            cairo_line_to(context, point.x, point.y + half)
        case .circle:
            // Inset by half the stroke so the ink is `size` across.
            cairo_new_sub_path(context)
            cairo_arc(context, point.x, point.y, max(0, (size - lineWidth) / 2), 0, 2 * Double.pi)
        case .square:
            let side = max(0, size - lineWidth)
            cairo_set_line_join(context, CAIRO_LINE_JOIN_MITER)
            cairo_rectangle(context, point.x - side / 2, point.y - side / 2, side, side)
        }
        cairo_stroke(context)
    }

    private static func drawPolyline(
        _ points: [OverlayPoint], closed: Bool, color: OverlayColor, lineWidth: Double, _ context: OpaquePointer
    ) {
        guard let first = points.first else { return }
        cairo_set_line_width(context, lineWidth)
        cairo_set_line_cap(context, CAIRO_LINE_CAP_ROUND)
        cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
        setSource(color, context)
        cairo_move_to(context, first.x, first.y)
        // A single point becomes a round dot (a zero-length segment with round caps).
        for point in points.count == 1 ? points : Array(points.dropFirst()) {
            cairo_line_to(context, point.x, point.y)
        }
        if closed && points.count > 2 { cairo_close_path(context) }
        cairo_stroke(context)
    }

    private static func drawLabel(
        _ text: String, at point: OverlayPoint, anchor: LabelAnchor, size: Double, color: OverlayColor,
        _ context: OpaquePointer
    ) {
        guard !text.isEmpty else { return }
        cairo_set_font_size(context, size)
        var extents = cairo_text_extents_t()
        cairo_text_extents(context, text, &extents)
        // The anchored box is the ink extent grown by the halo, which reaches half its width past the outline.
        let halo = size / 6
        let pad = halo / 2
        let fractions = anchor.fractions
        let originX = point.x - fractions.x * (extents.width + 2 * pad) - (extents.x_bearing - pad)
        // A whole-pixel baseline keeps hinted horizontal edges crisp.
        let originY = (point.y - fractions.y * (extents.height + 2 * pad) - (extents.y_bearing - pad)).rounded()

        // Translucent labels are drawn opaque in a group and then blended once, so the halo does not show
        // through the letters.
        let translucent = color.alpha < 1
        if translucent { cairo_push_group(context) }
        cairo_move_to(context, originX, originY)
        cairo_text_path(context, text)
        let haloLevel = color.luminance < 0.15 ? 1.0 : 0.0
        setSource(.grey(haloLevel), alpha: 1, context)
        cairo_set_line_width(context, halo)
        cairo_set_line_join(context, CAIRO_LINE_JOIN_ROUND)
        cairo_stroke_preserve(context)
        setSource(color, alpha: 1, context)
        cairo_fill(context)
        if translucent {
            cairo_pop_group_to_source(context)
            cairo_paint_with_alpha(context, max(0, color.alpha))
        }
    }

    /// Composites cairo's premultiplied ARGB32 pixels (native-endian `UInt32`s, `stride` bytes a row) onto
    /// `image`: out = source + destination × (1 − alpha), per channel, with the 8-bit source scaled by 257 for
    /// 16-bit images and reduced to its luminance for grey ones.
    static func composite(_ data: UnsafeRawPointer, stride: Int, onto image: inout PreviewImage) {
        let width = image.width
        let height = image.height
        let grey = image.channels == .grey
        let scale: UInt32 = image.bitDepth == 16 ? 257 : 1
        let maximum = UInt32(image.maxValue)

        @inline(__always) func blend(_ source: UInt32, over destination: UInt16, keep: UInt32) -> UInt16 {
            let kept = (UInt32(destination) * keep + 127) / 255
            return UInt16(min(source * scale + kept, maximum))
        }

        image.samples.withUnsafeMutableBufferPointer { samples in
            for row in 0..<height {
                let line = data + row * stride
                for column in 0..<width {
                    let pixel = line.load(fromByteOffset: column * 4, as: UInt32.self)
                    let alpha = pixel >> 24
                    guard alpha != 0 else { continue }
                    let keep = 255 - alpha
                    let red = (pixel >> 16) & 0xFF
                    let green = (pixel >> 8) & 0xFF
                    let blue = pixel & 0xFF
                    let index = row * width + column
                    if grey {
                        // Rec. 709 weights summing to 256; equals the channel value when red = green = blue.
                        let luma = (54 * red + 183 * green + 19 * blue + 128) >> 8
                        samples[index] = blend(luma, over: samples[index], keep: keep)
                    } else {
                        samples[3 * index] = blend(red, over: samples[3 * index], keep: keep)
                        samples[3 * index + 1] = blend(green, over: samples[3 * index + 1], keep: keep)
                        samples[3 * index + 2] = blend(blue, over: samples[3 * index + 2], keep: keep)
                    }
                }
            }
        }
    }
}
