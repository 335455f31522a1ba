import ArgumentParser
import Foundation
import Store
import TextSafety

/// Where the data lives: `--data DIR`, else `$ANNULUS_DATA`, else `./annulus-data`.
///
/// The data folder holds the store (`annulus.sqlite`) and everything derived from it: `archive/`, `quarantine/`,
/// `processed/` and `previews/` (the watcher), `outbox/` (deliveries), `watch.lock`. Every command finds all of
/// them from this one folder. `--store FILE` (the store file itself) still works as a deprecated, hidden alias:
/// the data folder is then the file's folder, and a one-line note on stderr says to use `--data`.
struct StoreOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "The data folder: the store (annulus.sqlite) with its archive, previews, quarantine and outbox "
                + "(default: $ANNULUS_DATA, else ./annulus-data).", valueName: "dir"))
    var data: String?

    @Option(
        help: ArgumentHelp(
            "Deprecated: the store file itself; use --data DIR (the folder holding annulus.sqlite).",
            valueName: "file", visibility: .hidden))
    var store: String?

    func validate() throws {
        if data != nil && store != nil {
            throw ValidationError("give --data DIR only: --store FILE is its deprecated older form")
        }
        if data?.isEmpty == true { throw ValidationError("--data needs a folder (got an empty value)") }
        if store?.isEmpty == true { throw ValidationError("--store needs a file (got an empty value); use --data DIR") }
        if let store {
            FileHandle.standardError.write(Data((Self.deprecationNote(store: store) + "\n").utf8))
        }
    }

    /// The one-line note printed when `--store` is used.
    static func deprecationNote(store: String) -> String {
        let folder = (store as NSString).deletingLastPathComponent
        guard (store as NSString).lastPathComponent == AnnulusStore.fileName else {
            return "note: --store is deprecated; use --data DIR with the store named DIR/\(AnnulusStore.fileName)"
        }
        return "note: --store is deprecated; use --data \((folder.isEmpty ? "." : folder).terminalSafe) (the folder "
            + "holding \(AnnulusStore.fileName))"
    }

    /// The data folder: `--data`, else the folder of `--store`, else `$ANNULUS_DATA`, else `./annulus-data`.
    var dataFolder: String {
        if let store {
            let folder = (store as NSString).deletingLastPathComponent
            return folder.isEmpty ? "." : folder
        }
        if let data { return data }
        let environment = ProcessInfo.processInfo.environment["ANNULUS_DATA"] ?? ""
        return environment.isEmpty ? "./annulus-data" : environment
    }

    /// The store file: `<data folder>/annulus.sqlite` (or the deprecated `--store` file as given).
    var path: String {
        if let store { return store }
        let folder = dataFolder
        return folder.hasSuffix("/") ? folder + AnnulusStore.fileName : folder + "/" + AnnulusStore.fileName
    }

    /// Refuses a data folder that is not a folder: `--data` given the store file (the old `--store` habit) or any
    /// other file. A missing folder is left to `open`, which names the store that is not there.
    func checkFolder() throws {
        guard store == nil else { return }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dataFolder, isDirectory: &isFolder), !isFolder.boolValue else {
            return
        }
        let parent = (dataFolder as NSString).deletingLastPathComponent
        throw ValidationError(
            "the data folder \(dataFolder.terminalSafe) is a file, not a folder: --data (and ANNULUS_DATA) name the "
                + "folder that holds \(AnnulusStore.fileName)"
                + ((dataFolder as NSString).lastPathComponent == AnnulusStore.fileName
                    ? ", here --data \((parent.isEmpty ? "." : parent).terminalSafe)" : ""))
    }

    /// Opens the store (migrating it when needed). Only the commands that fill it (`ingest`, `watch`) create
    /// it, and only where nothing exists: any other command on a data folder with no store says so instead of
    /// quietly answering from a new, empty one (a mistyped --data or ANNULUS_DATA would otherwise look like "no
    /// studies"), and every command refuses an empty or foreign file where the store should be.
    func open(creating: Bool = false) throws -> AnnulusStore {
        try checkFolder()
        do {
            return try AnnulusStore(path: path, mode: creating ? .createIfMissing : .existingOnly)
        } catch .missing {
            // A wrong folder is a refused request (exit 2).
            throw ValidationError(StoreError.missing(path: path).description)
        }
    }

    /// The options that name the store at `path` to a child `annulus` process: `--data FOLDER` when the file has
    /// the standard name, else the deprecated `--store PATH`.
    static func arguments(forStoreAt path: String) -> [String] {
        guard (path as NSString).lastPathComponent == AnnulusStore.fileName else { return ["--store", path] }
        let folder = (path as NSString).deletingLastPathComponent
        return ["--data", folder.isEmpty ? "." : folder]
    }
}
