// The part of DSLRTensor that the weight readers call, without libtorch, for the fuzz targets
// of readers that build tensors (scripts/fuzz.sh compiles it with Sources/DSLRTensor/DType.swift
// as module DSLRTensor). A reader must only ever hand over a byte count that its shape and
// dtype need: the engine's `ct_from_bytes` allocates the shape's size before comparing, so a
// mismatch is a finding here (a trap), not an error. Every byte is read, so AddressSanitizer
// reports a range that runs past the input.

public final class Tensor: Sendable {
    public let shape: [Int]
    public let dtype: DType
    /// A sum of the bytes, kept so that reading them is not optimised away.
    public let checksum: UInt64

    public init(bytes: UnsafeRawBufferPointer, shape: [Int], dtype: DType) throws {
        var count = dtype.byteSize
        for size in shape {
            precondition(size >= 0, "tensor shape \(shape) has a negative size")
            let (next, overflow) = count.multipliedReportingOverflow(by: size)
            precondition(!overflow, "tensor shape \(shape) overflows")
            count = next
        }
        precondition(count == bytes.count, "tensor of shape \(shape) and \(dtype) needs \(count) bytes, was given \(bytes.count)")
        var sum: UInt64 = 0
        for byte in bytes { sum &+= UInt64(byte) }
        self.shape = shape
        self.dtype = dtype
        checksum = sum
    }
}
