import Foundation

/// Placeholder (work in progress).
public struct FluoroscopyPhantom: Sendable {
    /// Image rows.
    public let rows: Int
    /// Image columns.
    public let columns: Int
    /// Number of frames.
    public let frameCount: Int
    /// Creates the cine.
    public init(rows: Int = 512, columns: Int = 512, frameCount: Int = 40) {
        self.rows = rows
        self.columns = columns
        self.frameCount = frameCount
    }
    /// Frame i.
    public func frame(_ index: Int) -> [UInt8] {
        [UInt8](repeating: 0, count: rows * columns)
    }
}
