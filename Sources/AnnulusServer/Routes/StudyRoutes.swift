import Accounts
import AnnulusApp
import Hummingbird

extension APIRoutes {
    /// `GET /api/studies`, `GET /api/studies/{studyUID}`, `GET /api/instances/{instanceUID}`.
    func addStudyRoutes(to api: RouterGroup<AnnulusRequestContext>) {
        let app = useCases
        api.get("studies") { request, context -> StudyPageJSON in
            let principal = try context.require(.viewStudies).principal
            let query = StudyQuery(
                patientID: try Parameters.queryString("patientID", request, maxLength: 64),
                accession: try Parameters.queryString("accession", request, maxLength: 64),
                dateFrom: try Parameters.queryString("dateFrom", request, maxLength: 8),
                dateTo: try Parameters.queryString("dateTo", request, maxLength: 8),
                modality: try Parameters.queryString("modality", request, maxLength: 16),
                limit: try Parameters.queryInt("limit", request) ?? 50,
                cursor: try Parameters.queryString("cursor", request, maxLength: StudyQuery.maximumCursorLength))
            let page = try await app.searchStudies(query, by: principal)
            return StudyPageJSON(
                studies: page.studies.map(StudyJSON.init), nextCursor: page.nextCursor, total: page.total)
        }
        api.get("studies/:studyUID") { _, context -> StudyDetailJSON in
            let uid = try Parameters.uid("studyUID", context)
            let detail = try await app.studyDetail(uid: uid, by: try context.require(.viewStudies).principal)
            return StudyDetailJSON(study: StudyJSON(detail.study), series: detail.series.map(SeriesJSON.init))
        }
        api.get("instances/:instanceUID") { _, context -> InstanceJSON in
            let uid = try Parameters.uid("instanceUID", context)
            return InstanceJSON(try await app.instance(uid: uid, by: try context.require(.viewStudies).principal))
        }
    }
}
