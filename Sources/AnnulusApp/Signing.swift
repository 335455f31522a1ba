import AnnulusRecords
import Store
import TextSafety

/// The drafts of a study listed for signing: what the signer reviews before `signDrafts`.
public struct DraftsToSign: Sendable, Equatable {
    /// The study.
    public var study: StudySummary
    /// Every finding of the study whose latest version is a draft, in order of creation.
    public var drafts: [AnnotationVersion]
}

extension UseCases {
    /// Signs findings named by id or unique prefix, in one transaction, as the signer the environment's
    /// `SignerPolicy` names for `principal` (refused before anything else when it refuses): every one is signed or
    /// none is. When any
    /// cannot be signed (unknown, ambiguous or too short id, already signed, retracted), nothing is signed and the
    /// refusal names each one and why (`conflict` with every problem, or the store's own refusal). An id named
    /// twice is signed once.
    public func sign(_ references: [String], by principal: Principal) async throws(AppError) -> [AnnotationVersion] {
        let signed = try await perform {
            let store = self.environment.store
            let signer = try self.environment.signerPolicy.signer(for: principal, annotations: references, store: store)
            return try store.sign(ids: try self.signable(references), signer: signer)
        }
        environment.logger.info("\(signed.count) finding(s) signed by \(principal)")
        environment.signedFindingsChanged?(Set(signed.map(\.studyUID)))
        return signed
    }

    /// The drafts of a study (the latest version of each finding that is a draft), for a signer to review.
    public func drafts(ofStudy study: String, by principal: Principal) async throws(AppError) -> DraftsToSign {
        try await perform {
            let store = self.environment.store
            let target = try store.resolveStudy(study)
            let drafts = try store.annotations(studyUID: target.studyInstanceUID).filter { $0.status == .draft }
            return DraftsToSign(study: target, drafts: drafts)
        }
    }

    /// Signs exactly the versions listed (from `drafts(ofStudy:by:)`) in one transaction: a finding changed since
    /// it was listed refuses the whole batch (`conflict`, code `version-changed`), so nobody signs content they did
    /// not review.
    public func signDrafts(_ listed: [AnnotationVersion], by principal: Principal) async throws(AppError)
        -> [AnnotationVersion]
    {
        let signed = try await perform {
            let store = self.environment.store
            let ids = listed.map(\.annotationID)
            return try store.sign(
                ids: ids,
                signer: try self.environment.signerPolicy.signer(for: principal, annotations: ids, store: store),
                expectedVersions: Dictionary(listed.map { ($0.annotationID, $0.version) }, uniquingKeysWith: { $1 }))
        }
        environment.logger.info("\(signed.count) listed draft(s) signed by \(principal)")
        environment.signedFindingsChanged?(Set(signed.map(\.studyUID)))
        return signed
    }

    /// The full ids of `references`, once each, after checking every one can be signed; otherwise a refusal
    /// naming each reference that cannot be used and why (nothing is signed).
    func signable(_ references: [String]) throws -> [String] {
        let store = environment.store
        var ids: [String] = []
        var problems: [AppError.Problem] = []
        for reference in references {
            do {
                let id = try store.resolveAnnotation(reference)
                guard !ids.contains(id) else { continue }
                guard let latest = try store.latest(id: id) else { throw StoreError.unknownAnnotation(id: reference) }
                if latest.isRetracted {
                    problems.append(
                        AppError.Problem(
                            reference: reference,
                            message: "retracted (version \(latest.version) by \(latest.author) at "
                                + "\(latest.createdAt)); a retracted finding cannot be signed"))
                } else if latest.isSigned {
                    problems.append(
                        AppError.Problem(
                            reference: reference,
                            message: "already signed (version \(latest.version) by "
                                + "\(latest.signedBy ?? latest.author) at \(latest.signedAt ?? latest.createdAt)); "
                                + "amend it first to sign a new version"))
                }
                ids.append(id)
            } catch let error as StoreError {
                guard error.isRefusal else { throw error }
                problems.append(AppError.Problem(reference: reference, message: error.description))
            }
        }
        guard problems.isEmpty else {
            throw AppError.conflict(
                (["nothing was signed: \(problems.count) of \(references.count) finding(s) cannot be signed:"]
                    + problems.map { "  " + "\($0.reference): \($0.message)".terminalSafe }).joined(separator: "\n"),
                code: "cannot-sign", problems: problems)
        }
        return ids
    }
}
