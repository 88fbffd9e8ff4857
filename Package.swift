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

        // The image engine in C: decode, colour-manage, orient, resample, encode, byte and memory budgets.
        .target(
            name: "CPhotoCodec",
            dependencies: ["CJPEG", "CPNG", "CHeif", "CWebP", "CLCMS2"],
            cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))],
            linkerSettings: [.linkedLibrary("m", .when(platforms: [.linux]))]  // sin/lround for the Lanczos weights
        ),
        // Its Swift face: value types and typed errors, no raw pointers.
        .target(name: "PhotoCodec", dependencies: ["CPhotoCodec"]),

        // The library: sources, pipeline, Graph client, journal, reports.
        .target(name: "PhotoProvisioning", dependencies: ["PhotoCodec", "CSQLite", "CCrypto"]),

        // The thin executable: arguments, terminal output, exit codes.
        .executableTarget(name: "photoprov", dependencies: ["PhotoProvisioning", "PhotoCodec"]),

        // Test helpers shared by the test targets: the Graph emulator harness and child processes.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
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
        .testTarget(name: "PhotoProvisioningTests", dependencies: ["PhotoProvisioning", "PhotoCodec", "TestSupport"]),
        .testTarget(name: "photoprovTests", dependencies: ["PhotoProvisioning", "PhotoCodec", "photoprov", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
