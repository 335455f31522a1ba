import DicomIO
import Foundation
import Imaging

/// A display preset: a named window for a modality, so that a viewer's buttons and the server agree.
public enum FramePreset: String, Sendable, CaseIterable {
    /// CT soft tissue (C 40, W 400).
    case softTissue = "soft-tissue"
    /// CT bone (C 400, W 1800).
    case bone
    /// CT lung (C -600, W 1500).
    case lung
    /// CT brain (C 40, W 80).
    case brain
    /// MR and anything without a good file window: the 0.5–99.5 percentile of the frame.
    case mr
    /// MR T2 of the lumbar spine (C 1600, W 2800, i.e. 200–3000): a healthy disc's nucleus light grey, a degenerated
    /// one and the annulus dark, cortex black, CSF and a high-intensity zone (as bright as CSF) white. Chosen on the
    /// SampleStudies sagittal T2, whose tissues span 150–3200 and whose file window (C 1600, W 3200) leaves a
    /// high-intensity zone a shade brighter than CSF and the dark annulus closer to the nucleus.
    case t2Spine = "t2-spine"

    /// The window choice of the preset.
    public var window: WindowChoice {
        switch self {
        case .softTissue: .explicit(center: 40, width: 400)
        case .bone: .explicit(center: 400, width: 1800)
        case .lung: .explicit(center: -600, width: 1500)
        case .brain: .explicit(center: 40, width: 80)
        case .mr: .percentile(low: WindowChoice.robustPercentiles.low, high: WindowChoice.robustPercentiles.high)
        case .t2Spine: .explicit(center: 1600, width: 2800)
        }
    }
}

/// How one frame is to be rendered: the instance, the 0-based frame, the window and the longest side.
public struct FrameRequest: Sendable, Equatable {
    /// The SOP Instance UID.
    public var instanceUID: String
    /// The frame, 0-based.
    public var frame: Int
    /// `auto`, `file:N` (the file's N-th window), `C,W` or `preset:NAME`; nil means `auto`.
    public var window: String?
    /// The longest side in pixels (16...2048); nil keeps the stored grid.
    public var size: Int?

    /// The accepted `window` spellings, for error messages and the API document.
    public static let windowSyntax =
        "auto, file:N (the file's N-th window), C,W (centre and width, width >= 1) or preset:NAME ("
        + FramePreset.allCases.map(\.rawValue).joined(separator: ", ") + ")"
    /// Accepted sizes.
    public static let sizes = 16...2048

    /// Creates a request.
    public init(instanceUID: String, frame: Int, window: String? = nil, size: Int? = nil) {
        self.instanceUID = instanceUID
        self.frame = frame
        self.window = window
        self.size = size
    }

    /// The window choice and its canonical cache-key spelling (made from parsed numbers, never request text).
    func parsedWindow() throws(AppError) -> (choice: WindowChoice, key: String) {
        let text = window ?? "auto"
        if text == "auto" { return (.automatic, "auto") }
        if text.hasPrefix("preset:") {
            let name = String(text.dropFirst(7))
            guard let preset = FramePreset(rawValue: name) else {
                throw .invalidInput(
                    "unknown window preset '\(name)'", field: "window", value: text,
                    allowed: FramePreset.allCases.map { "preset:" + $0.rawValue }, code: "bad-window")
            }
            return (preset.window, "p-" + preset.rawValue)
        }
        if text.hasPrefix("file:"), let index = Int(text.dropFirst(5)), index >= 1, index <= 1000 {
            return (.fileWindow(index: index), "f\(index)")
        }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        if parts.count == 2, case .explicit(let center, let width)? = WindowChoice(argument: text) {
            return (.explicit(center: center, width: width), "c\(center)w\(width)")
        }
        throw .invalidInput(
            "window '\(text)' is not one of: \(Self.windowSyntax)", field: "window", value: text,
            allowed: ["auto", "file:N", "C,W"] + FramePreset.allCases.map { "preset:" + $0.rawValue },
            code: "bad-window")
    }
}

/// A rendered frame as PNG bytes with its entity tag.
public struct RenderedPNG: Sendable, Equatable {
    /// The PNG file's bytes.
    public var data: Data
    /// A strong entity tag (quoted), derived from the instance's content hash and the rendering parameters.
    public var entityTag: String
    /// True when the bytes came from the cache.
    public var fromCache: Bool
}

extension UseCases {
    /// The folder of cached renderings under the data folder.
    public var frameCacheFolder: String { frameCache.folder }

    /// The entity tag a rendering of `request` will have, without rendering (so that a client's cached copy can
    /// be confirmed with a 304): nil when the instance is not indexed.
    public func frameEntityTag(_ request: FrameRequest, by principal: Principal) async throws(AppError) -> String {
        let record = try await instance(uid: request.instanceUID, by: principal)
        return "\"" + (try cacheKey(request, contentSHA256: record.contentSHA256, frames: record.frames)) + "\""
    }

    /// Renders one frame as PNG, from the cache under the data folder when it was rendered before. The cache key is
    /// the instance's content hash with the parsed parameters: a file replaced under the same UID renders anew. A
    /// rendering that cannot be cached (a full disk, a read-only folder) is served all the same.
    public func renderFrame(_ request: FrameRequest, by principal: Principal) async throws(AppError) -> RenderedPNG {
        let record = try await instance(uid: request.instanceUID, by: principal)
        let key = try cacheKey(request, contentSHA256: record.contentSHA256, frames: record.frames)
        let (window, _) = try request.parsedWindow()
        let readOptions = environment.readOptions
        let cache = frameCache
        return try await perform {
            if let cached = cache.cached(key) {
                return RenderedPNG(data: cached, entityTag: "\"\(key)\"", fromCache: true)
            }
            let file = try DicomFile(path: record.path, options: readOptions)
            let renderer = try FrameRenderer(file: file)
            let image = try renderer.image(
                frame: request.frame,
                options: PreviewOptions(window: window, longestSide: request.size, orientationLetters: false))
            let data = try PNGEncoder.encode(image)
            cache.store(data, key: key)
            return RenderedPNG(data: data, entityTag: "\"\(key)\"", fromCache: false)
        }
    }

    /// `<sha256>-<frame>-<window>-<size>`: only the store's hexadecimal hash and numbers this code formatted.
    func cacheKey(_ request: FrameRequest, contentSHA256: String, frames: Int) throws(AppError) -> String {
        guard request.frame >= 0, request.frame < frames else {
            throw .invalidInput(
                "frame \(request.frame) does not exist: the instance has \(frames) frame(s), numbered from 0",
                field: "frame", value: String(request.frame), allowed: ["0...\(frames - 1)"], code: "bad-frame")
        }
        if let size = request.size, !FrameRequest.sizes.contains(size) {
            throw .invalidInput(
                "size must be between \(FrameRequest.sizes.lowerBound) and \(FrameRequest.sizes.upperBound) pixels",
                field: "size", value: String(size), allowed: ["16...2048"], code: "bad-size")
        }
        guard contentSHA256.utf8.count == 64, contentSHA256.utf8.allSatisfy(FrameCache.isHexDigit) else {
            throw .internal("the index holds no usable content hash for this instance; re-ingest it")
        }
        let (_, windowKey) = try request.parsedWindow()
        return "\(contentSHA256)-\(request.frame)-\(windowKey)-\(request.size.map(String.init) ?? "full")"
    }
}
