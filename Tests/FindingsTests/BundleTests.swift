import Foundation
import Testing

@testable import Findings

@Suite("FHIR Bundle")
struct BundleTests {
    @Test("signed findings only give a final report and final Observations")
    func signedOnlyIsFinal() {
        let bundle = FHIRBundleBuilder.build(Fixture.signedInput)
        #expect(BundleJSON.object(bundle)["type"] as? String == "transaction")
        let report = BundleJSON.resources(bundle, type: "DiagnosticReport")
        #expect(report.count == 1)
        #expect(report.first?["status"] as? String == "final")
        let observations = BundleJSON.resources(bundle, type: "Observation")
        #expect(observations.count == 4)  // three findings and the candidacy
        #expect(observations.allSatisfy { $0["status"] as? String == "final" })
    }

    @Test("a draft makes the report preliminary and its Observation preliminary")
    func draftIsPreliminary() throws {
        let bundle = FHIRBundleBuilder.build(Fixture.draftInput)
        let report = try #require(BundleJSON.resources(bundle, type: "DiagnosticReport").first)
        #expect(report["status"] as? String == "preliminary")
        let conclusion = try #require(report["conclusion"] as? String)
        #expect(conclusion.contains("Decision support only"))
        #expect(conclusion.contains("draft"))
        let draft = try #require(
            BundleJSON.resources(bundle, type: "Observation").first {
                BundleJSON.identifierValue($0) == Fixture.draftAnnotation.annotationID
            })
        #expect(draft["status"] as? String == "preliminary")
        let candidacy = try #require(
            BundleJSON.resources(bundle, type: "Observation").first {
                BundleJSON.identifierValue($0) == "candidacy-\(Fixture.studyUID)"
            })
        #expect(candidacy["status"] as? String == "preliminary")
    }

    @Test("no annotation at all is preliminary, never final")
    func emptyIsPreliminary() {
        let bundle = FHIRBundleBuilder.build(Fixture.input([], includesDrafts: false))
        #expect(BundleJSON.resources(bundle, type: "DiagnosticReport").first?["status"] as? String == "preliminary")
        #expect(BundleReferenceChecker.problems(in: bundle) == [])
    }

    @Test("two exports of the same input are identical; ids do not depend on the export time")
    func reexportIsStable() {
        let first = FHIRBundleBuilder.build(Fixture.draftInput)
        #expect(first == FHIRBundleBuilder.build(Fixture.draftInput))

        var later = Fixture.draftInput
        later.exportedAt = Fixture.exportTime.addingTimeInterval(86_400)
        let second = FHIRBundleBuilder.build(later)
        func keys(_ bundle: Data) -> [String] {
            BundleJSON.entries(bundle).compactMap { entry in
                let resource = entry["resource"] as? [String: Any] ?? [:]
                guard resource["resourceType"] as? String != "Provenance" else { return nil }
                let request = entry["request"] as? [String: Any] ?? [:]
                return [
                    entry["fullUrl"] as? String ?? "", request["url"] as? String ?? "",
                    request["ifNoneExist"] as? String ?? "", BundleJSON.identifierValue(resource) ?? "",
                ].joined(separator: " ")
            }
        }
        #expect(keys(first) == keys(second))
        #expect(Set(BundleJSON.entries(first).compactMap { $0["fullUrl"] as? String }).count == 10)
    }

    @Test("requests: conditional create of ImagingStudy and Patient, conditional update of Observations and report")
    func requests() throws {
        let bundle = FHIRBundleBuilder.build(Fixture.signedInput)
        var requests: [String: [String]] = [:]
        for entry in BundleJSON.entries(bundle) {
            let type = (entry["resource"] as? [String: Any])?["resourceType"] as? String ?? "?"
            let request = entry["request"] as? [String: Any] ?? [:]
            requests[type, default: []].append(
                "\(request["method"] as? String ?? "") \(request["url"] as? String ?? "") \(request["ifNoneExist"] as? String ?? "")"
            )
        }
        #expect(
            requests["ImagingStudy"] == [
                "POST ImagingStudy identifier=urn:dicom:uid|urn:oid:\(Fixture.studyUID)"
            ])
        #expect(requests["Patient"] == ["POST Patient identifier=\(FindingsCodes.patientIDSystem)|PAT-0001"])
        #expect(
            requests["Observation"]?.first
                == "PUT Observation?identifier=\(FindingsCodes.identifierSystem)|\(Fixture.signedAnnotations[0].annotationID) "
        )
        #expect(
            requests["DiagnosticReport"] == [
                "PUT DiagnosticReport?identifier=\(FindingsCodes.identifierSystem)|report-\(Fixture.studyUID) "
            ])
        let study = try #require(BundleJSON.resources(bundle, type: "ImagingStudy").first)
        let identifiers = try #require(study["identifier"] as? [[String: Any]])
        #expect(identifiers.first?["value"] as? String == "urn:oid:\(Fixture.studyUID)")
        #expect(identifiers.last?["value"] as? String == "ACC-MR-0001")
        #expect((study["series"] as? [Any])?.count == 2)
        let patient = try #require(BundleJSON.resources(bundle, type: "Patient").first)
        #expect(Set(patient.keys) == ["resourceType", "identifier"])  // no name
    }

    @Test("L5-S1 carries SNOMED CT 715056000; the transitional L5-L6 has text only")
    func bodySites() throws {
        let bundle = FHIRBundleBuilder.build(Fixture.draftInput)
        let observations = BundleJSON.resources(bundle, type: "Observation")
        func bodySite(_ id: String) -> [String: Any]? {
            observations.first { BundleJSON.identifierValue($0) == id }?["bodySite"] as? [String: Any]
        }
        let l5s1 = try #require(bodySite(Fixture.signedAnnotations[2].annotationID))
        let coding = try #require((l5s1["coding"] as? [[String: Any]])?.first)
        #expect(coding["system"] as? String == "http://snomed.info/sct")
        #expect(coding["code"] as? String == "715056000")
        let l5l6 = try #require(bodySite(Fixture.draftAnnotation.annotationID))
        #expect(l5l6["coding"] == nil)
        #expect((l5l6["text"] as? String)?.hasPrefix("L5-L6") == true)
    }

    @Test("components: zones one by one, SNOMED side, local type; Pfirrmann coded with RadElement RDES281")
    func components() throws {
        let bundle = FHIRBundleBuilder.build(Fixture.signedInput)
        let observations = BundleJSON.resources(bundle, type: "Observation")
        let fissure = try #require(
            observations.first { BundleJSON.identifierValue($0) == Fixture.signedAnnotations[0].annotationID })
        let components = try #require(fissure["component"] as? [[String: Any]])
        func codes(_ component: [String: Any], _ key: String) -> [String] {
            ((component[key] as? [String: Any])?["coding"] as? [[String: Any]] ?? []).compactMap {
                $0["code"] as? String
            }
        }
        #expect(
            components.map { codes($0, "code").first ?? "" } == [
                "annular-fissure.type", "annular-fissure.zones", "annular-fissure.zones", "annular-fissure.side",
                "annular-fissure.thickness",
            ])
        #expect(
            components.map { codes($0, "valueCodeableConcept").first ?? "" } == [
                "annular-fissure.type.radial", "26216008", "annular-fissure.zones.subarticular", "7771000",
                "annular-fissure.thickness.full",
            ])
        let pfirrmann = try #require(
            observations.first { BundleJSON.identifierValue($0) == Fixture.signedAnnotations[2].annotationID })
        #expect(codes(pfirrmann, "code") == ["pfirrmann", "RDES281"])
        let hiz = try #require(
            observations.first { BundleJSON.identifierValue($0) == Fixture.signedAnnotations[1].annotationID })
        let hizComponents = try #require(hiz["component"] as? [[String: Any]])
        #expect(codes(hizComponents[0], "valueCodeableConcept") == ["52101004"])  // present
    }

    @Test("the candidacy Observation is derived from every finding Observation and the report lists it")
    func candidacy() throws {
        let bundle = FHIRBundleBuilder.build(Fixture.signedInput)
        let entries = BundleJSON.entries(bundle)
        func fullUrl(identifier: String) -> String? {
            entries.first {
                BundleJSON.identifierValue($0["resource"] as? [String: Any] ?? [:]) == identifier
            }?["fullUrl"] as? String
        }
        let findingURLs = Fixture.signedAnnotations.compactMap { fullUrl(identifier: $0.annotationID) }
        #expect(findingURLs.count == 3)
        let candidacy = try #require(
            BundleJSON.resources(bundle, type: "Observation").first {
                BundleJSON.identifierValue($0) == "candidacy-\(Fixture.studyUID)"
            })
        let derived = (candidacy["derivedFrom"] as? [[String: Any]] ?? []).compactMap { $0["reference"] as? String }
        #expect(derived == findingURLs)
        let value = try #require(candidacy["valueCodeableConcept"] as? [String: Any])
        #expect(value["text"] as? String == Fixture.signedInput.evaluation?.outcome.rawValue)
        let report = try #require(BundleJSON.resources(bundle, type: "DiagnosticReport").first)
        let results = (report["result"] as? [[String: Any]] ?? []).compactMap { $0["reference"] as? String }
        #expect(results == findingURLs + [fullUrl(identifier: "candidacy-\(Fixture.studyUID)")!])
        #expect(BundleJSON.resources(bundle, type: "Device").count == 1)
        let provenance = try #require(BundleJSON.resources(bundle, type: "Provenance").first)
        let agents = (provenance["agent"] as? [[String: Any]] ?? []).compactMap {
            ($0["who"] as? [String: Any])?["display"] as? String
        }
        #expect(agents == ["dr.okafor", "dr.rivera", "Annulus 0.9.0"])
    }

    @Test("a supporting study's discography travels with the candidacy under the identifiers of its own export")
    func supportingStudy() throws {
        let bundle = FHIRBundleBuilder.build(Fixture.supportedInput)
        let entries = BundleJSON.entries(bundle)
        let discographyID = try #require(Fixture.discography(signed: true).annotations.first?.annotationID)
        let discography = try #require(
            entries.first { BundleJSON.identifierValue($0["resource"] as? [String: Any] ?? [:]) == discographyID })
        let discographyURL = try #require(discography["fullUrl"] as? String)
        let request = discography["request"] as? [String: Any]
        #expect(request?["method"] as? String == "PUT")
        #expect((request?["url"] as? String)?.hasSuffix(discographyID) == true, "conditional update by its id")

        // The fluoroscopy study's own export names the same Observation and ImagingStudy with the same fullUrls.
        let own = ExportInput(
            study: Fixture.discography(signed: true).study, patientID: "PAT-0001",
            series: Fixture.discography(signed: true).series,
            annotations: Fixture.discography(signed: true).annotations, includesDrafts: false, evaluation: nil,
            softwareVersion: "0.9.0", exportedAt: Fixture.exportTime)
        let ownURLs = Set(BundleJSON.entries(FHIRBundleBuilder.build(own)).compactMap { $0["fullUrl"] as? String })
        #expect(ownURLs.contains(discographyURL))
        let studies = BundleJSON.resources(bundle, type: "ImagingStudy")
        #expect(studies.count == 2)
        let studyURLs = entries.filter {
            ($0["resource"] as? [String: Any])?["resourceType"] as? String == "ImagingStudy"
        }.compactMap { $0["fullUrl"] as? String }
        #expect(ownURLs.contains(studyURLs[1]), "the supporting ImagingStudy has its own export's fullUrl")
        let derivedFrom = (discography["resource"] as? [String: Any])?["derivedFrom"] as? [[String: Any]]
        #expect(derivedFrom?.first?["reference"] as? String == studyURLs[1], "derived from its own study")

        let candidacy = try #require(
            BundleJSON.resources(bundle, type: "Observation").first {
                BundleJSON.identifierValue($0) == "candidacy-\(Fixture.studyUID)"
            })
        let derived = (candidacy["derivedFrom"] as? [[String: Any]] ?? []).compactMap { $0["reference"] as? String }
        #expect(derived.count == 4 && derived.last == discographyURL)
        let report = try #require(BundleJSON.resources(bundle, type: "DiagnosticReport").first)
        let results = (report["result"] as? [[String: Any]] ?? []).compactMap { $0["reference"] as? String }
        #expect(!results.contains(discographyURL), "the MR report lists the MR findings and the candidacy")
        #expect(report["status"] as? String == "final")
    }

    @Test("a draft in the supporting study keeps the report preliminary")
    func supportingDraft() throws {
        var input = Fixture.supportedInput
        input.supportingStudies = [Fixture.discography(signed: false)]
        input.includesDrafts = true
        let bundle = FHIRBundleBuilder.build(input)
        let report = try #require(BundleJSON.resources(bundle, type: "DiagnosticReport").first)
        #expect(report["status"] as? String == "preliminary")
        #expect((report["conclusion"] as? String)?.contains("draft") == true)
    }

    @Test("a retracted finding is re-sent as entered-in-error under its fullUrl and left out of the report")
    func retraction() throws {
        let before = BundleJSON.entries(FHIRBundleBuilder.build(Fixture.signedInput))
        let after = FHIRBundleBuilder.build(Fixture.retractedInput)
        let id = Fixture.hizRetraction.annotationID
        func entry(_ entries: [[String: Any]]) -> [String: Any]? {
            entries.first { BundleJSON.identifierValue($0["resource"] as? [String: Any] ?? [:]) == id }
        }
        let old = try #require(entry(before))
        let withdrawn = try #require(entry(BundleJSON.entries(after)))
        #expect(withdrawn["fullUrl"] as? String == old["fullUrl"] as? String)
        let resource = try #require(withdrawn["resource"] as? [String: Any])
        #expect(resource["status"] as? String == "entered-in-error")
        let note = (resource["note"] as? [[String: Any]])?.first?["text"] as? String
        #expect(note == "Retracted by dr.rivera at 2026-03-08T10:00:00.000Z: artefact, not an HIZ")
        #expect(resource["component"] == nil && resource["valueString"] == nil, "no finding value is asserted")
        let url = try #require(withdrawn["fullUrl"] as? String)
        let report = try #require(BundleJSON.resources(after, type: "DiagnosticReport").first)
        #expect(report["status"] as? String == "final", "the remaining findings are all signed")
        let results = (report["result"] as? [[String: Any]] ?? []).compactMap { $0["reference"] as? String }
        #expect(!results.contains(url))
        let native = BundleJSON.object(FindingsDocument.build(Fixture.retractedInput))
        let retracted = native["retractedAnnotations"] as? [[String: Any]]
        #expect(retracted?.count == 1 && retracted?.first?["reason"] as? String == "artefact, not an HIZ")
        #expect((native["annotations"] as? [Any])?.count == 2)
    }

    @Test("name-based UUIDs follow RFC 9562 version 5")
    func uuidV5() {
        // uuid.uuid5(uuid.NAMESPACE_DNS, "python.org") in Python.
        let dns: [UInt8] = [
            0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
        ]
        #expect(NameBasedUUID.uuid(namespace: dns, name: "python.org") == "886313e1-3b8a-5372-9b90-0c9aee199e5d")
    }
}
