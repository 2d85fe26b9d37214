internal import BusCore

/// The terminal clipboard escape (OSC 52).
///
/// `ESC ] 52 ; c ; <base64> BEL` asks the terminal (or tmux with
/// `set -g set-clipboard on`, and ssh in between, which passes it through untouched) to put the text on the
/// system clipboard. No X11 or Wayland tool is needed on the machine the monitor runs on.
enum Clipboard {
    /// The most `y`/`Y` copy: terminals cap OSC 52 (xterm, VTE and others at about 100 KB once encoded) and drop
    /// a longer sequence silently, which would leave "copied" on screen and nothing on the clipboard.
    static let limit = 74 * 1024
    /// The escape sequence that copies `text`.
    static func osc52(_ text: String) -> String {
        "\u{1B}]52;c;" + base64(Array(text.utf8)) + "\u{07}"
    }

    /// Standard base64 (RFC 4648, with `=` padding); BusTUI has no Foundation to borrow it from.
    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let value = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int(value >> UInt32(shift) & 63)]) }
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            let value = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            out.append(alphabet[Int(value >> 18 & 63)])
            out.append(alphabet[Int(value >> 12 & 63)])
            out.append(rest == 2 ? alphabet[Int(value >> 6 & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A message whole, header and body, as its record reads in a bus file: what `Y` copies and `o` pages.
    static func record(_ message: BusMessage) -> String {
        String(decoding: RecordEncoder.encode(message), as: UTF8.self)
    }
}

/// Writes shown messages to a file (`w`): `.jsonl` in `read --json`'s shape, `.md` as a bus file.
enum Exporter {
    enum Format: Sendable, Equatable {
        /// One `read --json` object per line.
        case jsonLines
        /// Records as the writer lays them out: any reader of the bus format reads the file back.
        case bus
    }

    /// The format a file name asks for, by its extension; nil for any other.
    static func format(forPath path: String) -> Format? {
        let lowered = path.lowercased()
        if lowered.hasSuffix(".jsonl") { return .jsonLines }
        if lowered.hasSuffix(".md") { return .bus }
        return nil
    }

    /// The file's bytes.
    static func bytes(_ messages: [BusMessage], format: Format) -> [UInt8] {
        var bytes: [UInt8] = []
        switch format {
        case .jsonLines:
            var json = JSONBuffer(capacity: 4096)
            for message in messages {
                MessageJSON.encode(message, into: &json)
                json.append(raw: "\n")
            }
            bytes = json.bytes
        case .bus:
            // As the writer appends: a line feed between records (each ends in one already).
            for message in messages {
                if !bytes.isEmpty { bytes.append(0x0A) }
                bytes.append(contentsOf: RecordEncoder.encode(message))
            }
        }
        return bytes
    }
}
