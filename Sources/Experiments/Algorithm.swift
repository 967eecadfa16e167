import ArgumentParser

/// Which algorithm the runs follow (PROTOCOL.md, "Published mode and corrected mode").
public enum Algorithm: String, CaseIterable, Codable, Sendable, ExpressibleByArgument {
    /// PROTOCOL.md's corrections of the published code (the default).
    case corrected
    /// Exactly the published code's algorithm, its defects and random streams included, so
    /// that a reader can see whether a claim depends on a defect.
    case published

    /// The suffix of the results folder: "" or "-published", so the two never mix.
    public var folderSuffix: String { self == .corrected ? "" : "-published" }
}

/// What `--algorithm published` means for an experiment.
public enum PublishedMode: Sendable, Equatable {
    /// The published algorithm, with the differences from `corrected` listed (one phrase each,
    /// as REPRODUCE.md shows them).
    case implemented(differences: [String])
    /// Published and corrected are the same algorithm here; the reason says why.
    case same(because: String)
    /// Not implemented yet: `--algorithm published` stops with one line saying so.
    case notImplemented
}
