import AnnulusRecords
import DicomIO
import Foundation
import Store

/// One delivery's result: its attempts (this run's and earlier ones) and the last.
public struct DeliveryResult: Sendable, Equatable {
    /// The delivery's id.
    public var deliveryID: String
    /// Every attempt of the delivery so far, oldest first.
    public var attempts: [DeliveryAttempt]
    /// The last attempt: delivered, left to retry or refused.
    public var last: DeliveryAttempt
}

/// What resending one pending delivery did.
public enum ResendOutcome: Sendable, Equatable {
    /// It was sent again (delivered, still pending or refused: see the result).
    case sent(DeliveryResult)
    /// It cannot be resent (its outbox file is gone or unreadable); the others still are.
    case unsendable(deliveryID: String, message: String)
}

/// A delivery as the faces list it, without patient names or IDs: the target's password shown as `***`, and a
/// Patient ID that an endpoint echoed in its answer shown as `[patient ID]`. Every key is always encoded (`null`
/// when unknown).
public struct DeliveryView: Sendable, Encodable, Equatable {
    /// One attempt.
    public struct Attempt: Sendable, Encodable, Equatable {
        /// 1, 2, 3, …
        public var attempt: Int
        /// When.
        public var at: String
        /// delivered, retry or failed.
        public var outcome: String
        /// The HTTP status, when a response came.
        public var httpStatus: Int?
        /// The endpoint's answer or the error (redacted).
        public var message: String

        enum CodingKeys: String, CodingKey { case attempt, at, outcome, httpStatus, message }

        /// Encodes every key, `null` included.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(attempt, forKey: .attempt)
            try container.encode(at, forKey: .at)
            try container.encode(outcome, forKey: .outcome)
            try container.encode(httpStatus, forKey: .httpStatus)
            try container.encode(message, forKey: .message)
        }
    }

    /// The delivery's id.
    public var id: String
    /// The study.
    public var studyUID: String
    /// Its accession number, when known.
    public var accession: String?
    /// The target, without its password.
    public var url: String
    /// pending, delivered or failed.
    public var state: String
    /// The Bundle kept in the outbox.
    public var outbox: String
    /// Every attempt, oldest first.
    public var attempts: [Attempt]

    enum CodingKeys: String, CodingKey { case id, studyUID, accession, url, state, outbox, attempts }

    /// Encodes every key, `null` included.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(studyUID, forKey: .studyUID)
        try container.encode(accession, forKey: .accession)
        try container.encode(url, forKey: .url)
        try container.encode(state, forKey: .state)
        try container.encode(outbox, forKey: .outbox)
        try container.encode(attempts, forKey: .attempts)
    }

    /// The view of a delivery of `study` (attempts with the study's Patient ID, if an endpoint echoed it,
    /// replaced).
    init(_ record: DeliveryRecord, study: StudySummary?) {
        let patientID = study?.patientID ?? ""
        id = record.deliveryID
        studyUID = record.studyUID
        accession = study?.accessionNumber
        url = Self.withoutPassword(record.url)
        state = record.state.rawValue
        outbox = record.outboxPath
        attempts = record.attempts.map { attempt in
            Attempt(
                attempt: attempt.attempt, at: attempt.attemptedAt, outcome: attempt.outcome.rawValue,
                httpStatus: attempt.httpStatus, message: Self.redacted(attempt.message, patientID: patientID))
        }
    }

    /// `url` with a password in its user part (`https://user:secret@host/`) shown as `***`.
    public static func withoutPassword(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }

    /// `text` with every occurrence of `patientID` replaced by "[patient ID]" (IDs shorter than 3 characters are
    /// left: they would only garble status codes and numbers).
    public static func redacted(_ text: String, patientID: String) -> String {
        patientID.count < 3 ? text : text.replacingOccurrences(of: patientID, with: "[patient ID]")
    }
}

extension UseCases {
    /// Keeps the document (a FHIR Bundle) in the outbox of the data folder and delivers it to `url` with the
    /// bearer `token`, retrying under `policy`; every attempt is recorded. A delivery not accepted is a result
    /// (pending or failed), not an error.
    public func deliver(
        _ document: ExportDocument, to url: URL, token: String?, policy: DeliveryPolicy, by principal: Principal
    ) async throws(AppError) -> DeliveryResult {
        let outbox = environment.dataFolder.outbox
        let deliveryID = UUID().uuidString.lowercased()
        let outboxPath = outbox + "/" + deliveryID + ".fhir.json"
        try await perform {
            try FileManager.default.createDirectory(atPath: outbox, withIntermediateDirectories: true)
            try AtomicFile.write(document.data, to: outboxPath)
        }
        let delivery = BundleDelivery(url: url, token: token, policy: policy)
        return try await sendDelivery {
            try await delivery.deliver(
                outboxPath: outboxPath, studyUID: document.study.studyInstanceUID, deliveryID: deliveryID,
                firstAttempt: 1, store: self.environment.store)
        }
    }

    /// The study's FHIR Bundle (as `export`) kept in the outbox and delivered to `url`, the endpoint the caller
    /// was configured with (`annulus serve --fhir-endpoint`), under `policy`: the hand-off from the reading room.
    /// Only FHIR is sent; a delivery not accepted is a result (left to retry, or refused), not an error.
    public func exportAndDeliver(
        _ request: ExportRequest, to url: URL, token: String?, policy: DeliveryPolicy, by principal: Principal
    ) async throws(AppError) -> DeliveryResult {
        guard request.format == .fhir else {
            throw AppError.invalidInput(
                "only FHIR Bundles are delivered: export the native findings document instead", field: "format",
                value: request.format.rawValue, allowed: [ExportFormat.fhir.rawValue], code: "bad-format")
        }
        let document = try await export(request, by: principal)
        return try await deliver(document, to: url, token: token, policy: policy, by: principal)
    }

    /// The latest attempt of each delivery left to retry, oldest delivery first.
    public func pendingDeliveries(by principal: Principal) async throws(AppError) -> [DeliveryAttempt] {
        try await perform { try self.environment.store.pendingDeliveries() }
    }

    /// Resends one pending delivery (its latest attempt, from `pendingDeliveries`), continuing its attempts. One
    /// that cannot be resent (its outbox file gone or unreadable) is reported as such, not thrown; a target that
    /// is not a URL is reported the same way.
    public func resend(
        _ pending: DeliveryAttempt, token: String?, pacs: PACSDestination? = nil, policy: DeliveryPolicy,
        by principal: Principal
    ) async throws(AppError) -> ResendOutcome {
        if PACSDestination.isPACS(pending.url) {
            guard let pacs, pacs.url == pending.url else {
                return .unsendable(
                    deliveryID: pending.deliveryID,
                    message: "it goes to the PACS \(pending.url): give that PACS (--pacs HOST:PORT --pacs-ae AE)")
            }
            do throws(AppError) {
                return .sent(try await resend(pending, to: pacs, policy: policy))
            } catch  where error.code == "unsendable" {
                return .unsendable(deliveryID: pending.deliveryID, message: error.message)
            }
        }
        guard let url = URL(string: pending.url) else {
            return .unsendable(deliveryID: pending.deliveryID, message: "its target is not a URL")
        }
        let delivery = BundleDelivery(url: url, token: token, policy: policy)
        do throws(AppError) {
            return .sent(
                try await sendDelivery {
                    try await delivery.deliver(
                        outboxPath: pending.outboxPath, studyUID: pending.studyUID, deliveryID: pending.deliveryID,
                        firstAttempt: pending.attempt + 1, store: self.environment.store)
                })
        } catch  where error.code == "unsendable" {
            return .unsendable(deliveryID: pending.deliveryID, message: error.message)
        }
    }

    /// Every delivery (of one study, in one state, when asked), oldest first, as the faces list them.
    public func deliveries(study: String?, state: DeliveryRecord.State?, by principal: Principal)
        async throws(AppError) -> [DeliveryView]
    {
        try await perform {
            let store = self.environment.store
            let studies = Dictionary(
                try store.studies().map { ($0.studyInstanceUID, $0) }, uniquingKeysWith: { first, _ in first })
            let studyUID = try study.map { try store.resolveStudy($0).studyInstanceUID }
            return try store.deliveries(studyUID: studyUID).filter { state == nil || $0.state == state }.map {
                DeliveryView($0, study: studies[$0.studyUID])
            }
        }
    }

    /// Runs one delivery (to a FHIR endpoint or a PACS) and gathers its attempts.
    func sendDelivery(_ body: () async throws -> DeliveryAttempt) async throws(AppError) -> DeliveryResult {
        do {
            let last = try await body()
            let attempts = try environment.store.deliveryAttempts().filter { $0.deliveryID == last.deliveryID }
            // The endpoint's answer is not logged: it may quote the patient.
            environment.logger.info(
                "delivery \(last.deliveryID.prefix(8)): \(last.outcome.rawValue) after attempt \(last.attempt)",
                metadata: ["httpStatus": "\(last.httpStatus.map(String.init) ?? "none")"])
            return DeliveryResult(deliveryID: last.deliveryID, attempts: attempts, last: last)
        } catch let error as BundleDelivery.Unsendable {
            throw AppError.unavailable(error.message, code: "unsendable")
        } catch {
            throw AppError(error)
        }
    }
}
