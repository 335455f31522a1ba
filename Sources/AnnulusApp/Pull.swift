import Foundation
import Logging
import QueryRetrieve
import TextSafety

/// Where priors are fetched from and how: the PACS, Annulus's own Storage SCP AE title (the C-MOVE destination),
/// the bounds (`annulus pull --pacs …`, `annulus serve --pacs …`; docs/operations.md, "Fetching priors from PACS").
public struct PullSettings: Sendable, Equatable {
    /// The PACS (its calling AE title is Annulus's).
    public var peer: PACSPeer
    /// The AE title the PACS sends the studies to: Annulus's Storage SCP (`annulus serve --dicom-ae`), which the
    /// PACS must know as a modality with this server's address and DICOM port.
    public var destinationAETitle: String
    /// Matches, deadlines and output bounds of the query process.
    public var limits = QueryRetrieveLimits()
    /// The query process (nil: `annulus-dicom-query` beside this executable, or `ANNULUS_DICOM_QUERY`).
    public var executable: String?
    /// Seconds to wait, after a study's C-MOVE ended, for its instances to be indexed.
    public var indexWait: Double = 30

    /// Settings for `peer`, moving to `destinationAETitle` (by default the peer's calling AE title).
    public init(peer: PACSPeer, destinationAETitle: String? = nil) {
        self.peer = peer
        self.destinationAETitle = destinationAETitle ?? peer.callingAETitle
    }
}

/// One study of a retrieve: what the PACS reported for its C-MOVE, and what the store holds after it.
public struct PulledStudy: Sendable, Equatable, Codable {
    /// How it went.
    public enum Outcome: String, Sendable, Equatable, Codable {
        /// Moved, and at least as many instances are indexed as the PACS reported sent.
        case retrieved
        /// Some sub-operations failed (or the move stopped early); what arrived is indexed.
        case partial
        /// Nothing was moved: `message` says why and what to do.
        case failed
        /// The PACS reported success but fewer instances were indexed within the wait.
        case notIndexed = "not-indexed"
    }

    /// The study.
    public var studyInstanceUID: String
    /// The outcome.
    public var outcome: Outcome
    /// The C-MOVE's final status (`0x0000`).
    public var status: String
    /// The status's meaning in words.
    public var statusMeaning: String
    /// Sub-operations completed, as the PACS counted them.
    public var completed: Int
    /// Sub-operations failed.
    public var failed: Int
    /// Sub-operations completed with a warning.
    public var warning: Int
    /// The instances of the study indexed in Annulus after the move.
    public var indexedInstances: Int
    /// What happened, and what to do when it failed (no patient data; the PACS's Error Comment is quoted
    /// escaped).
    public var message: String
}

/// Fetching priors from a PACS: find a patient's studies (C-FIND, Study Root) and retrieve them (C-MOVE) into
/// Annulus's own Storage SCP, then confirm each is indexed. The query process does the network work; the faces
/// (`annulus pull`, `POST /api/pulls`) only translate. Logs name the PACS and counts, never a patient.
public struct Pull: Sendable {
    /// The use cases (the store, the logger).
    public let useCases: UseCases
    /// The PACS and the bounds.
    public let settings: PullSettings

    /// A pull over `useCases` with `settings`.
    public init(useCases: UseCases, settings: PullSettings) {
        self.useCases = useCases
        self.settings = settings
    }

    /// The studies on the PACS matching `query` (at most `settings.limits.maximumMatches`, `truncated` past it).
    public func find(_ query: PACSStudyQuery, by principal: Principal) async throws(AppError) -> FindResult {
        if !query.problems().isEmpty { throw Self.invalid(query) }
        let process = try queryProcess()
        let peer = settings.peer
        let started = Date()
        let result = try await Self.blocking { () throws(PACSError) in try process.find(query, on: peer) }
        useCases.environment.logger.info(
            "PACS query",
            metadata: [
                "pacs": "\(Self.name(peer))", "found": "\(result.studies.count)", "truncated": "\(result.truncated)",
                "rejectedMatches": "\(result.rejectedMatches)", "by": "\(principal)",
                "seconds": "\(String(format: "%.2f", Date().timeIntervalSince(started)))",
            ])
        return result
    }

    /// Moves each study to Annulus's Storage SCP, then waits (at most `settings.indexWait` s) until the store holds
    /// at least the instances the PACS reported sent. One result per study, in order.
    public func retrieve(_ studyUIDs: [String], by principal: Principal) async throws(AppError) -> [PulledStudy] {
        guard !studyUIDs.isEmpty else {
            throw AppError.invalidInput("name at least one study to retrieve", field: "studyUIDs", code: "no-studies")
        }
        guard studyUIDs.count <= PACSStudyQuery.maximumStudyUIDs else {
            throw AppError.invalidInput(
                "at most \(PACSStudyQuery.maximumStudyUIDs) studies at once", field: "studyUIDs",
                code: "too-many-studies")
        }
        if let bad = studyUIDs.first(where: { !DicomValues.isUID($0) }) {
            throw AppError.invalidInput(
                "a study UID is digits and dots, at most 64 characters", field: "studyUIDs", value: bad,
                code: "bad-uid")
        }
        let unique = studyUIDs.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let process = try queryProcess()
        let (peer, destination) = (settings.peer, settings.destinationAETitle)
        let started = Date()
        let moves = try await Self.blocking { () throws(PACSError) in
            try process.move(unique, to: destination, on: peer)
        }
        var results: [PulledStudy] = []
        for move in moves { results.append(try await confirm(move)) }
        let counts = Dictionary(grouping: results, by: \.outcome).mapValues(\.count)
        useCases.environment.logger.info(
            "PACS retrieve",
            metadata: [
                "pacs": "\(Self.name(peer))", "studies": "\(unique.count)", "destination": "\(destination)",
                "outcomes": "\(counts.map { "\($0.key.rawValue)=\($0.value)" }.sorted().joined(separator: ","))",
                "by": "\(principal)", "seconds": "\(String(format: "%.2f", Date().timeIntervalSince(started)))",
            ])
        return results
    }

    // MARK: - Confirming

    private func confirm(_ move: StudyMove) async throws(AppError) -> PulledStudy {
        let expected = move.completed + move.warning
        let store = useCases.environment.store
        let uid = move.studyInstanceUID
        let end = Date().addingTimeInterval(settings.indexWait)
        var indexed = 0
        while true {
            indexed = try await useCases.perform { try store.study(uid: uid)?.instanceCount ?? 0 }
            if indexed >= expected || Date() >= end || expected == 0 { break }
            try? await Task.sleep(for: .milliseconds(200))
        }
        let (outcome, message) = judge(move, indexed: indexed, expected: expected)
        return PulledStudy(
            studyInstanceUID: uid, outcome: outcome, status: move.statusText, statusMeaning: move.meaning,
            completed: move.completed, failed: move.failed, warning: move.warning, indexedInstances: indexed,
            message: message)
    }

    private func judge(_ move: StudyMove, indexed: Int, expected: Int) -> (PulledStudy.Outcome, String) {
        let destination = settings.destinationAETitle
        let comment = move.errorComment.map { " (the PACS says: \($0.terminalSafe))" } ?? ""
        let register =
            "register \(destination) in the PACS as a DICOM modality with this server's address and the port of "
            + "`annulus serve --dicom-port`, and allow it there (docs/operations.md, \"Fetching priors from PACS\")"
        if move.destinationUnknown {
            return (
                .failed, "the PACS does not know the move destination \(destination) (0xA801)\(comment): \(register)"
            )
        }
        if move.completed == 0 && move.warning == 0 && move.failed == 0 && !move.succeeded {
            return (
                .failed,
                "the PACS refused to move the study (\(move.statusText), \(move.meaning))\(comment) and sent nothing: "
                    + "most often it does not know the move destination \(destination) (Orthanc answers so); "
                    + register + "; otherwise see the PACS's log"
            )
        }
        if move.failed > 0 || !move.succeeded {
            return (
                .partial,
                "\(move.completed) sent, \(move.failed) failed (\(move.statusText), \(move.meaning))\(comment); "
                    + "\(indexed) indexed: pull again to fetch the rest (what is indexed is kept once)"
            )
        }
        if indexed < expected {
            return (
                .notIndexed,
                "the PACS sent \(expected) instances but \(indexed) are indexed after \(Int(settings.indexWait)) s: "
                    + "check that `annulus serve --dicom-port` is the destination \(destination) and its log"
            )
        }
        return (.retrieved, "\(expected) instance\(expected == 1 ? "" : "s") sent, \(indexed) indexed")
    }

    // MARK: - Helpers

    private func queryProcess() throws(AppError) -> QueryProcess {
        do {
            return try QueryProcess(executable: settings.executable, limits: settings.limits)
        } catch {
            throw Self.appError(error)
        }
    }

    static func name(_ peer: PACSPeer) -> String { "\(peer.calledAETitle)@\(peer.host):\(peer.port)".terminalSafe }

    static func invalid(_ query: PACSStudyQuery) -> AppError {
        let problems = query.problems()
        let first = problems[0]
        return AppError(
            .invalidInput, code: "bad-query", message: problems.map(\.message).joined(separator: "; "),
            field: first.field,
            problems: problems.map { AppError.Problem(reference: $0.field, message: $0.message) })
    }

    /// The use cases' error for a query process's: codes `pacs-unreachable`, `pacs-rejected`, `pacs-failed`,
    /// `pacs-not-supported` (unavailable; the HTTP face answers 502), `pacs-timeout` (504), `bad-query`,
    /// `query-process-missing`.
    static func appError(_ error: PACSError) -> AppError {
        switch error.kind {
        case .invalidRequest: AppError.invalidInput(error.message, code: "bad-query")
        case .unreachable: AppError.unavailable(error.message, code: "pacs-unreachable")
        case .rejected: AppError.unavailable(error.message, code: "pacs-rejected")
        case .notSupported: AppError.unavailable(error.message, code: "pacs-not-supported")
        case .timedOut: AppError.unavailable(error.message, code: "pacs-timeout")
        case .failed: AppError.unavailable(error.message, code: "pacs-failed")
        case .cannotStart: AppError.internal(error.message, code: "query-process-missing")
        }
    }

    /// Runs blocking network work on a thread of its own (a C-MOVE can take minutes: never on a pool's thread).
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws(PACSError) -> T) async throws(AppError)
        -> T
    {
        switch await onOwnThread(work) {
        case .success(let value): return value
        case .failure(let error): throw appError(error)
        }
    }

    /// The result of blocking PACS work run on a thread of its own, its error kept as the PACS's (a caller with
    /// retries needs `isTransient`).
    static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () throws(PACSError) -> T) async
        -> Result<T, PACSError>
    {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                do throws(PACSError) {
                    continuation.resume(returning: .success(try work()))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
            thread.name = "pacs-query"
            thread.start()
        }
    }
}

extension UseCases {
    /// A pull from the PACS of `settings`.
    public func pull(_ settings: PullSettings) -> Pull { Pull(useCases: self, settings: settings) }
}
