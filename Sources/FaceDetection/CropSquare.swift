/// The square to cut from the upright picture, in whole pixels.
public struct CropSquare: Sendable, Hashable, CustomStringConvertible {
    /// The left edge.
    public var x: Int
    /// The top edge.
    public var y: Int
    /// The side.
    public var side: Int

    /// Creates a square.
    public init(x: Int, y: Int, side: Int) {
        self.x = x
        self.y = y
        self.side = side
    }

    /// `SIDExSIDE+X+Y`, as ImageMagick's geometry.
    public var description: String { "\(side)x\(side)+\(x)+\(y)" }
}
