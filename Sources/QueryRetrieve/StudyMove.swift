/// How one study's C-MOVE ended, from the PACS's responses (PS3.4 C.4.2.1.5): the final status and the largest
/// sub-operation counts any response reported.
public struct StudyMove: Sendable, Equatable, Codable {
    /// The study.
    public var studyInstanceUID: String
    /// The final status (0x0000 success, 0xB000 some sub-operations failed, 0xA801 move destination unknown,
    /// 0xA701/0xA702 out of resources, 0xC000… unable to process, 0xFE00 cancelled); 0xFFFF when none came.
    public var status: UInt16
    /// Sub-operations (C-STOREs to Annulus) completed.
    public var completed: Int
    /// Sub-operations that failed.
    public var failed: Int
    /// Sub-operations completed with a warning.
    public var warning: Int
    /// The PACS's Error Comment, if any (as sent, at most 64 characters: escape before a terminal).
    public var errorComment: String?

    /// A move outcome.
    public init(
        studyInstanceUID: String, status: UInt16, completed: Int, failed: Int, warning: Int, errorComment: String?
    ) {
        self.studyInstanceUID = studyInstanceUID
        self.status = status
        self.completed = completed
        self.failed = failed
        self.warning = warning
        self.errorComment = errorComment
    }

    /// True for 0x0000 (every sub-operation completed).
    public var succeeded: Bool { status == 0x0000 }

    /// 0xA801: the PACS does not know the move destination's AE title.
    public var destinationUnknown: Bool { status == 0xA801 }

    /// The status as four hexadecimal digits (`0xA801`).
    public var statusText: String { Self.hex(status) }

    /// The meaning of the status in words.
    public var meaning: String {
        switch status {
        case 0x0000: "success"
        case 0xB000: "some sub-operations failed or had warnings"
        case 0xA801: "move destination unknown"
        case 0xA701: "out of resources: unable to calculate the number of matches"
        case 0xA702: "out of resources: unable to perform the sub-operations"
        case 0xA900: "identifier does not match the SOP class"
        case 0xFE00: "cancelled"
        case 0xFFFF: "no final response"
        case 0xC000...0xCFFF: "unable to process"
        case 0xA700...0xA7FF: "out of resources"
        default: "failure"
        }
    }

    static func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
