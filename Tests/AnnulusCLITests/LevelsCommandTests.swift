import Foundation
import Testing

/// `annulus levels` on SampleStudies: the discs of the lumbar MR clicked on the mid-sagittal T2 (series 1, instance
/// 8) at the phantom's disc centres (as DiscLabelUseCaseTests computes them from the generator's geometry).
@Suite("annulus levels: label a study's discs, show them, and read a click's level from them")
struct LevelsCommandTests {
    @Test("label one disc, then several: each a version, the next disc proposed, show and history agree")
    func labelShowHistory() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let empty = try fixture.run(["levels", "show", "--study", "ACC-MR-0001"])
        #expect(empty.status == 0 && empty.lines.first == "no discs labelled yet", "\(empty.stdout)")
        #expect(empty.stdout.contains("next: L5-S1: annulus levels label --study ACC-MR-0001 --level L5-S1"))

        let first = try fixture.run([
            "levels", "label", "--study", "ACC-MR-0001", "--basis", "from-sacrum", "--level", "L5-S1", "--series", "1",
            "--instance", "8", "--point", "252,410",
        ])
        #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
        #expect(first.lines.first == "labelled L5-S1 (version 1, basis from-sacrum, by dr.rivera)", "\(first.stdout)")
        #expect(first.stdout.contains("next: L4-L5"))
        let more = try fixture.run([
            "levels", "label", "--study", "ACC-MR-0001", "--disc", "l4/l5@1:8:247,351", "--disc", "L3-L4@1:8:246,290",
            "--reason", "read on the T2",
        ])
        #expect(more.status == 0, "\(more.stdout) \(more.stderr)")
        #expect(more.lines.first == "labelled L4-L5, L3-L4 (version 2, basis from-sacrum, by dr.rivera)")
        #expect(
            more.lines.filter { $0.hasPrefix("L") && !$0.hasPrefix("LEVEL") }.map { String($0.prefix(5)) } == [
                "L3-L4", "L4-L5", "L5-S1",
            ])
        #expect(more.stdout.contains("next: L2-L3"))

        let shown = AnnotatedStore.object(try fixture.run(["levels", "show", "--study", "ACC-MR-0001", "--json"]))
        #expect(shown["version"] as? Int == 2 && shown["next"] as? String == "L2-L3")
        #expect(shown["basis"] as? String == "from-sacrum" && shown["reason"] as? String == "read on the T2")
        let labels = shown["labels"] as? [[String: Any]] ?? []
        #expect(labels.compactMap { $0["level"] as? String } == ["L3-L4", "L4-L5", "L5-S1"])
        #expect((labels.first?["image"] as? [String: Any])?["frame"] as? Int == 0)

        let history = try fixture.run(["levels", "history", "--study", "ACC-MR-0001"])
        #expect(history.lines.count == 3, "\(history.stdout)")
        #expect(history.lines.last?.contains("L3-L4 L4-L5 L5-S1") == true)
        let lines = try fixture.run(["levels", "history", "--study", "ACC-MR-0001", "--json"]).lines
        #expect(lines.count == 2)
    }

    @Test("nearest: issue 15's click at 300,270 is L3-L4; a finding marked there as L4-L5 is refused")
    func nearestAndWrongLevel() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let none = try fixture.run([
            "levels", "nearest", "--study", "ACC-MR-0001", "--series", "1", "--instance", "8", "--point", "300,270",
        ])
        #expect(none.status == 2 && none.stderr.contains("not labelled yet"), "\(none.stderr)")
        #expect(
            try fixture.run([
                "levels", "label", "--study", "ACC-MR-0001", "--disc", "L5-S1@1:8:252,410", "--disc",
                "L4-L5@1:8:247,351", "--disc", "L3-L4@1:8:246,290",
            ]).status == 0)
        let nearest = try fixture.run([
            "levels", "nearest", "--study", "ACC-MR-0001", "--series", "1", "--instance", "8", "--point", "300,270",
        ])
        #expect(nearest.status == 0, "\(nearest.stderr)")
        #expect(nearest.lines.first?.hasPrefix("L3-L4: ") == true, "\(nearest.stdout)")
        #expect(nearest.stdout.contains("(runner-up L4-L5, "))
        let json = AnnotatedStore.object(
            try fixture.run([
                "levels", "nearest", "--study", "ACC-MR-0001", "--series", "1", "--instance", "8", "--point", "247,351",
                "--json",
            ]))
        #expect(json["level"] as? String == "L4-L5" && (json["distanceMm"] as? Double).map { $0 < 1 } == true)

        let wrong = try fixture.run([
            "annotate", "add", "ACC-MR-0001", "--level", "L4-L5", "--finding", "hiz", "present=yes", "--series", "1",
            "--instance", "8", "--point", "300,270",
        ])
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("L4-L5 is marked 34 mm from the labelled L3-L4 disc but 57 mm from the labelled"))
        let accepted = try fixture.run([
            "annotate", "add", "ACC-MR-0001", "--level", "L4-L5", "--finding", "hiz", "present=yes", "--series", "1",
            "--instance", "8", "--point", "300,270", "--level-outside-study", "read on the axial",
        ])
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(accepted.stdout.contains("labelled L3-L4 disc"), "\(accepted.stdout)")
    }

    @Test("usage errors and refusals: exit 2 with the way forward, nothing written")
    func refusals() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        for (arguments, message) in [
            (["--level", "L5-S1"], "--level needs the click on the disc's centre"),
            (["--series", "1", "--instance", "8", "--point", "1,1"], "give --level too"),
            ([], "name a disc"),
            (["--disc", "L5-S1:1:8:1,1"], "--disc takes LEVEL@SERIES:INSTANCE:x,y"),
            (["--disc", "L5-S1@1:8:252,410", "--disc", "L4-L5@1:8:252,411"], "are marked 0.6 mm apart"),
            (["--disc", "L6-S1@1:8:252,410"], "did you mean L5-S1?"),
            (["--disc", "L5-L6@1:8:252,410"], "transitional level"),
        ] {
            let result = try fixture.run(["levels", "label", "--study", "ACC-MR-0001"] + arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        let unauthored = try fixture.run(
            ["levels", "label", "--study", "ACC-MR-0001", "--disc", "L5-S1@1:8:252,410"], user: nil)
        #expect(unauthored.status == 2 && unauthored.stderr.contains("an author is required"))
        #expect(try fixture.run(["levels", "history", "--study", "ACC-MR-0001"]).stdout == "no discs labelled yet\n")
    }
}
