import TextSafety

/// Everything that can go wrong in the store, with text a clinician or operator can act on.
///
/// Messages name the database file or the identifier involved; they never contain patient names or IDs.
public enum StoreError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The folder that should hold the database could not be created.
    case cannotCreateFolder(path: String, reason: String)
    /// SQLite could not open or create the file.
    case cannotOpen(path: String, reason: String)
    /// Nothing is at the path, and the command may not create a store there (only `ingest` and `watch` do).
    case missing(path: String)
    /// The file exists but is empty (0 bytes): it is never taken for a new store, which would hide the loss of
    /// the one that was there.
    case emptyFile(path: String)
    /// The file exists but is not an annulus store: not SQLite, or SQLite without the annulus schema.
    case notADatabase(path: String, reason: String)
    /// SQLite found the store damaged (SQLITE_CORRUPT or SQLITE_NOTADB) during an operation: retrying will not
    /// help; run `annulus check` and restore from a backup (docs/operations.md).
    case damaged(path: String, detail: String)
    /// The database was migrated by a newer annulus that knows migrations this one does not.
    case newerSchema(path: String, unknownMigrations: [String])
    /// A migration failed.
    case migrationFailed(path: String, migration: String?, reason: String)
    /// Another connection held the write lock for longer than the busy timeout.
    case locked(path: String, seconds: Double)
    /// The file or its folder cannot be written.
    case readOnly(path: String)
    /// The disk is full.
    case diskFull(path: String)
    /// Any other SQLite failure.
    case database(path: String, reason: String)

    /// An instance record lacks a field the index needs.
    case invalidRecord(sopInstanceUID: String, reason: String)

    /// A study reference (UID, accession or prefix) was empty.
    case emptyStudyReference
    /// No study matches a reference.
    case unknownStudy(reference: String)
    /// Several studies match a reference.
    case ambiguousStudy(reference: String, candidates: [StudyCandidate])
    /// A series is not in the index, or not in the given study.
    case unknownSeries(seriesUID: String, studyUID: String)
    /// An instance is not in the index, or not in the given study or series.
    case unknownInstance(sopInstanceUID: String, studyUID: String)
    /// A frame number is outside 1…frames of the instance, or given without an instance.
    case invalidFrame(frame: Int, reason: String)

    /// No author was given.
    case authorRequired
    /// Retraction needs a reason.
    case reasonRequired(annotationID: String)
    /// An annotation payload is not valid UTF-8 JSON.
    case invalidPayload(reason: String)
    /// No annotation has this id (or prefix).
    case unknownAnnotation(id: String)
    /// An annotation id prefix is shorter than 4 characters.
    case annotationPrefixTooShort(prefix: String)
    /// Several annotations match an id prefix.
    case ambiguousAnnotation(prefix: String, candidates: [String])
    /// The annotation's latest version is retracted: nothing more can be appended.
    case annotationRetracted(id: String, action: String, version: Int, by: String, at: String)
    /// The annotation's latest version is already signed.
    case alreadySigned(id: String, version: Int, by: String, at: String)
    /// The annotation changed after it was shown for review (its latest version is no longer the one listed), so
    /// signing it would sign content nobody reviewed.
    case versionChanged(id: String, listed: Int, latest: Int, by: String, at: String)

    /// A candidate listed in an ambiguous study reference.
    public struct StudyCandidate: Sendable, Equatable {
        /// Study Instance UID.
        public var studyInstanceUID: String
        /// Accession Number, when known.
        public var accessionNumber: String?
        /// Study Date (DICOM YYYYMMDD), when known.
        public var studyDate: String?

        /// Creates a candidate.
        public init(studyInstanceUID: String, accessionNumber: String?, studyDate: String?) {
            self.studyInstanceUID = studyInstanceUID
            self.accessionNumber = accessionNumber
            self.studyDate = studyDate
        }
    }

    /// The message shown to the user.
    public var description: String {
        switch self {
        case .cannotCreateFolder(let path, let reason):
            return "cannot create the folder \(path.terminalSafe) for the annulus database: \(reason.terminalSafe)"
        case .cannotOpen(let path, let reason):
            return
                "cannot open the annulus database \(path.terminalSafe): \(reason.terminalSafe) (check the path, its folder and permissions,"
                + " or set ANNULUS_DATA)"
        case .missing(let path):
            return "there is no store at \(path.terminalSafe): fill it with `annulus ingest` or `annulus watch`, or"
                + " point --data (or ANNULUS_DATA) at the data folder that holds annulus.sqlite"
        case .emptyFile(let path):
            return "the store \(path.terminalSafe) is an empty file (0 bytes), not an annulus store: its history is"
                + " not in it. If a store should be there, restore it from a backup (docs/operations.md, \"Store"
                + " integrity\"); if this file is a mistake, remove it and run `annulus ingest` or `annulus watch` to"
                + " start a new store"
        case .notADatabase(let path, let reason):
            return "\(path.terminalSafe) is not an annulus store (\(reason.terminalSafe)); point --data (or"
                + " ANNULUS_DATA) at the right data folder, or move this file aside"
        case .damaged(let path, let detail):
            return "the store \(path.terminalSafe) is damaged (SQLite: \(detail.terminalSafe)); stop writing to it, run"
                + " `annulus check --data \(Self.folder(of: path).terminalSafe)` and restore it from a backup (docs/operations.md,"
                + " \"Store integrity\")"
        case .newerSchema(let path, let unknown):
            return
                "\(path.terminalSafe) was written by a newer annulus (unknown migrations: \(unknown.joined(separator: ", ").terminalSafe));"
                + " upgrade annulus to use it"
        case .migrationFailed(let path, let migration, let reason):
            let which = migration.map { " \($0.terminalSafe)" } ?? ""
            return
                "cannot migrate the annulus database \(path.terminalSafe) (migration\(which)): \(reason.terminalSafe)"
        case .locked(let path, let seconds):
            return "database is locked for more than \(Self.seconds(seconds)) s: another annulus process is holding"
                + " it (\(path.terminalSafe)); retry when it has finished"
        case .readOnly(let path):
            return "cannot write the annulus database \(path.terminalSafe): the file or its folder is read-only"
        case .diskFull(let path):
            return "cannot write the annulus database \(path.terminalSafe): the disk is full"
        case .database(let path, let reason):
            return "annulus database \(path.terminalSafe): \(reason.terminalSafe)"
        case .invalidRecord(let uid, let reason):
            return
                "cannot index instance \(uid.isEmpty ? "(no SOP Instance UID)" : uid.terminalSafe): \(reason.terminalSafe)"
        case .emptyStudyReference:
            return "no study given: pass a Study Instance UID, an accession number or a prefix (see `annulus studies`)"
        case .unknownStudy(let reference):
            return "no study matches '\(reference.terminalSafe)' (by Study Instance UID, accession number or prefix);"
                + " run `annulus studies` to list the indexed studies"
        case .ambiguousStudy(let reference, let candidates):
            let shown = candidates.prefix(20).map { candidate in
                "  \(candidate.studyInstanceUID.terminalSafe)  accession \(candidate.accessionNumber?.terminalSafe ?? "-")"
                    + "  date \(candidate.studyDate?.terminalSafe ?? "-")"
            }
            let more = candidates.count > 20 ? ["  … and \(candidates.count - 20) more"] : []
            return
                (["'\(reference.terminalSafe)' matches \(candidates.count) studies; give more characters:"] + shown
                + more)
                .joined(separator: "\n")
        case .unknownSeries(let series, let study):
            return "series \(series.terminalSafe) is not indexed in study \(study.terminalSafe)"
        case .unknownInstance(let sop, let study):
            return
                "instance \(sop.terminalSafe) is not indexed in study \(study.terminalSafe) (or not in the given series)"
        case .invalidFrame(let frame, let reason):
            return "frame \(frame): \(reason.terminalSafe)"
        case .authorRequired:
            return "an author is required: pass --author or set ANNULUS_USER"
        case .reasonRequired(let id):
            return "a reason is required to retract annotation \(id.terminalSafe): pass --reason"
        case .invalidPayload(let reason):
            return "the annotation payload is not valid JSON: \(reason.terminalSafe)"
        case .unknownAnnotation(let id):
            return "no annotation with id '\(id.terminalSafe)'"
        case .annotationPrefixTooShort(let prefix):
            return "annotation id '\(prefix.terminalSafe)' is too short: give at least 4 characters of the id"
        case .ambiguousAnnotation(let prefix, let candidates):
            let shown = candidates.prefix(20).map { "  \($0.terminalSafe)" }
            let more = candidates.count > 20 ? ["  … and \(candidates.count - 20) more"] : []
            return
                (["'\(prefix.terminalSafe)' matches \(candidates.count) annotations; give more characters:"] + shown
                + more)
                .joined(separator: "\n")
        case .annotationRetracted(let id, let action, let version, let by, let at):
            return
                "annotation \(id.terminalSafe) was retracted (version \(version) by \(by.terminalSafe) at \(at.terminalSafe)): it cannot be \(action)"
        case .alreadySigned(let id, let version, let by, let at):
            return
                "annotation \(id.terminalSafe) is already signed (version \(version) by \(by.terminalSafe) at \(at.terminalSafe)); amend it first to"
                + " sign a new version"
        case .versionChanged(let id, let listed, let latest, let by, let at):
            return
                "annotation \(id.terminalSafe) changed after it was listed (version \(listed) was listed; version"
                + " \(latest) was written by \(by.terminalSafe) at \(at.terminalSafe)): review it again before signing"
        }
    }

    /// The data folder holding the store file `path` (its parent folder).
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}
