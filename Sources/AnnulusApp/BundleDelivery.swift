import AnnulusRecords
import Foundation
import Store
import TextSafety

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// How a Bundle is sent: attempts, backoff and the timeout of one request.
public struct DeliveryPolicy: Sendable, Equatable {
    /// Attempts per delivery (this run) before leaving it pending.
    public var maxAttempts: Int
    /// Seconds before the first retry, doubled each time.
    public var firstBackoff: Double
    /// Seconds one POST may take.
    public var timeout: Double

    /// Creates a policy (defaults: 4 attempts, 1 s, 30 s).
    public init(maxAttempts: Int = 4, firstBackoff: Double = 1, timeout: Double = 30) {
        self.maxAttempts = maxAttempts
        self.firstBackoff = firstBackoff
        self.timeout = timeout
    }
}

extension DeliveryPolicy {
    /// Makes attempts numbered from `first` until one is not left to retry or `maxAttempts` were made, waiting
    /// `firstBackoff` seconds before the first retry and twice as long before each next; records every attempt in
    /// `store` and returns the last. The same for every kind of delivery (FHIR Bundle, DICOM SR to a PACS).
    func attempts(
        from first: Int, recordingIn store: AnnulusStore, _ attempt: (_ number: Int) async -> DeliveryAttempt
    ) async throws -> DeliveryAttempt {
        var number = first
        var delay = firstBackoff
        while true {
            let made = await attempt(number)
            try store.recordDeliveryAttempt(made)
            if made.outcome != .retry || number - first + 1 >= maxAttempts { return made }
            try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
            delay *= 2
            number += 1
        }
    }
}

/// Sends an exported Bundle to a FHIR endpoint: POST with a bearer token, retried with exponential backoff on
/// timeouts, connection errors, 408, 429 and 5xx; given up at once on other 4xx (the same bytes would be refused
/// again). Every attempt is recorded in the store.
struct BundleDelivery {
    var url: URL
    var token: String?
    var policy: DeliveryPolicy

    /// The largest outbox Bundle sent (the export writes it; a study's findings Bundle is far smaller).
    static let outboxLimit = 256 * BoundedFile.mebibyte

    /// The outbox file cannot be sent (gone, unreadable): this delivery cannot be resent.
    struct Unsendable: Error {
        var message: String
    }

    /// Delivers `outboxPath`'s bytes, continuing a delivery's attempt numbering, and returns the last attempt.
    func deliver(
        outboxPath: String, studyUID: String, deliveryID: String, firstAttempt: Int, store: AnnulusStore
    ) async throws -> DeliveryAttempt {
        let body: Data
        do { body = Data(try BoundedFile.read(path: outboxPath, limit: Self.outboxLimit, what: "outbox file")) } catch {
            throw Unsendable(message: error.description + "; export again")
        }
        return try await policy.attempts(from: firstAttempt, recordingIn: store) { number in
            let (status, message, outcome) = await send(body)
            return DeliveryAttempt(
                deliveryID: deliveryID, attempt: number, studyUID: studyUID, url: url.absoluteString,
                outboxPath: outboxPath, httpStatus: status, outcome: outcome, message: message)
        }
    }

    /// One POST: the HTTP status (when a response came), a message for people, and what to do next.
    func send(_ body: Data) async -> (Int?, String, DeliveryAttempt.Outcome) {
        var request = URLRequest(url: url, timeoutInterval: policy.timeout)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/fhir+json", forHTTPHeaderField: "Content-Type")
        request.setValue("application/fhir+json", forHTTPHeaderField: "Accept")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        let session = URLSession(configuration: .ephemeral)
        defer { session.finishTasksAndInvalidate() }
        do {
            let (data, response) = try await withCheckedThrowingContinuation {
                (continuation: CheckedContinuation<(Data, URLResponse?), any Error>) in
                session.dataTask(with: request) { data, response, error in
                    if let error {
                        continuation.resume(throwing: error)
                    } else {
                        continuation.resume(returning: (data ?? Data(), response))
                    }
                }.resume()
            }
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            let text = String(decoding: data.prefix(400), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            let message = "HTTP \(status)" + (text.isEmpty ? "" : ": \(text)")
            switch status {
            case 200..<300: return (status, message, .delivered)
            case 408, 429, 500..<600: return (status, message, .retry)
            default: return (status, message + " (the endpoint refused the Bundle; fix and export again)", .failed)
            }
        } catch {
            return (nil, "no response: \(error.localizedDescription)", .retry)
        }
    }
}
