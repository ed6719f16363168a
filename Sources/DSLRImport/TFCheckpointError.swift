/// Why a TensorFlow checkpoint could not be read. `description` is one line naming the file.
public typealias TFCheckpointError = WeightFileError<TFCheckpointErrorKind>

/// What kind of problem a `TFCheckpointError` is.
public enum TFCheckpointErrorKind: Sendable, Equatable {
    /// The `.index` file or a data shard does not exist or cannot be opened.
    case missingFile
    /// The index does not end with the table magic number: not a checkpoint V2 index.
    case badMagic
    /// A file ends before a structure it declares.
    case truncated
    /// A structure is malformed (bad varint, protobuf, block layout, key order).
    case corrupt
    /// A block or tensor does not match its stored CRC32C.
    case checksumMismatch
    /// Valid, but uses a feature this reader does not implement (compression, strings,
    /// partitioned variables, big-endian bundles).
    case unsupported
    /// No tensor of the requested name.
    case unknownTensor
}
