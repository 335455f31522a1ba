import DicomIO
import Foundation

/// One part of a STOW-RS request, staged by the face: a sealed staging file (`ReceivedStaging.seal`) the use case
/// takes over, or a part that was refused before it was written (another media type).
public enum StagedPart: Sendable, Equatable {
    /// A sealed staging file holding the part's bytes.
    case file(String)
    /// A part that is not `application/dicom`, with its media type.
    case refused(mediaType: String)
}

/// The answer to a STOW-RS request (PS3.18 10.5.3): the HTTP status and the DICOM JSON response module.
public struct STOWAnswer: Sendable, Equatable {
    /// 200 every instance stored, 202 some, 409 none.
    public var httpStatus: Int
    /// Retrieve URL (of the study, when every stored instance belongs to one), Referenced SOP Sequence, Failed SOP
    /// Sequence with each failure's C-STORE status as Failure Reason.
    public var response: DICOMJSONObject
    /// The verdicts, in the order of the parts.
    public var verdicts: [ReceiveVerdict]
}

extension UseCases {
    /// Stores the staged parts of a STOW-RS request through the receive pipeline every network entrance shares
    /// (bounded header read, dedup, archive, index, quarantine with reasons) and answers per PS3.18 10.5.3.
    ///
    /// With `study` (POST `/studies/{study}`), an instance of another study is refused before it is stored
    /// (0xA900, its staged file deleted); its study is read from the staged file with the environment's bounds (a
    /// file that cannot be read goes to the pipeline, which quarantines it).
    ///
    /// - Parameters:
    ///   - parts: The parts in request order; the use case owns their files.
    ///   - study: The Study Instance UID of the request path, if any.
    ///   - queue: The shared receive pipeline.
    ///   - baseURL: The service root for Retrieve URLs.
    public func store(
        _ parts: [StagedPart], inStudy study: String?, through queue: ReceiveQueue, baseURL: String,
        by principal: Principal
    ) async -> STOWAnswer {
        var verdicts = [ReceiveVerdict?](repeating: nil, count: parts.count)
        var objects: [(index: Int, object: ReceivedObject)] = []
        for (index, part) in parts.enumerated() {
            switch part {
            case .refused(let mediaType):
                verdicts[index] = ReceiveVerdict(
                    status: .cannotUnderstand, reason: "a part of type \(mediaType), not application/dicom")
            case .file(let path):
                if let study, let other = await studyOf(path), other.study != study {
                    unlink(path)
                    verdicts[index] = ReceiveVerdict(
                        status: .dataSetMismatch, reason: "the instance belongs to another study",
                        sopClassUID: other.sopClass, sopInstanceUID: other.sopInstance, studyInstanceUID: other.study)
                } else {
                    objects.append((index, ReceivedObject(path: path)))
                }
            }
        }
        let answered = await queue.receive(objects.map(\.object))
        for (item, verdict) in zip(objects, answered) { verdicts[item.index] = verdict }
        let all = verdicts.map { $0! }
        let logger = environment.logger
        logger.info(
            "STOW-RS request taken",
            metadata: [
                "by": "\(principal.name)", "parts": "\(all.count)", "stored": "\(all.filter(\.isSuccess).count)",
            ])
        let stored = all.filter(\.isSuccess).compactMap(\.sopInstanceUID)
        let found: [String: String]? = try? await perform {
            let store = self.environment.store
            var series: [String: String] = [:]
            for instance in stored {
                series[instance] = try store.instance(sopInstanceUID: instance)?.seriesInstanceUID
            }
            return series
        }
        return Self.stowAnswer(all, study: study, series: found ?? [:], baseURL: baseURL)
    }

    /// The PS3.18 10.5.3 answer to these verdicts (pure); `series` gives the series of each stored instance, for
    /// its Retrieve URL.
    public static func stowAnswer(
        _ verdicts: [ReceiveVerdict], study: String?, series: [String: String], baseURL: String
    ) -> STOWAnswer {
        func uid(_ value: String?) -> DICOMJSONAttribute {
            DICOMJSONAttribute(vr: "UI", values: value.map { [.string($0)] } ?? [])
        }
        var referenced: [DICOMJSONValue] = []
        var failed: [DICOMJSONValue] = []
        for verdict in verdicts {
            var item: DICOMJSONObject = ["00081150": uid(verdict.sopClassUID), "00081155": uid(verdict.sopInstanceUID)]
            if verdict.isSuccess {
                if let studyUID = verdict.studyInstanceUID, let instance = verdict.sopInstanceUID,
                    let seriesUID = series[instance]
                {
                    item["00081190"] = DICOMJSONAttribute(
                        vr: "UR",
                        values: [.string("\(baseURL)/studies/\(studyUID)/series/\(seriesUID)/instances/\(instance)")])
                }
                referenced.append(.item(item))
            } else {
                item["00081197"] = DICOMJSONAttribute(vr: "US", values: [.number(Int(verdict.status.rawValue))])
                failed.append(.item(item))
            }
        }
        var response: DICOMJSONObject = [:]
        let studies = Set(verdicts.filter(\.isSuccess).compactMap(\.studyInstanceUID))
        if let single = study ?? (studies.count == 1 ? studies.first : nil) {
            response["00081190"] = DICOMJSONAttribute(vr: "UR", values: [.string("\(baseURL)/studies/\(single)")])
        }
        if !referenced.isEmpty { response["00081199"] = DICOMJSONAttribute(vr: "SQ", values: referenced) }
        if !failed.isEmpty { response["00081198"] = DICOMJSONAttribute(vr: "SQ", values: failed) }
        let status = failed.isEmpty ? 200 : referenced.isEmpty ? 409 : 202
        return STOWAnswer(httpStatus: status, response: response, verdicts: verdicts)
    }

    /// The study, SOP class and instance a staged file declares, or nil when its header cannot be read.
    private func studyOf(_ path: String) async -> (study: String, sopClass: String?, sopInstance: String?)? {
        var options = environment.readOptions
        options.headerOnly = true
        let readOptions = options
        return try? await perform {
            let dataset = try DicomFile(path: path, options: readOptions).dataset
            guard let study = dataset.string(.studyInstanceUID) else { throw AppError.internal("no study") }
            return (study, dataset.string(.sopClassUID), dataset.string(.sopInstanceUID))
        }
    }
}
