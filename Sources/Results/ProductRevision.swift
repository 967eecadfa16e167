import Datasets
import Model

/// The numerics revision of a run that trains `shape` with the fused trainer: `base`, plus one
/// when the network trains through the register-blocked products (`ProductKernel.preferred`,
/// the MNIST MLP), whose introduction changed its numbers; the other runs' records stay valid.
func revision(_ base: Int, training shape: MLPShape) -> Int {
    base + (ProductKernel.preferred(for: shape) == .registerBlocked ? 1 : 0)
}
