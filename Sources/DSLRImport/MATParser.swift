/// Parses level-5 data elements from a byte source, front to back.
final class MATParser {
    private let source: any ByteSource
    private let bigEndian: Bool
    private let path: String
    private let include: (([MATPathComponent]) -> Bool)?
    /// Where each enclosing array's element ends: nothing inside may claim bytes past it.
    private var ends: [Int] = []
    /// Arrays read so far, and cells or struct elements announced, in this variable.
    private var arrayCount = 0

    /// Cells and structs nest at most this deep; MatConvNet files nest 4 levels, and each
    /// level costs stack and a longer path to every value below it.
    static let maxDepth = 64
    /// At most this many arrays per variable: an empty array is 8 bytes in the file but far
    /// more in memory, and compressed runs of them cost almost nothing.
    static let maxArrays = 1 << 22
    /// A variable may declare at most this many bytes (inflated, for compressed ones).
    static let maxVariableBytes = 1 << 31

    init(source: any ByteSource, bigEndian: Bool, path: String, include: (([MATPathComponent]) -> Bool)?) {
        self.source = source
        self.bigEndian = bigEndian
        self.path = path
        self.include = include
    }

    /// The variable a top-level (or inflated compressed) element holds.
    func topLevelVariable() throws -> (name: String, value: MATValue) {
        let tag = try readTag()
        guard tag.type == MATDataType.matrix.rawValue, tag.inline == nil else {
            throw corrupt("a top-level element of type \(tag.type) where a variable (miMATRIX) was expected")
        }
        guard tag.size <= Self.maxVariableBytes else {
            throw MATError(path, "a variable declares \(tag.size) bytes, over the \(Self.maxVariableBytes >> 30) GiB limit of one variable")
        }
        return try readMatrix(size: tag.size, location: nil)
    }

    // MARK: Elements

    private struct Tag {
        let type: Int
        let size: Int
        /// The data of a small element (at most 4 bytes, packed into the tag).
        let inline: [UInt8]?
    }

    private func readTag() throws -> Tag {
        let raw = try source.readBytes(8)
        let first = word(raw, 0)
        // Small data element format: byte count in the upper half of the first word.
        if first >> 16 != 0 {
            let size = Int(first >> 16)
            guard size <= 4 else { throw corrupt("a small data element claims \(size) bytes") }
            return Tag(type: Int(first & 0xFFFF), size: size, inline: Array(raw[4..<(4 + size)]))
        }
        return Tag(type: Int(first), size: Int(word(raw, 4)), inline: nil)
    }

    /// One whole non-matrix element: its type and data (padding consumed).
    private func readElement(_ what: String) throws -> (type: MATDataType, data: [UInt8]) {
        let tag = try readTag()
        guard let type = MATDataType(rawValue: tag.type), type != .matrix, type != .compressed else {
            throw corrupt("\(what) has data type \(tag.type)")
        }
        if let inline = tag.inline { return (type, inline) }
        try checkRoom(tag.size, what)
        let data = try source.readBytes(tag.size)
        try source.skip((8 - tag.size % 8) % 8)
        return (type, data)
    }

    private func word(_ bytes: [UInt8], _ offset: Int) -> UInt32 {
        let b = bytes[offset..<(offset + 4)].map(UInt32.init)
        return bigEndian ? b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3] : b[3] << 24 | b[2] << 16 | b[1] << 8 | b[0]
    }

    private func corrupt(_ message: String) -> MATError { MATError(path, "corrupt MAT-file: \(message)") }

    /// Bytes left before the innermost enclosing array's end (or the source's end, if known).
    private var room: Int {
        min((ends.last ?? Int.max) - source.position, source.remaining ?? Int.max)
    }

    /// Refuses an element claiming more bytes than its array or the file still holds, before
    /// anything is allocated for it.
    private func checkRoom(_ size: Int, _ what: String) throws {
        if let remaining = source.remaining, size > remaining { throw MATError.truncated(path) }
        let left = (ends.last ?? Int.max) - source.position
        guard size <= left else {
            throw corrupt("\(what) claims \(size) bytes but only \(left) are left in its array")
        }
    }

    /// The product of `dims`, refused when it overflows.
    private func elementCount(_ dims: [Int]) throws -> Int {
        var count = 1
        for d in dims {
            let (next, overflow) = count.multipliedReportingOverflow(by: d)
            guard !overflow else { throw corrupt("dimensions \(dims) hold more elements than fit in 64 bits") }
            count = next
        }
        return count
    }

    /// Counts `n` more arrays against `maxArrays`.
    private func countArrays(_ n: Int) throws {
        let (total, overflow) = arrayCount.addingReportingOverflow(n)
        guard !overflow, total <= Self.maxArrays else {
            throw MATError(path, "a variable holds more than \(Self.maxArrays) arrays, the limit of this reader")
        }
        arrayCount = total
    }

    // MARK: Arrays

    /// An miMATRIX element's content (its tag already read). `location` is nil at top level,
    /// where the array's own name becomes the path.
    private func readMatrix(size: Int, location: [MATPathComponent]?) throws -> (name: String, value: MATValue) {
        try checkRoom(size, "array")
        guard ends.count < Self.maxDepth else {
            throw MATError(path, "cells or structs nest deeper than \(Self.maxDepth) levels, the limit of this reader")
        }
        try countArrays(1)
        let end = source.position + size
        ends.append(end)
        defer { ends.removeLast() }
        // MATLAB writes an empty matrix (e.g. an unset struct field) as a zero-size element.
        guard size > 0 else { return ("", .numeric(MATArray(numericClass: .double, dims: [0, 0], bytes: []))) }
        let flags = try readElement("array flags")
        guard flags.data.count >= 4 else { throw corrupt("array flags are \(flags.data.count) bytes") }
        let flagWord = word(flags.data, 0)
        let classCode = Int(flagWord & 0xFF)
        let isComplex = flagWord & 0x800 != 0
        let isLogical = flagWord & 0x200 != 0
        let dims = try integers(readElement("dimensions"))
        guard dims.count >= 2, dims.allSatisfy({ $0 >= 0 }) else { throw corrupt("dimensions \(dims)") }
        let nameElement = try readElement("array name")
        let name = String(decoding: nameElement.data, as: UTF8.self)
        let here = location ?? [.variable(name)]
        let value: MATValue
        if let include, !include(here) {
            value = .omitted("skipped")
        } else {
            value = try readContent(classCode: classCode, complex: isComplex, logical: isLogical, dims: dims, location: here)
        }
        let left = end - source.position
        guard left >= 0 else { throw corrupt("array '\(name)' runs past the end of its element") }
        try source.skip(left)
        return (name, value)
    }

    private func readContent(
        classCode: Int, complex: Bool, logical: Bool, dims: [Int], location: [MATPathComponent]
    ) throws -> MATValue {
        let count = try elementCount(dims)
        switch classCode {
        case 1:
            // Each element is an array of at least its 8-byte tag.
            guard count <= room / 8 else { throw corrupt("a cell of \(count) elements in \(room) bytes") }
            var elements: [MATValue] = []
            for i in 0..<count { elements.append(try subArray(location + [.cellElement(i)])) }
            return .cell(MATCell(dims: dims, elements: elements))
        case 2:
            let lengthElement = try integers(readElement("field name length"))
            guard let length = lengthElement.first, length > 0 else { throw corrupt("field name length \(lengthElement)") }
            let namesData = try readElement("field names").data
            let fieldNames = stride(from: 0, to: namesData.count - length + 1, by: length).map {
                String(decoding: namesData[$0..<($0 + length)].prefix { $0 != 0 }, as: UTF8.self)
            }
            guard fieldNames.isEmpty || count <= room / 8 / fieldNames.count else {
                throw corrupt("a struct of \(count) elements with \(fieldNames.count) fields in \(room) bytes")
            }
            try countArrays(count)
            var elements: [[MATValue]] = []
            for e in 0..<count {
                elements.append(try fieldNames.map { try subArray(location + [.field($0, element: e)]) })
            }
            return .structure(MATStruct(dims: dims, fieldNames: fieldNames, elements: elements))
        case 4:
            return .char(try chars(readElement("char data"), dims: dims))
        case 6...15:
            let numericClass = logical ? .logical : Self.numericClasses[classCode - 6]
            if complex { return .omitted("complex \(numericClass.rawValue) array (not supported)") }
            let data = try readElement("numeric data")
            return .numeric(try convert(data, to: numericClass, dims: dims))
        case 3: return .omitted("MATLAB object (not supported)")
        case 5: return .omitted("sparse array (not supported)")
        default: return .omitted("array of class \(classCode) (not supported)")
        }
    }

    private static let numericClasses: [MATNumericClass] = [
        .double, .single, .int8, .uint8, .int16, .uint16, .int32, .uint32, .int64, .uint64,
    ]

    private func subArray(_ location: [MATPathComponent]) throws -> MATValue {
        let tag = try readTag()
        guard tag.type == MATDataType.matrix.rawValue, tag.inline == nil else {
            throw corrupt("an element of type \(tag.type) inside a cell or struct")
        }
        return try readMatrix(size: tag.size, location: location).value
    }

    /// Dimensions and lengths: int32 elements.
    private func integers(_ element: (type: MATDataType, data: [UInt8])) throws -> [Int] {
        guard element.type == .int32 || element.type == .uint32, element.data.count % 4 == 0 else {
            throw corrupt("integer list stored as type \(element.type)")
        }
        return stride(from: 0, to: element.data.count, by: 4).map { Int(Int32(bitPattern: word(element.data, $0))) }
    }

    private func chars(_ element: (type: MATDataType, data: [UInt8]), dims: [Int]) throws -> MATCharArray {
        let data = element.data
        var scalars: [Unicode.Scalar] = []
        switch element.type {
        case .utf8, .uint8, .int8:
            scalars = Array(String(decoding: data, as: UTF8.self).unicodeScalars)
        case .uint16, .utf16:
            let units = stride(from: 0, to: data.count - 1, by: 2).map { (i: Int) -> UInt16 in
                let high = UInt16(data[bigEndian ? i : i + 1])
                let low = UInt16(data[bigEndian ? i + 1 : i])
                return high << 8 | low
            }
            // Char arrays are grids of UTF-16 code units (MATLAB's chars are BMP only).
            scalars = units.map { Unicode.Scalar($0) ?? "\u{FFFD}" }
        case .utf32, .int32, .uint32:
            // Found by the fuzzer: a length that is no multiple of 4 read past the last word.
            guard data.count % 4 == 0 else { throw corrupt("\(data.count) bytes of 4-byte char data") }
            scalars = stride(from: 0, to: data.count, by: 4).map { Unicode.Scalar(word(data, $0)) ?? "\u{FFFD}" }
        default:
            throw corrupt("char data stored as type \(element.type)")
        }
        let rowCount = dims[0]
        let total = try elementCount(dims)
        if total == 0 { try countArrays(rowCount) }
        guard rowCount > 0, total > 0 else { return MATCharArray(dims: dims, rows: rowCount > 0 ? Array(repeating: "", count: rowCount) : []) }
        guard scalars.count == total else {
            // Multi-byte UTF-8 makes the count differ from the grid; keep the text as one row.
            return MATCharArray(dims: dims, rows: [String(String.UnicodeScalarView(scalars))])
        }
        let columns = total / rowCount
        let rows = (0..<rowCount).map { r in
            String(String.UnicodeScalarView((0..<columns).map { scalars[$0 * rowCount + r] }))
        }
        return MATCharArray(dims: dims, rows: rows)
    }

    /// The stored elements converted to the array's class, little-endian. MATLAB may store
    /// an array in a smaller type than its class (a double array of small integers as uint8).
    private func convert(_ element: (type: MATDataType, data: [UInt8]), to numericClass: MATNumericClass, dims: [Int]) throws -> MATArray {
        let storage = element.type
        let count = try elementCount(dims)
        let (needed, overflow) = count.multipliedReportingOverflow(by: storage.byteSize)
        guard !overflow, element.data.count == needed else {
            throw corrupt("numeric data has \(element.data.count) bytes for \(count) elements of type \(storage)")
        }
        let storageClass = Self.storageClass(storage)
        let sameLayout = storageClass == numericClass
            || (numericClass == .logical && storageClass == .uint8)
        if sameLayout && !bigEndian {
            return MATArray(numericClass: numericClass, dims: dims, bytes: element.data)
        }
        if sameLayout {
            var swapped = element.data
            let size = storage.byteSize
            for start in stride(from: 0, to: swapped.count, by: size) { swapped[start..<(start + size)].reverse() }
            return MATArray(numericClass: numericClass, dims: dims, bytes: swapped)
        }
        guard let storageClass else { throw corrupt("numeric data stored as type \(storage)") }
        var out = [UInt8]()
        out.reserveCapacity(count * numericClass.byteSize)
        for i in 0..<count {
            let raw = loadRaw(element.data, at: i * storage.byteSize, size: storage.byteSize)
            let value = NumericValue(bits: raw, of: storageClass)
            value.append(as: numericClass, to: &out)
        }
        return MATArray(numericClass: numericClass, dims: dims, bytes: out)
    }

    private static func storageClass(_ type: MATDataType) -> MATNumericClass? {
        switch type {
        case .int8: .int8
        case .uint8: .uint8
        case .int16: .int16
        case .uint16: .uint16
        case .int32: .int32
        case .uint32: .uint32
        case .int64: .int64
        case .uint64: .uint64
        case .single: .single
        case .double: .double
        default: nil
        }
    }

    /// The `size`-byte element at `offset` as an unsigned bit pattern in host order.
    private func loadRaw(_ data: [UInt8], at offset: Int, size: Int) -> UInt64 {
        var bits: UInt64 = 0
        for k in 0..<size {
            let byte = UInt64(data[offset + (bigEndian ? k : size - 1 - k)])
            bits = bits << 8 | byte
        }
        return bits
    }
}

/// One element between storage and class types: exact integers stay integers.
private enum NumericValue {
    case integer(Int64)
    case unsigned(UInt64)
    case real(Double)

    init(bits: UInt64, of type: MATNumericClass) {
        switch type {
        case .double: self = .real(Double(bitPattern: bits))
        case .single: self = .real(Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits))))
        case .int8: self = .integer(Int64(Int8(truncatingIfNeeded: bits)))
        case .int16: self = .integer(Int64(Int16(truncatingIfNeeded: bits)))
        case .int32: self = .integer(Int64(Int32(truncatingIfNeeded: bits)))
        case .int64: self = .integer(Int64(bitPattern: bits))
        case .uint8, .uint16, .uint32, .uint64, .logical: self = .unsigned(bits)
        }
    }

    func append(as type: MATNumericClass, to out: inout [UInt8]) {
        let bits: UInt64
        switch (type, self) {
        case (.double, .real(let v)): bits = v.bitPattern
        case (.double, .integer(let v)): bits = Double(v).bitPattern
        case (.double, .unsigned(let v)): bits = Double(v).bitPattern
        case (.single, .real(let v)): bits = UInt64(Float(v).bitPattern)
        case (.single, .integer(let v)): bits = UInt64(Float(v).bitPattern)
        case (.single, .unsigned(let v)): bits = UInt64(Float(v).bitPattern)
        case (_, .real(let v)): bits = UInt64(bitPattern: Int64(exactly: v.rounded(.towardZero)) ?? 0)
        case (_, .integer(let v)): bits = UInt64(bitPattern: v)
        case (_, .unsigned(let v)): bits = v
        }
        for k in 0..<type.byteSize { out.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt64(k)))) }
    }
}
