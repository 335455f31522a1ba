import Accounts
import AnnulusApp
import Foundation
import Hummingbird
import NIOCore

extension APIRoutes {
    /// Rendered frames (and cine frames of multi-frame instances) and thumbnails as PNG, with ETag and 304; a frame's
    /// resolved window with the file's windows and the presets; a multi-frame instance's frame timing.
    func addFrameRoutes(to api: RouterGroup<AnnulusRequestContext>) {
        let app = useCases
        api.get("instances/:instanceUID/frames/:frame/rendered") { request, context -> Response in
            let frame = FrameRequest(
                instanceUID: try Parameters.uid("instanceUID", context), frame: try Parameters.index("frame", context),
                window: try Parameters.queryString("window", request, maxLength: 64),
                size: try Parameters.queryInt("size", request))
            return try await Self.png(frame, request: request, context: context, app: app)
        }
        api.get("instances/:instanceUID/frames/:frame/window") { request, context -> FrameWindowView in
            let frame = FrameRequest(
                instanceUID: try Parameters.uid("instanceUID", context), frame: try Parameters.index("frame", context),
                window: try Parameters.queryString("window", request, maxLength: 64))
            return try await app.frameWindow(frame, by: try context.require(.viewStudies).principal)
        }
        api.get("instances/:instanceUID/cine") { _, context -> CineView in
            let uid = try Parameters.uid("instanceUID", context)
            return try await app.cineTiming(uid: uid, by: try context.require(.viewStudies).principal)
        }
        api.get("instances/:instanceUID/thumbnail") { request, context -> Response in
            let frame = FrameRequest(
                instanceUID: try Parameters.uid("instanceUID", context), frame: 0, window: nil, size: 128)
            return try await Self.png(frame, request: request, context: context, app: app)
        }
    }

    /// The PNG response, or 304 when the client's entity tag is current (checked before rendering).
    static func png(_ frame: FrameRequest, request: Request, context: AnnulusRequestContext, app: UseCases)
        async throws -> Response
    {
        let principal = try context.require(.viewStudies).principal
        let tag = try await app.frameEntityTag(frame, by: principal)
        var headers: HTTPFields = [.eTag: tag, .cacheControl: "private, max-age=86400"]
        if EntityTags.matches(ifNoneMatch: request.headers[.ifNoneMatch], tag: tag) {
            return Response(status: .notModified, headers: headers)
        }
        let png = try await app.renderFrame(frame, by: principal)
        headers[.contentType] = "image/png"
        headers[.contentLength] = String(png.data.count)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: png.data)))
    }
}

/// `If-None-Match` comparison (RFC 9110 13.1.2: weak comparison, `*`, comma-separated lists).
enum EntityTags {
    static func matches(ifNoneMatch header: String?, tag: String) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { item in
            var text = item.trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("W/") { text.removeFirst(2) }
            return text == "*" || text == tag
        }
    }
}

extension FrameWindowView: ResponseEncodable {}
extension CineView: ResponseEncodable {}
