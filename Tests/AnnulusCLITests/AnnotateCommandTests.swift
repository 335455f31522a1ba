import DicomIO
import Foundation
import Imaging
import Testing

/// A store in a fresh folder with the SampleStudies ingested, for end-to-end annotation tests.
struct AnnotatedStore {
    let folder: String
    var store: String { folder + "/annulus.sqlite" }

    init() throws {
        folder =
            FileManager.default.temporaryDirectory.appendingPathComponent("annulus-store-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let ingest = try CLI.run(["ingest", CLI.packageRoot + "/SampleStudies", "--data", folder])
        guard ingest.status == 0 else { throw CocoaError(.fileReadUnknown, userInfo: ["output": ingest.stdout]) }
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }

    /// Runs `annulus ARGS --data FOLDER` as clinician "dr.rivera".
    func run(_ arguments: [String], user: String? = "dr.rivera") throws -> CLI.Result {
        try CLI.run(arguments + ["--data", folder], environment: user.map { ["ANNULUS_USER": $0] } ?? [:])
    }

    /// The JSON object printed by a `--json` command.
    static func object(_ result: CLI.Result) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data((result.lines.last ?? "{}").utf8))) as? [String: Any] ?? [:]
    }
}

@Suite("annulus ingest, studies and annotate, end to end")
struct AnnotateCommandTests {
    @Test("ingest is idempotent and studies lists the three SampleStudies")
    func ingestAndStudies() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let again = try fixture.run(["ingest", CLI.packageRoot + "/SampleStudies", "--json"])
        #expect(again.status == 0)
        let summary = AnnotatedStore.object(again)["summary"] as? [String: Int]
        #expect(summary == ["added": 0, "unchanged": 71, "replaced": 0, "failed": 0])
        let studies = try fixture.run(["studies", "--json"])
        #expect(studies.status == 0)
        #expect(studies.lines.count == 3)
        #expect(studies.stdout.contains("ACC-MR-0001") && studies.stdout.contains("ACC-RF-0001"))
        let table = try fixture.run(["studies"])
        #expect(table.stdout.contains("ACCESSION"))
        #expect(!table.stdout.contains("ANNULUS-SAMPLE"), "patient IDs are not listed")
    }

    @Test("a command that reads the store refuses a path with no store instead of creating an empty one")
    func missingStore() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("no-store-\(UUID().uuidString)")
            .appendingPathComponent("annulus.sqlite").path
        for command in [["studies"], ["worklist"], ["status"]] {
            let result = try CLI.run(command + ["--data", (path as NSString).deletingLastPathComponent])
            #expect(result.status == 2, "\(command)")
            #expect(result.stderr.contains("there is no store at \(path)"), "\(result.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: path), "nothing was created")
    }

    @Test("a clinician annotates L4-L5 and L5-S1, signs, amends and sees the history")
    func lifecycle() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let fissure = try fixture.run([
            "annotate", "add", "ACC-MR-0001", "--level", "L4/L5", "--basis", "from-sacrum", "--finding",
            "annular-fissure", "type=radial", "zones=central", "side=midline", "thickness=full", "--series", "1",
            "--instance", "8", "--point", "300,270", "--json",
        ])
        #expect(fissure.status == 0, "\(fissure.stdout) \(fissure.stderr)")
        let fissureObject = AnnotatedStore.object(fissure)
        let id = try #require(fissureObject["id"] as? String)
        #expect(fissureObject["status"] as? String == "draft")
        #expect(fissureObject["level"] as? String == "L4-L5")
        let annotation = fissureObject["annotation"] as? [String: Any]
        let anchor = annotation?["anchor"] as? [String: Any]
        #expect((anchor?["patientPositions"] as? [[Double]])?.first?.count == 3, "patient position computed")

        let hiz = try fixture.run([
            "annotate", "add", "ACC-MR-0001", "--level", "l5s1", "--finding", "pfirrmann", "grade=IV",
        ])
        #expect(hiz.status == 0, "\(hiz.stdout) \(hiz.stderr)")
        #expect(hiz.stdout.contains("[preliminary until signed]"))

        let listed = try fixture.run(["annotate", "list", "ACC-MR-0001"])
        #expect(listed.stdout.contains("L4-L5") && listed.stdout.contains("L5-S1"))
        #expect(listed.stdout.contains("preliminary until a clinician signs"))

        let signed = try fixture.run(["annotate", "sign", String(id.prefix(8)), "--json"], user: "dr.okafor")
        #expect(signed.status == 0, "\(signed.stdout) \(signed.stderr)")
        #expect(AnnotatedStore.object(signed)["signedBy"] as? String == "dr.okafor")
        let signedAgain = try fixture.run(["annotate", "sign", id])
        #expect(signedAgain.status != 0)

        let amended = try fixture.run(["annotate", "amend", id, "type=transverse", "--reason", "second read"])
        #expect(amended.status == 0, "\(amended.stdout) \(amended.stderr)")
        #expect(amended.stdout.contains("v3 (draft)"))

        let history = try fixture.run(["annotate", "history", id, "--json"])
        let versions = history.lines.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(versions.map { $0["status"] as? String } == ["draft", "signed", "draft"])
        let signedFinding = (versions[1]["annotation"] as? [String: Any])?["finding"] as? [String: Any]
        #expect(signedFinding?["type"] as? String == "radial", "the signed version stays frozen")

        let retracted = try fixture.run(["annotate", "retract", id, "--reason", "duplicate"])
        #expect(retracted.status == 0)
        let afterRetract = try fixture.run(["annotate", "amend", id, "type=radial"])
        #expect(afterRetract.status != 0)
        let visible = try fixture.run(["annotate", "list", "ACC-MR-0001", "--json"])
        #expect(visible.lines.count == 1, "retracted findings are hidden without --all")
        let everything = try fixture.run(["annotate", "list", "ACC-MR-0001", "--all", "--json"])
        #expect(everything.lines.count == 2)
    }

    @Test("every mistake is answered with the allowed values or a suggestion")
    func helpfulErrors() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let base = ["annotate", "add", "ACC-MR-0001"]
        let cases: [([String], String)] = [
            (["--level", "L6-S1", "--finding", "pfirrmann", "grade=II"], "did you mean L5-S1"),
            (["--level", "L4-L5", "--finding", "annular-fisure", "type=radial"], "annular-fissure"),
            (["--level", "L4-L5", "--finding", "annular-fissure", "type=radail"], "radial"),
            (
                [
                    "--level", "L4-L5", "--finding", "pfirrmann", "grade=II", "--series", "1", "--instance", "8",
                    "--point", "900,10",
                ], "outside the image"
            ),
            (
                [
                    "--level", "L4-L5", "--finding", "pfirrmann", "grade=II", "--series", "1", "--instance", "99",
                    "--point", "10,10",
                ], "no instance 99"
            ),
            (
                [
                    "--level", "L4-L5", "--finding", "pfirrmann", "grade=II", "--series", "1", "--instance", "8",
                    "--frame", "2", "--point", "10,10",
                ], "out of range"
            ),
        ]
        for (arguments, expected) in cases {
            let result = try fixture.run(base + arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains(expected), "\(arguments): \(result.stderr)")
        }
        let noAuthor = try fixture.run(base + ["--level", "L4-L5", "--finding", "pfirrmann", "grade=II"], user: nil)
        #expect(noAuthor.status == 2)
        #expect(noAuthor.stderr.contains("ANNULUS_USER"))
        let unknownStudy = try fixture.run(["annotate", "list", "ACC-NOPE"])
        #expect(unknownStudy.status != 0)
        #expect((unknownStudy.stdout + unknownStudy.stderr).contains("annulus studies"))
    }

    @Test("two processes adding 200 findings each at the same time end with 400 and no error")
    func concurrentWriters() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        func loop(_ level: String) throws -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            let command =
                "for i in $(seq 200); do \"$0\" annotate add ACC-MR-0001 --level \(level) --finding pfirrmann "
                + "grade=III --data \"$1\" >/dev/null || exit 1; done"
            process.arguments = ["-c", command, CLI.executable, fixture.folder]
            process.environment = ["ANNULUS_USER": "writer-\(level)", "PATH": "/usr/bin:/bin"]
            try process.run()
            return process
        }
        let first = try loop("L4-L5")
        let second = try loop("L5-S1")
        first.waitUntilExit()
        second.waitUntilExit()
        #expect(first.terminationStatus == 0 && second.terminationStatus == 0)
        let listed = try fixture.run(["annotate", "list", "ACC-MR-0001", "--json"])
        #expect(listed.lines.count == 400)
    }

    @Test("burned-in preview: the annotated slice shows each finding's marker and label in its status colour")
    func burnedInPreview() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let anchor = ["--series", "1", "--instance", "8"]
        let fissure = try fixture.run(
            [
                "annotate", "add", "ACC-MR-0001", "--level", "L4-L5", "--finding", "hiz", "present=yes",
                "position=posterior", "side=midline", "--point", "272,350", "--json",
            ] + anchor)
        #expect(fissure.status == 0, "\(fissure.stderr)")
        let out = fixture.folder + "/previews"
        let draft = try fixture.run(["annotate", "preview", "ACC-MR-0001", "--out", out, "--json"])
        #expect(draft.status == 0, "\(draft.stderr)")
        let path = try #require(AnnotatedStore.object(draft)["path"] as? String)
        func count(_ image: PreviewImage, _ matches: (UInt16, UInt16, UInt16) -> Bool) -> Int {
            stride(from: 0, to: image.samples.count, by: 3).filter {
                matches(image.samples[$0], image.samples[$0 + 1], image.samples[$0 + 2])
            }.count
        }
        let yellow = { (r: UInt16, g: UInt16, b: UInt16) in r > 200 && g > 200 && b < 90 }
        let green = { (r: UInt16, g: UInt16, b: UInt16) in g > 200 && r < 90 && b < 90 }
        let drawn = try PNGDecoder.decode(Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(drawn.channels == .rgb && drawn.width == 512)
        #expect(count(drawn, yellow) > 100, "draft marker and label in yellow")
        #expect(count(drawn, green) == 0)
        // The marker circles the anchor: yellow pixels lie on a ring around (272, 350), none at its centre.
        let ring = (0..<360).map { angle -> (Int, Int) in
            let radians = Double(angle) * .pi / 180
            return (Int(272 + 10 * cos(radians)), Int(350 + 10 * sin(radians)))
        }
        #expect(
            ring.contains { x, y in
                let index = (y * drawn.width + x) * 3
                return yellow(drawn.samples[index], drawn.samples[index + 1], drawn.samples[index + 2])
            })
        let id = try #require(AnnotatedStore.object(fissure)["id"] as? String)
        #expect(try fixture.run(["annotate", "sign", id], user: "dr.okafor").status == 0)
        _ = try fixture.run(["annotate", "preview", "ACC-MR-0001", "--out", out])
        let signed = try PNGDecoder.decode(Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(count(signed, green) > 100, "signed findings turn green")
        #expect(count(signed, yellow) == 0)
    }
}

@Suite("annulus annotate import: research labels as drafts")
struct AnnotateImportTests {
    static let sagittalT2 = CLI.packageRoot + "/SampleStudies/patient1-lumbar-mr/series-01-sag-t2/IM0008.dcm"

    @Test("RSNA 2024 coordinates + severities become anchored stenosis drafts; bad rows are reported")
    func rsna() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let header = try DicomFile(path: Self.sagittalT2, options: .headerOnly).dataset
        let study = try #require(header.string(.studyInstanceUID))
        let series = try #require(header.string(.seriesInstanceUID))
        let coordinates = """
            study_id,series_id,instance_number,condition,level,x,y
            \(study),\(series),8,Spinal Canal Stenosis,L4/L5,270.5,350.25
            \(study),\(series),8,Left Neural Foraminal Narrowing,L6/S1,270,350
            \(study),\(series),99,Spinal Canal Stenosis,L5/S1,270,400
            """
        let train = """
            study_id,spinal_canal_stenosis_l4_l5,spinal_canal_stenosis_l5_s1,left_neural_foraminal_narrowing_l4_l5
            \(study),Moderate,Severe,
            """
        try coordinates.write(toFile: fixture.folder + "/coords.csv", atomically: true, encoding: .utf8)
        try train.write(toFile: fixture.folder + "/train.csv", atomically: true, encoding: .utf8)
        let result = try fixture.run([
            "annotate", "import", "--rsna-coordinates", fixture.folder + "/coords.csv", "--rsna-train",
            fixture.folder + "/train.csv", "--importer", "rsna-2024-import",
        ])
        #expect(result.status == 1, "some rows are unmapped: \(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("did you mean L5-S1"))
        #expect(result.stdout.contains("instance 99 is not indexed"))
        let listed = try fixture.run(["annotate", "list", study, "--json"])
        let objects = listed.lines.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(objects.count == 1, "\(listed.stdout)")
        let first = try #require(objects.first)
        #expect(first["author"] as? String == "rsna-2024-import")
        #expect(first["status"] as? String == "draft")
        #expect(first["level"] as? String == "L4-L5")
        let annotation = first["annotation"] as? [String: Any]
        let finding = annotation?["finding"] as? [String: Any]
        #expect(finding?["kind"] as? String == "stenosis" && finding?["grade"] as? String == "moderate")
        let point = ((annotation?["anchor"] as? [String: Any])?["points"] as? [[String: Double]])?.first
        #expect(point == ["x": 270.5, "y": 350.25])
    }

    @Test("SPIDER gradings map from the bottom disc up to the patient's study; unmappable columns are reported")
    func spider() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let gradings = """
            Patient,IVD label,Modic,UP endplate,LOW endplate,Spondylolisthesis,Disc herniation,Disc narrowing,Disc bulging,Pfirrman grade
            ANNULUS-SAMPLE-0002,1,0,0,0,0,0,0,1,3
            ANNULUS-SAMPLE-0002,2,0,0,0,0,0,0,0,2
            ANNULUS-SAMPLE-9999,1,0,0,0,0,0,0,0,2
            """
        try gradings.write(toFile: fixture.folder + "/gradings.csv", atomically: true, encoding: .utf8)
        let result = try fixture.run([
            "annotate", "import", "--spider", fixture.folder + "/gradings.csv", "--importer", "spider-import", "--json",
        ])
        #expect(result.status == 1)
        #expect(result.stdout.contains("narrowing"), "Disc narrowing has no Annulus field and is reported")
        #expect(result.stdout.contains("no indexed study of patient ANNULUS-SAMPLE-9999"))
        let listed = try fixture.run(["annotate", "list", "ACC-MR-0002", "--json"])
        let objects = listed.lines.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let pfirrmann = objects.filter { $0["findingKind"] as? String == "pfirrmann" }
        #expect(Set(pfirrmann.compactMap { $0["level"] as? String }) == ["L5-S1", "L4-L5"], "IVD 1 is L5-S1")
        #expect(objects.contains { $0["findingKind"] as? String == "contour" && $0["level"] as? String == "L5-S1" })
        #expect(objects.allSatisfy { $0["author"] as? String == "spider-import" && $0["status"] as? String == "draft" })
    }
}
