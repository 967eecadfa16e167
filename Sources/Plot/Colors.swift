/// An sRGB colour with straight (not premultiplied) alpha, each component in 0...1.
public struct Color: Sendable, Equatable {
    public var red: Double
    public var green: Double
    public var blue: Double
    public var alpha: Double

    public init(red: Double, green: Double, blue: Double, alpha: Double = 1) {
        self.red = red; self.green = green; self.blue = blue; self.alpha = alpha
    }

    /// A colour from a 24-bit hex value, e.g. `Color(hex: 0x1f77b4)`.
    public init(hex: UInt32, alpha: Double = 1) {
        self.init(red: Double((hex >> 16) & 0xff) / 255, green: Double((hex >> 8) & 0xff) / 255,
                  blue: Double(hex & 0xff) / 255, alpha: alpha)
    }

    /// A grey level (0 black, 1 white), like matplotlib's "0.8".
    public init(gray: Double, alpha: Double = 1) {
        self.init(red: gray, green: gray, blue: gray, alpha: alpha)
    }

    /// The same colour with its alpha multiplied by `factor`.
    public func withAlpha(_ factor: Double) -> Color {
        Color(red: red, green: green, blue: blue, alpha: alpha * factor)
    }

    public static let black = Color(gray: 0)
    public static let white = Color(gray: 1)
    public static let gray = Color(gray: 0.5)

    // matplotlib's tab10 palette (the default colour cycle), in cycle order.
    public static let tabBlue = Color(hex: 0x1f77b4)
    public static let tabOrange = Color(hex: 0xff7f0e)
    public static let tabGreen = Color(hex: 0x2ca02c)
    public static let tabRed = Color(hex: 0xd62728)
    public static let tabPurple = Color(hex: 0x9467bd)
    public static let tabBrown = Color(hex: 0x8c564b)
    public static let tabPink = Color(hex: 0xe377c2)
    public static let tabGray = Color(hex: 0x7f7f7f)
    public static let tabOlive = Color(hex: 0xbcbd22)
    public static let tabCyan = Color(hex: 0x17becf)

    /// The tab10 cycle: series without an explicit colour take these in turn.
    public static let tab10: [Color] = [
        tabBlue, tabOrange, tabGreen, tabRed, tabPurple,
        tabBrown, tabPink, tabGray, tabOlive, tabCyan,
    ]

    /// The `i`-th colour of the tab10 cycle (wrapping around).
    public static func cycle(_ i: Int) -> Color { tab10[((i % 10) + 10) % 10] }
}
