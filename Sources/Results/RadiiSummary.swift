import Experiments

/// "0.001 … 0.191 (20 radii)": the radii of phi as `<result> profiles` prints them.
func radiiSummary(_ radii: [Double]) -> String {
    guard let first = radii.first, let last = radii.last else { return "-" }
    return "\(Table.number(first)) … \(Table.number(last)) (\(radii.count) radii)"
}
