import Foundation
import Logging
import Store

/// What a study's completion did.
public struct StudyCompletionReport: Sendable, Equatable, Codable {
    /// One line for the log and `status`.
    public var summary: String
    /// Set when part of the work failed: a reason code (`previews-failed`, `completion-failed`,
    /// `completion-crashed`, `completion-timeout`); the study is then marked failed.
    public var failure: String?
    /// What failed, one line each (a preview's file and reason), for the event log. Never patient names or IDs.
    public var problems: [String]

    /// Creates a report.
    public init(summary: String, failure: String? = nil, problems: [String] = []) {
        self.summary = summary
        self.failure = failure
        self.problems = problems
    }
}

/// Thrown by a completion handler when the work failed for a reason that passes (a full disk): the study stays
/// pending, the attempt is not counted, and the watcher tries again later instead of marking the study failed.
public struct CompletionDeferred: Error, Sendable, CustomStringConvertible {
    /// Why, for people (no file names).
    public var reason: String

    /// Creates the error.
    public init(reason: String) { self.reason = reason }

    /// "study completion deferred: REASON".
    public var description: String { "study completion deferred: \(reason)" }

    /// True when `text` (an error's description) says the disk or quota is full.
    public static func isDiskFull(_ text: String) -> Bool {
        text.contains("No space left on device") || text.contains("Disk quota exceeded")
    }
}

/// What happens when a study completes (previews, pre-triage, export): supplied by the application.
public protocol StudyCompletionHandler: Sendable {
    /// Does the completion work for the study and reports it. A thrown error fails the study
    /// (`completion-failed`); either way it is not retried until a new instance arrives.
    func completeStudy(_ studyUID: String) throws -> StudyCompletionReport
}

/// Completes studies from the state kept in the store, so that a restart resumes them.
///
/// A study is complete when no new instance has arrived for `quietSeconds` and, where its headers announce
/// how many instances it has (Number of Study Related Instances), that many have arrived. A count that is
/// never met does not hold a study forever: after `countPatience` seconds of quiet it completes with a
/// warning. A completion that fails marks the study failed with its reason; one that was started
/// `maximumAttempts` times without finishing (the process died each time) is marked `completion-crashed`
/// without being tried again, so one study cannot stop every other.
public struct StudyCompletion: Sendable {
    /// The store holding each study's arrival clock.
    public let store: AnnulusStore
    /// Seconds without a new instance.
    public var quietSeconds: Double
    /// Seconds of quiet after which an unmet announced count no longer holds the study back.
    public var countPatience: Double
    /// Completions started without finishing after which a study is given up as crashing.
    public var maximumAttempts: Int
    /// The work to do.
    public let handler: any StudyCompletionHandler
    /// Structured logs.
    public var logger: Logger

    /// The most problem lines recorded as events per study.
    public static let problemsRecorded = 20

    /// Creates the completion stage.
    public init(
        store: AnnulusStore, quietSeconds: Double, countPatience: Double? = nil, maximumAttempts: Int = 3,
        handler: any StudyCompletionHandler, logger: Logger = Logger(label: "annulus.watch")
    ) {
        self.store = store
        self.quietSeconds = quietSeconds
        self.countPatience = countPatience ?? max(600, quietSeconds * 10)
        self.maximumAttempts = max(1, maximumAttempts)
        self.handler = handler
        self.logger = logger
    }

    /// When `study` becomes due (seconds since 1970): after `quietSeconds` without a new instance, or, while an
    /// announced instance count has not arrived, after `countPatience` seconds of quiet.
    public func dueAt(_ study: WatchStudy) -> Double {
        if let expected = study.expectedInstances, study.instancesReceived < expected {
            return study.lastArrival + max(quietSeconds, countPatience)
        }
        return study.lastArrival + quietSeconds
    }

    /// When each study still pending becomes due (see `dueAt`).
    public func pendingDue() throws -> [Double] {
        try store.studiesDue(quietSince: .greatestFiniteMagnitude).map(dueAt)
    }

    /// Completes every study that is due at `now` (one by one; `shouldStop` is checked between studies) and
    /// returns their UIDs (failed ones included: they are done with until a new instance arrives).
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
            let attempt = try store.beginCompletion(study.studyUID)
            var report: StudyCompletionReport
            if attempt > maximumAttempts {
                report = StudyCompletionReport(
                    summary: "the completion was started \(attempt - 1) times and never finished (the watcher "
                        + "stopped during it each time); not tried again until a new instance arrives",
                    failure: "completion-crashed")
            } else {
                do {
                    report = try handler.completeStudy(study.studyUID)
                } catch let deferred as CompletionDeferred {
                    // Not the study's fault: it stays pending, and this attempt does not count towards giving up.
                    try? store.endCompletionAttempt(study.studyUID)
                    throw deferred
                } catch {
                    report = StudyCompletionReport(summary: "completion failed: \(error)", failure: "completion-failed")
                }
            }
            report.summary += note
            for problem in report.problems.prefix(Self.problemsRecorded) {
                try? store.recordWatchEvent(kind: "error", message: "study \(study.studyUID): \(problem)")
            }
            if report.problems.count > Self.problemsRecorded {
                try? store.recordWatchEvent(
                    kind: "error",
                    message: "study \(study.studyUID): \(report.problems.count - Self.problemsRecorded) more problem(s)"
                )
            }
            if try store.completeStudy(
                study.studyUID, lastArrival: study.lastArrival, summary: report.summary, failure: report.failure)
            {
                completed.append(study.studyUID)
                if let failure = report.failure {
                    logger.error(
                        "study completion failed",
                        metadata: [
                            "study": "\(study.studyUID)", "failure": "\(failure)", "summary": "\(report.summary)",
                        ])
                } else {
                    logger.info(
                        "study complete", metadata: ["study": "\(study.studyUID)", "summary": "\(report.summary)"])
                }
            }
        }
        return completed
    }
}
