import Foundation

/// Helper executables installed beside Annulus's own (`annulus-dicom-query`, `annulus-dicom-receiver`).
public enum SiblingExecutable {
    /// The executable `name`: the path in `variable` when the environment sets it, else the file of that name beside
    /// this process's executable. The error says where it was looked for and how to name another place.
    public static func locate(
        _ name: String, variable: String, environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> Result<String, PACSError> {
        if let path = environment[variable], !path.isEmpty {
            guard access(path, X_OK) == 0 else {
                return .failure(.init(.cannotStart, "\(variable) names \(path), which is not an executable file"))
            }
            return .success(path)
        }
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = buffer.withUnsafeMutableBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { readlink("/proc/self/exe", $0.baseAddress!, $0.count - 1) }
        }
        let own = length > 0 ? String(decoding: buffer.prefix(length), as: UTF8.self) : CommandLine.arguments[0]
        let candidate = URL(fileURLWithPath: own).deletingLastPathComponent().appendingPathComponent(name).path
        guard access(candidate, X_OK) == 0 else {
            return .failure(
                .init(
                    .cannotStart, "\(name) is not installed beside \(own); install it there or name it with \(variable)"
                ))
        }
        return .success(candidate)
    }
}
