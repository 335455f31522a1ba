import Foundation
import Testing

@testable import Accounts
@testable import Store

@Suite("The audit trail: append-only, filtered reads, JSON Lines")
struct AuditTrailTests {
    @Test("rows are appended with time, actor, action, resources, address, outcome; filters select them")
    func appendAndFilter() throws {
        let fixture = try AccountsFixture()
        defer { fixture.remove() }
        let first = try fixture.audit.record(
            .cliUser("ops"), action: AuditAction.userAdd, resourceType: "account", resourceIDs: ["dr.rivera"],
            outcome: .ok, detail: "role clinician")
        #expect(first.id == 1 && first.actor == "cli-user:ops" && first.at == StoreTimestamp.string(fixture.clock.now))
        fixture.clock.advance(3600)
        try fixture.audit.record(
            .account("dr.rivera"), action: AuditAction.annotationSign, resourceType: "annotation",
            resourceIDs: ["0f8e2d6c-1b1a-4a53-9a59-6f1a2b3c4d5e"], clientAddress: "127.0.0.1", outcome: .forbidden,
            statusCode: 403, detail: String(repeating: "x", count: 900))
        fixture.clock.advance(3600)
        try fixture.audit.record(.anonymous, action: AuditAction.signIn, outcome: .refused, statusCode: 401)

        let all = try fixture.audit.records()
        #expect(all.map(\.id) == [1, 2, 3])
        #expect(all[1].resourceIDs == ["0f8e2d6c-1b1a-4a53-9a59-6f1a2b3c4d5e"] && all[1].statusCode == 403)
        #expect(all[1].detail.count == AuditTrail.maximumDetailLength && all[1].detail.hasSuffix("…"))
        #expect(try fixture.audit.records(AuditFilter(actor: "DR.RIVERA")).map(\.id) == [2])
        #expect(try fixture.audit.records(AuditFilter(action: "user.*")).map(\.id) == [1, 3])
        #expect(try fixture.audit.records(AuditFilter(action: "user.add")).map(\.id) == [1])
        #expect(try fixture.audit.records(AuditFilter(since: all[1].at)).map(\.id) == [2, 3])
        #expect(try fixture.audit.records(AuditFilter(until: all[1].at)).map(\.id) == [1])
        #expect(try fixture.audit.records(AuditFilter(limit: 2)).map(\.id) == [2, 3])

        let lines = String(decoding: AuditTrail.jsonLines(all), as: UTF8.self).split(separator: "\n")
        #expect(lines.count == 3)
        let decoded = try lines.map { try JSONDecoder().decode(AuditRecord.self, from: Data($0.utf8)) }
        #expect(decoded == all)
        #expect(lines[0].hasPrefix("{\"action\":\"user.add\",\"actor\":\"cli-user:ops\""))
    }

    @Test("UPDATE, DELETE and INSERT OR REPLACE of audit rows are refused by the database")
    func appendOnly() throws {
        let fixture = try AccountsFixture()
        defer { fixture.remove() }
        try fixture.audit.record(.cliUser("ops"), action: AuditAction.userAdd, outcome: .ok)
        for sql in [
            "UPDATE audit_log SET actor = 'someone-else'",
            "DELETE FROM audit_log",
            "INSERT OR REPLACE INTO audit_log (id, at, actor, action, outcome) VALUES (1, 'x', 'y', 'z', 'ok')",
            "REPLACE INTO audit_log (id, at, actor, action, outcome) VALUES (1, 'x', 'y', 'z', 'ok')",
            "INSERT INTO audit_log (id, at, actor, action, outcome) VALUES (1, 'x', 'y', 'z', 'ok') ON CONFLICT(id) DO UPDATE SET actor = 'y'",
        ] {
            let error = #expect(throws: StoreError.self, "\(sql)") { try fixture.store.executeRawSQL(sql) }
            #expect(error?.description.contains("audit_log is append-only") == true, "\(error?.description ?? "")")
        }
        let rows = try fixture.audit.records()
        #expect(rows.count == 1 && rows[0].actor == "cli-user:ops")
        #expect(throws: StoreError.self, "outcomes are checked") {
            try fixture.store.executeRawSQL(
                "INSERT INTO audit_log (at, actor, action, outcome) VALUES ('x', 'y', 'z', 'maybe')")
        }
    }
}
