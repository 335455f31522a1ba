/// Which names in the watched folder are never taken: files still being written under a temporary name by
/// their sender, and hidden files.
public enum ArrivalFilter {
    /// Suffixes senders use while writing (then they rename to the final name).
    public static let temporarySuffixes = [".part", ".partial", ".tmp", ".temp", ".crdownload", ".filepart", "~"]

    /// True when the file named `path` should be left alone: a dot file (or inside a dot folder below the watched
    /// root), a temporary suffix, or a reason file of ours.
    public static func ignores(_ path: String, root: String) -> Bool {
        let relative = path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
        let components = relative.split(separator: "/")
        if components.contains(where: { $0.hasPrefix(".") }) { return true }
        guard let name = components.last?.lowercased() else { return true }
        return temporarySuffixes.contains { name.hasSuffix($0) }
    }
}
