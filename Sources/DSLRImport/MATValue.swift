/// A MATLAB numeric class (the class of the array, not the type its bytes were stored as).
public enum MATNumericClass: String, Sendable, CaseIterable {
    case double, single, int8, uint8, int16, uint16, int32, uint32, int64, uint64
    /// A `logical` array (stored as uint8).
    case logical

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .int8, .uint8, .logical: 1
        case .int16, .uint16: 2
        case .single, .int32, .uint32: 4
        case .double, .int64, .uint64: 8
        }
    }
}

/// A real numeric or logical array with MATLAB's dimensions and column-major elements.
public struct MATArray: Sendable, Equatable {
    public let numericClass: MATNumericClass
    /// MATLAB's dimensions (at least two, as MATLAB writes them).
    public let dims: [Int]
    /// The elements in column-major order, each little-endian in `numericClass`'s type.
    public let bytes: [UInt8]

    public init(numericClass: MATNumericClass, dims: [Int], bytes: [UInt8]) {
        self.numericClass = numericClass
        self.dims = dims
        self.bytes = bytes
    }

    public var count: Int { dims.reduce(1, *) }
}

/// A char array: one string per row (MATLAB pads rows of a char matrix to equal length).
public struct MATCharArray: Sendable, Equatable {
    public let dims: [Int]
    public let rows: [String]
}

/// A cell array: elements in column-major order.
public struct MATCell: Sendable, Equatable {
    public let dims: [Int]
    public let elements: [MATValue]

    public subscript(index: Int) -> MATValue { elements[index] }
    public var count: Int { elements.count }
}

/// A struct array: field names in file order and, per element (column-major), one value per field.
public struct MATStruct: Sendable, Equatable {
    public let dims: [Int]
    public let fieldNames: [String]
    public let elements: [[MATValue]]

    /// Field `name` of element `index`, or nil when the struct has no such field.
    public func field(_ name: String, element index: Int = 0) -> MATValue? {
        guard let f = fieldNames.firstIndex(of: name), elements.indices.contains(index) else { return nil }
        return elements[index][f]
    }
}

/// One value of a MAT-file variable.
public indirect enum MATValue: Sendable, Equatable {
    case numeric(MATArray)
    case char(MATCharArray)
    case cell(MATCell)
    case structure(MATStruct)
    /// Present in the file but not read: a class DSLRKit does not hold (complex, sparse,
    /// objects, function handles) or a part the caller chose to skip. The text says which.
    case omitted(String)

    public var array: MATArray? { if case .numeric(let a) = self { a } else { nil } }
    public var cell: MATCell? { if case .cell(let c) = self { c } else { nil } }
    public var structure: MATStruct? { if case .structure(let s) = self { s } else { nil } }
    /// The text of a one-row char array.
    public var string: String? {
        if case .char(let c) = self, c.rows.count <= 1 { c.rows.first ?? "" } else { nil }
    }

    /// Field `name` of a 1×1 struct.
    public subscript(field name: String) -> MATValue? { structure?.field(name) }
}

/// Where a value sits inside a variable, for choosing what to skip while reading.
public enum MATPathComponent: Sendable, Equatable {
    case variable(String)
    case cellElement(Int)
    case field(String, element: Int)
}

/// A MAT-file problem, naming the file.
public struct MATError: Error, Sendable, CustomStringConvertible, Equatable {
    public let path: String
    public let message: String

    public init(_ path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    public var description: String { "\(path): \(message)" }

    static func truncated(_ path: String) -> MATError {
        MATError(path, "the file is truncated (an element runs past the end of its data)")
    }
}
