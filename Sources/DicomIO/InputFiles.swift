import Foundation

/// Expands command-line operands (files and folders) into the files to read, in a stable order.
///
/// Nothing is skipped silently: every regular file found is returned (DICOM files often have no
/// extension), and an operand that does not exist comes back as a problem to report.
public enum InputFiles {
    /// The files found and the operands that could not be used.
    public struct Expansion: Sendable, Equatable {
        /// Regular files, in operand order; within a folder, sorted by path.
        public var files: [String]
        /// Operands that do not exist or cannot be listed, as errors naming them.
        public var problems: [DicomError]
    }

    /// Expands `operands`. A folder contributes the files directly inside it, or every file below it
    /// when `recursive` (symbolic links to folders are not followed, so loops cannot occur).
    public static func expand(_ operands: [String], recursive: Bool) -> Expansion {
        var expansion = Expansion(files: [], problems: [])
        let manager = FileManager.default
        for operand in operands {
            var isFolder: ObjCBool = false
            guard manager.fileExists(atPath: operand, isDirectory: &isFolder) else {
                expansion.problems.append(DicomError(.unreadable, path: operand, message: "no such file or folder"))
                continue
            }
            guard isFolder.boolValue else {
                expansion.files.append(operand)
                continue
            }
            do {
                expansion.files += try filesInFolder(operand, recursive: recursive)
            } catch {
                expansion.problems.append(
                    DicomError(
                        .unreadable, path: operand, message: "cannot list the folder: \(error.localizedDescription)"))
            }
        }
        return expansion
    }

    private static func filesInFolder(_ folder: String, recursive: Bool) throws -> [String] {
        let manager = FileManager.default
        let base = folder.hasSuffix("/") ? String(folder.dropLast()) : folder
        var found: [String] = []
        var pending = [base]
        while let current = pending.popLast() {
            for name in try manager.contentsOfDirectory(atPath: current) {
                let path = current + "/" + name
                var status = stat()
                guard lstat(path, &status) == 0 else { continue }
                let type = status.st_mode & S_IFMT
                if type == S_IFDIR {
                    if recursive { pending.append(path) }
                } else if type == S_IFREG {
                    found.append(path)
                } else if type == S_IFLNK {
                    var target = stat()
                    if stat(path, &target) == 0, target.st_mode & S_IFMT == S_IFREG { found.append(path) }
                }
            }
        }
        return found.sorted()
    }
}
