import Accounts
import AnnulusApp
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import _NIOFileSystem

extension APIRoutes {
    /// WADO-RS: study, series and instance retrieval as `multipart/related; type="application/dicom"` (the archived
    /// Part 10 files as stored, streamed from disk), their metadata as DICOM JSON, and rendered frames as PNG.
    func addDICOMwebRetrieveRoutes(to web: RouterGroup<AnnulusRequestContext>) {
        let app = useCases
        let tls = options.tls != nil
        let instance = "studies/:studyUID/series/:seriesUID/instances/:instanceUID"
        for path in ["studies/:studyUID", "studies/:studyUID/series/:seriesUID", instance] {
            web.get(RouterPath(path)) { request, context -> Response in
                let principal = try context.require(.viewStudies).principal
                try DICOMweb.requireMultipartDICOM(request)
                let files = try await app.storedFiles(of: try DICOMweb.target(context), by: principal)
                return DICOMweb.multipart(files)
            }
            web.get(RouterPath(path + "/metadata")) { request, context -> Response in
                let principal = try context.require(.viewStudies).principal
                try DICOMweb.requireAccept(request, ["application/dicom+json", "application/json"])
                let objects = try await app.metadata(
                    of: try DICOMweb.target(context), baseURL: DICOMweb.baseURL(request, tls: tls), by: principal)
                var body = ByteBuffer(string: "[")
                for (index, object) in objects.enumerated() {
                    if index > 0 { body.writeString(",") }
                    body.writeBytes(object)
                }
                body.writeString("]")
                return Response(
                    status: .ok,
                    headers: [.contentType: dicomJSONMediaType, .contentLength: String(body.readableBytes)],
                    body: .init(byteBuffer: body))
            }
        }
        web.get(RouterPath(instance + "/rendered")) { request, context -> Response in
            try await Self.rendered(frame: 1, request: request, context: context, app: app)
        }
        web.get(RouterPath(instance + "/frames/:frame/rendered")) { request, context -> Response in
            let frame = try Parameters.index("frame", context)
            guard frame >= 1 else {
                throw APIError(
                    .badRequest, code: "bad-parameter", message: "frame numbers start at 1", field: "frame")
            }
            return try await Self.rendered(frame: frame, request: request, context: context, app: app)
        }
    }

    /// A rendered frame (1-based, as DICOMweb numbers them) of an instance in its study and series, as PNG.
    static func rendered(frame: Int, request: Request, context: AnnulusRequestContext, app: UseCases) async throws
        -> Response
    {
        let principal = try context.require(.viewStudies).principal
        try DICOMweb.requireAccept(request, ["image/png"])
        let target = try DICOMweb.target(context)
        _ = try await app.instances(of: target, by: principal)
        var window: String?
        for (name, value) in try DICOMweb.queryParameters(request) {
            guard name == "window" else {
                throw APIError(
                    .badRequest, code: "bad-query",
                    message:
                        "\(name) is not supported for rendered resources; Annulus takes window=center,width,linear",
                    field: name, allowed: ["window"])
            }
            window = try DICOMweb.window(value)
        }
        let frameRequest = FrameRequest(instanceUID: target.instanceUID ?? "", frame: frame - 1, window: window)
        return try await png(frameRequest, request: request, context: context, app: app)
    }
}

extension DICOMweb {
    /// The study, series and instance of the path.
    static func target(_ context: AnnulusRequestContext) throws -> WADOTarget {
        WADOTarget(
            studyUID: try Parameters.uid("studyUID", context),
            seriesUID: context.parameters.get("seriesUID") == nil ? nil : try Parameters.uid("seriesUID", context),
            instanceUID: context.parameters.get("instanceUID") == nil
                ? nil : try Parameters.uid("instanceUID", context))
    }

    /// DICOMweb's `window=center,width,function` as Annulus's `C,W`: only the linear function (DICOM's LINEAR, which
    /// Annulus's windowing is).
    static func window(_ text: String) throws -> String {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard (2...3).contains(parts.count), let center = Double(parts[0]), let width = Double(parts[1]),
            center.isFinite, width.isFinite
        else {
            throw APIError(
                .badRequest, code: "bad-window", message: "window must be center,width,function (e.g. 40,400,linear)",
                field: "window", value: text)
        }
        if parts.count == 3, parts[2].lowercased() != "linear" {
            throw APIError(
                .badRequest, code: "bad-window", message: "window function '\(parts[2])' is not supported: use linear",
                field: "window", value: text, allowed: ["linear"])
        }
        return "\(center),\(width)"
    }

    /// Refuses (406) an `Accept` that allows no `multipart/related` answer of `application/dicom` parts.
    static func requireMultipartDICOM(_ request: Request) throws {
        guard let accept = request.headers[.accept], !accept.isEmpty else { return }
        let ok = accept.split(separator: ",").contains { item in
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            guard ["*/*", "multipart/*", "multipart/related"].contains(parts[0]) else { return false }
            let type = parts.dropFirst().first { $0.hasPrefix("type=") }.map {
                $0.dropFirst(5).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
            return type == nil || type == "application/dicom"
        }
        guard ok else {
            throw APIError(
                .notAcceptable, code: "not-acceptable",
                message: "instances are answered as multipart/related; type=\"application/dicom\" (as stored)",
                field: "Accept", allowed: ["multipart/related; type=\"application/dicom\""])
        }
    }

    /// The files as `multipart/related; type="application/dicom"`, each part the file's bytes as stored, read from
    /// disk in chunks while the answer is sent.
    static func multipart(_ files: [StoredInstanceFile]) -> Response {
        let boundary = UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let headers: HTTPFields = [
            .contentType: "multipart/related; type=\"application/dicom\"; boundary=\(boundary)"
        ]
        let body = ResponseBody { writer in
            for file in files {
                try await writer.write(ByteBuffer(string: "--\(boundary)\r\nContent-Type: application/dicom\r\n\r\n"))
                try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(file.path)) { handle in
                    for try await chunk in handle.readChunks(chunkLength: .kibibytes(256)) {
                        try await writer.write(chunk)
                    }
                }
                try await writer.write(ByteBuffer(string: "\r\n"))
            }
            try await writer.write(ByteBuffer(string: "--\(boundary)--\r\n"))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }
}
