import Foundation

/// Escaping, number and date formatting, colours: small pure helpers of ``HTMLReport``.
///
/// Nothing here reads the locale or the clock, so the page is the same on every machine.
enum ReportFormatting {
  /// Escapes text for HTML content and quoted attributes (`&`, `<`, `>`, `"`, `'`).
  ///
  ///     escape("a < b & \"c\"")  // "a &lt; b &amp; &quot;c&quot;"
  static func escape(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for scalar in text.unicodeScalars {
      switch scalar {
      case "&": result += "&amp;"
      case "<": result += "&lt;"
      case ">": result += "&gt;"
      case "\"": result += "&quot;"
      case "'": result += "&#39;"
      default:
        // Control characters other than tab and newline are not allowed in HTML (nor XML).
        if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" {
          result += "\u{FFFD}"
        } else if (0x7F...0x9F).contains(scalar.value) || scalar.value == 0xFFFE || scalar.value == 0xFFFF {
          result += "\u{FFFD}"
        } else {
          result.unicodeScalars.append(scalar)
        }
      }
    }
    return result
  }

  /// An integer with the language's thousands separator (French: narrow no-break space; English: comma).
  ///
  ///     integer(12345, .fr)  // "12 345" (U+202F)
  ///     integer(12345, .en)  // "12,345"
  static func integer(_ value: Int, _ language: ReportLanguage) -> String {
    let digits = String(value.magnitude)
    let separator = language == .fr ? "\u{202F}" : ","
    var grouped = ""
    for (index, character) in digits.enumerated() {
      if index > 0 && (digits.count - index) % 3 == 0 { grouped += separator }
      grouped.append(character)
    }
    return value < 0 ? "−" + grouped : grouped
  }

  /// A decimal with a fixed number of digits and the language's decimal mark; `—` when not finite.
  ///
  ///     decimal(0.4251, digits: 2, .fr)  // "0,43"
  static func decimal(_ value: Double, digits: Int, _ language: ReportLanguage) -> String {
    guard value.isFinite else { return "—" }
    var text = String(format: "%.\(digits)f", value)
    if text.hasPrefix("-") {
      // "-0.00" is zero.
      if Double(text) == 0 { text.removeFirst() } else { text = "−" + text.dropFirst() }
    }
    return language == .fr ? text.replacingOccurrences(of: ".", with: ",") : text
  }

  /// A share in 0…1 as a percentage with one decimal (French: `12,5 %`; English: `12.5%`).
  static func percent(_ share: Double, _ language: ReportLanguage) -> String {
    guard share.isFinite else { return "—" }
    let number = decimal(share * 100, digits: 1, language)
    return language == .fr ? number + "\u{202F}%" : number + "%"
  }

  /// A coordinate for SVG: at most one decimal, `.` as the mark, no trailing `.0`.
  static func coordinate(_ value: Double) -> String {
    let rounded = (value * 10).rounded() / 10
    if rounded == rounded.rounded() { return String(Int(rounded)) }
    return String(format: "%.1f", rounded)
  }

  private static let frenchMonths = [
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
    "décembre",
  ]
  private static let englishMonths = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December",
  ]

  /// A date in UTC, written out (`30 novembre 2026 à 17:05 UTC`, `30 November 2026, 17:05 UTC`).
  static func date(_ date: Date, _ language: ReportLanguage) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0)!
    let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
    let year = parts.year ?? 1970
    let month = max(1, min(12, parts.month ?? 1))
    let day = parts.day ?? 1
    let time = String(format: "%02d:%02d", parts.hour ?? 0, parts.minute ?? 0)
    switch language {
    case .fr: return "\(day) \(frenchMonths[month - 1]) \(year) à \(time) UTC"
    case .en: return "\(day) \(englishMonths[month - 1]) \(year), \(time) UTC"
    }
  }

  /// The colours given to codes without a valid colour of their own (matplotlib's tab10).
  static let palette = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
  ]

  /// `color` when it is `#rrggbb`, else the palette colour for `index`: nothing else reaches the CSS.
  static func colour(_ color: String?, index: Int) -> String {
    if let color, color.utf8.count == 7, color.hasPrefix("#"),
      color.utf8.dropFirst().allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) })
    {
      return color.lowercased()
    }
    return palette[index % palette.count]
  }

  /// A cell shade for an intensity in 0…1: background and text colours, readable in grayscale print.
  ///
  /// The background goes from near white to dark blue by lightness alone; the text turns white
  /// once the background is dark, so the number written in the cell stays legible.
  static func shade(_ intensity: Double) -> (background: String, text: String) {
    let clamped = intensity.isFinite ? max(0, min(1, intensity)) : 0
    let lightness = 97 - clamped * 65
    let background = "hsl(212, 55%, \(coordinate(lightness))%)"
    return (background, lightness < 58 ? "#ffffff" : "#111111")
  }

  /// The order of metadata values in tables: numbers by value (`2000-3500` before `20000-25000`),
  /// then text ignoring case, the empty value (not given) last; byte order breaks ties.
  static func valueOrder(_ left: String, _ right: String) -> Bool {
    if left.isEmpty != right.isEmpty { return right.isEmpty }
    func key(_ text: String) -> (Int, String) {
      let digits = text.prefix { $0.isASCII && $0.isNumber }
      return (digits.isEmpty || digits.count > 18 ? Int.max : Int(digits)!, text.lowercased())
    }
    let (a, b) = (key(left), key(right))
    return a != b ? a < b : left < right
  }

  /// Shortens a label for a chart to `limit` characters, ending with `…` when cut.
  static func shortened(_ text: String, limit: Int) -> String {
    text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
  }

  /// Merged, sorted highlight spans that fit inside `text` and fall on character boundaries.
  ///
  /// Spans out of range, empty, or cutting a UTF-8 sequence are dropped; overlapping or
  /// touching spans are merged.
  static func validHighlights(_ spans: [ReportSpan], in text: String) -> [ReportSpan] {
    let bytes = Array(text.utf8)
    func isBoundary(_ offset: Int) -> Bool {
      offset == bytes.count || (offset >= 0 && offset < bytes.count && (bytes[offset] & 0xC0) != 0x80)
    }
    let valid = spans.filter { $0.start >= 0 && $0.end <= bytes.count && $0.start < $0.end && isBoundary($0.start) && isBoundary($0.end) }
      .sorted { ($0.start, $0.end) < ($1.start, $1.end) }
    var merged: [ReportSpan] = []
    for span in valid {
      if let last = merged.last, span.start <= last.end {
        merged[merged.count - 1].end = max(last.end, span.end)
      } else {
        merged.append(span)
      }
    }
    return merged
  }

  /// The text escaped, with each highlight wrapped in `<mark>`.
  static func highlighted(_ text: String, _ spans: [ReportSpan]) -> String {
    let bytes = Array(text.utf8)
    var result = ""
    var cursor = 0
    for span in validHighlights(spans, in: text) {
      result += escape(String(decoding: bytes[cursor..<span.start], as: UTF8.self))
      result += "<mark>" + escape(String(decoding: bytes[span.start..<span.end], as: UTF8.self)) + "</mark>"
      cursor = span.end
    }
    result += escape(String(decoding: bytes[cursor...], as: UTF8.self))
    return result
  }

  /// An SVG drawing made safe to inline: one `<svg>` element, no XML prolog, no script, no
  /// external reference, with `role="img"` and an accessible name. `nil` when it is not safe.
  static func inlineSVG(_ svg: String, label: String) -> String? {
    var body = svg.trimmingCharacters(in: .whitespacesAndNewlines)
    // Drop an XML declaration and a DOCTYPE, which are not allowed inside HTML.
    while body.hasPrefix("<?") || body.hasPrefix("<!DOCTYPE") || body.hasPrefix("<!doctype") {
      guard let end = body.firstIndex(of: ">") else { return nil }
      body = String(body[body.index(after: end)...]).trimmingCharacters(in: .whitespacesAndNewlines)
    }
    guard body.hasPrefix("<svg"), body.hasSuffix("</svg>") else { return nil }
    let lower = body.lowercased()
    let forbidden = ["<script", "<foreignobject", "<image", "<use", "href=\"http", "href='http", "url(http", "@import"]
    for word in forbidden where lower.contains(word) { return nil }
    // Event handler attributes (onload=, onclick=…).
    if lower.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) != nil { return nil }
    let head = body.prefix { $0 != ">" }
    var extra = ""
    if !head.contains("role=") { extra += " role=\"img\"" }
    if !head.contains("aria-label") && !head.contains("aria-labelledby") {
      extra += " aria-label=\"\(escape(label))\""
    }
    if !head.contains("xmlns=") { extra += " xmlns=\"http://www.w3.org/2000/svg\"" }
    return "<svg" + extra + body.dropFirst(4)
  }
}
