import Experiments

/// The command line of each result (`run`, `merge`, `profiles`); each result executable's
/// `main.swift` is one call of these. Each first pins OpenBLAS's kernels (`pinBLASKernels`),
/// so that verdicts do not depend on the machine's CPU, and keeps freed memory in the process
/// (`keepFreedMemory`), so that large temporaries reuse their pages.
public enum ResultCommand {
    /// Result 1: Section 3's convergence theorems checked numerically.
    public static func convergence() { main(Convergence.self) }
    /// Result 2: sharpness and curvature vs validation loss (Table 1).
    public static func correlation() { main(Correlation.self) }
    /// Result 3: teleporting to change sharpness or curvature at epoch 20 (Fig 4).
    public static func generalization() { main(Generalization.self) }
    /// Result 4: teleportation inside standard optimizers (Fig 5).
    public static func optimizers() { main(OptimizersExperiment.self) }
    /// Result 5: learning where to teleport (Fig 6).
    public static func metalearning() { main(Metalearning.self) }
    /// Result 6: curvature and displacement of shifted minima (Fig 7).
    public static func displacement() { main(DisplacementExperiment.self) }

    /// The process setup every result shares, then the result's command line.
    private static func main<E: Experiment>(_ experiment: E.Type) {
        pinBLASKernels()
        keepFreedMemory()
        ExperimentCommand<E>.main()
    }
}
