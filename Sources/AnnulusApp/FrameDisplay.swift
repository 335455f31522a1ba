import DicomIO
import Foundation
import Imaging

/// A window in modality units, as a viewer shows and adjusts it (the API's `DisplayWindow`).
public struct DisplayWindow: Sendable, Encodable, Equatable {
    /// Centre in modality units.
    public var center: Double
    /// Width in modality units.
    public var width: Double
    /// The file's explanation (0028,1055), when it has one.
    public var explanation: String?
    /// `LINEAR`, `LINEAR_EXACT` or `SIGMOID`.
    public var function: String

    init(_ window: Window) {
        center = window.center
        width = window.width
        explanation = window.explanation
        function =
            switch window.function {
            case .linear: "LINEAR"
            case .linearExact: "LINEAR_EXACT"
            case .sigmoid: "SIGMOID"
            }
    }
}

/// The window a `window` choice resolves to for one frame, the file's windows and the server's presets: what a
/// viewer needs to offer the choices and to adjust the window by dragging from the one shown (the API's
/// `FrameWindow`).
public struct FrameWindowView: Sendable, Encodable, Equatable {
    /// The requested choice resolved for this frame.
    public var window: DisplayWindow
    /// The file's windows for this frame, in order (`file:1` is the first).
    public var fileWindows: [DisplayWindow]
    /// The presets, as `window` values (`preset:NAME`).
    public var presets: [String]
}

/// How a multi-frame image plays: the frame count, how long each frame is shown and which attribute said so (the
/// API's `Cine`).
public struct CineView: Sendable, Encodable, Equatable {
    /// The number of frames.
    public var frames: Int
    /// True when the frames are moments in time (fluoroscopy, angiography, ultrasound), not slices.
    public var isCine: Bool
    /// The mean time per frame, in milliseconds.
    public var frameTimeMs: Double
    /// The time of each frame, in milliseconds, when they differ (Frame Time Vector); nil when uniform.
    public var frameTimesMs: [Int]?
    /// `Frame Time`, `Frame Time Vector`, `Cine Rate`, `Recommended Display Frame Rate` or `default`.
    public var source: String
}

extension UseCases {
    /// The window `request.window` resolves to on `request.frame` of the instance, with the file's windows and the
    /// presets. Decodes the frame only for choices that depend on its values (`auto` without a file window,
    /// `preset:mr`).
    public func frameWindow(_ request: FrameRequest, by principal: Principal) async throws(AppError)
        -> FrameWindowView
    {
        let record = try await instance(uid: request.instanceUID, by: principal)
        guard request.frame >= 0, request.frame < record.frames else {
            throw .invalidInput(
                "frame \(request.frame) does not exist: the instance has \(record.frames) frame(s), numbered from 0",
                field: "frame", value: String(request.frame), allowed: ["0...\(record.frames - 1)"], code: "bad-frame")
        }
        let (choice, _) = try request.parsedWindow()
        let readOptions = environment.readOptions
        return try await perform {
            let renderer = try FrameRenderer(file: try DicomFile(path: record.path, options: readOptions))
            let (window, fileWindows) = try renderer.resolvedWindow(frame: request.frame, choice: choice)
            return FrameWindowView(
                window: DisplayWindow(window), fileWindows: fileWindows.map(DisplayWindow.init),
                presets: FramePreset.allCases.map { "preset:" + $0.rawValue })
        }
    }

    /// How the instance's frames play, from its header alone (Frame Time, Frame Time Vector, Cine Rate, Recommended
    /// Display Frame Rate, else 10 frames per second; every number checked by `HeaderNumbers`).
    public func cineTiming(uid: String, by principal: Principal) async throws(AppError) -> CineView {
        let record = try await instance(uid: uid, by: principal)
        var readOptions = environment.readOptions
        readOptions.headerOnly = true
        let options = readOptions
        return try await perform {
            let dataset = try DicomFile(path: record.path, options: options).dataset
            let timing = CineTiming(dataset: dataset, frames: record.frames)
            return CineView(
                frames: record.frames, isCine: CineTiming.isCine(dataset: dataset, frames: record.frames),
                frameTimeMs: (timing.meanDelay * 1000).rounded() / 1000,
                frameTimesMs: timing.isUniform ? nil : timing.delays, source: timing.source.rawValue)
        }
    }
}
