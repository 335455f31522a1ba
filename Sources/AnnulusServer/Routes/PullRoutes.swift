import Accounts
import AnnulusApp
import Foundation
import Hummingbird
import QueryRetrieve

/// `POST /api/pulls` and `POST /api/pulls/find`: the query, and for a pull the studies to retrieve (default: every
/// study found).
struct PullBody: Decodable {
    static let fields: Set<String> = [
        "patientID", "patientName", "studyDate", "modalities", "accessionNumber", "studyUIDs",
    ]
    var patientID: String?
    var patientName: String?
    var studyDate: String?
    var modalities: [String]?
    var accessionNumber: String?
    var studyUIDs: [String]?

    var query: PACSStudyQuery {
        PACSStudyQuery(
            patientID: patientID, patientName: patientName, studyDate: studyDate,
            modalities: (modalities ?? []).map { $0.uppercased() }, accessionNumber: accessionNumber,
            studyInstanceUIDs: studyUIDs ?? [])
    }
}

/// What the PACS found.
struct PullFindJSON: ResponseEncodable {
    var studies: [FoundStudy]
    var truncated: Bool
    var rejectedMatches: Int
}

/// What the PACS found and what became of each study retrieved.
struct PullJSON: ResponseEncodable {
    var studies: [FoundStudy]
    var truncated: Bool
    var results: [PulledStudy]
}

extension APIRoutes {
    /// Fetching priors from the PACS of `annulus serve --pacs` (docs/api.md, "Fetching priors"): find, then
    /// find and retrieve. Audited like every `/api` write; PACS failures answer 502, its timeouts 504.
    func addPullRoutes(to api: RouterGroup<AnnulusRequestContext>) {
        let app = useCases
        let settings = options.pull
        api.post("pulls/find") { request, context -> PullFindJSON in
            let principal = try context.require(.pullStudies).principal
            let body = try await StrictJSON.decode(
                PullBody.self, allowed: PullBody.fields, from: request, context: context)
            let pull = app.pull(try Self.configured(settings))
            let found = try await Self.translate { try await pull.find(body.query, by: principal) }
            return PullFindJSON(
                studies: found.studies, truncated: found.truncated, rejectedMatches: found.rejectedMatches)
        }
        api.post("pulls") { request, context -> PullJSON in
            let principal = try context.require(.pullStudies).principal
            let body = try await StrictJSON.decode(
                PullBody.self, allowed: PullBody.fields, from: request, context: context)
            let pull = app.pull(try Self.configured(settings))
            let found = try await Self.translate { try await pull.find(body.query, by: principal) }
            guard !found.studies.isEmpty else { return PullJSON(studies: [], truncated: false, results: []) }
            let results = try await Self.translate {
                try await pull.retrieve(found.studies.map(\.studyInstanceUID), by: principal)
            }
            return PullJSON(studies: found.studies, truncated: found.truncated, results: results)
        }
    }

    private static func configured(_ settings: PullSettings?) throws -> PullSettings {
        guard let settings else {
            throw APIError(
                .conflict, code: "no-pacs",
                message: "this server has no PACS to pull from: start annulus serve with --pacs HOST:PORT --pacs-ae AE")
        }
        return settings
    }

    /// The PACS's failures as a gateway's: 502 when it cannot be reached, rejects or breaks off, 504 when it does
    /// not answer in time; the rest as every use case's error.
    private static func translate<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as AppError {
            switch error.code {
            case "pacs-unreachable", "pacs-rejected", "pacs-not-supported", "pacs-failed":
                throw APIError(.badGateway, code: error.code, message: error.message)
            case "pacs-timeout":
                throw APIError(.gatewayTimeout, code: error.code, message: error.message)
            default:
                throw error
            }
        }
    }
}
