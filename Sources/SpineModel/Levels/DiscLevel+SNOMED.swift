extension DiscLevel {
    /// The SNOMED CT code of the disc in DICOM CID 7604 "Intervertebral Disc", for FHIR `bodySite`; `nil` for the
    /// transitional L5-L6 and S1-S2, which have no code there (send text only).
    public var snomedCode: String? {
        switch self {
        case .C2C3: "1078209008"
        case .C3C4: "58820006"
        case .C4C5: "49400002"
        case .C5C6: "73959003"
        case .C6C7: "75095006"
        case .C7T1: "37414007"
        case .T1T2: "40908007"
        case .T2T3: "6004007"
        case .T3T4: "2620004"
        case .T4T5: "82965004"
        case .T5T6: "72692000"
        case .T6T7: "74401007"
        case .T7T8: "28693002"
        case .T8T9: "9188009"
        case .T9T10: "113209001"
        case .T10T11: "34959001"
        case .T11T12: "1537001"
        case .T12L1: "76206002"
        case .L1L2: "80064006"
        case .L2L3: "67459009"
        case .L3L4: "62551000"
        case .L4L5: "84020006"
        case .L5S1: "715056000"
        case .L5L6, .S1S2: nil
        }
    }
}
