import Hummingbird
import TextSafety

/// One log line per request: method, route template (never the concrete path or query, which may carry a patient
/// ID or an accession number), status and duration, escaped for the terminal.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let route = context.endpointPath ?? "(unmatched)"
            let elapsed = ContinuousClock.now - start
            let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
            let line = "\(request.method.rawValue) \(route) \(status) \((milliseconds * 10).rounded() / 10) ms"
            context.logger.info("\(TerminalText.escaped(line))")
        }
        do {
            let response = try await next(request, context)
            status = response.status.code
            return response
        } catch let error as any HTTPResponseError {
            status = error.status.code
            throw error
        }
    }
}
