import AnnulusApp
import Foundation
import Hummingbird
import NIOCore

/// Turns every error into the JSON envelope: use-case errors by kind, Hummingbird's own (unknown route 404,
/// wrong method 405, undecodable body 400, body too large 413), anything else 500 (logged without details from
/// the request). It must be the first middleware, added before any route.
public struct ErrorEnvelopeMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Creates the middleware.
    public init() {}

    /// Runs the rest of the chain and maps what it throws.
    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as AppError {
            if error.kind == .internal {
                context.logger.error("internal error", metadata: ["code": "\(error.code)"])
            }
            throw APIError(error)
        } catch let error as HTTPError {
            let code =
                switch error.status {
                case .notFound: "not-found"
                case .unauthorized: "unauthorized"
                case .badRequest: "bad-request"
                case .methodNotAllowed: "method-not-allowed"
                case .contentTooLarge: "body-too-large"
                default: "http-error"
                }
            throw APIError(error.status, code: code, message: error.body ?? error.status.reasonPhrase)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, code: "body-too-large", message: "the request body is larger than 256 KiB")
        } catch is DecodingError {
            throw APIError(.badRequest, code: "bad-json", message: "the request body is not the expected JSON")
        } catch is CancellationError {
            throw APIError(.serviceUnavailable, code: "cancelled", message: "the request was cancelled")
        } catch {
            // The modules' own errors (accounts, store, DICOM) by kind, as the use cases map them.
            let mapped = AppError(error)
            if mapped.kind == .internal {
                context.logger.error("unexpected error", metadata: ["type": "\(type(of: error))"])
                throw APIError(.internalServerError, code: "internal", message: "internal error; see the server log")
            }
            throw APIError(mapped)
        }
    }
}
