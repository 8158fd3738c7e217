/// Writes `JSONValue`s. Hand-written rather than `JSONEncoder` because discovery for 1,000 meters
/// must be quick (this is several times faster) and because the exact bytes are part of the
/// contract: keys sorted by their UTF-8 bytes, `/` and non-ASCII text left unescaped (readable in
/// `mosquitto_sub`), and numbers in their shortest form.
extension JSONValue {
    /// Compact UTF-8: what is published.
    package func encoded() -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(512)
        write(to: &output, indentation: nil)
        return output
    }

    /// Two-space indentation, one value per line: the form of the golden files.
    package func prettyPrinted() -> String {
        var output: [UInt8] = []
        write(to: &output, indentation: 0)
        return String(decoding: output, as: UTF8.self)
    }

    /// `indentation` is the current depth when pretty-printing, `nil` for compact output.
    private func write(to output: inout [UInt8], indentation: Int?) {
        switch self {
        case .null:
            output += "null".utf8
        case .bool(let bool):
            output += (bool ? "true" : "false").utf8
        case .integer(let integer):
            output += String(integer).utf8
        case .number(let number):
            output += Self.format(number).utf8
        case .string(let string):
            Self.writeString(string, to: &output)
        case .array(let elements):
            Self.writeContainer(elements, open: "[", close: "]", to: &output, indentation: indentation) { element, output, depth in
                element.write(to: &output, indentation: depth)
            }
        case .object(let fields):
            let sorted = fields.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            Self.writeContainer(sorted, open: "{", close: "}", to: &output, indentation: indentation) { field, output, depth in
                Self.writeString(field.key, to: &output)
                output += (depth == nil ? ":" : ": ").utf8
                field.value.write(to: &output, indentation: depth)
            }
        }
    }

    private static func writeContainer<Element>(
        _ elements: [Element],
        open: Unicode.Scalar,
        close: Unicode.Scalar,
        to output: inout [UInt8],
        indentation: Int?,
        writeElement: (Element, inout [UInt8], Int?) -> Void
    ) {
        output.append(UInt8(ascii: open))
        guard !elements.isEmpty else {
            output.append(UInt8(ascii: close))
            return
        }
        let inner = indentation.map { $0 + 1 }
        for (index, element) in elements.enumerated() {
            if index > 0 { output.append(UInt8(ascii: ",")) }
            newline(depth: inner, to: &output)
            writeElement(element, &output, inner)
        }
        newline(depth: indentation, to: &output)
        output.append(UInt8(ascii: close))
    }

    private static func newline(depth: Int?, to output: inout [UInt8]) {
        guard let depth else { return }
        output.append(UInt8(ascii: "\n"))
        output += repeatElement(UInt8(ascii: " "), count: depth * 2)
    }

    /// Shortest round-trip form (`0.456`, `1e-05`); whole numbers without `.0`, so reading a
    /// payload back and writing it again gives the same bytes. Non-finite numbers cannot occur
    /// (`JSONValue.decimal` makes them null) but would be written as null rather than invalid JSON.
    static func format(_ number: Double) -> String {
        guard number.isFinite else { return "null" }
        if number == number.rounded(), abs(number) < 9_007_199_254_740_992, let whole = Int(exactly: number) {
            return String(whole)
        }
        return number.description
    }

    /// Escapes what JSON requires (quote, backslash, control characters) and nothing else.
    private static func writeString(_ string: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output += #"\""#.utf8
            case UInt8(ascii: "\\"): output += #"\\"#.utf8
            case UInt8(ascii: "\n"): output += #"\n"#.utf8
            case UInt8(ascii: "\r"): output += #"\r"#.utf8
            case UInt8(ascii: "\t"): output += #"\t"#.utf8
            case 0..<0x20:
                output += #"\u00"#.utf8
                output.append(hexDigit(byte >> 4))
                output.append(hexDigit(byte & 0xF))
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}
