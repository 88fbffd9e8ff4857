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
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"]), .brew(["sqlite"])]
        ),
        .systemLibrary(
            name: "CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]
        ),

        // The image engine in C: decode, orient, resample, encode, byte budget.
        .target(
            name: "CPhotoCodec",
            dependencies: ["CJPEG", "CPNG"],
            cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))],
            linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]  // sin/lround for the Lanczos weights
        ),
        // Its Swift face: value types and typed errors, no raw pointers.
        .target(name: "PhotoCodec", dependencies: ["CPhotoCodec"]),

        // The library: sources, pipeline, Graph client, journal, reports.
        .target(name: "PhotoProvisioning", dependencies: ["PhotoCodec", "CSQLite", "CCrypto"]),

        // The thin executable: arguments, terminal output, exit codes.
        .executableTarget(name: "photoprov", dependencies: ["PhotoProvisioning", "PhotoCodec"]),

        // Face detection: dlib's frontal-face HOG detector behind a C API (a C++ shim: dlib is C++ only), and its
        // Swift face with the framing rule. CDlib only carries dlib's pkg-config flags to the shim; the shim links
        // BLAS and LAPACK by name (libblas-dev and liblapack-dev give libblas.so and liblapack.so).
        .systemLibrary(
            name: "CDlib",
            pkgConfig: "dlib-1",
            providers: [.apt(["libdlib-dev", "libblas-dev", "liblapack-dev"]), .brew(["dlib"])]
        ),
        .target(
            name: "CFaceDetect",
            dependencies: ["CDlib"],
            cxxSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))],  // dlib's templates are slow at -O0
            // dlib's headers call BLAS and LAPACK; dlib-1.pc names them by absolute path, which SwiftPM drops.
            linkerSettings: [
                .linkedLibrary("lapack", .when(platforms: [.linux])), .linkedLibrary("blas", .when(platforms: [.linux])),
            ]
        ),
        .target(name: "FaceDetection", dependencies: ["CFaceDetect"]),
        .testTarget(name: "FaceDetectionTests", dependencies: ["FaceDetection", "PhotoCodec"]),

        // Test helpers shared by the test targets: the Graph emulator harness and child processes.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "PhotoCodecTests", dependencies: ["PhotoCodec"]),
        .testTarget(name: "PhotoProvisioningTests", dependencies: ["PhotoProvisioning", "PhotoCodec", "TestSupport"]),
        .testTarget(name: "photoprovTests", dependencies: ["PhotoProvisioning", "PhotoCodec", "photoprov", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
