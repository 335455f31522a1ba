import Foundation

/// A grid of small previews on one image, in the order given, each captioned, under a title band.
public enum ContactSheet {
    /// One cell of the sheet.
    public struct Tile: Sendable {
        /// The preview, at most `tileSize` on its longest side (smaller ones are centred).
        public var image: PreviewImage
        /// Text burned into the cell's top-left corner (slice number and position, or frame and time).
        public var caption: String

        /// Creates a tile.
        public init(image: PreviewImage, caption: String) {
            self.image = image
            self.caption = caption
        }
    }

    /// The edge of a square cell for a sheet of `count` images: large for a few, smaller for many.
    public static func tileSize(forCount count: Int) -> Int {
        switch count {
        case ...25: 256
        case ...100: 192
        default: 128
        }
    }

    /// Columns of a grid of `count` cells: about 4:3 landscape.
    public static func columns(forCount count: Int) -> Int {
        max(1, min(count, Int((Double(count) * 4 / 3).squareRoot().rounded(.up))))
    }

    /// Lays the tiles out left to right, top to bottom, on a black 8-bit sheet (RGB when any tile is RGB).
    public static func compose(tiles: [Tile], title: String, tileSize: Int) throws -> PreviewImage {
        precondition(!tiles.isEmpty, "a contact sheet needs tiles")
        let gap = 4
        let titleHeight = 30
        let columns = columns(forCount: tiles.count)
        let rows = (tiles.count + columns - 1) / columns
        let isColor = tiles.contains { $0.image.channels == .rgb }
        var sheet = PreviewImage(
            width: columns * (tileSize + gap) + gap, height: titleHeight + rows * (tileSize + gap) + gap,
            channels: isColor ? .rgb : .grey, bitDepth: 8)
        var layer = OverlayLayer()
        layer.add(
            .label(
                title, at: OverlayPoint(x: Double(gap + 2), y: Double(titleHeight) / 2), anchor: .left, size: 15,
                color: .white))
        let captionSize = max(10, Double(tileSize) / 18)
        for (index, tile) in tiles.enumerated() {
            var image = tile.image.converted(toBitDepth: 8)
            if isColor { image = image.convertedToRGB() }
            let cellX = gap + (index % columns) * (tileSize + gap)
            let cellY = titleHeight + gap + (index / columns) * (tileSize + gap)
            sheet.paste(
                image, atX: cellX + (tileSize - image.width) / 2, y: cellY + (tileSize - image.height) / 2)
            layer.add(
                .label(
                    tile.caption, at: OverlayPoint(x: Double(cellX + 3), y: Double(cellY + 2)), anchor: .topLeft,
                    size: captionSize, color: .white))
        }
        try sheet.burn(layer)
        return sheet
    }
}
