import CDicomSR
import DicomIO
import Findings
import Foundation

/// Encodes findings reports and key-object selections as DICOM files (Explicit VR Little Endian) through DCMTK's
/// dcmsr and libcmr; the caller writes the bytes atomically.
public enum SRDocumentEncoder {
    /// The findings report (Enhanced SR, TID 1500). `studyFile` is a DICOM file of the study: its patient and study
    /// attributes are copied into the document, so no name passes through Annulus's own values.
    public static func encode(_ report: SRFindingsReport, studyFile: String) throws(SRError) -> Data {
        try ensureRuntime()
        let arena = CArena()
        var input = csr_report()
        input.document = arena.document(
            report.identity, studyFile: studyFile, schemes: report.schemes, softwareVersion: report.softwareVersion)
        input.observers = arena.strings(report.observers)
        input.observer_count = report.observers.count
        input.organization = arena.c(report.organization)
        input.device_uid = arena.c(report.deviceUID)
        input.device_name = arena.c(report.deviceName)
        input.procedure = arena.code(report.procedure)
        input.groups = arena.array(report.groups.map(arena.group))
        input.group_count = report.groups.count
        input.evaluations = arena.array(report.evaluations.map(arena.evaluation))
        input.evaluation_count = report.evaluations.count
        input.verifiers = arena.array(
            report.verifiers.map {
                csr_verifier(
                    name: arena.c($0.name), organization: arena.c($0.organization),
                    datetime: arena.c($0.dateTime))
            })
        input.verifier_count = report.verifiers.count
        input.completion_description = arena.c(report.completionDescription)
        return try call("the findings report") { out, error, size in csr_write_report(&input, out, error, size) }
    }

    /// The Key Object Selection document ("Of Interest", TID 2010) of the report's images.
    public static func encode(_ keyObjects: SRKeyObjects, studyFile: String) throws(SRError) -> Data {
        try ensureRuntime()
        let arena = CArena()
        var input = csr_key_objects()
        input.document = arena.document(
            keyObjects.identity, studyFile: studyFile, schemes: [],
            softwareVersion: keyObjects.softwareVersion)
        input.description = arena.c(keyObjects.description)
        input.images = arena.array(keyObjects.images.map(arena.image))
        input.image_count = keyObjects.images.count
        return try call("the key object selection") { out, error, size in
            csr_write_key_objects(&input, out, error, size)
        }
    }

    static func ensureRuntime() throws(SRError) {
        do { try DicomRuntime.initialize() } catch { throw SRError(what: "DCMTK", reason: "\(error)") }
    }

    /// Runs a writer or reader, returning its bytes or its error.
    static func call(
        _ what: String, _ body: (UnsafeMutablePointer<csr_bytes>, UnsafeMutablePointer<CChar>, Int) -> Int32
    ) throws(SRError) -> Data {
        var out = csr_bytes()
        var message = [CChar](repeating: 0, count: 1024)
        let status = message.withUnsafeMutableBufferPointer { buffer in body(&out, buffer.baseAddress!, buffer.count) }
        defer { csr_bytes_free(&out) }
        guard status == 0, let data = out.data else {
            throw SRError(
                what: what,
                reason: String(
                    decoding: message.prefix { $0 != 0 }.map(UInt8.init(bitPattern:)),
                    as: UTF8.self))
        }
        return Data(bytes: data, count: out.size)
    }
}

/// C strings and arrays that live as long as the arena (one encoding call).
final class CArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    deinit { allocations.forEach { free($0) } }

    func c(_ text: String) -> UnsafePointer<CChar> {
        let copy = strdup(text)!
        allocations.append(UnsafeMutableRawPointer(copy))
        return UnsafePointer(copy)
    }

    func array<T>(_ items: [T]) -> UnsafePointer<T>? {
        guard !items.isEmpty else { return nil }
        let memory = malloc(MemoryLayout<T>.stride * items.count)!
        allocations.append(memory)
        let typed = memory.bindMemory(to: T.self, capacity: items.count)
        typed.initialize(from: items, count: items.count)
        return UnsafePointer(typed)
    }

    func strings(_ texts: [String]) -> UnsafePointer<UnsafePointer<CChar>?>? {
        array(texts.map { Optional(c($0)) })
    }

    func code(_ code: SRCode) -> csr_code {
        csr_code(value: c(code.value), scheme: c(code.scheme), meaning: c(code.meaning))
    }

    func evaluation(_ evaluation: SREvaluation) -> csr_evaluation {
        switch evaluation.value {
        case .code(let value): csr_evaluation(name: code(evaluation.name), code: code(value), text: nil)
        case .text(let text): csr_evaluation(name: code(evaluation.name), code: csr_code(), text: c(text))
        }
    }

    func image(_ image: SRImageReference) -> csr_image {
        csr_image(
            series_instance_uid: c(image.seriesInstanceUID), sop_class_uid: c(image.sopClassUID),
            sop_instance_uid: c(image.sopInstanceUID), frame: UInt32(max(0, image.frame ?? 0)))
    }

    func group(_ group: SRFindingGroup) -> csr_group {
        var result = csr_group()
        result.tracking_id = c(group.trackingIdentifier)
        result.tracking_uid = c(group.trackingUID)
        result.finding = code(group.finding)
        if let site = group.site { result.site = code(site) }
        if let region = group.region {
            result.has_region = 1
            result.image = image(region.image)
            result.is_polyline = region.isPolyline ? 1 : 0
            result.points = array(region.points.flatMap { [Float($0.x), Float($0.y)] })
            result.point_count = region.points.count
        }
        result.evaluations = array(group.evaluations.map(evaluation))
        result.evaluation_count = group.evaluations.count
        return result
    }

    func document(
        _ identity: SRDocumentIdentity, studyFile: String, schemes: [SRCodingScheme], softwareVersion: String
    ) -> csr_document {
        var result = csr_document()
        result.source_path = c(studyFile)
        result.study_instance_uid = c(identity.studyInstanceUID)
        result.series_instance_uid = c(identity.seriesInstanceUID)
        result.sop_instance_uid = c(identity.sopInstanceUID)
        result.series_number = Int32(clamping: identity.seriesNumber)
        result.instance_number = Int32(clamping: identity.instanceNumber)
        result.series_description = c(identity.seriesDescription)
        result.content_date = c(identity.contentDate)
        result.content_time = c(identity.contentTime)
        result.manufacturer = c("Annulus")
        result.software_version = c(softwareVersion)
        result.schemes = array(
            schemes.map {
                csr_scheme(
                    designator: c($0.designator), name: c($0.name), url: c($0.url),
                    responsible_organization: c($0.responsibleOrganization))
            })
        result.scheme_count = schemes.count
        result.predecessors = array(identity.predecessors.map(image))
        result.predecessor_count = identity.predecessors.count
        return result
    }
}
