/// DICOM Application Entity titles (PS3.5 6.2, VR AE).
public enum AETitle {
    /// Why `title` cannot be an AE title (1 to 16 characters of the default repertoire without backslash or control
    /// characters, not only spaces), or nil when it can.
    public static func problem(_ title: String) -> String? {
        if title.isEmpty || title.count > 16 { return "an AE title has 1 to 16 characters" }
        if title.allSatisfy({ $0 == " " }) { return "an AE title cannot be only spaces" }
        let allowed = title.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value < 0x7F && $0 != "\\" }
        return allowed ? nil : "an AE title has only printable ASCII characters and no backslash"
    }
}
