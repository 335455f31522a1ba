import Foundation

/// Where the reading room's files are: the folder bundled with the server (Resources/web, beside the executable as
/// `Annulus_AnnulusServer.resources/web`), or a folder named for development.
enum WebAssets {
    /// The folder to serve; throws when neither the override nor the bundled folder holds an `index.html`.
    static func root(override: String?) throws -> String {
        let folder: String
        if let override {
            folder = URL(fileURLWithPath: override).standardizedFileURL.path
        } else {
            guard let url = Bundle.module.url(forResource: "web", withExtension: nil) else {
                throw APIError(
                    .internalServerError, code: "internal",
                    message: "the reading room's files (web) are missing from the build: reinstall annulus with its "
                        + "Annulus_AnnulusServer.resources folder beside the executable")
            }
            folder = url.path
        }
        guard FileManager.default.fileExists(atPath: folder + "/index.html") else {
            throw APIError(
                .internalServerError, code: "internal",
                message: "\(folder) has no index.html: give --web-root a folder holding the reading room's files")
        }
        return folder
    }
}
