import Foundation

/// `annulus` on a pseudo-terminal (util-linux `script`): for the questions asked only when standard input is a
/// terminal (the sign-all confirmation, password prompts).
extension CLI {
    /// A started `annulus ARGS` on a pseudo-terminal: what is typed goes to `typed`, the terminal's output
    /// (stdout and stderr together) comes from `output`.
    private struct TerminalRun {
        let process: Process
        let typed: FileHandle
        let output: FileHandle

        init(_ arguments: [String], environment: [String: String]) throws {
            let quoted = ([executable] + arguments).map {
                "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'"
            }
            process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            process.arguments = ["-qec", quoted.joined(separator: " "), "/dev/null"]
            var merged = ProcessInfo.processInfo.environment
            merged.removeValue(forKey: "ANNULUS_LOG_LEVEL")
            for (key, value) in environment { merged[key] = value }
            process.environment = merged
            let typedPipe = Pipe()
            let outputPipe = Pipe()
            process.standardInput = typedPipe
            process.standardOutput = outputPipe
            process.standardError = outputPipe
            try process.run()
            typed = typedPipe.fileHandleForWriting
            output = outputPipe.fileHandleForReading
        }

        /// Closes the keyboard, waits for the program and returns what the terminal showed as `stdout`.
        func finish(shown: Data) throws -> Result {
            try typed.close()
            process.waitUntilExit()
            return Result(
                status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
                stdout: String(decoding: shown, as: UTF8.self), stderr: "")
        }
    }

    /// Runs `annulus ARGS` on a pseudo-terminal, typing `input` at once.
    static func runInTerminal(_ arguments: [String], input: String, environment: [String: String] = [:]) throws
        -> Result
    {
        let run = try TerminalRun(arguments, environment: environment)
        run.typed.write(Data(input.utf8))
        return try run.finish(shown: run.output.readDataToEndOfFile())
    }

    /// Runs `annulus ARGS` on a pseudo-terminal and answers each prompt only once it has been shown, as a person
    /// types: so what the terminal echoes is what the program lets it echo.
    static func runPrompted(
        _ arguments: [String], answers: [(prompt: String, answer: String)], environment: [String: String]
    ) throws -> Result {
        let run = try TerminalRun(arguments, environment: environment)
        var seen = Data()
        var pending = answers[...]
        var consumed = 0  // characters of output up to the end of the last prompt answered
        let deadline = Date().addingTimeInterval(30)
        while let next = pending.first, Date() < deadline {
            let chunk = run.output.availableData
            if chunk.isEmpty { break }  // the program ended
            seen.append(chunk)
            let text = String(decoding: seen, as: UTF8.self)
            guard let range = text.dropFirst(consumed).range(of: next.prompt) else { continue }
            consumed = text.distance(from: text.startIndex, to: range.upperBound)
            usleep(100_000)  // let the program switch echo off after printing the prompt
            run.typed.write(Data((next.answer + "\n").utf8))
            pending = pending.dropFirst()
        }
        seen.append(run.output.readDataToEndOfFile())
        return try run.finish(shown: seen)
    }
}
