import Foundation

/// The worker side of decoder isolation: the loop `annulus-decoder` runs.
///
/// It reads one request at a time from standard input, decodes in process (DCMTK, IJG, CharLS, OpenJPEG,
/// OpenJPH) and writes the answer to standard output. It keeps the last file it opened, so the frames of a
/// multi-frame object are not re-parsed one by one. Before serving it limits itself: no core dumps (they would
/// hold patient pixels), no file writes, address space `memoryBytes`; before each job its CPU budget is set to
/// what it has used plus the job's seconds, so a codec that spins is stopped by the kernel (SIGXCPU) even if the
/// application has gone.
public enum DecoderWorker {
    /// Serves requests until standard input closes; returns the process exit status.
    ///
    /// - Parameters:
    ///   - memoryBytes: the address-space limit (RLIMIT_AS) of this process; 0 leaves it unlimited.
    ///   - input: the descriptor requests arrive on; `output` the one answers go to (the same socket).
    public static func serve(memoryBytes: UInt64, input: Int32 = 0, output: Int32 = 1) -> Int32 {
        limit(Int32(RLIMIT_CORE.rawValue), to: 0)
        limit(Int32(RLIMIT_FSIZE.rawValue), to: 0)
        if memoryBytes > 0 { limit(Int32(RLIMIT_AS.rawValue), to: rlim_t(memoryBytes)) }
        let faultsAllowed = ProcessInfo.processInfo.environment["ANNULUS_DECODER_FAULTS"] == "1"
        var cache: OpenFileCache? = nil
        while true {
            let request: DecoderProtocol.Request
            do {
                request = try DecoderProtocol.receive(DecoderProtocol.Request.self, from: input, deadline: nil)
            } catch {
                return 0  // the application closed the connection (or broke the protocol): nothing more to do
            }
            setCPUBudget(seconds: request.cpuSeconds)
            if request.operation == .fault {
                guard faultsAllowed else {
                    _ = DecoderProtocol.send(
                        DecoderProtocol.Response(
                            errorKind: DicomError.Kind.invalidArgument.rawValue,
                            errorMessage: "fault injection is off", payloadBytes: 0), to: output)
                    continue
                }
                injectFault(request.fault ?? "", output: output)
                continue
            }
            let answered = answer(request, cache: &cache, output: output)
            guard answered else { return 0 }
        }
    }

    /// Decodes one request and writes the answer; false when the application is gone.
    private static func answer(_ request: DecoderProtocol.Request, cache: inout OpenFileCache?, output: Int32) -> Bool {
        do throws(DicomError) {
            let file = try OpenFileCache.file(for: request, cache: &cache)
            switch request.operation {
            case .storedFrame:
                let frame = try file.storedFrame(request.frame)
                let response = DecoderProtocol.Response(colorModel: frame.colorModel, payloadBytes: frame.bytes.count)
                return frame.bytes.withUnsafeBytes { DecoderProtocol.send(response, payload: $0, to: output) }
            case .renderedFrame:
                let frame = try file.renderedFrame(request.frame, voi: request.voi ?? .fileWindowOrMinMax)
                let response = DecoderProtocol.Response(
                    samplesPerPixel: frame.samplesPerPixel, payloadBytes: frame.pixels.count)
                return frame.pixels.withUnsafeBytes { DecoderProtocol.send(response, payload: $0, to: output) }
            case .fault:
                return true
            }
        } catch {
            // A failed file is not kept: the next request opens afresh.
            cache = nil
            let response = DecoderProtocol.Response(
                errorKind: error.kind.rawValue, errorMessage: error.message, payloadBytes: 0)
            return DecoderProtocol.send(response, to: output)
        }
    }

    private static func limit(_ resource: Int32, to value: rlim_t) {
        var current = rlimit()
        getrlimit(resource, &current)
        let capped = current.rlim_max == rlim_t.max ? value : min(value, current.rlim_max)
        var wanted = rlimit(rlim_cur: capped, rlim_max: capped)
        setrlimit(resource, &wanted)
    }

    /// Raises the soft CPU limit to the seconds used so far plus `seconds` (the hard limit is left alone).
    private static func setCPUBudget(seconds: Int) {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let used = Int(usage.ru_utime.tv_sec) + Int(usage.ru_stime.tv_sec) + 1
        var current = rlimit()
        getrlimit(Int32(RLIMIT_CPU.rawValue), &current)
        let wanted = rlim_t(used + max(1, seconds))
        current.rlim_cur = current.rlim_max == rlim_t.max ? wanted : min(wanted, current.rlim_max)
        setrlimit(Int32(RLIMIT_CPU.rawValue), &current)
    }

    /// Faults for the isolation tests: each ends this process the way a broken codec would.
    private static func injectFault(_ fault: String, output: Int32) {
        switch fault {
        case "crash": raise(SIGSEGV)
        case "abort": abort()
        case "trap": fatalError("injected trap")
        case "hang": while true { sleep(1) }
        case "spin":
            var counter: UInt64 = 0
            while true { counter &+= 1 }
        case "allocate":
            // Far more than any limit: the allocation fails under RLIMIT_AS and the worker dies.
            var blocks: [[UInt8]] = []
            while true { blocks.append([UInt8](repeating: 1, count: 256 << 20)) }
        default: _ = DecoderProtocol.send(DecoderProtocol.Response(payloadBytes: 0), to: output)
        }
    }
}

/// The file a worker keeps open between requests, reused while its path, bounds, inode, size and time match.
private struct OpenFileCache {
    var key: Key
    var file: DicomFile

    struct Key: Equatable {
        var path: String
        var maxSequenceDepth: Int
        var maxDecodedBytes: UInt64
        var device: UInt64
        var inode: UInt64
        var size: Int64
        var modified: Int
        var modifiedNanoseconds: Int
    }

    static func file(for request: DecoderProtocol.Request, cache: inout OpenFileCache?) throws(DicomError)
        -> DicomFile
    {
        var status = stat()
        guard stat(request.path, &status) == 0 else {
            throw DicomError(.unreadable, path: request.path, message: String(cString: strerror(errno)))
        }
        let key = Key(
            path: request.path, maxSequenceDepth: request.maxSequenceDepth, maxDecodedBytes: request.maxDecodedBytes,
            device: UInt64(status.st_dev), inode: UInt64(status.st_ino), size: Int64(status.st_size),
            modified: Int(status.st_mtim.tv_sec), modifiedNanoseconds: Int(status.st_mtim.tv_nsec))
        if let cache, cache.key == key { return cache.file }
        cache = nil
        let options = DicomReadOptions(
            maxSequenceDepth: request.maxSequenceDepth, maxDecodedBytes: request.maxDecodedBytes,
            decoding: .inProcess)
        let file = try DicomFile(path: request.path, options: options)
        cache = OpenFileCache(key: key, file: file)
        return file
    }
}
