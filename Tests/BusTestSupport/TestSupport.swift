import Foundation

/// A reader that follows the Go tool's rules, written from its description to check what Go would see in a file:
/// split on `\n`; a line is a separator when it is exactly `---` after trimming trailing `\r`s (`strings.TrimRight`); three states
/// (seek, header, body); a body runs to the next separator line, which opens the next header; a header that is not
/// a key/value mapping makes its closing separator open a new header instead.
package enum GoRulesReader {
    package struct Record: Equatable {
        package var header: [String: String]
        package var body: String
        package var msgID: String { header["msg_id"] ?? "" }
    }

    package static func parse(_ bytes: [UInt8]) -> [Record] {
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
            while trimmed.last == 0x0D { trimmed.removeLast() }
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

/// Where the shared test vectors live: `../shared/vectors` beside the package root (so in CI too).
package enum Vectors {
    package struct Missing: Error, CustomStringConvertible {
        package var description: String
    }

    package static var folder: String {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return url.deletingLastPathComponent().appendingPathComponent("shared/vectors").path
            }
            url = url.deletingLastPathComponent()
        }
        return "/nonexistent/shared/vectors"
    }

    package static func path(_ name: String) -> String { folder + "/" + name }

    package static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
    }

    /// The objects of a JSON-lines file.
    package static func jsonLines(_ name: String) throws -> [[String: Any]] {
        let text = String(decoding: try bytes(name), as: UTF8.self)
        return try text.split(separator: "\n").map { line in
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                throw Missing(description: "\(name): a line is not a JSON object")
            }
            return object
        }
    }
}

/// Waits until `condition` holds (never a bare sleep in a test), checking every few milliseconds, up to `deadline`.
/// - Returns: whether the condition held in time.
@discardableResult
package func waitUntil(deadline: Duration, _ condition: () throws -> Bool) rethrows -> Bool {
    let end = ContinuousClock.now.advanced(by: deadline)
    while ContinuousClock.now < end {
        if try condition() { return true }
        Thread.sleep(forTimeInterval: 0.005)
    }
    return try condition()
}
