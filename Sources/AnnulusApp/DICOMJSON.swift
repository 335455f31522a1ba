import Foundation

/// One attribute of a DICOM JSON object (PS3.18 F.2): its VR and its values (none: the attribute is present but
/// empty, written without `Value`).
public struct DICOMJSONAttribute: Sendable, Equatable, Encodable {
    /// The value representation, two upper-case letters.
    public var vr: String
    /// The values, in order.
    public var values: [DICOMJSONValue]

    /// An attribute.
    public init(vr: String, values: [DICOMJSONValue]) {
        self.vr = vr
        self.values = values
    }

    enum CodingKeys: String, CodingKey {
        case vr
        case value = "Value"
    }

    /// `{"vr": …, "Value": […]}`, without `Value` when there is none.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(vr, forKey: .vr)
        if !values.isEmpty { try container.encode(values, forKey: .value) }
    }
}

/// A value of a DICOM JSON attribute.
public enum DICOMJSONValue: Sendable, Equatable, Encodable {
    /// A string (UI, CS, LO, SH, DA, TM, UR …).
    case string(String)
    /// A number (IS, US, UL …).
    case number(Int)
    /// A person name as stored (`Alphabetic=Ideographic=Phonetic`), written as its component groups.
    case personName(String)
    /// A sequence item (SQ).
    case item(DICOMJSONObject)

    /// The JSON form of the value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .number(let number): try container.encode(number)
        case .personName(let name):
            let groups = name.split(separator: "=", omittingEmptySubsequences: false).map(String.init)
            var object: [String: String] = [:]
            for (key, group) in zip(["Alphabetic", "Ideographic", "Phonetic"], groups) where !group.isEmpty {
                object[key] = group
            }
            try container.encode(object)
        case .item(let object): try container.encode(object)
        }
    }
}

/// A DICOM JSON object: attributes by tag, eight upper-case hexadecimal digits (`0020000D`). Encoded with sorted
/// keys, the attributes come in tag order as PS3.18 F.2 asks.
public typealias DICOMJSONObject = [String: DICOMJSONAttribute]

/// The media type of DICOM JSON: dicomweb-client reads a body only when the Content-Type is exactly this (no
/// parameters).
public let dicomJSONMediaType = "application/dicom+json"
