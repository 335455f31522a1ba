import AnnulusRecords
import DicomIO
import Foundation
import QueryRetrieve
import Store
import TextSafety

/// Where DICOM SR documents are sent: a PACS (its AE title, host and port; Annulus's calling AE title), and the
/// query process that does the C-STORE (`annulus-dicom-query`, so that a PACS's answers cannot crash Annulus).
public struct PACSDestination: Sendable, Equatable {
    /// The PACS.
    public var peer: PACSPeer
    /// The query process (nil: beside this executable, or `ANNULUS_DICOM_QUERY`).
    public var executable: String?
    /// Its bounds (the store deadline among them).
    public var limits = QueryRetrieveLimits()

    /// A destination.
    public init(peer: PACSPeer, executable: String? = nil) {
        self.peer = peer
        self.executable = executable
    }

    /// How deliveries name it: `dicom://AE@host:port`.
    public var url: String { "dicom://\(peer.calledAETitle)@\(peer.host):\(peer.port)" }

    /// Whether a delivery's target is a PACS (`dicom://`) rather than a FHIR endpoint.
    public static func isPACS(_ url: String) -> Bool { url.hasPrefix("dicom://") }
}

/// Sends a study's SR documents (kept in the outbox folder of the delivery) to a PACS by C-STORE, retried with
/// exponential backoff while the failure is transient (PACS unreachable, timeout, aborted association, 0xA7xx out of
/// resources); given up at once otherwise (rejected association, refused SOP class, a failure status). Every
/// attempt is recorded, as for FHIR deliveries.
struct StructuredReportDelivery {
    var destination: PACSDestination
    var policy: DeliveryPolicy

    /// Delivers every `.dcm` file of `folder`, continuing a delivery's attempt numbering; returns the last attempt.
    func deliver(folder: String, studyUID: String, deliveryID: String, firstAttempt: Int, store: AnnulusStore)
        async throws -> DeliveryAttempt
    {
        let files: [String]
        do {
            // The report first, then the key images.
            files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".dcm") }
                .sorted { ($0.hasSuffix(".sr.dcm") ? 0 : 1, $0) < ($1.hasSuffix(".sr.dcm") ? 0 : 1, $1) }
                .map { folder + "/" + $0 }
        } catch {
            throw BundleDelivery.Unsendable(message: "the outbox folder \(folder) cannot be read; export again")
        }
        guard !files.isEmpty else {
            throw BundleDelivery.Unsendable(message: "the outbox folder \(folder) holds no document; export again")
        }
        return try await policy.attempts(from: firstAttempt, recordingIn: store) { number in
            let (message, outcome) = await send(files)
            return DeliveryAttempt(
                deliveryID: deliveryID, attempt: number, studyUID: studyUID, url: destination.url, outboxPath: folder,
                httpStatus: nil, outcome: outcome, message: message)
        }
    }

    /// One association: a message for people (each file's status; the PACS's comments escaped) and the outcome.
    func send(_ files: [String]) async -> (String, DeliveryAttempt.Outcome) {
        let destination = destination
        let result = await Pull.onOwnThread { () throws(PACSError) in
            try QueryProcess(executable: destination.executable, limits: destination.limits)
                .store(files, on: destination.peer)
        }
        switch result {
        case .failure(let error):
            return (error.message, error.isTransient ? .retry : .failed)
        case .success(let stored):
            let lines = stored.map { file in
                "\((file.path as NSString).lastPathComponent): \(file.statusText) \(file.meaning)"
                    + (file.comment.map { " (\($0.terminalSafe))" } ?? "")
            }
            let message = lines.joined(separator: "; ")
            if stored.count == files.count, stored.allSatisfy(\.isSuccess) { return (message, .delivered) }
            if stored.allSatisfy({ $0.isSuccess || $0.isTransient }) { return (message, .retry) }
            return (message + " (the PACS refused a document; fix and export again)", .failed)
        }
    }
}

extension UseCases {
    /// Keeps the export's documents in the outbox (a folder per delivery) and sends them to the PACS by C-STORE,
    /// retrying under `policy`; every attempt is recorded. A delivery not accepted is a result, not an error.
    public func deliver(
        _ export: StructuredReportExport, to destination: PACSDestination, policy: DeliveryPolicy,
        by principal: Principal
    ) async throws(AppError) -> DeliveryResult {
        let deliveryID = UUID().uuidString.lowercased()
        let folder = environment.dataFolder.outbox + "/" + deliveryID + ".sr"
        _ = try await perform { try export.write(into: folder) }
        let delivery = StructuredReportDelivery(destination: destination, policy: policy)
        return try await sendDelivery {
            try await delivery.deliver(
                folder: folder, studyUID: export.study.studyInstanceUID, deliveryID: deliveryID, firstAttempt: 1,
                store: self.environment.store)
        }
    }

    /// The study's SR export (as `exportStructuredReport`) sent to the PACS: the hand-off to PACS, from the command
    /// line or, when the server is configured to, on every signature.
    public func exportAndDeliverStructuredReport(
        study: String, to destination: PACSDestination, policy: DeliveryPolicy, by principal: Principal
    ) async throws(AppError) -> DeliveryResult {
        let export = try await exportStructuredReport(study: study, includeDrafts: false, by: principal)
        return try await deliver(export, to: destination, policy: policy, by: principal)
    }

    /// Resends a pending PACS delivery (its latest attempt) to `destination`, continuing its attempts; the
    /// destination must be the one the delivery was for.
    func resend(_ pending: DeliveryAttempt, to destination: PACSDestination, policy: DeliveryPolicy)
        async throws(AppError) -> DeliveryResult
    {
        let delivery = StructuredReportDelivery(destination: destination, policy: policy)
        return try await sendDelivery {
            try await delivery.deliver(
                folder: pending.outboxPath, studyUID: pending.studyUID, deliveryID: pending.deliveryID,
                firstAttempt: pending.attempt + 1, store: self.environment.store)
        }
    }
}
