import DSLREval
import Foundation
import Testing

/// The points of each `<polyline class="series">` of an SVG, by series name.
func polylines(_ svg: String) throws -> [String: [(Double, Double)]] {
    let regex = try NSRegularExpression(pattern: "class=\"series\" data-series=\"([^\"]*)\"[^>]* points=\"([^\"]*)\"")
    var result: [String: [(Double, Double)]] = [:]
    for match in regex.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)) {
        let name = String(svg[Range(match.range(at: 1), in: svg)!])
        result[name] = svg[Range(match.range(at: 2), in: svg)!].split(separator: " ").map { pair in
            let xy = pair.split(separator: ",").map { Double($0)! }
            return (xy[0], xy[1])
        }
    }
    return result
}

@Test func niceLinearAndLogAxes() {
    let a = Axis.linear(min: 0.13, max: 0.87)
    #expect(a.ticks == [0, 0.2, 0.4, 0.6, 0.8, 1.0] && a.lower == 0 && a.upper == 1)
    #expect(a.labels() == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
    let b = Axis.linear(min: 0, max: 20000, count: 7)
    #expect(b.ticks == [0, 5000, 10000, 15000, 20000])
    #expect(b.labels() == ["0", "5k", "10k", "15k", "20k"])
    #expect(Axis.linear(min: 0, max: 3000, count: 7).labels() == ["0", "500", "1000", "1500", "2000", "2500", "3000"])
    let c = Axis.linear(min: 17.2, max: 21.9)
    #expect(c.ticks == [17, 18, 19, 20, 21, 22])
    let d = Axis.log(min: 0.003, max: 2)
    #expect(d.lower == 0.001 && d.upper == 10 && d.ticks.count == 5)
    #expect(abs(d.fraction(0.1) - 0.5) < 1e-12)
    let single = Axis.linear(min: 5, max: 5)
    #expect(single.lower < 5 && single.upper > 5)
}

@Test func seriesLandOnTheirAxisCoordinates() throws {
    let chart = LineChart(title: "t", xLabel: "iteration", yLabel: "loss", series: [
        ChartSeries(name: "a", points: [ChartPoint(0, 0), ChartPoint(50, 5), ChartPoint(100, 10)]),
        ChartSeries(name: "b<&>", points: [ChartPoint(0, 10), ChartPoint(100, 2), ChartPoint(.nan, 3)]),
    ], yScale: .linear)
    let layout = chart.layout()
    #expect(layout.x.lower == 0 && layout.x.upper == 100 && layout.y.lower == 0 && layout.y.upper == 10)
    let lines = try polylines(chart.svg())
    #expect(Set(lines.keys) == ["a", "b&lt;&amp;&gt;"])
    // Pixel = plot edge + fraction of the axis span, y growing downwards.
    func expected(_ x: Double, _ y: Double) -> (Double, Double) {
        (layout.left + x / 100 * (layout.right - layout.left), layout.bottom - y / 10 * (layout.bottom - layout.top))
    }
    for (name, data) in [("a", [(0.0, 0.0), (50, 5), (100, 10)]), ("b&lt;&amp;&gt;", [(0, 10), (100, 2)])] {
        let drawn = try #require(lines[name])
        #expect(drawn.count == data.count)
        for (p, d) in zip(drawn, data) {
            let e = expected(d.0, d.1)
            #expect(abs(p.0 - e.0) <= 0.005 && abs(p.1 - e.1) <= 0.005, "\(name) \(d)")
        }
    }
    #expect(lines["a"]![0].0 == layout.left && lines["a"]![0].1 == layout.bottom)
}

@Test func widelySpreadPositiveSeriesGetALogAxisAndLongOnesAreAveraged() throws {
    let series = ChartSeries(name: "tv", points: (0..<3000).map { ChartPoint(Double($0), $0 % 2 == 0 ? 1e-4 : 3e-4) })
    let chart = LineChart(title: "losses", xLabel: "i", yLabel: "loss", series: [
        series, ChartSeries(name: "content", points: [ChartPoint(0, 2), ChartPoint(2999, 0.5)]),
    ])
    #expect(chart.layout().y.scale == .log)
    let drawn = try #require(try polylines(chart.svg())["tv"])
    #expect(drawn.count == 1000)  // 3000 points averaged in groups of 3
    #expect(series.downsampled(maxPoints: 1500).points.allSatisfy { abs($0.y - 2e-4) < 1e-12 })
    #expect(chart.svg().contains("(log scale)"))
}
