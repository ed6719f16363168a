/// An axis-aligned rectangle of whole pixels: rows `top..<top+height`, columns
/// `left..<left+width` (x is the column, y the row).
public struct PixelRect: Sendable, Equatable, CustomStringConvertible {
    public var top: Int
    public var left: Int
    public var height: Int
    public var width: Int

    public init(top: Int, left: Int, height: Int, width: Int) {
        self.top = top; self.left = left; self.height = height; self.width = width
    }

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.init(top: y, left: x, height: height, width: width)
    }

    public var x: Int { get { left } set { left = newValue } }
    public var y: Int { get { top } set { top = newValue } }
    public var area: Int { width * height }
    /// "WIDTHxHEIGHT+X+Y", as ImageMagick writes geometry.
    public var description: String { "\(width)x\(height)+\(x)+\(y)" }
}
