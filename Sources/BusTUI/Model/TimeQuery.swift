internal import BusCore

/// Parses what the go-to-time prompt (`@`) accepts.
///
/// A clock time today (`14:05`, `14:05:30`; the last such time not
/// after now, so a time later than now means yesterday), a date and time (`2026-11-26 14:05`, also with `T`), a
/// date (its midnight), or a time ago (`-10m`, `-2h`, `-30s`, `-1d`). Local times use the monitor's UTC offset.
enum TimeQuery {
    struct Failure: Error, Equatable, CustomStringConvertible {
        var description: String
    }

    /// The furthest back `-N<unit>` goes: a thousand years.
    static let longestAgo: Int64 = 1000 * 366 * 86_400

    static func parse(_ text: String, now: BusTimestamp, utcOffset: Int) -> Result<BusTimestamp, Failure> {
        let text = text.trimmingSpaces
        let refused = Failure(description: "not a time: \(text) (try 14:05, 2026-11-26 14:05, -10m)")
        if text.hasPrefix("-") {
            // Typed text: a huge amount is refused, never multiplied into an overflow trap.
            let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
            guard let seconds = SettingParser.unitSeconds(text.dropFirst(), units: units, bare: nil),
                seconds <= Self.longestAgo
            else { return .failure(refused) }
            return .success(BusTimestamp(seconds: now.seconds - seconds, nanoseconds: 0))
        }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "T" }).map(String.init)
        switch parts.count {
        case 1 where parts[0].contains(":"):
            guard let clock = clock(parts[0]) else { return .failure(refused) }
            let local = now.seconds + Int64(utcOffset)
            let today = CivilTime(seconds: local)
            let midnight = local - Int64(today.hour * 3600 + today.minute * 60 + today.second)
            var seconds = midnight + clock - Int64(utcOffset)
            if seconds > now.seconds { seconds -= 86_400 }
            return .success(BusTimestamp(seconds: seconds, nanoseconds: 0))
        case 1, 2:
            let dateFields = parts[0].split(separator: "-", omittingEmptySubsequences: false).compactMap { Int($0) }
            guard dateFields.count == 3, parts[0].count == 10 else { return .failure(refused) }
            let clockSeconds = parts.count == 2 ? clock(parts[1]) : 0
            guard let clockSeconds,
                let midnight = CivilTime.epochSeconds(
                    year: dateFields[0],
                    month: dateFields[1],
                    day: dateFields[2],
                    hour: 0,
                    minute: 0,
                    second: 0
                )
            else { return .failure(refused) }
            return .success(BusTimestamp(seconds: midnight + clockSeconds - Int64(utcOffset), nanoseconds: 0))
        default:
            return .failure(refused)
        }
    }

    /// Seconds into the day of `HH:MM` or `HH:MM:SS`; nil when malformed or out of range.
    private static func clock(_ text: String) -> Int64? {
        let fields = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(fields.count), fields.allSatisfy({ (1...2).contains($0.count) }) else { return nil }
        let numbers = fields.compactMap { Int64($0) }
        guard numbers.count == fields.count, numbers[0] < 24, numbers[1] < 60, numbers.count < 3 || numbers[2] < 60
        else { return nil }
        return numbers[0] * 3600 + numbers[1] * 60 + (numbers.count == 3 ? numbers[2] : 0)
    }
}

/// How long ago a time was, as the list's relative time column (`R`) shows it: `12s ago`, `3m ago`, `5h ago`,
/// `2d ago`; `now` for the future (a clock ahead of this one).
enum RelativeTime {
    static func text(_ timestamp: BusTimestamp, now: BusTimestamp) -> String {
        let seconds = now.seconds - timestamp.seconds
        switch seconds {
        case ..<1: return "now"
        case ..<60: return "\(seconds)s ago"
        case ..<3600: return "\(seconds / 60)m ago"
        case ..<86_400: return "\(seconds / 3600)h ago"
        default: return "\(seconds / 86_400)d ago"
        }
    }
}

extension MonitorModel {
    /// The wall clock for relative times and `-10m`: the loop's `now` once set, else the newest message's time.
    var referenceTime: BusTimestamp {
        if now != .zero { return now }
        return store.entries.last?.timestamp ?? .zero
    }

    /// Selects the first message shown at or after the time `text` names (the newest when all are earlier).
    /// - Returns: why `text` is not a time, or nil.
    mutating func goToTime(_ text: String) -> String? {
        switch TimeQuery.parse(text, now: referenceTime, utcOffset: utcOffset) {
        case .failure(let failure):
            return failure.description
        case .success(let target):
            guard !visible.isEmpty else { return "no messages shown" }
            var low = 0
            var high = visible.count
            while low < high {
                let middle = (low + high) / 2
                if store.entries[visible[middle]].timestamp < target { low = middle + 1 } else { high = middle }
            }
            goTo(visible[min(low, visible.count - 1)])
            notice = "at " + TimeText.dateTime(target, utcOffset: utcOffset)
            return nil
        }
    }
}
