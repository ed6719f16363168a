import DSLRTensor
import Foundation

/// A TensorFlow `DataType` code (tensorflow/core/framework/types.proto).
public struct TFDataType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    public static let float = TFDataType(rawValue: 1)
    public static let double = TFDataType(rawValue: 2)
    public static let int32 = TFDataType(rawValue: 3)
    public static let uint8 = TFDataType(rawValue: 4)
    public static let int16 = TFDataType(rawValue: 5)
    public static let int8 = TFDataType(rawValue: 6)
    public static let string = TFDataType(rawValue: 7)
    public static let int64 = TFDataType(rawValue: 9)
    public static let bool = TFDataType(rawValue: 10)
    public static let bfloat16 = TFDataType(rawValue: 14)
    public static let half = TFDataType(rawValue: 19)

    /// The engine dtype holding the same bytes, nil for types without one (strings,
    /// complex, quantised, unsigned wider than 8 bits, resources, variants).
    public var engineDType: DType? {
        switch self {
        case .float: .float32
        case .double: .float64
        case .int32: .int32
        case .uint8: .uint8
        case .int16: .int16
        case .int8: .int8
        case .int64: .int64
        case .bool: .bool
        case .bfloat16: .bfloat16
        case .half: .float16
        default: nil
        }
    }

    public var description: String {
        if let dtype = engineDType { return dtype.description }
        let names = [7: "string", 8: "complex64", 11: "qint8", 12: "quint8", 13: "qint32", 15: "qint16",
                     16: "quint16", 17: "uint16", 18: "complex128", 20: "resource", 21: "variant",
                     22: "uint32", 23: "uint64"]
        return names[rawValue].map { "\($0) (DataType \(rawValue))" } ?? "DataType \(rawValue)"
    }
}

/// One variable of a checkpoint, as its index describes it.
public struct TFTensorEntry: Sendable, Equatable {
    public let name: String
    public let dtype: TFDataType
    /// Dimensions in TensorFlow's order (convolution kernels are HWIO, dense weights [in, out]).
    public let shape: [Int]
    /// Data shard holding the bytes, their offset and length in it.
    public let shard: Int
    public let offset: Int
    public let size: Int
    let maskedCRC32C: UInt32
    let sliceCount: Int
    let unknownRank: Bool
}

/// A TensorFlow checkpoint V2 (tensor bundle) read by DSLRKit's own code, no TensorFlow:
/// `PREFIX.index` (a LevelDB table from variable names to `BundleEntryProto`s, plus a
/// `BundleHeaderProto` under the empty key) and data shards `PREFIX.data-0000k-of-0000n`
/// holding the raw little-endian tensor bytes.
///
/// Opening reads and checks the index and that every shard exists; `tensor(named:)` reads
/// one tensor, checking its size and CRC32C. Errors are `TFCheckpointError`s naming the file.
public struct TFCheckpoint: Sendable {
    /// The path prefix: what `tf.train.Saver.save` returned.
    public let prefix: String
    /// Every variable, by name.
    public let entries: [String: TFTensorEntry]
    /// The number of data shards.
    public let shardCount: Int

    /// Opens the checkpoint at `prefix`; a path to the `.index` file itself is accepted too.
    public init(prefix: String) throws {
        var prefix = prefix
        if prefix.hasSuffix(".index") && !FileManager.default.fileExists(atPath: prefix + ".index") {
            prefix.removeLast(".index".count)
        }
        self.prefix = prefix
        let indexPath = prefix + ".index"
        if let problem = notARegularFile(indexPath) { throw TFCheckpointError(.missingFile, file: indexPath, problem) }
        guard let data = FileManager.default.contents(atPath: indexPath) else {
            let hint = FileManager.default.fileExists(atPath: prefix)
                ? " (\(prefix) exists: a checkpoint V1 file? only V2, .index plus .data shards, is supported)" : ""
            throw TFCheckpointError(.missingFile, file: indexPath, "cannot read the checkpoint index\(hint)")
        }
        let table = try SSTable.entries(of: [UInt8](data), file: indexPath)
        guard let first = table.first, first.key.isEmpty else {
            throw TFCheckpointError(.corrupt, file: indexPath, "has no bundle header entry (the empty key)")
        }
        let header = try BundleHeader(parsing: first.value)
        guard header.endianness == 0 else {
            throw TFCheckpointError(.unsupported, file: indexPath, "is a big-endian bundle; only little-endian is supported")
        }
        guard header.numShards >= 1 else {
            throw TFCheckpointError(.corrupt, file: indexPath, "header declares \(header.numShards) data shards")
        }
        var entries: [String: TFTensorEntry] = [:]
        for (key, value) in table.dropFirst() {
            let name = String(decoding: key, as: UTF8.self)
            let reader = ByteReader(value.bytes, range: value.position..<value.end, file: indexPath, context: "entry '\(name)'")
            let e = try BundleEntry(parsing: reader)
            guard e.shardID >= 0 && e.shardID < header.numShards else {
                throw TFCheckpointError(.corrupt, file: indexPath, "entry '\(name)' is in shard \(e.shardID) of \(header.numShards)")
            }
            entries[name] = TFTensorEntry(
                name: name, dtype: TFDataType(rawValue: e.dtype), shape: e.shape, shard: e.shardID, offset: e.offset,
                size: e.size, maskedCRC32C: e.maskedCRC32C, sliceCount: e.sliceCount, unknownRank: e.unknownRank)
        }
        self.entries = entries
        self.shardCount = header.numShards
        for shard in 0..<header.numShards {
            if let problem = notARegularFile(shardPath(shard)) { throw TFCheckpointError(.missingFile, file: shardPath(shard), problem) }
            guard FileManager.default.isReadableFile(atPath: shardPath(shard)) else {
                throw TFCheckpointError(.missingFile, file: shardPath(shard), "data shard \(shard) of the checkpoint is missing")
            }
        }
    }

    /// Variable names in sorted order.
    public var names: [String] { entries.keys.sorted() }

    /// The path of data shard `shard`.
    public func shardPath(_ shard: Int) -> String {
        func five(_ n: Int) -> String { String(repeating: "0", count: max(0, 5 - String(n).count)) + String(n) }
        return "\(prefix).data-\(five(shard))-of-\(five(shardCount))"
    }

    /// The variable `name` as a CPU tensor of the matching engine dtype, in TensorFlow's
    /// dimension order. Its byte count and CRC32C are verified.
    public func tensor(named name: String) throws -> Tensor {
        guard let entry = entries[name] else {
            throw TFCheckpointError(.unknownTensor, file: prefix + ".index", "has no tensor '\(name)'")
        }
        let path = shardPath(entry.shard)
        guard let dtype = entry.dtype.engineDType else {
            throw TFCheckpointError(.unsupported, file: prefix + ".index", "tensor '\(name)' has dtype \(entry.dtype), which cannot be read as a numeric tensor")
        }
        guard entry.sliceCount == 0 else {
            throw TFCheckpointError(.unsupported, file: prefix + ".index", "tensor '\(name)' is a partitioned variable (\(entry.sliceCount) slices)")
        }
        guard !entry.unknownRank else {
            throw TFCheckpointError(.corrupt, file: prefix + ".index", "tensor '\(name)' has an unknown rank")
        }
        let product = entry.shape.reduce((dtype.byteSize, false)) {
            let next = $0.0.multipliedReportingOverflow(by: $1)
            return (next.partialValue, $0.1 || next.overflow)
        }
        guard !product.1, entry.size == product.0 else {
            let need = product.1 ? "more bytes than fit in Int" : "\(product.0) bytes"
            throw TFCheckpointError(.corrupt, file: prefix + ".index", "tensor '\(name)' has \(entry.size) bytes but shape \(entry.shape) of \(dtype) needs \(need)")
        }
        let bytes = try readBytes(path, offset: entry.offset, count: entry.size, tensor: name)
        let crc = CRC32C.checksum(bytes)
        guard crc == CRC32C.unmask(entry.maskedCRC32C) else {
            throw TFCheckpointError(.checksumMismatch, file: path, "tensor '\(name)' fails its CRC32C check: the data is corrupt")
        }
        return try bytes.withUnsafeBytes { try Tensor(bytes: $0, shape: entry.shape, dtype: dtype) }
    }

    /// The variable `name` as floating-point weights (float32, float64, float16 or bfloat16
    /// as stored). Any other dtype is refused naming it: an integer variable where weights
    /// belong is a damaged or different checkpoint, and converting it would load nonsense.
    public func floatTensor(named name: String) throws -> Tensor {
        if let entry = entries[name], ![.float, .double, .half, .bfloat16].contains(entry.dtype) {
            throw TFCheckpointError(.unsupported, file: prefix + ".index",
                                    "tensor '\(name)' has dtype \(entry.dtype), but weights must be floating point")
        }
        return try tensor(named: name)
    }

    private func readBytes(_ path: String, offset: Int, count: Int, tensor name: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw TFCheckpointError(.missingFile, file: path, "cannot open the data shard")
        }
        defer { try? handle.close() }
        do {
            let fileSize = Int(try handle.seekToEnd())
            guard offset <= fileSize, count <= fileSize - offset else {
                throw TFCheckpointError(.truncated, file: path, "tensor '\(name)' needs \(count) bytes at offset \(offset) but the file is \(fileSize) bytes")
            }
            try handle.seek(toOffset: UInt64(offset))
            let data = try handle.read(upToCount: count) ?? Data()
            guard data.count == count else {
                throw TFCheckpointError(.truncated, file: path, "tensor '\(name)': read \(data.count) of \(count) bytes")
            }
            return [UInt8](data)
        } catch let error as TFCheckpointError {
            throw error
        } catch {
            throw TFCheckpointError(.missingFile, file: path, "cannot read the data shard: \(error.localizedDescription)")
        }
    }
}
