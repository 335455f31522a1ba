import Foundation
import Logging
import Store

/// What happens when a study completes (previews, pre-triage, export): supplied by the application.
public protocol StudyCompletionHandler: Sendable {
    /// Does the completion work for the study and returns a one-line summary for the log and `status`.
    /// Thrown errors are recorded; the study is still marked complete (it is not retried forever).
    func completeStudy(_ studyUID: String) throws -> String
}

/// Completes studies from the state kept in the store, so that a restart resumes them.
///
/// A study is complete when no new instance has arrived for `quietSeconds` and, where its headers announce
/// how many instances it has (Number of Study Related Instances), that many have arrived. A count that is
/// never met does not hold a study forever: after `countPatience` seconds of quiet it completes with a
/// warning.
public struct StudyCompletion: Sendable {
    /// The store holding each study's arrival clock.
    public let store: AnnulusStore
    /// Seconds without a new instance.
    public var quietSeconds: Double
    /// Seconds of quiet after which an unmet announced count no longer holds the study back.
    public var countPatience: Double
    /// The work to do.
    public let handler: any StudyCompletionHandler
    /// Structured logs.
    public var logger: Logger

    /// Creates the completion stage.
    public init(
        store: AnnulusStore, quietSeconds: Double, countPatience: Double? = nil, handler: any StudyCompletionHandler,
        logger: Logger = Logger(label: "annulus.watch")
    ) {
        self.store = store
        self.quietSeconds = quietSeconds
        self.countPatience = countPatience ?? max(600, quietSeconds * 10)
        self.handler = handler
        self.logger = logger
    }

    /// Completes every study that is due at `now` (one by one; `shouldStop` is checked between studies) and
    /// returns their UIDs.
    @discardableResult
    public func completeDue(now: Double = Date().timeIntervalSince1970, shouldStop: () -> Bool = { false }) throws
        -> [String]
    {
        var completed: [String] = []
        for study in try store.studiesDue(quietSince: now - quietSeconds) {
            if shouldStop() { break }
            var note = ""
            if let expected = study.expectedInstances, study.instancesReceived < expected {
                guard now - study.lastArrival >= countPatience else { continue }
                note = " (the headers announce \(expected) instances, \(study.instancesReceived) arrived)"
            }
            var summary: String
            do {
                summary = try handler.completeStudy(study.studyUID) + note
            } catch {
                summary = "completion failed: \(error)" + note
                try? store.recordWatchEvent(kind: "error", message: "study \(study.studyUID): \(summary)")
                logger.error("study completion failed", metadata: ["study": "\(study.studyUID)", "error": "\(error)"])
            }
            if try store.completeStudy(study.studyUID, lastArrival: study.lastArrival, summary: summary) {
                completed.append(study.studyUID)
                logger.info("study complete", metadata: ["study": "\(study.studyUID)", "summary": "\(summary)"])
            }
        }
        return completed
    }
}
