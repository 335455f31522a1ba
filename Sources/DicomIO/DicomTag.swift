/// A DICOM attribute tag (group, element).
public struct DicomTag: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The group number.
    public var group: UInt16
    /// The element number.
    public var element: UInt16

    /// Creates a tag from its group and element numbers.
    public init(_ group: UInt16, _ element: UInt16) {
        self.group = group
        self.element = element
    }

    /// "(GGGG,EEEE)" in upper-case hexadecimal.
    public var description: String { "(\(hex(group)),\(hex(element)))" }

    /// Orders by group, then element (the order of a data set).
    public static func < (lhs: DicomTag, rhs: DicomTag) -> Bool {
        (lhs.group, lhs.element) < (rhs.group, rhs.element)
    }

    private func hex(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}

extension DicomTag {
    /// (0002,0010) Transfer Syntax UID.
    public static let transferSyntaxUID = DicomTag(0x0002, 0x0010)
    /// (0008,0005) Specific Character Set.
    public static let specificCharacterSet = DicomTag(0x0008, 0x0005)
    /// (0008,0016) SOP Class UID.
    public static let sopClassUID = DicomTag(0x0008, 0x0016)
    /// (0008,0018) SOP Instance UID.
    public static let sopInstanceUID = DicomTag(0x0008, 0x0018)
    /// (0008,0020) Study Date.
    public static let studyDate = DicomTag(0x0008, 0x0020)
    /// (0008,0050) Accession Number.
    public static let accessionNumber = DicomTag(0x0008, 0x0050)
    /// (0008,0060) Modality.
    public static let modality = DicomTag(0x0008, 0x0060)
    /// (0008,103E) Series Description.
    public static let seriesDescription = DicomTag(0x0008, 0x103E)
    /// (0010,0010) Patient's Name.
    public static let patientName = DicomTag(0x0010, 0x0010)
    /// (0010,0020) Patient ID.
    public static let patientID = DicomTag(0x0010, 0x0020)
    /// (0018,0050) Slice Thickness.
    public static let sliceThickness = DicomTag(0x0018, 0x0050)
    /// (0018,1063) Frame Time (ms).
    public static let frameTime = DicomTag(0x0018, 0x1063)
    /// (0018,0040) Cine Rate (frames per second).
    public static let cineRate = DicomTag(0x0018, 0x0040)
    /// (0020,000D) Study Instance UID.
    public static let studyInstanceUID = DicomTag(0x0020, 0x000D)
    /// (0020,000E) Series Instance UID.
    public static let seriesInstanceUID = DicomTag(0x0020, 0x000E)
    /// (0020,0011) Series Number.
    public static let seriesNumber = DicomTag(0x0020, 0x0011)
    /// (0020,0013) Instance Number.
    public static let instanceNumber = DicomTag(0x0020, 0x0013)
    /// (0020,0032) Image Position (Patient).
    public static let imagePositionPatient = DicomTag(0x0020, 0x0032)
    /// (0020,0037) Image Orientation (Patient).
    public static let imageOrientationPatient = DicomTag(0x0020, 0x0037)
    /// (0028,0002) Samples per Pixel.
    public static let samplesPerPixel = DicomTag(0x0028, 0x0002)
    /// (0028,0004) Photometric Interpretation.
    public static let photometricInterpretation = DicomTag(0x0028, 0x0004)
    /// (0028,0008) Number of Frames.
    public static let numberOfFrames = DicomTag(0x0028, 0x0008)
    /// (0028,0010) Rows.
    public static let rows = DicomTag(0x0028, 0x0010)
    /// (0028,0011) Columns.
    public static let columns = DicomTag(0x0028, 0x0011)
    /// (0028,0030) Pixel Spacing (row spacing, column spacing) in mm.
    public static let pixelSpacing = DicomTag(0x0028, 0x0030)
    /// (0028,0100) Bits Allocated.
    public static let bitsAllocated = DicomTag(0x0028, 0x0100)
    /// (0028,0101) Bits Stored.
    public static let bitsStored = DicomTag(0x0028, 0x0101)
    /// (0028,0103) Pixel Representation.
    public static let pixelRepresentation = DicomTag(0x0028, 0x0103)
    /// (0028,1050) Window Center.
    public static let windowCenter = DicomTag(0x0028, 0x1050)
    /// (0028,1051) Window Width.
    public static let windowWidth = DicomTag(0x0028, 0x1051)
    /// (0028,1055) Window Center & Width Explanation.
    public static let windowExplanation = DicomTag(0x0028, 0x1055)
    /// (5200,9229) Shared Functional Groups Sequence.
    public static let sharedFunctionalGroupsSequence = DicomTag(0x5200, 0x9229)
    /// (5200,9230) Per-frame Functional Groups Sequence.
    public static let perFrameFunctionalGroupsSequence = DicomTag(0x5200, 0x9230)
    /// (0020,9113) Plane Position Sequence.
    public static let planePositionSequence = DicomTag(0x0020, 0x9113)
    /// (0020,9116) Plane Orientation Sequence.
    public static let planeOrientationSequence = DicomTag(0x0020, 0x9116)
    /// (0028,9110) Pixel Measures Sequence.
    public static let pixelMeasuresSequence = DicomTag(0x0028, 0x9110)
    /// (0028,9132) Frame VOI LUT Sequence.
    public static let frameVOILUTSequence = DicomTag(0x0028, 0x9132)
    /// (0028,9145) Pixel Value Transformation Sequence (enhanced multi-frame rescale).
    public static let pixelValueTransformationSequence = DicomTag(0x0028, 0x9145)
    /// (0028,1052) Rescale Intercept.
    public static let rescaleIntercept = DicomTag(0x0028, 0x1052)
    /// (0028,1053) Rescale Slope.
    public static let rescaleSlope = DicomTag(0x0028, 0x1053)
    /// (0028,1056) VOI LUT Function.
    public static let voiLUTFunction = DicomTag(0x0028, 0x1056)
    /// (0028,0120) Pixel Padding Value.
    public static let pixelPaddingValue = DicomTag(0x0028, 0x0120)
    /// (0028,0121) Pixel Padding Range Limit.
    public static let pixelPaddingRangeLimit = DicomTag(0x0028, 0x0121)
    /// (0028,3000) Modality LUT Sequence.
    public static let modalityLUTSequence = DicomTag(0x0028, 0x3000)
    /// (0028,3010) VOI LUT Sequence.
    public static let voiLUTSequence = DicomTag(0x0028, 0x3010)
    /// (2050,0020) Presentation LUT Shape.
    public static let presentationLUTShape = DicomTag(0x2050, 0x0020)
    /// (0028,0034) Pixel Aspect Ratio (vertical, horizontal).
    public static let pixelAspectRatio = DicomTag(0x0028, 0x0034)
    /// (0018,1164) Imager Pixel Spacing (projection radiography).
    public static let imagerPixelSpacing = DicomTag(0x0018, 0x1164)
    /// (0020,0020) Patient Orientation (row direction, column direction).
    public static let patientOrientation = DicomTag(0x0020, 0x0020)
    /// (0018,1065) Frame Time Vector.
    public static let frameTimeVector = DicomTag(0x0018, 0x1065)
    /// Recommended Display Frame Rate.
    public static let recommendedDisplayFrameRate = DicomTag(0x0008, 0x2144)
    /// (0028,0009) Frame Increment Pointer.
    public static let frameIncrementPointer = DicomTag(0x0028, 0x0009)
    /// (7FE0,0010) Pixel Data.
    public static let pixelData = DicomTag(0x7FE0, 0x0010)
}
