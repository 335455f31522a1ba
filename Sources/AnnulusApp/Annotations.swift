import AnnulusRecords
import Foundation
import SpineModel
import Store
import TextSafety

/// A new finding at a disc level: a draft until signed (or signed by its author at once with `sign`).
public struct NewFindingRequest: Sendable, Equatable {
    /// The study: Study Instance UID, accession number or a unique prefix.
    public var study: String
    /// The disc level as typed (`L4-L5`, `L4/L5`, `l4l5`).
    public var level: String
    /// How levels were counted: `from-C2`, `from-sacrum` or `unknown`.
    public var numberingBasis: String
    /// The finding kind (`annular-fissure`, `hiz`, `pfirrmann`, …).
    public var kind: String
    /// The finding's fields as `key=value`.
    public var fields: [String]
    /// A free-text note.
    public var note: String?
    /// Why the annotation is made (kept in its history).
    public var reason: String?
    /// Where on an image it is, when anchored.
    public var anchor: AnchorRequest?
    /// The reason for accepting a level the study does not seem to show.
    public var levelOutsideStudy: String?
    /// Sign it as its author in the same transaction.
    public var sign: Bool

    /// Creates a request.
    public init(
        study: String, level: String, numberingBasis: String = "unknown", kind: String, fields: [String] = [],
        note: String? = nil, reason: String? = nil, anchor: AnchorRequest? = nil, levelOutsideStudy: String? = nil,
        sign: Bool = false
    ) {
        self.study = study
        self.level = level
        self.numberingBasis = numberingBasis
        self.kind = kind
        self.fields = fields
        self.note = note
        self.reason = reason
        self.anchor = anchor
        self.levelOutsideStudy = levelOutsideStudy
        self.sign = sign
    }

    /// The level, numbering and finding parsed from the vocabulary, without the store: a face may call it before
    /// anything else to refuse a misspelt request early. Invalid input names the field, the allowed values and
    /// the likely intended one.
    public func parsed() throws(AppError) -> (level: DiscLevel, basis: LevelNumberingBasis, finding: Finding) {
        do {
            return (
                try DiscLevel.parse(level), try LevelNumberingBasis.parse(numberingBasis),
                try Finding.parse(kind: kind, assignments: fields)
            )
        } catch {
            throw AppError(error)
        }
    }
}

/// A change to a finding: a new draft version. Fields given replace those of the latest version; a new kind
/// replaces the whole finding.
public struct AmendFindingRequest: Sendable, Equatable {
    /// The annotation id or a unique prefix (at least 4 characters).
    public var id: String
    /// Fields to change as `key=value`.
    public var fields: [String]
    /// A new disc level.
    public var level: String?
    /// A new finding kind (the fields then describe the whole finding).
    public var kind: String?
    /// A new note.
    public var note: String?
    /// Why the finding changes.
    public var reason: String?
    /// The reason for accepting a level the study does not seem to show.
    public var levelOutsideStudy: String?

    /// Creates a request.
    public init(
        id: String, fields: [String] = [], level: String? = nil, kind: String? = nil, note: String? = nil,
        reason: String? = nil, levelOutsideStudy: String? = nil
    ) {
        self.id = id
        self.fields = fields
        self.level = level
        self.kind = kind
        self.note = note
        self.reason = reason
        self.levelOutsideStudy = levelOutsideStudy
    }
}

/// What a change wrote: the version, the level check's warning when the level was accepted outside the study,
/// and a note when an override was given but not needed.
public struct AnnotationChange: Sendable, Equatable {
    /// The version written last (the signed one when added and signed at once).
    public var version: AnnotationVersion
    /// The warning recorded with the change.
    public var warning: LevelWarning?
    /// E.g. "note: L4-L5 agrees with what the study shows: --level-outside-study is not needed …".
    public var note: String?
}

/// A study's findings, the latest version of each, with their level warnings.
public struct StudyFindings: Sendable, Equatable {
    /// The study.
    public var study: StudySummary
    /// Its findings in order of creation.
    public var items: [AnnotationItem]
}

extension UseCases {
    /// Adds a finding at a disc level of a study: parsed against the vocabulary, its anchor resolved against the
    /// study's images, its level checked against what the study shows (refused unless `levelOutsideStudy` gives
    /// the reason), then written as a draft (or, with `sign`, as a draft and its signature by the author, in one
    /// transaction).
    public func addFinding(_ request: NewFindingRequest, by principal: Principal) async throws(AppError)
        -> AnnotationChange
    {
        try await perform { try self.addFindingNow(request, by: principal) }
    }

    /// Amends a finding: a new draft version (a signed version stays as it was; a retracted finding refuses).
    /// A new level is checked against the study; an unchanged one only when an override is given for it.
    public func amendFinding(_ request: AmendFindingRequest, by principal: Principal) async throws(AppError)
        -> AnnotationChange
    {
        try await perform { try self.amendFindingNow(request, by: principal) }
    }

    /// Withdraws a finding: a new version with the reason; nothing is deleted.
    public func retractFinding(id: String, reason: String, by principal: Principal) async throws(AppError)
        -> AnnotationVersion
    {
        let retracted = try await perform {
            let store = self.environment.store
            return try store.retract(id: try store.resolveAnnotation(id), author: principal.name, reason: reason)
        }
        // A signed finding withdrawn changes what PACS should hold; a draft's retraction leaves the report as it was
        // (the export then finds the content unchanged).
        environment.signedFindingsChanged?([retracted.studyUID])
        return retracted
    }

    /// The latest version of each finding of a study (retracted ones when asked), with their level warnings.
    public func findings(ofStudy study: String, includeRetracted: Bool, by principal: Principal)
        async throws(AppError) -> StudyFindings
    {
        try await perform {
            let store = self.environment.store
            let target = try store.resolveStudy(study)
            let versions = try store.annotations(studyUID: target.studyInstanceUID, includeRetracted: includeRetracted)
            let levelCheck = try LevelCheck(store: store, study: target)
            let overrides = try store.levelOverrides(studyUID: target.studyInstanceUID)
            return StudyFindings(
                study: target,
                items: versions.map {
                    AnnotationItem(
                        version: $0, warning: levelCheck.warning(for: $0, override: overrides[$0.annotationID]))
                })
        }
    }

    /// One finding (its latest version) with its level warning.
    public func finding(id: String, by principal: Principal) async throws(AppError) -> AnnotationItem {
        try await perform {
            let store = self.environment.store
            let full = try store.resolveAnnotation(id)
            guard let version = try store.latest(id: full) else {
                throw AppError.notFound("no annotation \(id.terminalSafe)", field: "id", code: "unknown-annotation")
            }
            let warning = try LevelCheck(store: store, study: store.resolveStudy(version.studyUID)).warning(
                for: version, override: store.levelOverride(annotationID: version.annotationID, level: version.level))
            return AnnotationItem(version: version, warning: warning)
        }
    }

    /// Every version of a finding, oldest first: who, when, why and what.
    public func history(id: String, by principal: Principal) async throws(AppError) -> [AnnotationVersion] {
        try await perform {
            let store = self.environment.store
            return try store.history(id: try store.resolveAnnotation(id))
        }
    }

    func addFindingNow(_ request: NewFindingRequest, by principal: Principal) throws -> AnnotationChange {
        let (discLevel, numbering, parsed) = try request.parsed()
        let store = environment.store
        let target = try store.resolveStudy(request.study)
        let anchor = try AnchorResolver.resolve(request.anchor, study: target, store: store)
        let levelCheck = try LevelCheck(store: store, study: target)
        let (override, levelNote) = try LevelCheck.verify(
            levelCheck.decide(discLevel, anchor: anchor), reason: request.levelOutsideStudy)
        let annotation = LevelAnnotation(
            level: discLevel, numberingBasis: numbering, finding: parsed, anchor: anchor, note: request.note)
        let new = NewAnnotation(
            studyUID: target.studyInstanceUID, seriesUID: anchor?.seriesInstanceUID,
            sopInstanceUID: anchor?.sopInstanceUID, frame: anchor?.frame, level: discLevel.name,
            findingKind: parsed.kind.rawValue, payload: annotation.encodedJSON())
        // With `sign`: added and signed by the author in one transaction (version 1 the draft, version 2 signed);
        // a level override goes with the draft.
        let draft: AnnotationVersion
        let version: AnnotationVersion
        if request.sign {
            let signer = try environment.signerPolicy.signer(for: principal, annotations: [], store: store)
            (draft, version) = try store.addSigned(new, author: signer, reason: request.reason, levelOverride: override)
        } else {
            draft = try store.add(new, author: principal.name, reason: request.reason, levelOverride: override)
            version = draft
        }
        return AnnotationChange(
            version: version, warning: LevelWarning(recorded: override, in: draft), note: levelNote)
    }

    func amendFindingNow(_ request: AmendFindingRequest, by principal: Principal) throws -> AnnotationChange {
        let store = environment.store
        let full = try store.resolveAnnotation(request.id)
        guard let latest = try store.latest(id: full) else {
            throw AppError.notFound("no annotation \(request.id.terminalSafe)", field: "id", code: "unknown-annotation")
        }
        var annotation: LevelAnnotation
        do { annotation = try LevelAnnotation.decode(latest.payload) } catch {
            // The stored finding cannot be read: not the request's fault, and nothing to amend from.
            throw AppError.internal(error.message, code: "unreadable-finding")
        }
        if let level = request.level { annotation.level = try DiscLevel.parse(level) }
        if let kind = request.kind {
            annotation.finding = try Finding.parse(kind: kind, assignments: request.fields)
        } else if !request.fields.isEmpty {
            var merged: [String: String] = [:]
            for field in annotation.finding.fields { merged[field.name] = field.value }
            for assignment in request.fields {
                let parts = assignment.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else {
                    throw AppError.invalidInput(
                        "fields are key=value (got '\(assignment.terminalSafe)')", field: "fields", value: assignment,
                        code: "malformed-assignment")
                }
                merged[parts[0]] = parts[1]
            }
            annotation.finding = try Finding.parse(
                kind: annotation.finding.kind.rawValue,
                assignments: merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        }
        if let note = request.note { annotation.note = note }
        // A new level is checked against the study; an unchanged one only when an override is given for it.
        let levelChanged = annotation.level.name != latest.level
        var (override, levelNote): (NewLevelOverride?, String?) = (nil, nil)
        if levelChanged || request.levelOutsideStudy != nil {
            let levelCheck = try LevelCheck(store: store, study: store.resolveStudy(latest.studyUID))
            (override, levelNote) = try LevelCheck.verify(
                levelCheck.decide(annotation.level, anchor: annotation.anchor, excluding: full),
                reason: request.levelOutsideStudy, required: levelChanged)
        }
        let version = try store.amend(
            id: full, payload: annotation.encodedJSON(), level: annotation.level.name,
            findingKind: annotation.finding.kind.rawValue, author: principal.name, reason: request.reason,
            levelOverride: override)
        return AnnotationChange(
            version: version, warning: LevelWarning(recorded: override, in: version), note: levelNote)
    }
}
