/// An SR document as read back: its identity, flags and content tree (any SR, not only Annulus's).
public struct SRDocumentTree: Sendable, Equatable {
    /// SOP Class UID (Enhanced SR, Comprehensive SR, …).
    public var sopClassUID: String
    /// Study Instance UID.
    public var studyInstanceUID: String
    /// Series Instance UID.
    public var seriesInstanceUID: String
    /// SOP Instance UID.
    public var sopInstanceUID: String
    /// COMPLETE or PARTIAL.
    public var completion: String
    /// VERIFIED or UNVERIFIED.
    public var verification: String
    /// The root content item (the document title's container).
    public var root: SRContentItem

    /// Creates a document tree.
    public init(
        sopClassUID: String, studyInstanceUID: String, seriesInstanceUID: String, sopInstanceUID: String,
        completion: String, verification: String, root: SRContentItem
    ) {
        self.sopClassUID = sopClassUID
        self.studyInstanceUID = studyInstanceUID
        self.seriesInstanceUID = seriesInstanceUID
        self.sopInstanceUID = sopInstanceUID
        self.completion = completion
        self.verification = verification
        self.root = root
    }
}

/// One content item of an SR tree with its children.
public struct SRContentItem: Sendable, Equatable {
    /// The value of an item.
    public enum Value: Sendable, Equatable {
        /// A CONTAINER.
        case container
        /// TEXT, UIDREF, PNAME, DATE, TIME, DATETIME: the string.
        case string(String)
        /// CODE.
        case code(SRCode)
        /// NUM: the number as written, and its unit.
        case number(String, unit: SRCode?)
        /// SCOORD: the graphic type (POINT, POLYLINE, …) and the column, row pairs.
        case coordinates(graphicType: String, points: [(x: Double, y: Double)])
        /// IMAGE or COMPOSITE: the SOP class and instance, and the frames.
        case reference(sopClassUID: String, sopInstanceUID: String, frames: [Int])
        /// Anything else (WAVEFORM, TCOORD, SCOORD3D…): not interpreted.
        case other

        /// Same kind and same value (points compared one by one).
        public static func == (lhs: Value, rhs: Value) -> Bool {
            switch (lhs, rhs) {
            case (.container, .container), (.other, .other): true
            case (.string(let a), .string(let b)): a == b
            case (.code(let a), .code(let b)): a == b
            case (.number(let a, let u), .number(let b, let v)): a == b && u == v
            case (.coordinates(let t, let p), .coordinates(let u, let q)):
                t == u && p.count == q.count && zip(p, q).allSatisfy { $0.x == $1.x && $0.y == $1.y }
            case (.reference(let c, let i, let f), .reference(let d, let j, let g)): c == d && i == j && f == g
            default: false
            }
        }
    }

    /// CONTAINS, HAS OBS CONTEXT, HAS CONCEPT MOD, SELECTED FROM, … ("" for the root).
    public var relationship: String
    /// TEXT, CODE, NUM, SCOORD, IMAGE, CONTAINER, …
    public var valueType: String
    /// The concept name, when the item has one.
    public var concept: SRCode?
    /// The template identifier on the item ("1500", "1410"), or "".
    public var template: String
    /// The value.
    public var value: Value
    /// The children, in document order.
    public var children: [SRContentItem]

    /// Creates an item.
    public init(
        relationship: String, valueType: String, concept: SRCode?, template: String, value: Value,
        children: [SRContentItem] = []
    ) {
        self.relationship = relationship
        self.valueType = valueType
        self.concept = concept
        self.template = template
        self.value = value
        self.children = children
    }

    /// The children whose concept name is `code` (value and scheme).
    public func children(named code: SRCode) -> [SRContentItem] {
        children.filter { $0.concept?.matches(code) == true }
    }

    /// Every item below this one whose concept name is `code`, depth first.
    public func descendants(named code: SRCode) -> [SRContentItem] {
        children.flatMap { ($0.concept?.matches(code) == true ? [$0] : []) + $0.descendants(named: code) }
    }

    /// The string of a TEXT/UIDREF/PNAME item, else nil.
    public var string: String? { if case .string(let text) = value { text } else { nil } }
    /// The code of a CODE item, else nil.
    public var code: SRCode? { if case .code(let code) = value { code } else { nil } }
}
