import Foundation
import Store
import TextSafety

/// The data folder and everything found from it: the store `annulus.sqlite`, the watcher's `archive/`,
/// `quarantine/`, `processed/` and `previews/`, the deliveries' `outbox/` (docs/cli.md, "Where data lives").
public struct DataFolder: Sendable, Equatable {
    /// The folder.
    public var path: String
    /// The store file: `<path>/annulus.sqlite`, or the file given by the deprecated `--store`.
    public var storePath: String
    /// True when the folder came from the deprecated store-file form (then it is not checked to be a folder).
    public var isFromStoreFile: Bool

    /// The store file's name inside the data folder: `annulus.sqlite`.
    public static let storeFileName = AnnulusStore.fileName

    /// The data folder at `path`.
    public init(path: String) {
        self.path = path
        storePath = path.hasSuffix("/") ? path + AnnulusStore.fileName : path + "/" + AnnulusStore.fileName
        isFromStoreFile = false
    }

    /// The data folder holding the store file `storeFile` (the deprecated `--store FILE` form).
    public init(storeFile: String) {
        let folder = (storeFile as NSString).deletingLastPathComponent
        path = folder.isEmpty ? "." : folder
        storePath = storeFile
        isFromStoreFile = true
    }

    /// The deliveries' outbox: the Bundles being delivered.
    public var outbox: String { path + "/outbox" }
    /// The previews the watcher's study completion writes.
    public var previews: String { path + "/previews" }

    /// Refuses a data folder that is a file (the store file given as `--data`, out of the `--store` habit, or any
    /// other file). A missing folder is left to `openStore`, which names the store that is not there.
    public func checkIsFolder() throws(AppError) {
        guard !isFromStoreFile else { return }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        throw AppError.invalidInput(
            "the data folder \(path.terminalSafe) is a file, not a folder: --data (and ANNULUS_DATA) name the "
                + "folder that holds \(AnnulusStore.fileName)"
                + ((path as NSString).lastPathComponent == AnnulusStore.fileName
                    ? ", here --data \((parent.isEmpty ? "." : parent).terminalSafe)" : ""),
            field: "data", value: path, code: "data-folder-is-a-file")
    }

    /// Opens the store, migrating it when needed. Only the work that fills it (ingest, the watcher) creates it,
    /// and only where nothing exists: anything else on a data folder with no store is refused (`notFound`)
    /// instead of answering from a new, empty store, and an empty or foreign file is never taken for a store.
    public func openStore(creating: Bool = false) throws(AppError) -> AnnulusStore {
        try checkIsFolder()
        do {
            return try AnnulusStore(path: storePath, mode: creating ? .createIfMissing : .existingOnly)
        } catch {
            throw AppError.from(error)
        }
    }

    /// The options that name this store to a child `annulus` process: `--data FOLDER` when the file has the
    /// standard name, else the deprecated `--store PATH`.
    public static func arguments(forStoreAt path: String) -> [String] {
        guard (path as NSString).lastPathComponent == AnnulusStore.fileName else { return ["--store", path] }
        let folder = (path as NSString).deletingLastPathComponent
        return ["--data", folder.isEmpty ? "." : folder]
    }
}
