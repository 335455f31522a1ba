import AnnulusApp
import Store
import ArgumentParser
import Candidacy
import DicomIO
import Foundation
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
        guard (store as NSString).lastPathComponent == DataFolder.storeFileName else {
            return "note: --store is deprecated; use --data DIR with the store named DIR/\(DataFolder.storeFileName)"
        }
        return "note: --store is deprecated; use --data \((folder.isEmpty ? "." : folder).terminalSafe) (the folder "
            + "holding \(DataFolder.storeFileName))"
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

    /// The data folder with its store file (the deprecated `--store` file when given).
    var folder: DataFolder {
        store.map(DataFolder.init(storeFile:)) ?? DataFolder(path: dataFolder)
    }

    /// The store file: `<data folder>/annulus.sqlite` (or the deprecated `--store` file as given).
    var path: String { folder.storePath }

    /// The store of this data folder, for the account and audit commands (the `Accounts` module works on it
    /// directly); the same refusals as `useCases`.
    func open(creating: Bool = false) throws -> AnnulusStore {
        try folder.openStore(creating: creating)
    }

    /// The use cases over the store of this data folder. Only the commands that fill the store (`ingest`,
    /// `watch`) create it, and only where nothing exists: any other command on a data folder with no store is
    /// refused with the store that is not there (a mistyped --data or ANNULUS_DATA would otherwise look like "no
    /// studies"), and every command refuses an empty or foreign file where the store should be.
    func useCases(
        creating: Bool = false, rules: RuleSet? = nil, readOptions: DicomReadOptions = DicomReadOptions()
    ) throws -> UseCases {
        let folder = folder
        let store = try folder.openStore(creating: creating)
        // A signature names a real account once the store has accounts (single-user installations keep the name).
        return UseCases(
            try AppEnvironment(
                store: store, dataFolder: folder, rules: rules, readOptions: readOptions,
                signerPolicy: AccountSignerPolicy()))
    }
}
