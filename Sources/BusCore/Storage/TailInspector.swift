/// How the end of a bus looks to a writer about to append, under the lock.
enum TailState: Equatable {
    /// Ends after a complete record or line.
    case clean
    /// Ends inside a line that is not part of a record (a legacy line without its `\n`): seal it with `\n`.
    case unterminatedLine
    /// Ends inside a record a writer never finished: cut from `cut` (the end of the last complete item).
    case torn(cut: Int)
}

/// Finds a torn tail without reading the whole file.
///
/// Record openers are `---` lines preceded by a blank line (closers follow header lines, and this tool's
/// bodies never contain a `---` line), so the scan starts at the last such line and runs the ordinary
/// scanner to the end: whatever it holds back as incomplete from a `---` line is a torn record.
enum TailInspector {
    static let initialWindow = 4 * 1024
    static let maximumWindow = 64 * 1024 * 1024

    static func inspect(_ handle: FileHandle, size: Int) throws(BusError) -> TailState {
        guard size > 0 else { return .clean }
        var window = initialWindow
        while true {
            let start = max(0, size - window)
            let bytes = try handle.read(at: start, count: size - start)
            let candidates = lastBoundaries(bytes, atFileStart: start == 0)
            // Start at the second-to-last candidate when there is one: a `---` line after a blank line can also
            // be text at the end of a Go-written body, and scanning from the record before it decides which.
            if candidates.count == 2 || (start == 0 && !candidates.isEmpty) {
                return analyze(bytes, from: candidates[0], base: start)
            }
            if start == 0 { return analyze(bytes, from: 0, base: 0) }
            if window >= maximumWindow { return bytes.last == 0x0A ? .clean : .unterminatedLine }
            window *= 4
        }
    }

    /// The last two `---` lines (in file order) that start the file or follow a blank line.
    static func lastBoundaries(_ bytes: [UInt8], atFileStart: Bool) -> [Int] {
        var found: [Int] = []
        var position = bytes.count
        while position > 0, found.count < 2 {
            // Find the start of the line that ends before `position`.
            var lineStart = position - 1
            while lineStart > 0, bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
            var lineEnd = position
            if lineEnd > lineStart, bytes[lineEnd - 1] == 0x0A { lineEnd -= 1 }
            if RecordFormat.isRule(bytes[lineStart..<lineEnd]) {
                if lineStart == 0 && atFileStart {
                    found.append(0)
                } else if lineStart >= 2, bytes[lineStart - 1] == 0x0A, bytes[lineStart - 2] == 0x0A {
                    found.append(lineStart)
                }
            }
            position = lineStart
        }
        return found.reversed()
    }

    static func analyze(_ bytes: [UInt8], from boundary: Int, base: Int) -> TailState {
        let result = bytes.withUnsafeBufferPointer { buffer in
            RecordScanner.scan(
                UnsafeBufferPointer(rebasing: buffer[boundary...]),
                from: ScanCursor(offset: base + boundary),
                final: true
            )
        }
        var rest = bytes[(result.end - base)...]
        while let newline = rest.firstIndex(of: 0x0A), rest[rest.startIndex..<newline].allSatisfy({ $0 == 0x0D }) {
            rest = rest[(newline + 1)...]
        }
        if rest.isEmpty { return bytes.last == 0x0A ? .clean : .unterminatedLine }
        let firstLine = rest.prefix { $0 != 0x0A }
        let opensRecord =
            RecordFormat.isRule(firstLine)
            || (rest.firstIndex(of: 0x0A) == nil && firstLine.count <= 3 && firstLine.allSatisfy { $0 == 0x2D })
        if opensRecord {
            // Nothing completed after the boundary: the blank line before the torn opener is the crashed
            // writer's separator, not part of the last complete item. Cut it too, so that the next append's
            // own separator does not leave two blank lines (which Go's reader would add to the previous body).
            var cut = result.end
            if cut == base + boundary, boundary >= 2, bytes[boundary - 1] == 0x0A, bytes[boundary - 2] == 0x0A {
                cut -= 1
            }
            return .torn(cut: cut)
        }
        return bytes.last == 0x0A ? .clean : .unterminatedLine
    }
}
