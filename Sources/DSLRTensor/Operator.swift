#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CTorch

/// One ATen operator, resolved by schema name once per process.
///
/// Every op in DSLRKit goes through `call`, which boxes the arguments and lets libtorch's
/// dispatcher pick the kernel (CPU or CUDA) and record autograd, so the C layer needs no
/// function per op.
public struct Operator: Sendable {
    let resolved: Result<UnsafeSendableHandle, TorchError>
    public let name: String

    /// Resolves `name` (e.g. "aten::conv2d") with `overload` (e.g. "" or "Tensor").
    public init(_ name: String, _ overload: String = "") {
        self.name = overload.isEmpty ? name : "\(name).\(overload)"
        if let raw = ct_op_find(name, overload) {
            resolved = .success(UnsafeSendableHandle(raw: raw))
        } else {
            resolved = .failure(TorchError.last("operator \(self.name) is not in this libtorch"))
        }
    }

    /// The operator's schema, for messages.
    public var schema: String {
        guard case .success(let handle) = resolved else { return name }
        return String(cString: ct_op_schema(handle.raw))
    }
}

/// An operator handle; libtorch's operator table is immutable after load.
struct UnsafeSendableHandle: @unchecked Sendable {
    let raw: OpaquePointer
}

/// An argument to an ATen operator, in schema order.
public enum OpArg {
    case tensor(Tensor)
    case optionalTensor(Tensor?)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case ints([Int])
    case doubles([Double])
    case tensors([Tensor])
    case optionalTensors([Tensor?])
    case string(String)
    case device(Device)
    case dtype(DType)
    /// None, for an optional argument.
    case none
    /// The schema's default value.
    case `default`
}

/// A value returned by an operator.
public enum OpResult {
    case tensor(Tensor?)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case none
}

extension Operator {
    /// Calls the operator and returns every result, flattened. A tensor result with a
    /// dtype DSLRKit does not model (e.g. complex) is an error naming the operator.
    public func callAll(_ args: [OpArg]) throws -> [OpResult] {
        let results = try callUnchecked(args)
        for case .tensor(let tensor?) in results { _ = try tensor.checkedSupported(name) }
        return results
    }

    /// `callAll` without the dtype check (tests make unsupported tensors with it).
    func callUnchecked(_ args: [OpArg]) throws -> [OpResult] {
        let op: OpaquePointer
        switch resolved {
        case .success(let handle): op = handle.raw
        case .failure(let error): throw error
        }
        return try withCValues(args) { values, count in
            try withUnsafeTemporaryAllocation(of: ct_value.self, capacity: 16) { outs in
                var n: Int32 = 0
                let status = ct_op_call(op, values, count, outs.baseAddress, 16, &n)
                if status != 0 { throw TorchError.last(name) }
                return (0..<Int(n)).map { k in
                    let v = outs[k]
                    switch Int(v.kind) {
                    case Int(CT_TENSOR): return .tensor(v.tensor.map { Tensor(owning: $0) })
                    case Int(CT_INT): return .int(Int(v.i))
                    case Int(CT_DOUBLE): return .double(v.d)
                    case Int(CT_BOOL): return .bool(v.i != 0)
                    default: return .none
                    }
                }
            }
        }
    }

    /// Calls an operator whose first result is a tensor.
    public func call(_ args: OpArg...) throws -> Tensor {
        try callTensors(args)[0]
    }

    /// Calls an operator and returns its tensor results, in order.
    public func callTensors(_ args: [OpArg]) throws -> [Tensor] {
        let results = try callAll(args)
        var tensors: [Tensor] = []
        for result in results {
            if case .tensor(let t?) = result { tensors.append(t) }
        }
        guard !tensors.isEmpty else { throw TorchError("\(name) returned no tensor") }
        return tensors
    }

    /// Calls an operator that returns one number or boolean.
    public func callScalar(_ args: OpArg...) throws -> Double {
        switch try callAll(args).first {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: throw TorchError("\(name) returned no number")
        }
    }
}

/// Lays the arguments out as C values whose pointers stay valid for the duration of `body`.
private func withCValues<R>(_ args: [OpArg], _ body: (UnsafePointer<ct_value>, Int32) throws -> R) throws -> R {
    var intCount = 0
    var doubleCount = 0
    var handleCount = 0
    for arg in args {
        switch arg {
        case .ints(let v): intCount += v.count
        case .doubles(let v): doubleCount += v.count
        case .tensors(let v): handleCount += v.count
        case .optionalTensors(let v): handleCount += v.count
        default: break
        }
    }
    let ints = UnsafeMutablePointer<Int64>.allocate(capacity: max(intCount, 1))
    let doubles = UnsafeMutablePointer<Double>.allocate(capacity: max(doubleCount, 1))
    let handles = UnsafeMutablePointer<OpaquePointer?>.allocate(capacity: max(handleCount, 1))
    let values = UnsafeMutablePointer<ct_value>.allocate(capacity: max(args.count, 1))
    var strings: [UnsafeMutablePointer<CChar>] = []
    defer {
        ints.deallocate()
        doubles.deallocate()
        handles.deallocate()
        values.deallocate()
        strings.forEach { free($0) }
    }
    var nextInt = 0
    var nextDouble = 0
    var nextHandle = 0
    // Tensor lists and lists of optional tensors share one layout: handles, NULL for None.
    func appendHandles(_ list: [OpaquePointer?], to v: inout ct_value) {
        v.kind = Int32(CT_TENSORS)
        v.tensors = UnsafePointer(handles + nextHandle)
        v.count = Int64(list.count)
        for h in list {
            handles[nextHandle] = h
            nextHandle += 1
        }
    }
    for (k, arg) in args.enumerated() {
        var v = ct_value()
        switch arg {
        case .tensor(let t):
            v.kind = Int32(CT_TENSOR)
            v.tensor = t.handle
        case .optionalTensor(let t):
            v.kind = Int32(CT_TENSOR)
            v.tensor = t?.handle
        case .int(let i):
            v.kind = Int32(CT_INT)
            v.i = Int64(i)
        case .double(let d):
            v.kind = Int32(CT_DOUBLE)
            v.d = d
        case .bool(let b):
            v.kind = Int32(CT_BOOL)
            v.i = b ? 1 : 0
        case .ints(let list):
            v.kind = Int32(CT_INTS)
            v.ints = UnsafePointer(ints + nextInt)
            v.count = Int64(list.count)
            for x in list {
                ints[nextInt] = Int64(x)
                nextInt += 1
            }
        case .doubles(let list):
            v.kind = Int32(CT_DOUBLES)
            v.doubles = UnsafePointer(doubles + nextDouble)
            v.count = Int64(list.count)
            for x in list {
                doubles[nextDouble] = x
                nextDouble += 1
            }
        case .tensors(let list):
            appendHandles(list.map(\.handle), to: &v)
        case .optionalTensors(let list):
            appendHandles(list.map { $0?.handle }, to: &v)
        case .string(let s):
            v.kind = Int32(CT_STRING)
            let c = strdup(s)!
            strings.append(c)
            v.str = UnsafePointer(c)
        case .device(let d):
            v.kind = Int32(CT_DEVICE)
            let c = strdup(d.description)!
            strings.append(c)
            v.str = UnsafePointer(c)
        case .dtype(let d):
            v.kind = Int32(CT_SCALAR_TYPE)
            v.i = Int64(d.rawValue)
        case .none:
            v.kind = Int32(CT_NONE)
        case .default:
            v.kind = Int32(CT_DEFAULT)
        }
        values[k] = v
    }
    // The tensors referenced by handle must outlive the call.
    return try withExtendedLifetime(args) {
        try body(UnsafePointer(values), Int32(args.count))
    }
}
