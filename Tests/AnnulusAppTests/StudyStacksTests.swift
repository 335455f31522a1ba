import AnnulusApp
import DicomIO
import Foundation
import Imaging
import Store
import Testing

@Suite("Use cases: a study's stacks from the index agree with the organizer reading the files")
struct StudyStacksTests {
    @Test("every series of every sample study: the same stacks, planes, spacing and slice order as from the files")
    func stacksMatchTheFiles() async throws {
        let fixture = try await AppFixture()
        let studies = try fixture.store.studies()
        #expect(studies.count >= 2)
        var planes: Set<String> = []
        for study in studies {
            let detail = try await fixture.useCases.studyDetail(uid: study.studyInstanceUID, by: AppFixture.clinician)
            for series in detail.series {
                let headers = try series.instances.map { InstanceHeader(file: try DicomFile(path: $0.path)) }
                let oracle = StudyOrganizer.seriesModel(headers).stacks
                #expect(series.stacks.count == oracle.count, "series \(series.series.seriesInstanceUID)")
                for (stack, expected) in zip(series.stacks, oracle) {
                    planes.insert(stack.plane)
                    #expect(stack.plane == expected.plane.rawValue)
                    #expect(stack.spacing == expected.spacing)
                    #expect(stack.issues == expected.issues.map(\.description))
                    #expect(stack.slices.map(\.sopInstanceUID) == expected.slices.map(\.sopInstanceUID))
                    #expect(stack.slices.map(\.frame) == expected.slices.map(\.frame))
                    #expect(stack.slices.map(\.location) == expected.slices.map(\.location))
                }
            }
        }
        #expect(planes.contains("sagittal") && planes.contains("axial"), "the samples hold both planes: \(planes)")
    }

    @Test("a sagittal stack is in spatial order, evenly spaced at its spacing, with no geometry issue")
    func spatialOrder() async throws {
        let fixture = try await AppFixture()
        let mr = try #require(try fixture.store.studies().first { $0.modalities.contains("MR") })
        let detail = try await fixture.useCases.studyDetail(uid: mr.studyInstanceUID, by: AppFixture.clinician)
        let sagittal = try #require(detail.series.flatMap(\.stacks).first { $0.plane == "sagittal" })
        let locations = sagittal.slices.compactMap(\.location)
        #expect(locations.count == sagittal.slices.count && locations.count > 1)
        #expect(locations == locations.sorted())
        let spacing = try #require(sagittal.spacing)
        for (next, previous) in zip(locations.dropFirst(), locations) {
            #expect(abs((next - previous) - spacing) < 0.01)
        }
        #expect(sagittal.issues.isEmpty)
    }
}
