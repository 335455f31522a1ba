import AnnulusApp
import Foundation
import Logging
import Synchronization
import TextSafety

/// One association's channel from its process: logs the association, answers each received object with the
/// receive pipeline's verdict, and cleans up after a process that died mid-transfer.
///
/// The process is not trusted further than its messages can be checked: a staged path must be one this process
/// may have written (`<staging>/dicom-<its pid>-<n>.dcm`); anything else is refused and never touched.
struct AssociationChannel: Sendable {
    let descriptor: Int32
    let pid: pid_t
    let peer: String
    let staging: String
    let queue: ReceiveQueue
    let logger: Logger
    let counters: DicomReceiverCounters
    let onAssociation: (@Sendable (AssociationSummary) -> Void)?

    func serve() {
        defer { close(descriptor) }
        var callingAE = "?"
        var calledAE = "?"
        var accepted = false
        var ended = false
        var studies: [String] = []
        var stored = 0
        var refused = 0
        // The counts are the server's verdicts unless the association process reports its own at the end, which
        // also include what it refused without asking (no room on the disk).
        func report(_ ending: String, rejection: String? = nil, counts: (stored: Int, refused: Int)? = nil) {
            onAssociation?(
                AssociationSummary(
                    callingAETitle: callingAE, calledAETitle: calledAE, peer: peer, accepted: accepted,
                    rejection: rejection, stored: counts?.stored ?? stored, refused: counts?.refused ?? refused,
                    studyInstanceUIDs: studies, ending: ending))
        }
        while let (fields, extra) = SeqPacket.receive(from: descriptor) {
            if extra >= 0 { close(extra) }
            switch fields.first {
            case "ASSOC" where fields.count >= 4:
                callingAE = fields[1]
                calledAE = fields[2]
                accepted = fields[3] == "accepted"
                let rejection = String(fields[3].dropFirst("rejected:".count))
                if !accepted { report("rejected", rejection: rejection) }
                counters.state.withLock {
                    if accepted { $0.associationsAccepted += 1 } else { $0.associationsRejected += 1 }
                }
                let metadata: Logger.Metadata = [
                    "peer": "\(peer.terminalSafe)", "calling": "\(callingAE.terminalSafe)",
                    "called": "\(fields[2].terminalSafe)", "pid": "\(pid)",
                ]
                if accepted {
                    logger.info("DICOM association accepted", metadata: metadata)
                } else {
                    logger.warning(
                        "DICOM association rejected",
                        metadata: metadata.merging(["reason": "\(rejection.terminalSafe)"]) { $1 })
                }
            case "STORE" where fields.count >= 4:
                let verdict = answer(path: fields[1], sopClass: fields[2], sopInstance: fields[3])
                counters.state.withLock {
                    if verdict.isSuccess { $0.objectsStored += 1 } else { $0.objectsRefused += 1 }
                }
                if verdict.isSuccess { stored += 1 } else { refused += 1 }
                if let study = verdict.studyInstanceUID, verdict.isSuccess, !studies.contains(study) {
                    studies.append(study)
                }
                if !verdict.isSuccess {
                    logger.warning(
                        "DICOM object refused",
                        metadata: [
                            "calling": "\(callingAE.terminalSafe)",
                            "status": "0x\(String(verdict.status.rawValue, radix: 16, uppercase: true))",
                            "reason": "\((verdict.reason ?? "").terminalSafe)",
                        ])
                }
                let sent = SeqPacket.send(["\(verdict.status.rawValue)", verdict.reason ?? ""], to: descriptor)
                if !sent { return }
            case "END" where fields.count >= 4:
                ended = true
                guard accepted else { continue }  // a rejection, logged and reported already
                let reported = Int(fields[1]).flatMap { stored in Int(fields[2]).map { (stored: stored, refused: $0) } }
                report(fields[3], counts: reported)
                logger.info(
                    "DICOM association ended",
                    metadata: [
                        "calling": "\(callingAE.terminalSafe)", "stored": "\(fields[1].terminalSafe)",
                        "refused": "\(fields[2].terminalSafe)", "how": "\(fields[3].terminalSafe)",
                    ])
            default:
                continue
            }
        }
        if !ended {
            removePartialFiles()
            if accepted { report("the association process ended without a report") }
        }
    }

    /// The verdict for a staged object, after checking that the path is one this association could have written.
    private func answer(path: String, sopClass: String, sopInstance: String) -> ReceiveVerdict {
        let name = (path as NSString).lastPathComponent
        let prefix = "dicom-\(pid)-"
        let counter = name.dropFirst(prefix.count).dropLast(".dcm".count)
        guard (path as NSString).deletingLastPathComponent == staging, name.hasPrefix(prefix), name.hasSuffix(".dcm"),
            !counter.isEmpty, counter.allSatisfy(\.isNumber)
        else {
            logger.error(
                "DICOM association process named a file it cannot have written; refused",
                metadata: ["pid": "\(pid)", "peer": "\(peer.terminalSafe)"])
            return ReceiveVerdict(status: .outOfResources, reason: "internal error: bad staging name")
        }
        return queue.receiveBlocking(
            ReceivedObject(
                path: path, announcedSOPClassUID: sopClass.isEmpty ? nil : sopClass,
                announcedSOPInstanceUID: sopInstance.isEmpty ? nil : sopInstance))
    }

    /// A process that died mid-transfer may leave its partial file: nobody was answered for it.
    private func removePartialFiles() {
        let prefix = "dicom-\(pid)-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: staging)) ?? []
        where name.hasPrefix(prefix) && name.hasSuffix(".part") {
            unlink(staging + "/" + name)
        }
    }
}

/// What one association did, for the audit trail: AE titles, the peer's address, counts and the Study Instance
/// UIDs stored — never patient data. Reported once per association, rejected ones included.
public struct AssociationSummary: Sendable, Equatable {
    /// The calling AE title the peer presented (as received; escape before showing it).
    public let callingAETitle: String
    /// The called AE title it asked for.
    public let calledAETitle: String
    /// The peer's address.
    public let peer: String
    /// Whether the association was accepted.
    public let accepted: Bool
    /// Why it was rejected (the receiver's words), when it was.
    public let rejection: String?
    /// Objects answered Success.
    public let stored: Int
    /// Objects answered with a failure status.
    public let refused: Int
    /// The studies the stored objects belong to, in order of first arrival.
    public let studyInstanceUIDs: [String]
    /// How it ended (released, aborted, …, as the association process reported it).
    public let ending: String
}
