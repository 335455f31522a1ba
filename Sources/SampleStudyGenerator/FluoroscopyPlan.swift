import DicomIO
import Dispatch

/// The fluoroscopy cine of patient 1: X-Ray Radiofluoroscopic Image Storage, multi-frame, JPEG-LS.
struct FluoroscopyPlan: Sendable {
    var folder = "series-01-rf-cine"
    var frames = 40
    var size = 512  // rows = columns
    var frameTime = 100.0  // ms: 10 frames per second pulsed fluoroscopy

    /// Every frame of the cine, concatenated (the only decoded copy the generator builds); frames are rendered on
    /// every core, each into its own slot, so the bytes do not depend on scheduling.
    func renderFrames() -> [UInt8] {
        let phantom = FluoroscopyPhantom(rows: size, columns: size, frameCount: frames)
        let frameBytes = size * size
        return [UInt8](unsafeUninitializedCapacity: frameBytes * frames) { buffer, initialized in
            // Each iteration writes only its own frame's bytes.
            nonisolated(unsafe) let base = buffer.baseAddress
            DispatchQueue.concurrentPerform(iterations: frames) { index in
                let frame = phantom.frame(index)
                frame.withUnsafeBufferPointer { source in
                    guard let base, let from = source.baseAddress else { return }
                    (base + index * frameBytes).initialize(from: from, count: frameBytes)
                }
            }
            initialized = frameBytes * frames
        }
    }

    func write(study: SampleStudy, into folder: String) throws -> String {
        let seriesKey = "\(study.key)/series-1"
        let writer = try DicomWriter()
        try study.setStudyAttributes(writer)
        try writer.set(.sopClassUID, "1.2.840.10008.5.1.4.1.1.12.2")
        try writer.set(.sopInstanceUID, DeterministicUID.make("\(seriesKey)/instance-1"))
        try writer.set(.seriesInstanceUID, DeterministicUID.make(seriesKey))
        try writer.set(.modality, "RF")
        try writer.set(.seriesNumber, "1")
        try writer.set(.seriesDescription, "L4-L5 ANNULARGRAM CINE LAT")
        try writer.set(DicomTag(0x0008, 0x0021), study.date)
        try writer.set(DicomTag(0x0008, 0x0031), study.time)
        try writer.set(DicomTag(0x0008, 0x0008), ["ORIGINAL", "PRIMARY", "SINGLE PLANE"])
        try writer.set(DicomTag(0x0018, 0x5100), "FFP")  // prone, feet first
        // Left to right runs anterior to posterior, top to bottom footwards (the phantom's lateral view).
        try writer.set(.patientOrientation, ["P", "F"])
        try writer.set(.instanceNumber, "1")
        try writer.set(DicomTag(0x0018, 0x0060), "75")
        try writer.set(DicomTag(0x0018, 0x1151), "2")
        try writer.set(DicomTag(0x0018, 0x1110), "1000")
        try writer.set(DicomTag(0x0018, 0x1111), "750")
        try writer.set(DicomTag(0x0018, 0x1164), ["0.3", "0.3"])
        try writer.set(DicomTag(0x0018, 0x1510), "90")
        try writer.set(DicomTag(0x0018, 0x1511), "0")
        try writer.set(.numberOfFrames, "\(frames)")
        try writer.set(.frameTime, DicomWriter.decimalString(frameTime))
        try writer.set(DicomTag(0x0028, 0x0009), "(0018,1063)")  // Frame Increment Pointer → Frame Time
        try writer.set(.cineRate, "\(Int(1000 / frameTime))")
        try writer.set(DicomTag(0x0008, 0x2144), "\(Int(1000 / frameTime))")
        try writer.setMonochromePixelModule(rows: size, columns: size, bitsAllocated: 8, bitsStored: 8)
        try writer.set(DicomTag(0x0028, 0x1040), "LIN")
        try writer.set(.windowCenter, "128")
        try writer.set(.windowWidth, "256")
        // A temporary: DCMTK copies the samples and the Swift array is released before encoding.
        try writer.setPixels(renderFrames())
        let path = folder + "/IM0001.dcm"
        try writer.write(to: path, transferSyntax: .jpegLSLossless)
        return path
    }
}
