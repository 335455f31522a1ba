import AnnulusApp
import Foundation
import Store
import Testing

/// What the reading room's viewer asks of a frame besides its pixels: the T2 spine preset, the window a choice
/// resolves to (to adjust it by dragging), and a cine's frame timing from the header.
@Suite("Frame display facts: presets, resolved windows, cine timing")
struct FrameDisplayTests {
    /// The first instance of the series described `description` in SampleStudies.
    static func instance(_ store: AnnulusStore, series description: String) throws -> String {
        for study in try store.studies() {
            for series in try store.series(ofStudy: study.studyInstanceUID)
            where series.seriesDescription == description {
                return try #require(try store.instances(ofSeries: series.seriesInstanceUID).first).sopInstanceUID
            }
        }
        Issue.record("no series '\(description)'")
        return ""
    }

    @Test("preset:t2-spine is C 1600 W 2800: the same PNG as that explicit window, not the file's window")
    func t2SpinePreset() async throws {
        let fixture = try await AppFixture()
        let app = fixture.useCases
        let uid = try Self.instance(fixture.store, series: "T2 TSE SAG")
        func png(_ window: String?) async throws -> Data {
            try await app.renderFrame(FrameRequest(instanceUID: uid, frame: 0, window: window, size: 128), by: .watcher)
                .data
        }
        let preset = try await png("preset:t2-spine")
        #expect(preset == (try await png("1600,2800")))
        #expect(preset != (try await png("auto")))
        #expect(FrameRequest.windowSyntax.contains("t2-spine"))
        let refused = await AppFixture.error {
            try await app.renderFrame(FrameRequest(instanceUID: uid, frame: 0, window: "preset:t2"), by: .watcher)
        }
        #expect(refused?.code == "bad-window")
        #expect(refused?.allowed.contains("preset:t2-spine") == true)
    }

    @Test("a frame's window: the file's for auto, the preset's numbers, percentiles measured, errors by field")
    func resolvedWindow() async throws {
        let fixture = try await AppFixture()
        let app = fixture.useCases
        let uid = try Self.instance(fixture.store, series: "T2 TSE SAG")
        let auto = try await app.frameWindow(FrameRequest(instanceUID: uid, frame: 0), by: .watcher)
        #expect(auto.window.center == 1600 && auto.window.width == 3200 && auto.window.explanation == "T2 SPINE")
        #expect(auto.fileWindows == [auto.window])
        #expect(auto.presets.contains("preset:t2-spine") && auto.presets.contains("preset:mr"))
        let spine = try await app.frameWindow(
            FrameRequest(instanceUID: uid, frame: 0, window: "preset:t2-spine"), by: .watcher)
        #expect(spine.window.center == 1600 && spine.window.width == 2800 && spine.window.function == "LINEAR")
        let mr = try await app.frameWindow(FrameRequest(instanceUID: uid, frame: 0, window: "preset:mr"), by: .watcher)
        #expect(mr.window.function == "LINEAR_EXACT")
        #expect(mr.window.width > 100 && mr.window.width < 4000, "\(mr.window)")
        let second = await AppFixture.error {
            try await app.frameWindow(FrameRequest(instanceUID: uid, frame: 0, window: "file:2"), by: .watcher)
        }
        #expect(second?.kind == .invalidInput)
        #expect(second?.message.contains("1 window") == true, "\(second?.message ?? "")")
        let frame = await AppFixture.error {
            try await app.frameWindow(FrameRequest(instanceUID: uid, frame: 3), by: .watcher)
        }
        #expect(frame?.code == "bad-frame" && frame?.field == "frame")
        let unknown = await AppFixture.error {
            try await app.frameWindow(FrameRequest(instanceUID: "1.2.3.4", frame: 0), by: .watcher)
        }
        #expect(unknown?.kind == .notFound)
    }

    @Test("cine timing from the header: the fluoroscopy's Frame Time, an MR slice's default")
    func cineTiming() async throws {
        let fixture = try await AppFixture()
        let app = fixture.useCases
        let studies = try fixture.store.studies()
        let rf = try #require(studies.first { $0.modalities.contains("RF") })
        let series = try #require(try fixture.store.series(ofStudy: rf.studyInstanceUID).first)
        let cine = try #require(try fixture.store.instances(ofSeries: series.seriesInstanceUID).first)
        let view = try await app.cineTiming(uid: cine.sopInstanceUID, by: .watcher)
        #expect(view.frames == cine.frames && view.frames > 1)
        #expect(view.isCine && view.source == "Frame Time" && view.frameTimeMs == 100 && view.frameTimesMs == nil)
        let slice = try await app.cineTiming(uid: try Self.instance(fixture.store, series: "T2 TSE SAG"), by: .watcher)
        #expect(slice.frames == 1 && !slice.isCine && slice.source == "default")
    }
}
