import Datasets
import Model

/// The numerics revision of a run on `dataset` whose network (`model`) trains with the fused
/// trainer: `base`, plus one when that network trains through the register-blocked products
/// (`ProductKernel.preferred`, the MNIST MLP), whose introduction changed its numbers; the other
/// runs' records stay valid.
func revision(_ base: Int, dataset: String, model: (DatasetName) -> MLPShape) -> Int {
    guard let name = DatasetName(rawValue: dataset) else { return base }
    return base + (ProductKernel.preferred(for: model(name)) == .registerBlocked ? 1 : 0)
}
