// swift-tools-version:6.0
// teleport-swift: a reproduction of "Improving Convergence and Generalization Using
// Parameter Symmetries" (Zhao, Gower, Walters, Yu; ICLR 2024).
//
// Layering (bottom to top):
//   CSystem (OpenBLAS/LAPACKE, zlib, libpng, FreeType), CKernels (optimiser updates, the trainer's products and PyTorch's random stream in C)
//   Tensor -> Autodiff                     (numerics)
//   Model -> Teleport -> MetaLearning, Theory   (the MLP and optimisers; the paper's algorithms)
//   Datasets, Plot                         (data in, figures out)
//   Experiments                            (shared harness for the result executables)
//   convergence, correlation, generalization, optimizers, metalearning, displacement,
//   datasets, bench, report                (one thin executable each)
import Foundation
import PackageDescription

let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

/// Every module builds with Swift's checks (`-O`): `make bench` times the numeric modules (Tensor,
/// Autodiff, Teleport) also with `-Ounchecked` (overflow and array-bounds checks removed;
/// `TELEPORT_OUNCHECKED=1`, in its own `--scratch-path`) and found no difference beyond the
/// run-to-run noise (REPRODUCE.md, Benchmarks), so the checks stay. Their shape and index checks
/// use `ensure` (Tensor/Matrix.swift), which would stay active even there.
let unchecked = ProcessInfo.processInfo.environment["TELEPORT_OUNCHECKED"] == "1"
let numeric: [SwiftSetting] = unchecked ? [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))] : []

/// One executable per result of the paper (plus the tools), each a thin script over the core.
func tool(_ name: String, folder: String? = nil, _ deps: [Target.Dependency]) -> Target {
    .executableTarget(name: name, dependencies: deps + [argumentParser],
                      path: "Sources/\(folder ?? name)")
}

let package = Package(
    name: "teleport-swift",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Tensor", targets: ["Tensor"]),
        .library(name: "Autodiff", targets: ["Autodiff"]),
        .library(name: "Model", targets: ["Model"]),
        .library(name: "Teleport", targets: ["Teleport"]),
        .library(name: "MetaLearning", targets: ["MetaLearning"]),
        .library(name: "Theory", targets: ["Theory"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Plot", targets: ["Plot"]),
        .library(name: "Experiments", targets: ["Experiments"]),
        .library(name: "Results", targets: ["Results"]),
        .executable(name: "convergence", targets: ["convergence"]),
        .executable(name: "correlation", targets: ["correlation"]),
        .executable(name: "generalization", targets: ["generalization"]),
        .executable(name: "optimizers", targets: ["optimizers"]),
        .executable(name: "metalearning", targets: ["metalearning"]),
        .executable(name: "displacement", targets: ["displacement"]),
        .executable(name: "datasets", targets: ["DatasetsTool"]),
        .executable(name: "bench", targets: ["bench"]),
        .executable(name: "report", targets: ["report"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // System libraries (installed by `make setup`).
        .systemLibrary(name: "CBLAS", path: "Sources/CSystem/CBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/CSystem/CZlib"),
        .systemLibrary(name: "CPNG", path: "Sources/CSystem/CPNG", pkgConfig: "libpng"),
        .systemLibrary(name: "CFreeType", path: "Sources/CSystem/CFreeType", pkgConfig: "freetype2"),
        .systemLibrary(name: "CTurboJPEG", path: "Sources/CSystem/CTurboJPEG", pkgConfig: "libturbojpeg"),

        // The Float32 optimiser updates in C, compiled for baseline x86-64 and for AVX2 (same bits).
        .target(name: "CKernels", path: "Sources/CKernels",
                cSettings: [.unsafeFlags(["-fno-math-errno"])]),

        // Core.
        .target(name: "Tensor", dependencies: ["CBLAS", "CKernels"], swiftSettings: numeric),
        .target(name: "Autodiff", dependencies: ["Tensor"], swiftSettings: numeric),
        // The bias-free MLP, its losses, the fused trainer and the optimisers.
        .target(name: "Model", dependencies: ["Tensor", "Autodiff", "CBLAS", "CKernels"], swiftSettings: numeric),
        // Group actions, gradient-norm / sharpness / curvature teleportation, phi and psi.
        .target(name: "Teleport", dependencies: ["Tensor", "Autodiff", "Model"], swiftSettings: numeric),
        // The LSTM meta-optimisers of Result 5 and their meta-training.
        .target(name: "MetaLearning", dependencies: ["Tensor", "Autodiff", "Model", "Teleport"], swiftSettings: numeric),
        // Section 3's problems with known symmetries, Theorem 3.1, Newton alignment; Result 6's geometry.
        .target(name: "Theory", dependencies: ["Tensor", "Autodiff", "Model", "Teleport"], swiftSettings: numeric),
        .target(name: "Datasets", dependencies: ["CZlib", "CPNG", "CTurboJPEG", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Plot", dependencies: ["CPNG", "CFreeType"]),
        .target(name: "Experiments",
                dependencies: ["Tensor", "Autodiff", "Model", "Teleport", "Datasets", "Plot", "CKernels", argumentParser]),
        // The six results' protocols (one folder each), read top-down beside PROTOCOL.md.
        .target(name: "Results", dependencies: ["Experiments", "Tensor", "Autodiff", "Model", "Teleport", "MetaLearning",
                                                "Theory", "Datasets", "Plot"]),

        // Executables.
        tool("convergence", ["Results"]),
        tool("correlation", ["Results"]),
        tool("generalization", ["Results"]),
        tool("optimizers", ["Results"]),
        tool("metalearning", ["Results"]),
        tool("displacement", ["Results"]),
        tool("DatasetsTool", folder: "datasets", ["Datasets"]),
        tool("bench", ["Experiments", "Model", "Teleport", "MetaLearning", "Theory"]),
        tool("report", ["Experiments"]),

        // Tests: one target per module, the paper's claims on the quick profile, and the cluster
        // path (shards and merge as separate processes, and on a one-node Slurm).
        .target(name: "TestSupport", dependencies: ["Tensor", "Model"], path: "Sources/TestSupport"),
        .testTarget(name: "TensorTests", dependencies: ["Tensor", "CKernels", "TestSupport"]),
        .testTarget(name: "AutodiffTests", dependencies: ["Autodiff", "TestSupport"]),
        .testTarget(name: "ModelTests", dependencies: ["Model", "Datasets", "TestSupport"]),
        .testTarget(name: "TeleportTests", dependencies: ["Model", "Teleport", "Datasets", "TestSupport"]),
        .testTarget(name: "MetaLearningTests", dependencies: ["Model", "Teleport", "MetaLearning", "TestSupport"]),
        .testTarget(name: "TheoryTests", dependencies: ["Model", "Teleport", "Theory", "TestSupport"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "CTurboJPEG", "TestSupport"]),
        .testTarget(name: "PlotTests", dependencies: ["Plot", "CPNG", "TestSupport"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Model", "Datasets", "Tensor", "Teleport", "TestSupport"]),
        .testTarget(name: "ResultsTests", dependencies: ["Results", "Experiments", "Teleport", "Theory", "TestSupport"]),
        .testTarget(name: "ClaimsTests", dependencies: ["Experiments", "TestSupport"],
                    exclude: ["expected-quick.json"]),  // read by path: the expected outcomes
        .testTarget(name: "ClusterTests", dependencies: ["TestSupport"]),
    ]
)
