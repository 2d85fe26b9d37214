#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A UTC instant with nanosecond precision.
///
/// Kept as whole seconds plus nanoseconds because `Date` is a `Double` and would lose the last digits that
/// message ids and `ts:` carry.
package struct BusTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Seconds since 1970-01-01T00:00:00Z.
    package var seconds: Int64
    /// 0 ..< 1_000_000_000.
    package var nanoseconds: Int32

    package static let zero = BusTimestamp(seconds: 0, nanoseconds: 0)

    package init(seconds: Int64, nanoseconds: Int32) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    /// Reads the wall clock (`clock_gettime(CLOCK_REALTIME)`).
    package static func now() -> BusTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return BusTimestamp(seconds: Int64(spec.tv_sec), nanoseconds: Int32(spec.tv_nsec))
    }

    package static func < (lhs: BusTimestamp, rhs: BusTimestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    package var description: String { rfc3339 }

    /// The calendar fields of this instant in UTC.
    package var civil: CivilTime { CivilTime(seconds: seconds) }

    /// RFC 3339 in UTC with the fraction's trailing zeros trimmed, as Go's `time.RFC3339Nano` prints it:
    /// `2026-11-26T14:42:16.0678Z`.
    package var rfc3339: String {
        var json = JSONBuffer()
        appendRFC3339(to: &json)
        return json.text
    }

    /// `YYYY-MM-DD HH:MM:SS` in UTC, the timestamp of `read`'s text lines.
    package var humanReadable: String {
        var json = JSONBuffer()
        appendHumanReadable(to: &json)
        return json.text
    }

    /// Appends `rfc3339`'s bytes: the JSON writer's path, which makes no `String` per message and writes the
    /// common years straight into the buffer.
    package func appendRFC3339(to json: inout JSONBuffer) { append(.rfc3339, to: &json) }

    /// Appends `humanReadable`'s bytes (`read`'s text lines share the JSON writer's buffer).
    package func appendHumanReadable(to json: inout JSONBuffer) { append(.humanReadable, to: &json) }

    /// The two ways a time is written: `rfc3339` and `humanReadable`.
    private enum Layout {
        case rfc3339
        case humanReadable

        var separator: UInt8 { self == .rfc3339 ? 0x54 : 0x20 }
    }

    /// Writes `time` laid out as `layout` into `out` (room for `fixedWidthLimit` bytes; years 0-9999).
    /// - Returns: the bytes written.
    private func write(_ time: CivilTime, _ layout: Layout, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        switch layout {
        case .rfc3339: writeRFC3339(time, into: out)
        case .humanReadable: time.write(into: out, separator: 0x20)
        }
    }

    private func append(_ layout: Layout, to json: inout JSONBuffer) {
        let time = civil
        guard (0...9999).contains(time.year) else {
            var bytes: [UInt8] = []
            appendSlowly(time, separator: layout.separator, zone: layout == .rfc3339, to: &bytes)
            return json.append(raw: bytes)
        }
        let out = UnsafeMutableBufferPointer(start: json.reserve(Self.fixedWidthLimit), count: Self.fixedWidthLimit)
        json.commit(write(time, layout, into: out))
    }

    /// Room enough for `rfc3339` or `humanReadable` of a year of 0-9999 (at most 30 bytes).
    static let fixedWidthLimit = 32

    /// Writes `rfc3339`'s bytes at `out`, which has room for `fixedWidthLimit` of them.
    /// - Returns: the number written, or nil (none written) for a year outside 0-9999, which has no fixed width.
    func writeRFC3339(into out: UnsafeMutablePointer<UInt8>) -> Int? {
        let time = civil
        guard (0...9999).contains(time.year) else { return nil }
        return writeRFC3339(time, into: UnsafeMutableBufferPointer(start: out, count: Self.fixedWidthLimit))
    }

    /// Writes `rfc3339` of `time` (this instant's calendar fields, a year of 0-9999) at the start of `out`.
    /// - Returns: the number of bytes written.
    private func writeRFC3339(_ time: CivilTime, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var count = time.write(into: out, separator: 0x54)
        if nanoseconds != 0 {
            out[count] = 0x2E
            var fraction = Int(nanoseconds)
            for position in stride(from: count + 9, to: count, by: -1) {
                out[position] = 0x30 + UInt8(fraction % 10)
                fraction /= 10
            }
            count += 10
            while out[count - 1] == 0x30 { count -= 1 }  // Go trims the fraction's trailing zeros
        }
        out[count] = 0x5A
        return count + 1
    }

    /// `appendRFC3339` and `appendHumanReadable` for years outside 0-9999, which have no fixed width.
    private func appendSlowly(_ time: CivilTime, separator: UInt8, zone: Bool, to bytes: inout [UInt8]) {
        time.appendDate(to: &bytes)
        bytes.append(separator)
        time.appendClock(to: &bytes)
        guard zone else { return }
        if nanoseconds != 0 {
            var fraction = Int(nanoseconds)
            var width = 9
            while fraction % 10 == 0 {
                fraction /= 10
                width -= 1
            }
            bytes.append(0x2E)
            Self.appendPadded(fraction, width: width, to: &bytes)
        }
        bytes.append(0x5A)
    }

    /// Appends `value` in decimal, zero-padded to `width` digits: `padded`'s bytes.
    static func appendPadded(_ value: Int, width: Int, to bytes: inout [UInt8]) {
        guard value >= 0, value < 1_000_000_000_000 else {
            bytes.append(contentsOf: padded(value, width: width).utf8)
            return
        }
        var divisor = 1
        var digits = 1
        while divisor * 10 <= value {
            divisor *= 10
            digits += 1
        }
        for _ in digits..<max(width, digits) { bytes.append(0x30) }
        var remaining = value
        while divisor > 0 {
            bytes.append(UInt8(0x30 + remaining / divisor))
            remaining %= divisor
            divisor /= 10
        }
    }

    static func padded(_ value: Int, width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    /// Parses RFC 3339 (`T` or space between date and time, up to 9 fraction digits, `Z` or a numeric offset).
    ///
    /// A time without a zone is read as UTC, as the legacy line format writes it.
    package init?(rfc3339 text: String) {
        var text = text
        guard let parsed = text.withUTF8({ BusTimestamp(rfc3339: $0) }) else { return nil }
        self = parsed
    }

    /// Parses RFC 3339 from bytes (see `init?(rfc3339:)` for text).
    init?(rfc3339 bytes: UnsafeBufferPointer<UInt8>) {
        if let canonical = TimestampParser.canonical(bytes) {
            self = canonical
            return
        }
        var parser = TimestampParser(bytes)
        guard let parsed = parser.parse() else { return nil }
        self = parsed
    }

    /// Parses the bracketed time of a legacy line as Go's `time.Parse` takes it: spaces around it, a one-digit
    /// hour (`1:02:03`), and a fraction after a comma (`12:51:53,123`) as well as a dot.
    package init?(legacy text: Substring) {
        var text = String(text.drop { $0 == " " || $0 == "\t" })
        while text.last == " " || text.last == "\t" { text.removeLast() }
        let parsed = text.withUTF8 { bytes in
            var parser = TimestampParser(bytes, lenient: true)
            return parser.parse()
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// The time a message id carries (`MSG-YYYYMMDD-HHMMSS-NNNNNNNNN-...`, the nanoseconds optional), for a
    /// header that has no `ts`.
    package init?(messageID: String) {
        let bytes = Array(messageID.utf8)
        guard bytes.count >= 19, bytes.starts(with: "MSG-".utf8), bytes[12] == 0x2D else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard index < bytes.count, (0x30...0x39).contains(bytes[index]) else { return nil }
                value = value * 10 + Int(bytes[index] - 0x30)
            }
            return value
        }
        guard let year = number(4..<8), let month = number(8..<10), let day = number(10..<12),
            let hour = number(13..<15), let minute = number(15..<17), let second = number(17..<19),
            bytes.count == 19 || bytes[19] == 0x2D,
            let epoch = CivilTime.epochSeconds(
                year: year,
                month: month,
                day: day,
                hour: hour,
                minute: minute,
                second: second
            )
        else { return nil }
        let nanos = bytes.count >= 29 && (bytes.count == 29 || bytes[29] == 0x2D) ? number(20..<29) ?? 0 : 0
        self.init(seconds: epoch, nanoseconds: Int32(nanos))
    }
}

/// Calendar fields of a UTC instant (proleptic Gregorian, Howard Hinnant's days-from-civil algorithms).
package struct CivilTime: Sendable, Equatable {
    package var year: Int
    package var month: Int
    package var day: Int
    package var hour: Int
    package var minute: Int
    package var second: Int

    package init(seconds: Int64) {
        let days = Int(seconds.floorDivided(by: 86_400))
        let secondOfDay = Int(seconds - Int64(days) * 86_400)
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        hour = secondOfDay / 3600
        minute = secondOfDay / 60 % 60
        second = secondOfDay % 60
    }

    /// Seconds since the epoch of a UTC calendar time; nil when a field is out of range.
    package static func epochSeconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) -> Int64? {
        guard (1...12).contains(month), (1...31).contains(day), (0...23).contains(hour), (0...59).contains(minute),
            (0...60).contains(second)
        else { return nil }
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
    }

    /// Writes `YYYY-MM-DD`, `separator` and `HH:MM:SS` (19 bytes) at the start of `out`, for a year of 0-9999.
    /// - Returns: the number of bytes written.
    func write(into out: UnsafeMutableBufferPointer<UInt8>, separator: UInt8) -> Int {
        func pair(_ value: Int, at position: Int) {
            out[position] = 0x30 + UInt8(truncatingIfNeeded: value / 10)
            out[position + 1] = 0x30 + UInt8(truncatingIfNeeded: value % 10)
        }
        pair(year / 100, at: 0)
        pair(year % 100, at: 2)
        pair(month, at: 5)
        pair(day, at: 8)
        pair(hour, at: 11)
        pair(minute, at: 14)
        pair(second, at: 17)
        out[4] = 0x2D
        out[7] = 0x2D
        out[10] = separator
        out[13] = 0x3A
        out[16] = 0x3A
        return 19
    }

    /// Appends `isoDate`'s bytes.
    func appendDate(to bytes: inout [UInt8]) {
        BusTimestamp.appendPadded(year, width: 4, to: &bytes)
        Self.append(month, day, after: 0x2D, to: &bytes)
    }

    /// Appends `clock`'s bytes.
    func appendClock(to bytes: inout [UInt8]) {
        BusTimestamp.appendPadded(hour, width: 2, to: &bytes)
        Self.append(minute, second, after: 0x3A, to: &bytes)
    }

    /// Appends two two-digit fields, each after `separator` (`-MM-DD`, `:MM:SS`).
    private static func append(_ first: Int, _ second: Int, after separator: UInt8, to bytes: inout [UInt8]) {
        bytes.append(separator)
        BusTimestamp.appendPadded(first, width: 2, to: &bytes)
        bytes.append(separator)
        BusTimestamp.appendPadded(second, width: 2, to: &bytes)
    }

    /// `YYYY-MM-DD`.
    package var isoDate: String {
        var bytes: [UInt8] = []
        appendDate(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `HH:MM:SS`.
    package var clock: String {
        var bytes: [UInt8] = []
        appendClock(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `YYYYMMDD-HHMMSS`, the time part of message ids.
    var compact: String {
        BusTimestamp.padded(year, width: 4) + BusTimestamp.padded(month, width: 2) + BusTimestamp.padded(day, width: 2)
            + "-" + BusTimestamp.padded(hour, width: 2) + BusTimestamp.padded(minute, width: 2)
            + BusTimestamp.padded(second, width: 2)
    }
}

extension Int64 {
    fileprivate func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}

/// A byte-level RFC 3339 parser: the hot path of reading a bus parses one `ts:` per record.
private struct TimestampParser {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    /// Go's `time.Parse` leniencies of legacy lines: a one-digit hour, a comma before the fraction.
    let lenient: Bool

    init(_ bytes: UnsafeBufferPointer<UInt8>, lenient: Bool = false) {
        self.bytes = bytes
        self.lenient = lenient
    }

    /// The shape every record's `ts` has, `YYYY-MM-DDTHH:MM:SS[.fraction]Z`, read at fixed positions.
    ///
    /// The same instant `parse` gives for it, without its step-by-step checks (every record's time is read
    /// here); nil for any other shape, which `parse` judges.
    static func canonical(_ bytes: UnsafeBufferPointer<UInt8>) -> BusTimestamp? {
        let count = bytes.count
        guard count >= 20, let base = bytes.baseAddress, base[count - 1] == 0x5A, base[4] == 0x2D, base[7] == 0x2D,
            base[10] == 0x54, base[13] == 0x3A, base[16] == 0x3A,
            let century = pair(base, 0), let yearOfCentury = pair(base, 2), let month = pair(base, 5),
            let day = pair(base, 8), let hour = pair(base, 11), let minute = pair(base, 14),
            let second = pair(base, 17)
        else { return nil }
        var nanos = 0
        if count > 20 {
            // A fraction: `.` and at least one digit before the `Z`; digits past the ninth are dropped.
            guard base[19] == 0x2E, count > 21 else { return nil }
            var digits = 0
            var index = 20
            if count - 1 - index >= 8 {
                // Go writes up to nine digits: the first eight at once.
                guard let eight = eightDigits(base + index) else { return nil }
                nanos = eight
                digits = 8
                index += 8
            }
            while index < count - 1 {
                let digit = base[index] &- 0x30
                guard digit < 10 else { return nil }
                if digits < 9 {
                    nanos = nanos &* 10 &+ Int(digit)
                    digits &+= 1
                }
                index += 1
            }
            while digits < 9 {
                nanos &*= 10
                digits &+= 1
            }
        }
        guard
            let epoch = CivilTime.epochSeconds(
                year: century * 100 + yearOfCentury,
                month: month,
                day: day,
                hour: hour,
                minute: minute,
                second: second
            )
        else { return nil }
        return BusTimestamp(seconds: epoch, nanoseconds: Int32(nanos))
    }

    /// The number the eight decimal digits at `digits` spell, or nil when one is no digit.
    ///
    /// Read as one word and combined in three multiplications (pairs, then fours, then the eight), the way
    /// simdjson reads them, instead of a loop of eight steps.
    @inline(__always)
    private static func eightDigits(_ digits: UnsafePointer<UInt8>) -> Int? {
        let word = UInt64(littleEndian: UnsafeRawPointer(digits).loadUnaligned(as: UInt64.self))
        // Every byte 0x30-0x39: its high half is 3, and adding 6 does not carry out of its low half.
        let highHalves: UInt64 = 0xF0F0_F0F0_F0F0_F0F0
        guard word & highHalves == 0x3030_3030_3030_3030,
            (word &+ 0x0606_0606_0606_0606) & highHalves == 0x3030_3030_3030_3030
        else { return nil }
        var value = word & 0x0F0F_0F0F_0F0F_0F0F
        value = (value &* (10 << 8 + 1)) >> 8
        value = ((value & 0x00FF_00FF_00FF_00FF) &* (100 << 16 + 1)) >> 16
        value = ((value & 0x0000_FFFF_0000_FFFF) &* (10_000 << 32 + 1)) >> 32
        return Int(value)
    }

    /// The two decimal digits at `index`, or nil.
    @inline(__always)
    private static func pair(_ base: UnsafePointer<UInt8>, _ index: Int) -> Int? {
        let tens = base[index] &- 0x30
        let ones = base[index + 1] &- 0x30
        guard tens < 10, ones < 10 else { return nil }
        return Int(tens) * 10 + Int(ones)
    }

    /// An hour of two digits, or of one when lenient.
    mutating func hour() -> Int? {
        if lenient, index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ":") { return digits(1) }
        return digits(2)
    }

    mutating func digits(_ count: Int) -> Int? {
        guard index + count <= bytes.count else { return nil }
        var value = 0
        for offset in 0..<count {
            let byte = bytes[index + offset]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        index += count
        return value
    }

    /// Takes the next byte when it is one of the three (not variadic: a variadic list was an array per call,
    /// and every record's `ts` is parsed here).
    mutating func expect(_ first: UInt8, _ second: UInt8? = nil, _ third: UInt8? = nil) -> Bool {
        guard index < bytes.count else { return false }
        let byte = bytes[index]
        guard byte == first || byte == second || byte == third else { return false }
        index += 1
        return true
    }

    mutating func parse() -> BusTimestamp? {
        guard let year = digits(4), expect(UInt8(ascii: "-")), let month = digits(2), expect(UInt8(ascii: "-")),
            let day = digits(2), expect(UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")),
            let hour = hour(), expect(UInt8(ascii: ":")), let minute = digits(2), expect(UInt8(ascii: ":")),
            let second = digits(2)
        else { return nil }
        var nanos = 0
        if expect(UInt8(ascii: ".")) || (lenient && expect(UInt8(ascii: ","))) {
            var scale = 100_000_000
            var count = 0
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                if count < 9 { nanos += Int(bytes[index] - UInt8(ascii: "0")) * scale }
                scale /= 10
                count += 1
                index += 1
            }
            guard count > 0 else { return nil }
        }
        var offsetSeconds = 0
        if index < bytes.count {
            if expect(UInt8(ascii: "Z"), UInt8(ascii: "z")) {
                offsetSeconds = 0
            } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
                index += 1
                guard let hours = digits(2), expect(UInt8(ascii: ":")), let minutes = digits(2) else { return nil }
                offsetSeconds = sign * (hours * 3600 + minutes * 60)
            } else {
                return nil
            }
        }
        guard index == bytes.count,
            let local = CivilTime.epochSeconds(
                year: year,
                month: month,
                day: day,
                hour: hour,
                minute: minute,
                second: second
            )
        else { return nil }
        return BusTimestamp(seconds: local - Int64(offsetSeconds), nanoseconds: Int32(nanos))
    }
}
