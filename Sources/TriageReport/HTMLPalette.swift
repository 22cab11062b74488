import TriageCore

/// One colour per failure class, the same in every chart, legend and table.
///
/// The Okabe–Ito palette: distinguishable with the common colour-vision
/// deficiencies and readable on white and on paper.
enum HTMLPalette {
    /// Indexed by `FailureClass.rawValue`, in report order.
    private static let colors = [
        "#D55E00", // origin_error: vermilion
        "#E69F00", // upstream_unreachable: orange
        "#0072B2", // upstream_timeout: blue
        "#CC79A7", // upstream_unavailable: reddish purple
        "#009E73", // proxy_error: bluish green
        "#999999", // client_closed: grey
        "#56B4E9", // retried_ok: sky blue
    ]

    static func color(_ c: FailureClass) -> String { colors[c.rawValue] }

    /// A small square of the class colour; an SVG so it also prints.
    static func swatch(_ c: FailureClass) -> String {
        "<svg class=\"swatch\" width=\"12\" height=\"12\" aria-hidden=\"true\"><rect width=\"12\" height=\"12\" rx=\"2\" fill=\"\(color(c))\"/></svg>"
    }
}
