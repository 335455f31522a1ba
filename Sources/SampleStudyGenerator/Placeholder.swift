/// Placeholder until the generator lands.
public enum SampleStudies {
    /// Writes the sample studies into `folder`; returns the paths written.
    public static func generate(into folder: String) throws -> [String] { [] }
}
