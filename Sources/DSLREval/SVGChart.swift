import Foundation

// Line charts as standalone SVG files: the report's loss and metric curves. SVG keeps the
// report a folder of text files that any browser shows crisply at any zoom, and needs no
// plotting library.

/// One point of a series.
public struct ChartPoint: Sendable, Equatable {
    public var x: Double
    public var y: Double
    public init(_ x: Double, _ y: Double) { self.x = x; self.y = y }
}

/// A named line.
public struct ChartSeries: Sendable, Equatable {
    public var name: String
    public var points: [ChartPoint]
    public init(name: String, points: [ChartPoint]) { self.name = name; self.points = points }

    /// At most `maxPoints` points: consecutive points averaged in equal groups, which also
    /// smooths a noisy loss. Non-finite points are dropped first.
    public func downsampled(maxPoints: Int) -> ChartSeries {
        let finite = points.filter { $0.x.isFinite && $0.y.isFinite }
        guard finite.count > maxPoints, maxPoints > 0 else { return ChartSeries(name: name, points: finite) }
        let group = Int((Double(finite.count) / Double(maxPoints)).rounded(.up))
        let averaged = stride(from: 0, to: finite.count, by: group).map { start -> ChartPoint in
            let slice = finite[start..<min(start + group, finite.count)]
            let n = Double(slice.count)
            return ChartPoint(slice.map(\.x).reduce(0, +) / n, slice.map(\.y).reduce(0, +) / n)
        }
        return ChartSeries(name: name, points: averaged)
    }
}

/// A line chart with axes, ticks, grid, axis labels and a legend.
public struct LineChart: Sendable {
    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [ChartSeries]
    public var width: Double = 720
    public var height: Double = 360
    /// nil: logarithmic when every value is positive and they span more than two decades
    /// (loss terms of very different sizes), else linear.
    public var yScale: AxisScale?
    /// Dots at the points (for sparse series such as evaluations).
    public var markers = false
    /// Points per series beyond which the series is averaged down.
    public var maxPoints = 1000

    public init(title: String, xLabel: String, yLabel: String, series: [ChartSeries], yScale: AxisScale? = nil, markers: Bool = false) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series
        self.yScale = yScale; self.markers = markers
    }

    /// Line colours (a colour-blind-friendly qualitative palette), in series order.
    public static let palette = ["#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#555555", "#EE8866"]

    /// Where everything goes: the plot rectangle and the two axes.
    public struct Layout: Sendable, Equatable {
        public var left: Double, top: Double, right: Double, bottom: Double
        public var x: Axis
        public var y: Axis
        public var legendRows: Int
        /// Pixel position of a data point.
        public func position(_ p: ChartPoint) -> (x: Double, y: Double) {
            (left + x.fraction(p.x) * (right - left), bottom - y.fraction(p.y) * (bottom - top))
        }
    }

    /// The series as drawn (finite, averaged down; empty series and, on a log axis,
    /// non-positive values left out).
    func drawnSeries(logY: Bool) -> [ChartSeries] {
        series.map { s in
            var d = s.downsampled(maxPoints: maxPoints)
            if logY { d.points = d.points.filter { $0.y > 0 } }
            return d
        }.filter { !$0.points.isEmpty }
    }

    public func layout() -> Layout {
        let all = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        let ys = all.map(\.y), xs = all.map(\.x)
        let positive = !ys.isEmpty && ys.allSatisfy { $0 > 0 }
        let logY = (yScale ?? (positive && (ys.max()! / ys.min()! > 100) ? .log : .linear)) == .log && positive
        let yAxis = ys.isEmpty ? Axis.linear(min: 0, max: 1)
            : logY ? Axis.log(min: ys.min()!, max: ys.max()!) : Axis.linear(min: ys.min()!, max: ys.max()!)
        let xAxis = xs.isEmpty ? Axis.linear(min: 0, max: 1) : Axis.linear(min: xs.min()!, max: xs.max()!, count: 7)
        let rows = legendRows()
        return Layout(left: 72, top: 46 + 18 * Double(rows), right: width - 24, bottom: height - 48, x: xAxis, y: yAxis,
                      legendRows: rows)
    }

    /// Legend entries laid out left to right, wrapping: (row, x offset) per series.
    func legendPlacement() -> [(row: Int, x: Double)] {
        var placed: [(Int, Double)] = []
        var row = 0, x = 72.0
        for s in series {
            let itemWidth = 30 + 7 * Double(s.name.count) + 16
            if x + itemWidth > width - 16 && x > 72 { row += 1; x = 72 }
            placed.append((row, x))
            x += itemWidth
        }
        return placed
    }

    func legendRows() -> Int { series.count <= 1 ? 0 : (legendPlacement().map(\.row).max() ?? 0) + 1 }

    /// The chart as an SVG document.
    public func svg() -> String {
        let l = layout()
        let f = { (v: Double) in String(format: "%.2f", v) }
        var out = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(f(width))" height="\(f(height))" viewBox="0 0 \(f(width)) \(f(height))" \
            font-family="Helvetica, Arial, sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="#ffffff"/>
            <text x="\(f(width / 2))" y="24" text-anchor="middle" font-size="15" font-weight="bold">\(xmlEscape(title))</text>

            """
        // Grid and tick labels.
        let yLabels = l.y.labels(), xLabels = l.x.labels()
        for (tick, label) in zip(l.y.ticks, yLabels) {
            let y = l.bottom - l.y.fraction(tick) * (l.bottom - l.top)
            out += "<line x1=\"\(f(l.left))\" y1=\"\(f(y))\" x2=\"\(f(l.right))\" y2=\"\(f(y))\" stroke=\"#e3e3e3\"/>"
            out += "<text x=\"\(f(l.left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\" fill=\"#333\">\(label)</text>\n"
        }
        for (tick, label) in zip(l.x.ticks, xLabels) {
            let x = l.left + l.x.fraction(tick) * (l.right - l.left)
            out += "<line x1=\"\(f(x))\" y1=\"\(f(l.top))\" x2=\"\(f(x))\" y2=\"\(f(l.bottom))\" stroke=\"#eeeeee\"/>"
            out += "<line x1=\"\(f(x))\" y1=\"\(f(l.bottom))\" x2=\"\(f(x))\" y2=\"\(f(l.bottom + 5))\" stroke=\"#333\"/>"
            out += "<text x=\"\(f(x))\" y=\"\(f(l.bottom + 18))\" text-anchor=\"middle\" fill=\"#333\">\(label)</text>\n"
        }
        // Axes.
        out += "<polyline points=\"\(f(l.left)),\(f(l.top)) \(f(l.left)),\(f(l.bottom)) \(f(l.right)),\(f(l.bottom))\" fill=\"none\" stroke=\"#333\"/>\n"
        out += "<text x=\"\(f((l.left + l.right) / 2))\" y=\"\(f(height - 10))\" text-anchor=\"middle\">\(xmlEscape(xLabel))</text>\n"
        let yLabelText = xmlEscape(yLabel) + (l.y.scale == .log ? " (log scale)" : "")
        out += "<text transform=\"translate(16 \(f((l.top + l.bottom) / 2))) rotate(-90)\" text-anchor=\"middle\">\(yLabelText)</text>\n"
        // Series.
        let drawn = drawnSeries(logY: l.y.scale == .log)
        for (index, s) in series.enumerated() {
            let colour = Self.palette[index % Self.palette.count]
            guard let d = drawn.first(where: { $0.name == s.name }) else { continue }
            let coordinates = d.points.map { l.position($0) }
            if coordinates.count > 1 {
                out += "<polyline class=\"series\" data-series=\"\(xmlEscape(s.name))\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.8\" "
                    + "stroke-linejoin=\"round\" points=\"\(coordinates.map { "\(f($0.x)),\(f($0.y))" }.joined(separator: " "))\"/>\n"
            }
            if markers || coordinates.count == 1 {
                for c in coordinates {
                    out += "<circle cx=\"\(f(c.x))\" cy=\"\(f(c.y))\" r=\"3\" fill=\"\(colour)\"/>"
                }
                out += "\n"
            }
        }
        // Legend.
        if l.legendRows > 0 {
            for ((row, x), (index, s)) in zip(legendPlacement(), series.enumerated()) {
                let y = 44 + 18 * Double(row)
                let colour = Self.palette[index % Self.palette.count]
                out += "<line x1=\"\(f(x))\" y1=\"\(f(y - 4))\" x2=\"\(f(x + 22))\" y2=\"\(f(y - 4))\" stroke=\"\(colour)\" stroke-width=\"3\"/>"
                out += "<text x=\"\(f(x + 28))\" y=\"\(f(y))\">\(xmlEscape(s.name))</text>\n"
            }
        }
        if drawn.isEmpty {
            out += "<text x=\"\(f((l.left + l.right) / 2))\" y=\"\(f((l.top + l.bottom) / 2))\" text-anchor=\"middle\" fill=\"#888\">no data yet</text>\n"
        }
        return out + "</svg>\n"
    }
}

/// Text safe inside XML/HTML elements and attribute values.
public func xmlEscape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
}
