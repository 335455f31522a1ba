import Accounts
import AnnulusApp
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension APIRoutes {
    /// STOW-RS: `POST /dicomweb/studies` and `POST /dicomweb/studies/{studyUID}` with a `multipart/related;
    /// type="application/dicom"` body, streamed part by part into staging files (never held in memory), then
    /// handed to the receive pipeline; answered per PS3.18 10.5.3 in DICOM JSON.
    func addDICOMwebStoreRoutes(to web: RouterGroup<AnnulusRequestContext>) {
        let app = useCases
        let queue = receiving
        let options = options
        web.post("studies") { request, context -> Response in
            try await Self.stow(request, context, study: nil, app: app, queue: queue, options: options)
        }
        web.post("studies/:studyUID") { request, context -> Response in
            let study = try Parameters.uid("studyUID", context)
            return try await Self.stow(request, context, study: study, app: app, queue: queue, options: options)
        }
    }

    static func stow(
        _ request: Request, _ context: AnnulusRequestContext, study: String?, app: UseCases, queue: ReceiveQueue,
        options: ServeOptions
    ) async throws -> Response {
        let principal = try context.require(.storeStudies).principal
        try DICOMweb.requireAccept(request, ["application/dicom+json", "application/json"])
        let boundary = try DICOMweb.stowBoundary(request)
        if let length = request.headers[.contentLength].flatMap({ Int64($0) }), length > options.stowMaximumRequestBytes
        {
            throw DICOMweb.tooLarge("the request body (\(length) bytes)", limit: options.stowMaximumRequestBytes)
        }
        var writer = try STOWStagingWriter(staging: queue.staging, boundary: boundary, options: options)
        do {
            for try await chunk in request.body { try writer.take(chunk) }
            try writer.finish()
        } catch {
            writer.discard()
            if let failure = error as? MultipartRelatedParser.Failure {
                throw APIError(
                    .badRequest, code: "bad-multipart", message: "the body is not multipart/related: \(failure)")
            }
            throw error
        }
        let answer = await app.store(
            writer.parts, inStudy: study, through: queue, baseURL: DICOMweb.baseURL(request, tls: options.tls != nil),
            by: principal)
        return try DICOMweb.json(answer.response, status: HTTPResponse.Status(code: answer.httpStatus))
    }
}

extension DICOMweb {
    /// The boundary of a STOW-RS body: 415 unless the Content-Type is `multipart/related` of `application/dicom`
    /// (the type parameter may be left out), 400 without a usable boundary.
    static func stowBoundary(_ request: Request) throws -> String {
        let value = request.headers[.contentType] ?? ""
        let parameters = value.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
        let type = parameters.first { $0.lowercased().hasPrefix("type=") }.map {
            $0.dropFirst(5).trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased()
        }
        guard parameters.first?.lowercased() == "multipart/related", type == nil || type == "application/dicom" else {
            throw APIError(
                .unsupportedMediaType, code: "unsupported-media-type",
                message: "STOW-RS takes multipart/related; type=\"application/dicom\" (Part 10 files, one per part); "
                    + "DICOM JSON or XML metadata with bulk data is not supported",
                field: "Content-Type", allowed: ["multipart/related; type=\"application/dicom\""])
        }
        guard let boundary = MultipartRelatedParser.boundary(ofContentType: value),
            boundary.utf8.count <= MultipartRelatedParser.maximumBoundaryLength
        else {
            throw APIError(
                .badRequest, code: "bad-multipart", message: "the Content-Type names no boundary (1 to 70 characters)",
                field: "Content-Type")
        }
        return boundary
    }

    static func tooLarge(_ what: String, limit: Int64) -> APIError {
        APIError(
            .contentTooLarge, code: "body-too-large",
            message: "\(what) is larger than this server takes (\(limit) bytes): send fewer or smaller instances per "
                + "request")
    }
}

/// Writes the parts of a STOW-RS body to staging files as the chunks arrive: each `application/dicom` part to its
/// own `.part` file, sealed (durable, renamed `.dcm`) when the part ends; other parts are noted as refused. Limits
/// per part, per request and on the number of parts are checked as bytes arrive (413 as soon as one is passed).
struct STOWStagingWriter {
    private let staging: ReceivedStaging
    private let options: ServeOptions
    private var parser: MultipartRelatedParser
    private var current: (descriptor: Int32, path: String, bytes: Int64)?
    private var skipping = false
    private var total: Int64 = 0
    /// The parts taken so far, in order.
    private(set) var parts: [StagedPart] = []

    init(staging: ReceivedStaging, boundary: String, options: ServeOptions) throws {
        self.staging = staging
        self.options = options
        parser = try MultipartRelatedParser(boundary: boundary)
    }

    mutating func take(_ chunk: ByteBuffer) throws {
        total += Int64(chunk.readableBytes)
        guard total <= options.stowMaximumRequestBytes else {
            throw DICOMweb.tooLarge("the request body", limit: options.stowMaximumRequestBytes)
        }
        for event in try parser.feed(chunk.readableBytesView) {
            switch event {
            case .partBegins(let headers):
                guard parts.count < options.stowMaximumParts else {
                    throw APIError(
                        .contentTooLarge, code: "too-many-parts",
                        message: "a request may hold at most \(options.stowMaximumParts) instances")
                }
                let type = headers.first { $0.name == "content-type" }?.value ?? "application/dicom"
                let mediaType = type.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased()
                if mediaType == "application/dicom" {
                    let file = try staging.create(prefix: "stow")
                    current = (file.descriptor, file.path, 0)
                } else {
                    parts.append(.refused(mediaType: String(mediaType.prefix(64))))
                    skipping = true
                }
            case .data(let bytes):
                guard !skipping, var file = current else { continue }
                file.bytes += Int64(bytes.count)
                current = file
                guard file.bytes <= options.stowMaximumPartBytes else {
                    throw DICOMweb.tooLarge("a part", limit: options.stowMaximumPartBytes)
                }
                try Self.write(bytes, to: file.descriptor)
            case .partEnds:
                if skipping {
                    skipping = false
                } else if let file = current {
                    current = nil
                    close(file.descriptor)
                    parts.append(.file(try staging.seal(file.path)))
                }
            }
        }
    }

    func finish() throws { try parser.finish() }

    /// Deletes every file of a request that failed: the open one and those already sealed.
    mutating func discard() {
        if let file = current {
            close(file.descriptor)
            unlink(file.path)
            current = nil
        }
        for case .file(let path) in parts { unlink(path) }
        parts = []
    }

    private static func write(_ bytes: [UInt8], to descriptor: Int32) throws {
        try bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw AppError.unavailable(
                        "cannot write a received instance to the staging folder: \(String(cString: strerror(errno)))",
                        code: "staging-unavailable")
                }
                offset += written
            }
        }
    }
}
