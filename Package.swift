// swift-tools-version:6.0
// photoprov: bulk Microsoft 365 / Entra ID profile photos through Microsoft Graph.
// Zero Swift package dependencies: C libraries come from the system (see scripts/bootstrap).
import PackageDescription

let package = Package(
    name: "photoprov",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "photoprov", targets: ["photoprov"]),
        .library(name: "PhotoProvisioning", targets: ["PhotoProvisioning"]),
        .library(name: "PhotoCodec", targets: ["PhotoCodec"]),
    ],
    targets: [
        // System libraries: module maps over the distribution's headers, found through pkg-config.
        .systemLibrary(
            name: "CJPEG",
            pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg62-turbo-dev"]), .brew(["jpeg-turbo"])]
        ),
        .systemLibrary(
            name: "CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"]), .brew(["libpng"])]
        ),
        .systemLibrary(
            name: "CHeif",
            pkgConfig: "libheif",
            providers: [.apt(["libheif-dev"]), .brew(["libheif"])]
        ),
        .systemLibrary(
            name: "CWebP",
            pkgConfig: "libwebpdemux",
            providers: [.apt(["libwebp-dev"]), .brew(["webp"])]
        ),
        .systemLibrary(
            name: "CLCMS2",
            pkgConfig: "lcms2",
            providers: [.apt(["liblcms2-dev"]), .brew(["little-cms2"])]
        ),
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),
        // HTTP on Linux (Graph/CurlEngine.swift): FoundationNetworking's URLSession reads no CA file but the system
        // bundle. macOS keeps URLSession.
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"]), .brew(["curl"])]
        ),

        // The image engine in C: decode, colour-manage, orient, resample, encode, byte and memory budgets.
        .target(
            name: "CPhotoCodec",
            dependencies: ["CJPEG", "CPNG", "CHeif", "CWebP", "CLCMS2"],
            cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))],
            linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]  // sin/lround for the Lanczos weights
        ),
        // Its Swift face: value types and typed errors, no raw pointers.
        .target(name: "PhotoCodec", dependencies: ["CPhotoCodec"]),

        // The library, one target per stage so the compiler keeps data flowing one way (README "Code map"):
        // the shared vocabulary at the bottom, the stages above it, the pipeline on top.
        .target(name: "PhotoModel", dependencies: ["CCrypto"], path: "Sources/PhotoProvisioning/Model"),
        .target(name: "PhotoSources", dependencies: ["PhotoModel"], path: "Sources/PhotoProvisioning/Sources"),
        .target(
            name: "PhotoJournal", dependencies: ["PhotoModel", "CSQLite"], path: "Sources/PhotoProvisioning/Journal"),
        .target(
            name: "PhotoGraph",
            dependencies: ["PhotoModel", "CCrypto", .target(name: "CCurl", condition: .when(platforms: [.linux]))],
            path: "Sources/PhotoProvisioning/Graph"),
        .target(name: "PhotoReports", dependencies: ["PhotoModel"], path: "Sources/PhotoProvisioning/Reports"),
        .target(
            name: "PhotoProvisioning",
            dependencies: [
                "PhotoModel", "PhotoSources", "PhotoJournal", "PhotoGraph", "PhotoReports", "PhotoCodec",
                "FaceDetection",
            ],
            path: "Sources/PhotoProvisioning/Pipeline"),

        // The thin executable: arguments, terminal output, exit codes.
        .executableTarget(name: "photoprov", dependencies: ["PhotoProvisioning", "PhotoCodec", "FaceDetection"]),

        // Face detection: dlib's frontal-face HOG detector behind a C API (a C++ shim: dlib is C++ only), and its
        // Swift face with the framing rule. The shim links dlib, BLAS and LAPACK by name (libblas-dev
        // and liblapack-dev give libblas.so and liblapack.so). No pkgConfig: Debian's dlib-1.pc names libraries by
        // absolute path, which SwiftPM drops with a warning on every build, and its only include path is
        // /usr/include; Homebrew's prefix is added below for macOS.
        .systemLibrary(
            name: "CDlib",
            providers: [.apt(["libdlib-dev", "libblas-dev", "liblapack-dev"]), .brew(["dlib"])]
        ),
        .target(
            name: "CFaceDetect",
            dependencies: ["CDlib"],
            cxxSettings: [
                .unsafeFlags(["-O2"], .when(configuration: .debug)),  // dlib's templates are slow at -O0
                // -O3 vectorises dlib's HOG loops further: the AVX2 scan takes 6.3 ms against 6.8 at -O2.
                .unsafeFlags(["-O3"], .when(configuration: .release)),
                .unsafeFlags(["-I/opt/homebrew/include", "-I/usr/local/include"], .when(platforms: [.macOS])),
            ],
            // dlib's headers call BLAS and LAPACK; dlib-1.pc names them by absolute path, which SwiftPM drops.
            linkerSettings: [
                .linkedLibrary("dlib"),
                .linkedLibrary("lapack", .when(platforms: [.linux])),
                .linkedLibrary("blas", .when(platforms: [.linux])),
                .unsafeFlags(["-L/opt/homebrew/lib", "-L/usr/local/lib"], .when(platforms: [.macOS])),
            ]
        ),
        .target(name: "FaceDetection", dependencies: ["CFaceDetect"]),
        .testTarget(
            name: "FaceDetectionTests", dependencies: ["FaceDetection", "PhotoCodec", "PhotoCodecTestSupport"]),

        // Test helpers shared by the test targets: the Graph emulator harness and child processes (its requests to
        // a TLS emulator go through PhotoGraph's transport).
        .target(name: "TestSupport", dependencies: ["PhotoGraph"], path: "Tests/TestSupport"),
        // Codec test support: fixture writers over the real encoders, kept out of the products.
        .target(
            name: "CPhotoCodecFixtures", dependencies: ["CPhotoCodec", "CJPEG", "CPNG", "CWebP", "CLCMS2", "CHeif"],
            path: "Tests/CPhotoCodecFixtures", linkerSettings: [.linkedLibrary("webpmux")]),
        .target(
            name: "PhotoCodecTestSupport", dependencies: ["PhotoCodec", "CPhotoCodecFixtures"],
            path: "Tests/PhotoCodecTestSupport"),
        // One conversion in a fresh process, for tests that measure its peak memory.
        .executableTarget(name: "photocodec-probe", dependencies: ["PhotoCodec"], path: "Tests/PhotoCodecProbe"),
        .testTarget(
            name: "PhotoCodecTests", dependencies: ["PhotoCodec", "PhotoCodecTestSupport", "photocodec-probe"]),
        // Made-up report data for tests and the report benchmark; never part of a product.
        .target(
            name: "PhotoProvisioningTestSupport", dependencies: ["PhotoProvisioning", "PhotoCodec"],
            path: "Tests/PhotoProvisioningTestSupport"),
        // Tools that measure or torture the library, built beside it but not shipped (scripts/bench-report,
        // JournalKillTests).
        .executableTarget(
            name: "ReportBenchmark", dependencies: ["PhotoProvisioning", "PhotoProvisioningTestSupport"],
            path: "Benchmarks/ReportBenchmark"),
        .executableTarget(name: "JournalStress", dependencies: ["PhotoProvisioning"], path: "Benchmarks/JournalStress"),
        // scripts/bench-transport: HTTPTransport (libcurl on Linux) and URLSession side by side against the emulator.
        .executableTarget(
            name: "TransportBenchmark", dependencies: ["PhotoGraph", "TestSupport"],
            path: "Benchmarks/TransportBenchmark"),
        .testTarget(
            name: "PhotoProvisioningTests",
            dependencies: [
                "PhotoProvisioning", "PhotoCodec", "TestSupport", "PhotoProvisioningTestSupport", "JournalStress",
            ]),
        .testTarget(
            name: "photoprovTests",
            dependencies: [
                "PhotoProvisioning", "PhotoCodec", "photoprov", "TestSupport", "PhotoCodecTestSupport", "FaceDetection",
            ]),
    ],
    swiftLanguageModes: [.v6]
)
