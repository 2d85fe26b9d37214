// Kept identical in BusCoreTests and EndToEndTests (test targets cannot share sources).
import Foundation

/// A reader that follows the Go tool's rules, written from its description to check what Go would see in a file:
/// split on `\n`; a line is a separator when it is exactly `---` after trimming one trailing `\r`; three states
/// (seek, header, body); a body runs to the next separator line, which opens the next header; a header that is not
/// a key/value mapping makes its closing separator open a new header instead.
enum GoRulesReader {
    struct Record: Equatable {
        var header: [String: String]
        var body: String
        var msgID: String { header["msg_id"] ?? "" }
    }

    static func parse(_ bytes: [UInt8]) -> [Record] {
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map { Array($0) }
        if bytes.last == 0x0A { lines.removeLast() }
        enum State { case seek, header, body }
        var state = State.seek
        var headerLines: [[UInt8]] = []
        var bodyLines: [[UInt8]] = []
        var current: [String: String] = [:]
        var records: [Record] = []
        func finish() {
            let body = bodyLines.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "\n")
            records.append(Record(header: current, body: body))
        }
        for line in lines {
            var trimmed = line
            if trimmed.last == 0x0D { trimmed.removeLast() }
            let isSeparator = trimmed == Array("---".utf8)
            switch state {
            case .seek:
                if isSeparator {
                    state = .header
                    headerLines = []
                }
            case .header:
                if isSeparator {
                    if let header = mapping(headerLines) {
                        current = header
                        bodyLines = []
                        state = .body
                    } else {
                        headerLines = []
                    }
                } else {
                    headerLines.append(line)
                }
            case .body:
                if isSeparator {
                    finish()
                    headerLines = []
                    state = .header
                } else {
                    bodyLines.append(line)
                }
            }
        }
        if state == .body { finish() }
        return records
    }

    /// The top-level scalar keys of a block mapping (quotes removed), or nil when the text is not a mapping.
    static func mapping(_ lines: [[UInt8]]) -> [String: String]? {
        var out: [String: String] = [:]
        var sawKey = false
        for raw in lines {
            let line = String(decoding: raw, as: UTF8.self)
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if line.hasPrefix(" ") || line.hasPrefix("-") {
                guard sawKey else { return nil }
                continue
            }
            guard
                let colon = line.range(of: ": ")
                    ?? (line.hasSuffix(":") ? line.range(of: ":", options: .backwards) : nil)
            else { return nil }
            let key = String(line[..<colon.lowerBound])
            var value = String(line[colon.upperBound...])
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            out[key] = value
            sawKey = true
        }
        return sawKey ? out : nil
    }
}
