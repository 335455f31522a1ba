// swift-tools-version: 6.0
import PackageDescription

/// DCMTK 3.6.7 libraries, named one by one: `pkg-config dcmtk` fails on Debian 12 (dcmtk.pc requires sndfile).
/// `oflog` and `ofstd` must be named explicitly; the IJG and CharLS codecs come in through dcmjpeg and dcmjpls.
let dcmtkLibraries: [LinkerSetting] = ["dcmimage", "dcmimgle", "dcmjpeg", "dcmjpls", "dcmdata", "oflog", "ofstd", "z"]
    .map { .linkedLibrary($0) }

let strictSwift: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny")
]

let package = Package(
    name: "Annulus",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "annulus", targets: ["annulus"]),
        .executable(name: "annulus-decoder", targets: ["annulus-decoder"]),
        .executable(name: "annulus-dicom-receiver", targets: ["annulus-dicom-receiver"]),
        .executable(name: "annulus-dicom-query", targets: ["annulus-dicom-query"]),
        .library(name: "DicomIO", targets: ["DicomIO"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swiftcsv/SwiftCSV", from: "0.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.3.0"),
    ],
    targets: [
        // C++ shim over DCMTK with a plain-C header; the only code that includes DCMTK headers.
        .target(
            name: "CDicom",
            // C++17 comes from the package's `cxxLanguageStandard` (no unsafeFlags, so DicomIO can be a dependency).
            cxxSettings: [.define("HAVE_CONFIG_H")],
            // OpenJPEG decodes JPEG 2000 and OpenJPH High-Throughput JPEG 2000, which DCMTK 3.6.7 cannot (Debian:
            // libopenjp2-7-dev, libopenjph-dev).
            linkerSettings: dcmtkLibraries + [.linkedLibrary("openjp2"), .linkedLibrary("openjph")]
        ),
        // The safe Swift face of CDicom: DicomFile, tags, typed values, decoded frames, errors.
        .target(
            name: "DicomIO",
            dependencies: ["CDicom", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSwift
        ),
        // PNG encoding through libpng's classic API (8/16-bit grey and RGB), its setjmp kept in C.
        .target(name: "CPNGWriter", linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("z")]),
        // The system cairo: anti-aliased overlays and text (fonts through fontconfig and FreeType).
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
        // Study/series model, windowing, PNG previews (grows with the previews issue).
        .target(
            name: "Imaging",
            dependencies: ["DicomIO", "CPNGWriter", "CCairo"],
            swiftSettings: strictSwift
        ),
        // Text from users and files made safe for terminals and logs (control characters escaped), and bounded reads
        // of user-given files; no dependencies, so every layer can use it.
        .target(name: "TextSafety", swiftSettings: strictSwift),
        // The clinical vocabulary of disc-level findings (levels, fissures, grades, discography) as pure values.
        .target(name: "SpineModel", swiftSettings: strictSwift),
        // Whether a disc level is one a study's images show, from its headers (body part, descriptions, geometry):
        // pure.
        .target(name: "StudyCoverage", dependencies: ["SpineModel"], swiftSettings: strictSwift),
        // Clinical intake, the versioned rule file and the explained per-level candidacy evaluation (pure).
        .target(
            name: "Candidacy",
            dependencies: ["SpineModel", "TextSafety"],
            resources: [.copy("Resources/default-rules.json")],
            swiftSettings: strictSwift
        ),
        // The value types that cross module lines (study and series summaries, annotation and intake versions, level
        // overrides, deliveries, the watcher's status): plain values with no GRDB, so that Findings and the faces
        // can use them without the store.
        .target(name: "AnnulusRecords", swiftSettings: strictSwift),
        // The SQLite store (GRDB, WAL): the study index and the append-only annotation history with sign-off.
        .target(
            name: "Store",
            dependencies: ["AnnulusRecords", "TextSafety", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strictSwift
        ),
        // Accounts, roles and permissions, bcrypt passwords, API tokens, browser sessions, the sign-in rate limiter and
        // the audit trail's writer, over the store's tables.
        .target(
            name: "Accounts",
            dependencies: [
                "Store", "TextSafety", .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift
        ),
        // Header-only import of DICOM files into the store (content hash, geometry, idempotent by SOP Instance UID).
        .target(
            name: "Ingest",
            dependencies: ["DicomIO", "Store", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSwift
        ),
        // Recursive inotify over a folder tree: close-after-write, moved-in, writing, found-by-scan, overflow.
        .target(name: "FolderWatch", swiftSettings: strictSwift),
        // The export-folder watcher: arrival filtering and stability, archive, dedup, quarantine, persistent study
        // completion (the pipeline; the CLI supplies what happens when a study completes).
        .target(
            name: "Watch",
            dependencies: [
                "FolderWatch", "Ingest", "DicomIO", "Store", .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strictSwift
        ),
        // RSNA 2024 and SPIDER label CSVs read into SpineModel findings; what cannot be mapped is reported.
        .target(
            name: "ResearchImport",
            dependencies: ["SpineModel", .product(name: "SwiftCSV", package: "SwiftCSV")],
            swiftSettings: strictSwift
        ),
        // Deterministic generator of the bundled SampleStudies (synthetic lumbar MR and fluoroscopy).
        .target(
            name: "SampleStudyGenerator",
            dependencies: ["DicomIO"],
            swiftSettings: strictSwift
        ),
        // The findings export (pure): the native findings document and the FHIR R4 transaction Bundle.
        .target(
            name: "Findings",
            dependencies: ["SpineModel", "Candidacy", "AnnulusRecords", "TextSafety"],
            swiftSettings: strictSwift
        ),
        // The use cases under both faces (the command line, the server): annotate, sign, intake, triage, worklist,
        // export and delivery, ingest, study completion, render requests, status; dependencies injected through
        // AppEnvironment, one error type (AppError), async entry points.
        .target(
            name: "AnnulusApp",
            dependencies: [
                "AnnulusRecords", "Store", "Accounts", "SpineModel", "StudyCoverage", "Candidacy", "Findings", "Ingest",
                "Watch", "Imaging", "DicomIO", "ResearchImport", "TextSafety", "QueryRetrieve", "StructuredReports",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift
        ),
        // The HTTP face (`annulus serve`): Hummingbird routes over AnnulusApp's use cases, JSON errors, the bounded
        // CPU pool with back-pressure, the frame cache, TLS, and the watcher and delivery loop as Services.
        .target(
            name: "AnnulusServer",
            dependencies: [
                "AnnulusApp", "AnnulusRecords", "Accounts", "Store", "SpineModel", "Candidacy", "Imaging", "DicomIO",
                "TextSafety", "QueryRetrieve",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                // WADO-RS streams archived files without loading them whole.
                .product(name: "_NIOFileSystem", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            resources: [.copy("Resources/openapi.json"), .copy("Resources/web")],
            swiftSettings: strictSwift
        ),
        // DCMTK's network module (dcmnet, dcmtls) behind a plain-C header: the Storage SCP's listener and
        // association processes. Only the receiver executables link it; nothing in `annulus serve` runs DCMTK's
        // network code (it can crash on crafted PDUs).
        .target(
            name: "CDicomNet",
            cxxSettings: [.define("HAVE_CONFIG_H")],
            linkerSettings: ["dcmtls", "dcmnet", "dcmdata", "oflog", "ofstd", "ssl", "crypto", "z"].map {
                .linkedLibrary($0)
            }
        ),
        // DCMTK's Structured Reporting (dcmsr, libcmr) behind a plain-C header: writes the findings report (TID 1500)
        // and the Key Object Selection document into memory, reads an SR document back as a flat list of items.
        .target(
            name: "CDicomSR",
            cxxSettings: [.define("HAVE_CONFIG_H")],
            linkerSettings: ["cmr", "dcmsr", "dcmdata", "oflog", "ofstd"].map { .linkedLibrary($0) }
        ),
        // DICOM SR documents as Swift values: Findings' report and key-object content encoded through CDicomSR, and
        // SR files read back into a content tree (with limits; the import maps it).
        .target(
            name: "StructuredReports",
            dependencies: ["CDicomSR", "DicomIO", "Findings"],
            swiftSettings: strictSwift
        ),
        // The DICOM receiver process (`annulus serve --dicom-port`): accepts on the socket the server bound and forks
        // one process per association (CDicomNet).
        .executableTarget(name: "annulus-dicom-receiver", dependencies: ["CDicomNet"], swiftSettings: strictSwift),
        // `annulus pull`: the query process (C-FIND, C-MOVE through CDicomNet's SCU), apart from every other process
        // so that DCMTK parsing a PACS's answer can crash only it.
        .executableTarget(
            name: "annulus-dicom-query", dependencies: ["CDicomNet", "QueryWire"], swiftSettings: strictSwift),
        // The line protocol between Annulus and annulus-dicom-query (percent-encoded, tab-separated fields).
        .target(name: "QueryWire", swiftSettings: strictSwift),
        // Query/Retrieve from a PACS: the peer, the query, the validated matches and move outcomes, and the runner of
        // the query process (deadline, bounded output).
        .target(
            name: "QueryRetrieve", dependencies: ["DicomIO", "TextSafety", "QueryWire"], swiftSettings: strictSwift),
        // The DICOM face: runs and supervises the receiver process, answers its associations from the shared receive
        // pipeline (AnnulusApp's ReceiveQueue), logs associations without patient data.
        .target(
            name: "DicomNetwork",
            dependencies: [
                "AnnulusApp", "DicomIO", "TextSafety", "QueryRetrieve", .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        // The decoder worker process: compressed frames and DCMTK renderings, out of the application's way
        // (DicomIO's DecoderPool starts it).
        .executableTarget(
            name: "annulus-decoder",
            dependencies: ["DicomIO", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSwift
        ),
        // The command-line tool: parses, calls the modules, prints.
        .executableTarget(
            name: "annulus",
            dependencies: [
                "AnnulusApp",
                "AnnulusRecords",
                "AnnulusServer",
                "DicomIO",
                "DicomNetwork",
                "Imaging",
                "QueryRetrieve",
                "SampleStudyGenerator",
                "SpineModel",
                "Watch",
                "Candidacy",
                "TextSafety",
                "Accounts",
                // The account and audit commands hand the Accounts module its store.
                "Store",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSwift
        ),
        .testTarget(name: "DicomIOTests", dependencies: ["DicomIO", "annulus-decoder"], swiftSettings: strictSwift),
        .testTarget(
            name: "SampleStudyGeneratorTests",
            dependencies: ["SampleStudyGenerator", "DicomIO"],
            swiftSettings: strictSwift
        ),
        .testTarget(
            name: "AnnulusCLITests", dependencies: ["DicomIO", "Imaging", "SchemaTestSupport", "ProcessTestSupport"],
            swiftSettings: strictSwift),
        // Long-lived child processes started with posix_spawn, shared by the CLI and server tests.
        .target(
            name: "ProcessTestSupport", dependencies: ["DicomIO"], path: "Tests/ProcessTestSupport",
            exclude: ["flaky_fhir_server.py"], swiftSettings: strictSwift),
        // JSON Schema validation through Python's jsonschema, shared by the Findings and CLI tests.
        .target(
            name: "SchemaTestSupport", path: "Tests/SchemaTestSupport", exclude: ["validate_json.py"],
            swiftSettings: strictSwift),
        .testTarget(
            name: "AnnulusAppTests",
            dependencies: [
                "AnnulusApp", "AnnulusRecords", "Store", "SpineModel", "Candidacy", "Findings", "Watch", "DicomIO",
                "Imaging", "SchemaTestSupport", "ProcessTestSupport", "annulus-decoder", "SampleStudyGenerator",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSwift),
        .testTarget(
            name: "AnnulusServerTests",
            dependencies: [
                "AnnulusServer", "AnnulusApp", "AnnulusRecords", "Store", "SchemaTestSupport", "ProcessTestSupport",
                "annulus-decoder", "QueryRetrieve", "SpineModel", "DicomIO", "Accounts",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["make_foreign_sr.py"],
            swiftSettings: strictSwift),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging"], swiftSettings: strictSwift),
        .testTarget(name: "SpineModelTests", dependencies: ["SpineModel"], swiftSettings: strictSwift),
        .testTarget(
            name: "StudyCoverageTests", dependencies: ["StudyCoverage", "SpineModel"], swiftSettings: strictSwift),
        .testTarget(name: "FolderWatchTests", dependencies: ["FolderWatch"], swiftSettings: strictSwift),
        .testTarget(name: "WatchTests", dependencies: ["Watch", "Store", "Ingest"], swiftSettings: strictSwift),
        .testTarget(name: "StoreTests", dependencies: ["Store", "AnnulusRecords"], swiftSettings: strictSwift),
        .testTarget(name: "AccountsTests", dependencies: ["Accounts", "Store"], swiftSettings: strictSwift),
        .testTarget(name: "TextSafetyTests", dependencies: ["TextSafety"], swiftSettings: strictSwift),
        // The pure checks, and C-STORE against real peers (DCMTK's storescp and dcmqrscp) through the query process.
        .testTarget(
            name: "QueryRetrieveTests",
            dependencies: ["QueryRetrieve", "QueryWire", "ProcessTestSupport", "annulus-dicom-query"],
            swiftSettings: strictSwift),
        .testTarget(
            name: "CandidacyTests", dependencies: ["Candidacy", "SpineModel"], swiftSettings: strictSwift),
        .testTarget(
            name: "FindingsTests",
            dependencies: ["Findings", "SpineModel", "Candidacy", "AnnulusRecords", "SchemaTestSupport"],
            swiftSettings: strictSwift),
        .testTarget(
            name: "StructuredReportsTests",
            dependencies: ["StructuredReports", "Findings", "SpineModel", "DicomIO", "ProcessTestSupport"],
            exclude: ["read_sr.py"],
            swiftSettings: strictSwift),
        .testTarget(
            name: "ResearchImportTests", dependencies: ["ResearchImport", "SpineModel"], swiftSettings: strictSwift
        ),
    ],
    swiftLanguageModes: [.v6],
    // The C++ standard of CDicom (the only C++ target); a package-level setting, unlike unsafeFlags usable by
    // packages that depend on DicomIO.
    cxxLanguageStandard: .cxx17
)
