/// A DICOM coded entry (code value, coding scheme designator, code meaning).
public struct SRCode: Sendable, Hashable, CustomStringConvertible {
    /// The code value (DCMTK writes values longer than 16 characters as Long Code Value).
    public var value: String
    /// The coding scheme designator: `SCT`, `DCM`, `LN`, `RADELEMENT` or Annulus's local `99ANNULUS`.
    public var scheme: String
    /// The code meaning.
    public var meaning: String

    /// Creates a coded entry.
    public init(_ value: String, _ scheme: String, _ meaning: String) {
        self.value = value
        self.scheme = scheme
        self.meaning = meaning
    }

    /// `(value, scheme, "meaning")`, as dsrdump prints it.
    public var description: String { "(\(value), \(scheme), \"\(meaning)\")" }

    /// Whether `other` is the same concept (value and scheme; the meaning is for people).
    public func matches(_ other: SRCode) -> Bool { value == other.value && scheme == other.scheme }
}

/// A qualitative evaluation: a coded value or a text under a coded name.
public struct SREvaluation: Sendable, Equatable {
    /// The value of an evaluation.
    public enum Value: Sendable, Equatable {
        /// A CODE content item.
        case code(SRCode)
        /// A TEXT content item.
        case text(String)
    }

    /// The concept name.
    public var name: SRCode
    /// The value.
    public var value: Value

    /// Creates an evaluation.
    public init(_ name: SRCode, _ value: Value) {
        self.name = name
        self.value = value
    }
}

/// An image a document references: series, SOP class and instance, and the frame of a multi-frame image.
public struct SRImageReference: Sendable, Hashable {
    /// Series Instance UID.
    public var seriesInstanceUID: String
    /// SOP Class UID.
    public var sopClassUID: String
    /// SOP Instance UID.
    public var sopInstanceUID: String
    /// The referenced frame (counting from 1) of a multi-frame image; nil for a single-frame image.
    public var frame: Int?

    /// Creates a reference.
    public init(seriesInstanceUID: String, sopClassUID: String, sopInstanceUID: String, frame: Int? = nil) {
        self.seriesInstanceUID = seriesInstanceUID
        self.sopClassUID = sopClassUID
        self.sopInstanceUID = sopInstanceUID
        self.frame = frame
    }
}

/// Where on an image a finding was marked: a point, or a polyline of two or more points (SCOORD, pixel
/// coordinates with (0, 0) at the top-left corner of the top-left pixel).
public struct SRImageRegion: Sendable, Equatable {
    /// The image (and frame).
    public var image: SRImageReference
    /// Column, row of each point.
    public var points: [(x: Double, y: Double)]

    /// Creates a region.
    public init(image: SRImageReference, points: [(x: Double, y: Double)]) {
        self.image = image
        self.points = points
    }

    /// Whether the region is a polyline (two or more points) rather than a point.
    public var isPolyline: Bool { points.count >= 2 }

    /// Same image and the same points in order.
    public static func == (lhs: SRImageRegion, rhs: SRImageRegion) -> Bool {
        lhs.image == rhs.image && lhs.points.count == rhs.points.count
            && zip(lhs.points, rhs.points).allSatisfy { $0.x == $1.x && $0.y == $1.y }
    }
}

/// One finding at one disc level: a measurement group (TID 1410 when marked on an image, else TID 1501).
public struct SRFindingGroup: Sendable, Equatable {
    /// "L4-L5 annular fissure".
    public var trackingIdentifier: String
    /// Stable per annotation (`2.25.` and the annotation's UUID), so that a later report supersedes it.
    public var trackingUID: String
    /// The finding's kind.
    public var finding: SRCode
    /// The disc (SNOMED CT, CID 7604), or a local code for a transitional level.
    public var site: SRCode?
    /// Where it was marked.
    public var region: SRImageRegion?
    /// The finding's recorded values, its status, its note.
    public var evaluations: [SREvaluation]

    /// Creates a group.
    public init(
        trackingIdentifier: String, trackingUID: String, finding: SRCode, site: SRCode?, region: SRImageRegion?,
        evaluations: [SREvaluation]
    ) {
        self.trackingIdentifier = trackingIdentifier
        self.trackingUID = trackingUID
        self.finding = finding
        self.site = site
        self.region = region
        self.evaluations = evaluations
    }
}

/// A coding scheme DICOM does not define, declared in the Coding Scheme Identification Sequence.
public struct SRCodingScheme: Sendable, Equatable {
    /// The designator used in the codes.
    public var designator: String
    /// Its name.
    public var name: String
    /// Where it is described.
    public var url: String
    /// Who is responsible for it.
    public var responsibleOrganization: String

    /// Creates a scheme declaration.
    public init(designator: String, name: String, url: String, responsibleOrganization: String) {
        self.designator = designator
        self.name = name
        self.url = url
        self.responsibleOrganization = responsibleOrganization
    }
}

/// A document's identity: study, its own series and instance, numbers, time and what it supersedes.
public struct SRDocumentIdentity: Sendable, Equatable {
    /// The study the document belongs to.
    public var studyInstanceUID: String
    /// The document's series (one per study and kind of document, stable).
    public var seriesInstanceUID: String
    /// The document's instance (new for each different content).
    public var sopInstanceUID: String
    /// Series Number.
    public var seriesNumber: Int
    /// Instance Number (1, 2, … one more for each superseding document).
    public var instanceNumber: Int
    /// Series Description.
    public var seriesDescription: String
    /// Content Date (YYYYMMDD).
    public var contentDate: String
    /// Content Time (HHMMSS).
    public var contentTime: String
    /// Documents this one supersedes (Predecessor Documents Sequence).
    public var predecessors: [SRImageReference]

    /// Creates an identity.
    public init(
        studyInstanceUID: String, seriesInstanceUID: String, sopInstanceUID: String, seriesNumber: Int,
        instanceNumber: Int, seriesDescription: String, contentDate: String, contentTime: String,
        predecessors: [SRImageReference] = []
    ) {
        self.studyInstanceUID = studyInstanceUID
        self.seriesInstanceUID = seriesInstanceUID
        self.sopInstanceUID = sopInstanceUID
        self.seriesNumber = seriesNumber
        self.instanceNumber = instanceNumber
        self.seriesDescription = seriesDescription
        self.contentDate = contentDate
        self.contentTime = contentTime
        self.predecessors = predecessors
    }
}

/// A verifying observer: who signed, for which organization, when (DT).
public struct SRVerifier: Sendable, Equatable {
    /// The person's name (DICOM PN).
    public var name: String
    /// The organization.
    public var organization: String
    /// YYYYMMDDHHMMSS.
    public var dateTime: String

    /// Creates a verifier.
    public init(name: String, organization: String, dateTime: String) {
        self.name = name
        self.organization = organization
        self.dateTime = dateTime
    }
}

/// The content of a findings report (TID 1500 Imaging Measurement Report), ready to encode.
public struct SRFindingsReport: Sendable, Equatable {
    /// Its identity.
    public var identity: SRDocumentIdentity
    /// The person observers: every author of a finding in it (DICOM PN).
    public var observers: [String]
    /// Their organization.
    public var organization: String
    /// The software as device observer: its UID and name.
    public var deviceUID: String
    /// The software's name.
    public var deviceName: String
    /// Annulus's version (Software Versions).
    public var softwareVersion: String
    /// Procedure reported.
    public var procedure: SRCode
    /// One group per finding.
    public var groups: [SRFindingGroup]
    /// Report-level qualitative evaluations: the candidacy, per level with its reasons, and the disclaimer.
    public var evaluations: [SREvaluation]
    /// Non-empty when every finding is signed: the document is COMPLETE and VERIFIED by each signer; empty:
    /// PARTIAL, UNVERIFIED and preliminary.
    public var verifiers: [SRVerifier]
    /// Why the document is complete, when verified.
    public var completionDescription: String
    /// The coding schemes it uses that DICOM does not define.
    public var schemes: [SRCodingScheme]

    /// Creates report content.
    public init(
        identity: SRDocumentIdentity, observers: [String], organization: String, deviceUID: String, deviceName: String,
        softwareVersion: String, procedure: SRCode, groups: [SRFindingGroup], evaluations: [SREvaluation],
        verifiers: [SRVerifier], completionDescription: String, schemes: [SRCodingScheme]
    ) {
        self.identity = identity
        self.observers = observers
        self.organization = organization
        self.deviceUID = deviceUID
        self.deviceName = deviceName
        self.softwareVersion = softwareVersion
        self.procedure = procedure
        self.groups = groups
        self.evaluations = evaluations
        self.verifiers = verifiers
        self.completionDescription = completionDescription
        self.schemes = schemes
    }

    /// Whether the report is verified (every finding in it signed by a clinician).
    public var isVerified: Bool { !verifiers.isEmpty }
}

/// The content of a Key Object Selection document: the images findings were marked on.
public struct SRKeyObjects: Sendable, Equatable {
    /// Its identity.
    public var identity: SRDocumentIdentity
    /// Key Object Description.
    public var description: String
    /// The images (each with its frame when multi-frame), in report order, without repeats.
    public var images: [SRImageReference]
    /// Annulus's version.
    public var softwareVersion: String

    /// Creates key-object content.
    public init(identity: SRDocumentIdentity, description: String, images: [SRImageReference], softwareVersion: String)
    {
        self.identity = identity
        self.description = description
        self.images = images
        self.softwareVersion = softwareVersion
    }
}
