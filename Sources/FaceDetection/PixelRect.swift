/// A rectangle in continuous pixel coordinates (see `PixelPoint`).
public struct PixelRect: Sendable, Hashable {
    public var x: Double
    public var y: Double
    public var width: Double
    public var height: Double

    /// Creates a rectangle from its top-left corner and size.
    public init(x: Double, y: Double, width: Double, height: Double) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The right edge.
    public var maxX: Double { x + width }
    /// The bottom edge.
    public var maxY: Double { y + height }
    /// The horizontal centre.
    public var midX: Double { x + width / 2 }
    /// The vertical centre.
    public var midY: Double { y + height / 2 }

    /// The part inside a picture of `size` (empty when none is).
    public func clipped(to size: PixelSize) -> PixelRect {
        let left = max(x, 0), top = max(y, 0)
        let right = min(maxX, Double(size.width)), bottom = min(maxY, Double(size.height))
        return PixelRect(x: left, y: top, width: max(0, right - left), height: max(0, bottom - top))
    }
}
