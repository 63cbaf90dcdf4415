using System.Globalization;

namespace Resilience.Metrics;

/// <summary>
/// The values of rate-limit headers: counts, Go durations (OpenAI, Groq), <c>retry-after</c> seconds or HTTP dates,
/// and <c>retry-after-ms</c>. Each is checked against what a provider could sensibly send; nothing here throws.
/// </summary>
internal static class RateLimitValues
{
    /// <summary>Limits and remainders above this are absurd (no provider counts a trillion of anything a minute).</summary>
    internal const long MaxCount = 1_000_000_000_000;

    /// <summary>Resets and retry delays further away than this are absurd.</summary>
    internal static readonly TimeSpan MaxDelay = TimeSpan.FromDays(31);

    private static readonly System.Buffers.SearchValues<char> NumberChars = System.Buffers.SearchValues.Create("0123456789.");

    private static readonly double[] Pow10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17];

    /// <summary>A whole number from 0 to <see cref="MaxCount"/> (no sign, no fraction, no exponent).</summary>
    internal static bool TryParseCount(ReadOnlySpan<char> value, out long count) =>
        long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out count) && count <= MaxCount;

    /// <summary>
    /// A Go duration as OpenAI and Groq send it (<c>1s</c>, <c>6m0s</c>, <c>59.6ms</c>, <c>1h2m3.5s</c>; units h, m, s,
    /// ms, us or µs, ns), or a bare number of seconds; not negative, at most <see cref="MaxDelay"/>.
    /// </summary>
    internal static bool TryParseGoDuration(ReadOnlySpan<char> value, out long ticks)
    {
        ticks = 0;
        if (value.IsEmpty)
        {
            return false;
        }

        if (IsNumber(value))
        {
            return TryScale(value, TimeSpan.TicksPerSecond, ref ticks) && ticks <= MaxDelay.Ticks;
        }

        while (!value.IsEmpty)
        {
            var digits = 0;
            while (digits < value.Length && (char.IsAsciiDigit(value[digits]) || value[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0)
            {
                return false;
            }

            var number = value[..digits];
            value = value[digits..];
            long unit;
            if (value.StartsWith("ms", StringComparison.Ordinal))
            {
                unit = TimeSpan.TicksPerMillisecond;
                value = value[2..];
            }
            else if (value.StartsWith("us", StringComparison.Ordinal) || value.StartsWith("µs", StringComparison.Ordinal) || value.StartsWith("μs", StringComparison.Ordinal))
            {
                unit = TimeSpan.TicksPerMicrosecond;
                value = value[2..];
            }
            else if (value.StartsWith("ns", StringComparison.Ordinal))
            {
                // Ticks are 100 ns: a number of nanoseconds is scaled by a hundredth below.
                unit = -100;
                value = value[2..];
            }
            else if (value.StartsWith('h'))
            {
                unit = TimeSpan.TicksPerHour;
                value = value[1..];
            }
            else if (value.StartsWith('m'))
            {
                unit = TimeSpan.TicksPerMinute;
                value = value[1..];
            }
            else if (value.StartsWith('s'))
            {
                unit = TimeSpan.TicksPerSecond;
                value = value[1..];
            }
            else
            {
                return false;
            }

            if (!TryScale(number, unit, ref ticks) || ticks > MaxDelay.Ticks)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>retry-after</c>: a whole number of seconds (relative) or an HTTP date (absolute, UTC ticks).</summary>
    internal static bool TryParseRetryAfter(ReadOnlySpan<char> value, out long ticks, out bool relative)
    {
        relative = true;
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            ticks = seconds <= MaxDelay.TotalSeconds ? seconds * TimeSpan.TicksPerSecond : 0;
            return seconds <= MaxDelay.TotalSeconds;
        }

        relative = false;
        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var at))
        {
            ticks = at.UtcTicks;
            return true;
        }

        ticks = 0;
        return false;
    }

    internal static bool TryParseMilliseconds(ReadOnlySpan<char> value, out long ticks)
    {
        ticks = 0;
        return IsNumber(value) && TryScale(value, TimeSpan.TicksPerMillisecond, ref ticks) && ticks <= MaxDelay.Ticks;
    }

    private static bool IsNumber(ReadOnlySpan<char> value) =>
        !value.IsEmpty && !value.ContainsAnyExcept(NumberChars) && value.IndexOf('.') == value.LastIndexOf('.') && value[0] != '.';

    /// <summary>Adds <paramref name="number"/> × <paramref name="unit"/> ticks (a negative unit divides: nanoseconds).</summary>
    /// <remarks>Digits with at most one point, parsed by hand: <c>double.TryParse</c> was most of a header's cost.</remarks>
    private static bool TryScale(ReadOnlySpan<char> number, long unit, ref long ticks)
    {
        if (number.IsEmpty || number[0] == '.')
        {
            return false;
        }

        long mantissa = 0;
        var digits = 0;
        var decimals = -1;
        foreach (var c in number)
        {
            if (c == '.')
            {
                if (decimals >= 0)
                {
                    return false;
                }

                decimals = 0;
                continue;
            }

            // More than 17 digits is absurd for any of these headers (and would overflow).
            if (!char.IsAsciiDigit(c) || ++digits > 17)
            {
                return false;
            }

            mantissa = (mantissa * 10) + (c - '0');
            if (decimals >= 0)
            {
                decimals++;
            }
        }

        var amount = decimals <= 0 ? mantissa : mantissa / Pow10[decimals];
        var scaled = unit > 0 ? amount * unit : amount / -unit;
        if (scaled > MaxDelay.Ticks)
        {
            return false;
        }

        ticks += (long)Math.Round(scaled);
        return true;
    }
}
