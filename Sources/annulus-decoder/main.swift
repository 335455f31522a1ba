// annulus-decoder: the worker process that decodes compressed pixel data for annulus (see DecoderPool).
// It speaks only on its standard input/output socket, which the application sets up; run by hand it explains itself.
import DicomIO
import Foundation
import Logging

let arguments = CommandLine.arguments
guard arguments.count >= 2, arguments[1] == "--serve" else {
    FileHandle.standardError.write(
        Data(
            ("annulus-decoder is started by annulus to decode compressed DICOM pixel data out of harm's way; "
                + "it is not run by hand.\n").utf8))
    exit(2)
}
var memoryBytes: UInt64 = 0
if arguments.count >= 4, arguments[2] == "--memory-bytes", let value = UInt64(arguments[3]) { memoryBytes = value }

// The protocol owns the socket; nothing may print into it. Standard output goes to /dev/null, and logs nowhere:
// the application reports every failure it is answered with.
LoggingSystem.bootstrap { _ in SwiftLogNoOpLogHandler() }
let input = dup(0)
let output = dup(1)
let null = open("/dev/null", O_RDWR)
dup2(null, 0)
dup2(null, 1)
exit(DecoderWorker.serve(memoryBytes: memoryBytes, input: input, output: output))
