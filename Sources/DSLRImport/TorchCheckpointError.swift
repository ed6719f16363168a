/// Why a PyTorch checkpoint could not be read. `description` is one line naming the file.
public typealias TorchCheckpointError = WeightFileError<TorchCheckpointErrorKind>

/// What kind of problem a `TorchCheckpointError` is.
public enum TorchCheckpointErrorKind: Sendable, Equatable {
    /// The file does not exist or cannot be opened.
    case unreadable
    /// Not a zip archive in torch.save's layout (no `data.pkl`).
    case notACheckpoint
    /// A structure runs past the end of the file or of its entry.
    case truncated
    /// A structure is malformed: zip records, checksums, pickle values of the wrong type,
    /// sizes that do not fit their storage.
    case corrupt
    /// Valid, but a format this reader does not implement: the legacy (pre-1.6) format,
    /// TorchScript archives, big-endian storages, encrypted or exotically compressed entries.
    case unsupported
    /// The pickle names a global or uses an opcode outside the allow-list. Nothing is
    /// ever called; such a file may run code when opened with `torch.load`.
    case forbidden
    /// A size, count or nesting depth over the reader's limits.
    case limitExceeded
    /// A valid checkpoint that holds no state dict this reader can pick out.
    case notAStateDict
}
