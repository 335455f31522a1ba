import DicomIO
import Foundation
import Imaging

/// One file to render and the output stem that mirrors its place in the input.
public struct RenderJob: Sendable, Equatable {
    /// The DICOM file.
    public var input: String
    /// The output path without extension (the renderer adds `.png`, `-fNNNN.png`, `-sheet.png`).
    public var stem: String

    /// Creates a job.
    public init(input: String, stem: String) {
        self.input = input
        self.stem = stem
    }
}

/// A contact sheet to draw: one slice stack of a series, and where the sheet goes.
public struct SheetJob: Sendable {
    /// The stack.
    public var stack: SliceStack
    /// Its series.
    public var series: SeriesModel
    /// The sheet's path.
    public var path: String
}

/// Chooses the contact sheets to draw: one per slice stack of every series rendered, placed beside the series'
/// previews. Cines get their own sheet from the renderer and are left out here.
public enum SheetPlanner {
    /// The sheets for the files rendered (each with its output stem).
    public static func plan(_ rendered: [RenderJob], readOptions: DicomReadOptions) -> [SheetJob] {
        var header = readOptions
        header.headerOnly = true
        var stems: [String: String] = [:]
        var headers: [InstanceHeader] = []
        for job in rendered {
            guard let file = try? DicomFile(path: job.input, options: header) else { continue }
            let instance = InstanceHeader(file: file)
            let isCine = instance.frames > 1 && instance.frameGeometry.count == 1
            guard !isCine else { continue }
            headers.append(instance)
            stems[job.input] = job.stem
        }
        var jobs: [SheetJob] = []
        var used: Set<String> = []
        for patient in StudyOrganizer.organize(headers) {
            for study in patient.studies {
                for series in study.series {
                    for (index, stack) in series.stacks.enumerated() where !stack.slices.isEmpty {
                        let folder = ((stems[stack.slices[0].path] ?? "") as NSString).deletingLastPathComponent
                        var name = "sheet-series\(series.number.map(String.init) ?? "x")"
                        if series.stacks.count > 1 { name += "-stack\(index + 1)" }
                        var path = folder + "/" + name + ".png"
                        var suffix = 2
                        while used.contains(path) {
                            path = folder + "/" + name + "-\(suffix).png"
                            suffix += 1
                        }
                        used.insert(path)
                        jobs.append(SheetJob(stack: stack, series: series, path: path))
                    }
                }
            }
        }
        return jobs
    }
}
