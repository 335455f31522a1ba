import Foundation

/// DCMTK's command-line tools, used as the reference in tests.
enum DCMTKOracle {
    /// An 8-bit PGM/PPM image as dcmj2pnm writes it.
    struct Bitmap: Equatable {
        var width: Int
        var height: Int
        var samplesPerPixel: Int
        var pixels: [UInt8]
    }

    /// Result of running a tool.
    struct Run {
        var status: Int32
        var output: Data
        var errorText: String
    }

    /// True when `tool` is on PATH.
    static func has(_ tool: String) -> Bool {
        (try? run("/usr/bin/env", ["which", tool]).status) == 0
    }

    /// Runs an executable and waits for it.
    static func run(_ executable: String, _ arguments: [String]) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(
            status: process.terminationStatus, output: outputData,
            errorText: String(decoding: errorData, as: UTF8.self))
    }

    /// Renders the first frame of `path` the way the corpus README checked it: `+Wi 1` when the file
    /// has a window, else `+Wm`; dcml2pnm for JPEG-LS, dcmj2pnm otherwise. Returns nil when DCMTK fails.
    static func render(_ path: String, transferSyntaxUID: String, windowArguments: [String]? = nil) throws -> Bitmap? {
        let tool = transferSyntaxUID.hasPrefix("1.2.840.10008.1.2.4.8") ? "dcml2pnm" : "dcmj2pnm"
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("oracle-\(UUID().uuidString).pnm")
            .path
        defer { try? FileManager.default.removeItem(atPath: output) }
        let attempts = windowArguments.map { [$0] } ?? [["+Wi", "1"], ["+Wm"]]
        for window in attempts {
            let result = try run("/usr/bin/env", [tool, "--quiet"] + window + ["+op", path, output])
            if result.status == 0, let data = FileManager.default.contents(atPath: output) {
                return parsePNM(data)
            }
        }
        return nil
    }

    /// Renders every frame of `path` in one run (`+Fa`, as DCMTK's tools render multi-frame files whose frames
    /// cannot be located one by one) with an explicit window (`+Ww 500 2000`, so frames do not share a window
    /// computed over all of them); nil when DCMTK fails.
    static func renderAllFrames(_ path: String, transferSyntaxUID: String, frames: Int) throws -> [Bitmap]? {
        let tool = transferSyntaxUID.hasPrefix("1.2.840.10008.1.2.4.8") ? "dcml2pnm" : "dcmj2pnm"
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("oracle-\(UUID().uuidString)").path
        let outputs = (0..<frames).flatMap { [base + ".\($0).pgm", base + ".\($0).ppm"] }
        defer { outputs.forEach { try? FileManager.default.removeItem(atPath: $0) } }
        let result = try run("/usr/bin/env", [tool, "--quiet", "+Fa", "+Ww", "500", "2000", "+op", path, base])
        guard result.status == 0 else { return nil }
        let bitmaps = outputs.compactMap { FileManager.default.contents(atPath: $0).flatMap(parsePNM) }
        return bitmaps.count == frames ? bitmaps : nil
    }

    /// Parses binary PGM (P5) or PPM (P6) with maxval 255.
    static func parsePNM(_ data: Data) -> Bitmap? {
        let bytes = [UInt8](data)
        var index = 0
        func token() -> String? {
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "#") {
                    while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
                } else if bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 {
                    index += 1
                } else {
                    break
                }
            }
            let start = index
            while index < bytes.count, ![0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
            return start < index ? String(decoding: bytes[start..<index], as: UTF8.self) : nil
        }
        guard let magic = token(), magic == "P5" || magic == "P6", let width = token().flatMap({ Int($0) }),
            let height = token().flatMap({ Int($0) }), let maxValue = token(), maxValue == "255"
        else { return nil }
        index += 1  // the single whitespace after maxval
        let samples = magic == "P5" ? 1 : 3
        let count = width * height * samples
        guard bytes.count - index >= count else { return nil }
        return Bitmap(
            width: width, height: height, samplesPerPixel: samples, pixels: Array(bytes[index..<index + count]))
    }
}
