import Foundation
import Testing

/// A finding's level must agree with what the study shows (SampleStudies: lumbar MR, LSPINE): refused with the
/// evidence named unless overridden with a reason, and then shown with a warning.
@Suite("annulus annotate: the level must agree with the study, or be accepted explicitly")
struct AnnotateLevelCoverageTests {
    @Test("C5-C6 on the lumbar MR is refused, naming the evidence and the override; nothing is stored")
    func refused() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let result = try fixture.run([
            "annotate", "add", "ACC-MR-0001", "--level", "C5-C6", "--finding", "pfirrmann", "grade=3",
        ])
        #expect(result.status == 2, "\(result.stdout) \(result.stderr)")
        #expect(
            result.stderr.contains(
                "C5-C6 is a cervical level, but the study shows the lumbar spine (T11-T12 to S1-S2): Body Part "
                    + "Examined (0018,0015) \"LSPINE\" in series 1, 2, 3; Study Description (0008,1030) \"MR LUMBAR "
                    + "SPINE WO CONTRAST\""), "\(result.stderr)")
        #expect(result.stderr.contains("--level-outside-study REASON"), "the override is named: \(result.stderr)")
        let list = try fixture.run(["annotate", "list", "ACC-MR-0001", "--json"])
        #expect(list.stdout.isEmpty, "nothing stored: \(list.stdout)")
    }

    @Test("accepted with --level-outside-study: recorded, and shown with a warning by add, list, show and triage")
    func overridden() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let reason = "sagittal localiser reaches C5-C6"
        let added = try fixture.run([
            "annotate", "add", "ACC-MR-0001", "--level", "C5-C6", "--finding", "pfirrmann", "grade=3",
            "--level-outside-study", reason,
        ])
        #expect(added.status == 0, "\(added.stdout) \(added.stderr)")
        #expect(added.lines.count == 2, "\(added.stdout)")
        let warning = try #require(added.lines.last)
        #expect(warning.hasPrefix("warning: level outside what the study shows (accepted by dr.rivera at "))
        #expect(warning.contains("\"\(reason)\"): C5-C6 is a cervical level, but the study shows the lumbar spine"))
        let id = String(try #require(added.lines.first?.split(separator: " ").dropFirst().first))

        let list = try fixture.run(["annotate", "list", "ACC-MR-0001"])
        #expect(list.stdout.contains("warning: \(id) C5-C6: level outside what the study shows (accepted by dr.rivera"))
        let listed = AnnotatedStore.object(try fixture.run(["annotate", "list", "ACC-MR-0001", "--json"]))
        let levelWarning = try #require(listed["levelWarning"] as? [String: Any])
        #expect((levelWarning["override"] as? [String: Any])?["reason"] as? String == reason)
        #expect((levelWarning["problem"] as? String)?.contains("Body Part Examined (0018,0015) \"LSPINE\"") == true)

        let show = try fixture.run(["annotate", "show", id])
        #expect(
            show.stdout.contains("warning: level outside what the study shows (accepted by dr.rivera"), "\(show.stdout)"
        )
        // Signed, the finding keeps its warning; triage names it.
        #expect(try fixture.run(["annotate", "sign", id]).status == 0)
        #expect(try fixture.run(["annotate", "show", id]).stdout.contains("\"\(reason)\""))
        let triage = try fixture.run(["triage", "ACC-MR-0001"])
        #expect(
            triage.stdout.contains("warning: finding \(id) at C5-C6 (study ACC-MR-0001) was accepted by dr.rivera"),
            "\(triage.stdout)")
    }

    @Test("add --sign with the override: the override goes with the draft and the signed finding keeps the warning")
    func signedAtOnce() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let refused = try fixture.run([
            "annotate", "add", "ACC-MR-0001", "--level", "C4-C5", "--finding", "pfirrmann", "grade=2", "--sign",
        ])
        #expect(refused.status == 2 && refused.stderr.contains("C4-C5 is a cervical level"), "\(refused.stderr)")
        let added = try fixture.run([
            "annotate", "add", "ACC-MR-0001", "--level", "C4-C5", "--finding", "pfirrmann", "grade=2", "--sign",
            "--level-outside-study", "localiser", "--json",
        ])
        #expect(added.status == 0, "\(added.stderr)")
        let object = AnnotatedStore.object(added)
        #expect(object["status"] as? String == "signed" && object["version"] as? Int == 2)
        let override = (object["levelWarning"] as? [String: Any])?["override"] as? [String: Any]
        #expect(override?["version"] as? Int == 1 && override?["reason"] as? String == "localiser", "\(object)")
        #expect(try fixture.run(["annotate", "list", "ACC-MR-0001"]).stdout.contains("\"localiser\""))
    }

    @Test("L4-L5 and the thoracolumbar junction are accepted without a warning; an unneeded override is not kept")
    func agreeing() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        for level in ["L4-L5", "T12-L1", "L5-S1"] {
            let added = try fixture.run([
                "annotate", "add", "ACC-MR-0001", "--level", level, "--finding", "pfirrmann", "grade=3",
            ])
            #expect(added.status == 0 && added.lines.count == 1, "\(level): \(added.stdout) \(added.stderr)")
        }
        let unneeded = try fixture.run([
            "annotate", "add", "ACC-MR-0002", "--level", "L3-L4", "--finding", "pfirrmann", "grade=2",
            "--level-outside-study", "just in case",
        ])
        #expect(unneeded.status == 0)
        #expect(unneeded.stdout.contains("note: L3-L4 agrees with what the study shows"), "\(unneeded.stdout)")
        for study in ["ACC-MR-0001", "ACC-MR-0002"] {
            #expect(!(try fixture.run(["annotate", "list", study]).stdout.contains("warning")))
        }
    }

    @Test("amend: a new level outside the study is refused without the override, accepted with it")
    func amended() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let added = try fixture.run([
            "annotate", "add", "ACC-MR-0001", "--level", "L4-L5", "--finding", "pfirrmann", "grade=3",
        ])
        let id = String(try #require(added.lines.first?.split(separator: " ").dropFirst().first))
        let refused = try fixture.run(["annotate", "amend", id, "--level", "C6-C7", "--reason", "re-read"])
        #expect(refused.status == 2 && refused.stderr.contains("C6-C7 is a cervical level"), "\(refused.stderr)")
        let accepted = try fixture.run([
            "annotate", "amend", id, "--level", "C6-C7", "--level-outside-study", "counted from C2 on the localiser",
        ])
        #expect(accepted.status == 0 && accepted.stdout.contains("warning: level outside"), "\(accepted.stdout)")
        // A change of fields only keeps the level and its override.
        let fields = try fixture.run(["annotate", "amend", id, "grade=4"])
        #expect(fields.status == 0 && !fields.stdout.contains("warning"), "\(fields.stdout)")
        #expect(try fixture.run(["annotate", "show", id]).stdout.contains("counted from C2 on the localiser"))
        // Back to a lumbar level: no warning any more.
        #expect(try fixture.run(["annotate", "amend", id, "--level", "L4-L5"]).status == 0)
        #expect(!(try fixture.run(["annotate", "show", id]).stdout.contains("warning")))
    }

    @Test("a mark that cannot be at its level, given another finding's mark, is refused; the fluoroscopy study too")
    func marksAndFluoroscopy() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let anchor = ["--series", "1", "--instance", "8"]
        let l4l5 = try fixture.run(
            ["annotate", "add", "ACC-MR-0001", "--level", "L4-L5", "--finding", "pfirrmann", "grade=3"] + anchor
                + ["--point", "300,270"])
        #expect(l4l5.status == 0, "\(l4l5.stderr)")
        // 60 pixels (about 35 mm) lower on the same image: L3-L4 cannot lie below L4-L5.
        let below = try fixture.run(
            ["annotate", "add", "ACC-MR-0001", "--level", "L3-L4", "--finding", "pfirrmann", "grade=3"] + anchor
                + ["--point", "300,330"])
        #expect(below.status == 2, "\(below.stdout)")
        #expect(below.stderr.contains("L3-L4 is marked 35 mm below the L4-L5 mark of finding"), "\(below.stderr)")
        let above = try fixture.run(
            ["annotate", "add", "ACC-MR-0001", "--level", "L3-L4", "--finding", "pfirrmann", "grade=3"] + anchor
                + ["--point", "300,210"])
        #expect(above.status == 0, "35 mm higher is where L3-L4 can be: \(above.stderr)")

        let rf = try fixture.run([
            "annotate", "add", "ACC-RF-0001", "--level", "C5-C6", "--finding", "discography", "grade=3",
            "response=concordant", "pain=8",
        ])
        #expect(rf.status == 2)
        #expect(rf.stderr.contains("Series Description (0008,103E) \"L4-L5 ANNULARGRAM CINE LAT\""), "\(rf.stderr)")
    }
}
