import CDicom
import Logging
import Synchronization

/// Process-wide DCMTK set-up: codec registration, the data dictionary check and log forwarding.
///
/// DCMTK's own logger (oflog) would print to stderr; instead every message it emits at or above
/// the chosen level is forwarded into swift-log under the label `annulus.dcmtk`.
public enum DicomRuntime {
    /// Prepares DCMTK; call once early (DicomFile calls it too). Throws when the dictionary is missing.
    ///
    /// - Parameter dcmtkLogLevel: the lowest DCMTK message level forwarded into swift-log.
    public static func initialize(dcmtkLogLevel: Logger.Level = .warning) throws(DicomError) {
        try state.withLock { initialized throws(DicomError) in
            var error = cd_error()
            let status = cd_initialize(forwardDCMTKLog, cdLevel(dcmtkLogLevel), &error)
            if status != CD_OK { throw DicomError(error, path: "") }
            initialized = true
        }
    }

    /// Whether DCMTK has been initialised (explicitly or on first use).
    private static let state = Mutex(false)

    /// Initialises with the defaults unless the application already did (keeping its log level).
    static func ensureInitialized() throws(DicomError) {
        if state.withLock({ $0 }) { return }
        try initialize()
    }

    private static func cdLevel(_ level: Logger.Level) -> cd_log_level {
        switch level {
        case .trace: CD_LOG_TRACE
        case .debug: CD_LOG_DEBUG
        case .info, .notice: CD_LOG_INFO
        case .warning: CD_LOG_WARN
        case .error: CD_LOG_ERROR
        case .critical: CD_LOG_FATAL
        }
    }
}

/// The logger DCMTK's messages go to. Created on first use, after the application bootstrapped logging.
private let dcmtkLogger = Logger(label: "annulus.dcmtk")

private func forwardDCMTKLog(
    _ level: cd_log_level, _ logger: UnsafePointer<CChar>?, _ message: UnsafePointer<CChar>?
) {
    let text = message.map { String(cString: $0) } ?? ""
    let source = logger.map { String(cString: $0) } ?? "dcmtk"
    // Header-only reads stop at PixelData on purpose; DCMTK reports that as a warning for every file.
    if text.hasPrefix("DcmItem: Element PixelData (7fe0,0010) encountered, skipping rest of dataset") {
        dcmtkLogger.trace("\(text)", metadata: ["dcmtk.logger": "\(source)"])
        return
    }
    let swiftLevel: Logger.Level =
        switch level {
        case CD_LOG_TRACE: .trace
        case CD_LOG_DEBUG: .debug
        case CD_LOG_INFO: .info
        case CD_LOG_WARN: .warning
        case CD_LOG_ERROR: .error
        default: .critical
        }
    dcmtkLogger.log(level: swiftLevel, "\(text)", metadata: ["dcmtk.logger": "\(source)"])
}
