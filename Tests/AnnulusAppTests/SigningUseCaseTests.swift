import AnnulusApp
import AnnulusRecords
import Foundation
import Store
import Testing

@Suite("Use cases: signing one, many, a study's drafts, and adding signed, in process")
struct SigningUseCaseTests {
    @Test("several findings by id or prefix are signed in one batch by the principal; an id named twice once")
    func signMany() async throws {
        let fixture = try await AppFixture()
        let first = try await fixture.add("ACC-MR-0001", "L4-L5", "pfirrmann", ["grade=3"])
        let second = try await fixture.add("ACC-MR-0001", "L5-S1", "pfirrmann", ["grade=2"])
        let signed = try await fixture.useCases.sign(
            [first.annotationID, String(second.annotationID.prefix(8)), first.annotationID], by: AppFixture.colleague)
        #expect(signed.map(\.annotationID) == [first.annotationID, second.annotationID])
        #expect(signed.allSatisfy { $0.status == .signed && $0.signedBy == "dr.lindqvist" && $0.version == 2 })
    }

    @Test("when one cannot be signed none is: a conflict naming each reference and why")
    func signRefused() async throws {
        let fixture = try await AppFixture()
        let draft = try await fixture.add("ACC-MR-0001", "L4-L5", "pfirrmann", ["grade=3"])
        let done = try await fixture.add("ACC-MR-0001", "L5-S1", "pfirrmann", ["grade=2"])
        _ = try await fixture.useCases.sign([done.annotationID], by: AppFixture.clinician)
        let error = await AppFixture.error {
            try await fixture.useCases.sign(
                [draft.annotationID, done.annotationID, "9999ffff"], by: AppFixture.clinician)
        }
        #expect(error?.kind == .conflict && error?.code == "cannot-sign")
        #expect(error?.problems.map(\.reference) == [done.annotationID, "9999ffff"])
        #expect(error?.problems.first?.message.hasPrefix("already signed (version 2 by dr.okafor") == true)
        #expect(error?.message.hasPrefix("nothing was signed: 2 of 3 finding(s) cannot be signed:") == true)
        let latest = try await fixture.useCases.finding(id: draft.annotationID, by: AppFixture.clinician)
        #expect(latest.version.status == .draft, "the signable one was not signed either")
    }

    @Test("a study's drafts are listed, then exactly those versions signed; one changed since refuses the batch")
    func signDrafts() async throws {
        let fixture = try await AppFixture()
        let first = try await fixture.add("ACC-MR-0001", "L4-L5", "pfirrmann", ["grade=3"])
        try await fixture.add("ACC-MR-0001", "L5-S1", "pfirrmann", ["grade=2"])
        let listed = try await fixture.useCases.drafts(ofStudy: "ACC-MR-0001", by: AppFixture.clinician)
        #expect(listed.drafts.count == 2 && listed.study.accessionNumber == "ACC-MR-0001")
        _ = try await fixture.useCases.amendFinding(
            AmendFindingRequest(id: first.annotationID, fields: ["grade=4"]), by: AppFixture.colleague)
        let changed = await AppFixture.error {
            try await fixture.useCases.signDrafts(listed.drafts, by: AppFixture.clinician)
        }
        #expect(changed?.kind == .conflict && changed?.code == "version-changed")
        let again = try await fixture.useCases.drafts(ofStudy: "ACC-MR-0001", by: AppFixture.clinician)
        let signed = try await fixture.useCases.signDrafts(again.drafts, by: AppFixture.clinician)
        #expect(signed.count == 2 && signed.allSatisfy(\.isSigned))
        let none = try await fixture.useCases.drafts(ofStudy: "ACC-MR-0001", by: AppFixture.clinician)
        #expect(none.drafts.isEmpty)
    }

    @Test("add with sign writes the draft and its signature by the author in one step")
    func addSigned() async throws {
        let fixture = try await AppFixture()
        let change = try await fixture.useCases.addFinding(
            NewFindingRequest(study: "ACC-MR-0001", level: "L4-L5", kind: "hiz", fields: ["present=yes"], sign: true),
            by: AppFixture.clinician)
        #expect(change.version.version == 2 && change.version.signedBy == "dr.okafor")
        let history = try await fixture.useCases.history(id: change.version.annotationID, by: AppFixture.clinician)
        #expect(history.map(\.status) == [.draft, .signed])
    }

    /// Signs as the lower-cased name of a listed clinician; refuses anyone else (as accounts will).
    struct ClinicianAccounts: SignerPolicy {
        func signer(for principal: Principal, annotations: [String], store: AnnulusStore) throws -> String {
            guard principal.name.lowercased() == "dr.okafor" else {
                throw AppError(.forbidden, code: "not-allowed-to-sign", message: "\(principal.name) may not sign")
            }
            return principal.name.lowercased()
        }
    }

    @Test("the environment's signer policy names the signer of every signing use case, or refuses before any")
    func signerPolicy() async throws {
        let fixture = try await AppFixture()
        let environment = try AppEnvironment(
            store: fixture.store, dataFolder: fixture.dataFolder, signerPolicy: ClinicianAccounts())
        let useCases = UseCases(environment)
        let draft = try await fixture.add("ACC-MR-0001", "L4-L5", "pfirrmann", ["grade=3"])
        let refused = await AppFixture.error { try await useCases.sign([draft.annotationID], by: .cliUser("intruder")) }
        #expect(refused?.kind == .forbidden && refused?.isRefusal == true)
        let listed = try await useCases.drafts(ofStudy: "ACC-MR-0001", by: .cliUser("intruder"))
        let refusedDrafts = await AppFixture.error {
            try await useCases.signDrafts(listed.drafts, by: .cliUser("intruder"))
        }
        #expect(refusedDrafts?.kind == .forbidden)
        let refusedAdd = await AppFixture.error {
            try await useCases.addFinding(
                NewFindingRequest(
                    study: "ACC-MR-0001", level: "L5-S1", kind: "hiz", fields: ["present=no"], sign: true),
                by: .cliUser("intruder"))
        }
        #expect(refusedAdd?.kind == .forbidden)
        let stillDraft = try await useCases.finding(id: draft.annotationID, by: .watcher)
        #expect(stillDraft.version.status == .draft)
        let studyFindings = try await useCases.findings(ofStudy: "ACC-MR-0001", includeRetracted: true, by: .watcher)
        #expect(studyFindings.items.count == 1, "the refused add wrote nothing")

        let signed = try await useCases.sign([draft.annotationID], by: .cliUser("Dr.Okafor"))
        #expect(signed.first?.signedBy == "dr.okafor", "the policy's name is the one recorded")
    }
}
