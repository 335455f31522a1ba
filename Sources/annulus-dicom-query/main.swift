// The DICOM query process that `annulus pull` and `POST /api/pulls` start (QueryRetrieve's `QueryProcess`): C-FIND
// and C-MOVE against a PACS, and C-STORE of local files to it (CDicomNet), in a process of its own so that DCMTK
// parsing a hostile PACS's answer can crash only this process. Not meant to be run by hand.
//
// Standard input, one request (tab-separated fields, each percent-encoded; at most 1100 lines of 16 KiB):
//   peer HOST PORT CALLED CALLING CONNECT-S ACSE-S DIMSE-S
//   find MAX-MATCHES          then   key NAME VALUE   (patient-id, patient-name, study-date, modalities,
//                                                      accession, study-uid)
//   move DESTINATION-AE       then   study UID ...
//   store                     then   file PATH ...    (DICOM Part-10 files, sent in this order)
//   end
// Standard output, one line per event (same encoding; statuses in decimal):
//   match UID DATE TIME DESCRIPTION MODALITIES ACCESSION PATIENT-ID PATIENT-NAME INSTANCES
//   found FINAL-STATUS MATCHES TRUNCATED
//   moved UID FINAL-STATUS COMPLETED FAILED WARNING REMAINING RESPONSES ERROR-COMMENT
//   stored PATH STATUS COMMENT (STATUS 65535: not sent, COMMENT says why; else the C-STORE response's status and
//                               Error Comment)
//   failed CODE MESSAGE        (CODE: CDN_SCU_ value)
import CDicomNet
import Glibc
import QueryWire

/// Percent-encoded (`QueryWire`): no value can split a line or a field.
func encode(_ text: String) -> String { QueryWire.encode(text) }

/// The bytes as sent, at most 64 KiB, percent-encoded (invalid UTF-8 is kept byte for byte: the parent validates).
func encode(_ pointer: UnsafePointer<CChar>?) -> String {
    guard let pointer else { return "" }
    let length = min(strlen(pointer), 1 << 16)
    return UnsafeRawBufferPointer(start: pointer, count: length).withMemoryRebound(to: UInt8.self) {
        QueryWire.encode(bytes: $0)
    }
}

/// Writes one line to standard output (descriptor 1, unbuffered: a crash later loses no line already reported).
func emit(_ fields: [String]) {
    let bytes = Array((fields.joined(separator: "\t") + "\n").utf8)
    var offset = 0
    while offset < bytes.count {
        let written = bytes[offset...].withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
        if written < 0 && errno == EINTR { continue }
        if written <= 0 { exit(1) }
        offset += written
    }
}

func fail(_ code: Int32, _ message: String) -> Never {
    emit(["failed", String(code), encode(message)])
    exit(code == 0 ? 1 : code)
}

/// What the parent asked for.
struct Request {
    var peer: [String] = []
    var operation = ""
    var argument = ""
    var keys: [String: String] = [:]
    var studies: [String] = []
    var files: [String] = []
}

func readRequest() -> Request {
    var request = Request()
    var lines = 0
    while let line = readLine(strippingNewline: true) {
        lines += 1
        guard lines <= 1100, line.utf8.count <= 16384 else { fail(Int32(CDN_SCU_BAD_REQUEST), "request too long") }
        let fields = QueryWire.fields(Substring(line))
        switch fields.first {
        case "peer" where fields.count == 8: request.peer = Array(fields.dropFirst())
        case "find" where fields.count == 2, "move" where fields.count == 2:
            request.operation = fields[0]
            request.argument = fields[1]
        case "key" where fields.count == 3: request.keys[fields[1]] = fields[2]
        case "store" where fields.count == 1: request.operation = fields[0]
        case "study" where fields.count == 2: request.studies.append(fields[1])
        case "file" where fields.count == 2: request.files.append(fields[1])
        case "end": return request
        default: fail(Int32(CDN_SCU_BAD_REQUEST), "unexpected request line")
        }
    }
    fail(Int32(CDN_SCU_BAD_REQUEST), "the request ended early")
}

/// Runs `body` with C strings of every element of `texts`.
func withCStrings<T>(_ texts: [String], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
    let copies = texts.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    return body(copies.map { UnsafePointer($0) })
}

func run(_ request: Request) -> Int32 {
    guard request.peer.count == 7, let port = UInt32(request.peer[1]), let connect = UInt32(request.peer[4]),
        let acse = UInt32(request.peer[5]), let dimse = UInt32(request.peer[6])
    else { fail(Int32(CDN_SCU_BAD_REQUEST), "no usable peer line") }
    var error = [CChar](repeating: 0, count: 512)
    return withCStrings([request.peer[0], request.peer[2], request.peer[3]]) { strings in
        var peer = cdn_scu_peer(
            host: strings[0], port: port, called_ae: strings[1], calling_ae: strings[2], connect_timeout: connect,
            acse_timeout: acse, dimse_timeout: dimse)
        let result: Int32
        switch request.operation {
        case "find":
            let names = ["patient-id", "patient-name", "study-date", "modalities", "accession", "study-uid"]
            result = withCStrings(names.map { request.keys[$0] ?? "" }) { keys in
                var query = cdn_study_keys(
                    patient_id: keys[0], patient_name: keys[1], study_date: keys[2], modalities_in_study: keys[3],
                    accession_number: keys[4], study_instance_uid: keys[5])
                var outcome = cdn_find_outcome()
                let code = cdn_scu_find(
                    &peer, &query, UInt32(request.argument) ?? 1000,
                    { match, _ in
                        guard let match = match?.pointee else { return }
                        emit(
                            [
                                "match", encode(match.study_instance_uid), encode(match.study_date),
                                encode(match.study_time), encode(match.study_description),
                                encode(match.modalities_in_study), encode(match.accession_number),
                                encode(match.patient_id), encode(match.patient_name),
                                encode(match.number_of_instances),
                            ])
                    }, nil, &outcome, &error, error.count)
                if code == CDN_SCU_OK {
                    emit(["found", String(outcome.final_status), String(outcome.matches), String(outcome.truncated)])
                }
                return code
            }
        case "move":
            result = withCStrings(request.studies) { studies in
                studies.withUnsafeBufferPointer { list in
                    request.argument.withCString { destination in
                        cdn_scu_move(
                            &peer, destination, list.baseAddress, list.count,
                            { uid, outcome, _ in
                                guard let outcome = outcome?.pointee else { return }
                                var comment = outcome.error_comment
                                let text = withUnsafeBytes(of: &comment) { raw in
                                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                                }
                                emit(
                                    [
                                        "moved", encode(uid), String(outcome.final_status), String(outcome.completed),
                                        String(outcome.failed), String(outcome.warning), String(outcome.remaining),
                                        String(outcome.responses), encode(text),
                                    ])
                            }, nil, &error, error.count)
                    }
                }
            }
        case "store":
            result = withCStrings(request.files) { files in
                files.withUnsafeBufferPointer { list in
                    cdn_scu_store(
                        &peer, list.baseAddress, list.count,
                        { path, outcome, _ in
                            guard let outcome = outcome?.pointee else { return }
                            var comment = outcome.comment
                            let text = withUnsafeBytes(of: &comment) { raw in
                                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                            }
                            emit(["stored", encode(path), String(outcome.status), encode(text)])
                        }, nil, &error, error.count)
                }
            }
        default:
            fail(Int32(CDN_SCU_BAD_REQUEST), "no find, move or store line")
        }
        if result != CDN_SCU_OK {
            let message = error.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            emit(["failed", String(result), encode(message)])
        }
        return result
    }
}

var prepareError = [CChar](repeating: 0, count: 512)
if cdn_scu_prepare(&prepareError, prepareError.count) != 0 {
    fail(Int32(CDN_SCU_FAILED), prepareError.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
}
exit(run(readRequest()))
