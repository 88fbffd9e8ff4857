/// A position in continuous pixel coordinates: origin at the top-left corner, pixel (0, 0) spans 0..<1 on both axes.
public struct PixelPoint: Sendable, Hashable {
    public var x: Double
    public var y: Double

    /// Creates a point.
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }
}
