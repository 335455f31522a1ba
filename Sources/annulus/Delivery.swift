import AnnulusRecords
import Foundation
import Store
import TextSafety

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Sends an exported Bundle to a FHIR endpoint: POST with a bearer token, retried with exponential backoff on
/// timeouts, connection errors, 408, 429 and 5xx; given up at once on other 4xx (the same bytes would be refused
/// again). Every attempt is recorded in the store.
struct BundleDelivery {
    var url: URL
    var token: String?
    var maxAttempts: Int
    var firstBackoff: Double
    var timeout: Double

    /// The largest token file accepted (a bearer token is a few KiB at most).
    static let tokenLimit = 64 * 1024
    /// The largest outbox Bundle sent (the export writes it; a study's findings Bundle is far smaller).
    static let outboxLimit = 256 * BoundedFile.mebibyte

    /// Reads a bearer token from a file (surrounding whitespace ignored); the token never appears in output. A file
    /// that cannot be used is a refused request (exit 2), like any other file named on the command line.
    static func token(from path: String?) throws -> String? {
        guard let path else { return nil }
        let text: String
        do { text = try BoundedFile.readText(path: path, limit: tokenLimit, what: "token file") } catch {
            throw RequestRefused(error.description)
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw RequestRefused("the token file \(path.terminalSafe) holds only white space") }
        return token
    }

    /// Delivers `outboxPath`'s bytes, continuing a delivery's attempt numbering, and returns the last attempt.
    func deliver(
        outboxPath: String, studyUID: String, deliveryID: String, firstAttempt: Int, store: AnnulusStore
    ) async throws -> DeliveryAttempt {
        let body: Data
        do { body = Data(try BoundedFile.read(path: outboxPath, limit: Self.outboxLimit, what: "outbox file")) } catch {
            throw DeliveryError(error.description + "; export again")
        }
        var attemptNumber = firstAttempt
        var delay = firstBackoff
        while true {
            let (status, message, outcome) = await send(body)
            let attempt = DeliveryAttempt(
                deliveryID: deliveryID, attempt: attemptNumber, studyUID: studyUID, url: url.absoluteString,
                outboxPath: outboxPath, httpStatus: status, outcome: outcome, message: message)
            try store.recordDeliveryAttempt(attempt)
            if outcome != .retry || attemptNumber - firstAttempt + 1 >= maxAttempts { return attempt }
            try await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
            delay *= 2
            attemptNumber += 1
        }
    }

    /// One POST: the HTTP status (when a response came), a message for people, and what to do next.
    func send(_ body: Data) async -> (Int?, String, DeliveryAttempt.Outcome) {
        var request = URLRequest(url: url, timeoutInterval: timeout)
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

/// A delivery problem the user can act on.
struct DeliveryError: Error, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}
