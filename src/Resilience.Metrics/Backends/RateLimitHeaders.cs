using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;

namespace Resilience.Metrics;

/// <summary>
/// Reads the providers' rate-limit headers of a response into its backend's <see cref="RateLimitState"/>: OpenAI and
/// Groq <c>x-ratelimit-{limit|remaining|reset}-{requests|tokens}</c> (resets as Go durations: <c>6m0s</c>,
/// <c>59.6ms</c>), Anthropic <c>anthropic-ratelimit-{requests|tokens|input-tokens|output-tokens}-{limit|remaining|reset}</c>
/// (resets as RFC 3339 times), and <c>retry-after</c> (seconds or an HTTP date) or <c>retry-after-ms</c>.
/// </summary>
/// <remarks>
/// One pass over the response's headers, unvalidated (no parsing by <see cref="HttpHeaders"/>, no allocation): a response
/// without such headers costs a prefix test per header and nothing else. Values that are malformed, negative or absurd
/// are ignored and counted (<see cref="RateLimitState.Malformed"/>); nothing here throws into a request.
/// </remarks>
internal static class RateLimits
{
    /// <summary>Limits and remainders above this are absurd (no provider counts a trillion of anything a minute).</summary>
    internal const long MaxCount = 1_000_000_000_000;

    /// <summary>Resets and retry delays further away than this are absurd.</summary>
    internal static readonly TimeSpan MaxDelay = TimeSpan.FromDays(31);

    private static readonly System.Buffers.SearchValues<char> NumberChars = System.Buffers.SearchValues.Create("0123456789.");

    private static readonly double[] Pow10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17];

    private const string OpenAiPrefix = "x-ratelimit-";
    private const string AnthropicPrefix = "anthropic-ratelimit-";

    /// <summary>The hook of request monitoring: every response, success or failure, before it is recorded.</summary>
    public static void Observe(HttpResponseMessage? response, GuardedMetricsCollector collector, BackendKey backend)
    {
        if (response is null)
        {
            return;
        }

        try
        {
            var headers = response.Headers.NonValidated;
            if (headers.Count == 0)
            {
                return;
            }

            var parsed = new Parsed();
            foreach (var header in headers)
            {
                Read(header.Key, header.Value, ref parsed);
            }

            if (parsed.Seen || parsed.Malformed != 0)
            {
                collector.RateLimitsOf(backend)?.Apply(ref parsed, collector.TimeProvider.GetUtcNow().UtcTicks);
            }
        }
        catch (Exception exception)
        {
            collector.Fault(backend, exception);
        }
    }

    /// <summary>Stores what one response said; relative resets become instants from <paramref name="nowUtcTicks"/>.</summary>
    internal static void Apply(this RateLimitState state, ref Parsed parsed, long nowUtcTicks)
    {
        if (parsed.Malformed != 0)
        {
            state.AddMalformed(parsed.Malformed);
        }

        for (var i = 0; i < RateLimitState.KindCount; i++)
        {
            ref var kind = ref parsed.Kinds[i];
            if (kind.Flags == 0)
            {
                continue;
            }

            var reset = (kind.Flags & KindValues.HasReset) == 0 ? -1
                : (kind.Flags & KindValues.ResetIsRelative) != 0 ? nowUtcTicks + kind.Reset
                : kind.Reset;
            if (reset >= 0 && (kind.Flags & KindValues.ResetIsRelative) == 0 && Math.Abs(reset - nowUtcTicks) > MaxDelay.Ticks)
            {
                // An absolute reset far from now (a wrong year, a clock gone astray) is absurd.
                state.AddMalformed(1);
                reset = -1;
            }

            state[(RateLimitKind)i].Write(
                (kind.Flags & KindValues.HasLimit) != 0 ? kind.Limit : -1,
                (kind.Flags & KindValues.HasRemaining) != 0 ? kind.Remaining : -1,
                reset,
                nowUtcTicks);
        }

        if (parsed.RetryAfter >= 0)
        {
            var until = parsed.RetryAfterIsRelative ? nowUtcTicks + parsed.RetryAfter : parsed.RetryAfter;
            if (Math.Abs(until - nowUtcTicks) <= MaxDelay.Ticks)
            {
                state.SetRetryUntil(until);
            }
            else
            {
                state.AddMalformed(1);
            }
        }
    }

    /// <summary>Reads one header into <paramref name="parsed"/> when it is a rate-limit header; ignores any other.</summary>
    internal static void Read(string name, HeaderStringValues values, ref Parsed parsed)
    {
        // The cheap test first: most headers start with neither letter, or are too short.
        if (name.Length < 11 || (name[0] | 0x20) is not ('x' or 'a' or 'r'))
        {
            return;
        }

        if (name.StartsWith(OpenAiPrefix, StringComparison.OrdinalIgnoreCase))
        {
            ReadOpenAi(name.AsSpan(OpenAiPrefix.Length), First(values), ref parsed);
        }
        else if (name.StartsWith(AnthropicPrefix, StringComparison.OrdinalIgnoreCase))
        {
            ReadAnthropic(name.AsSpan(AnthropicPrefix.Length), First(values), ref parsed);
        }
        else if (name.Equals("retry-after", StringComparison.OrdinalIgnoreCase))
        {
            if (parsed.RetryAfterMs)
            {
                return;
            }

            if (TryParseRetryAfter(First(values), out var ticks, out var relative))
            {
                parsed.RetryAfter = ticks;
                parsed.RetryAfterIsRelative = relative;
            }
            else
            {
                parsed.Malformed++;
            }
        }
        else if (name.Equals("retry-after-ms", StringComparison.OrdinalIgnoreCase))
        {
            // The more precise of the two wins whichever came first.
            if (TryParseMilliseconds(First(values), out var ticks))
            {
                parsed.RetryAfter = ticks;
                parsed.RetryAfterIsRelative = true;
                parsed.RetryAfterMs = true;
            }
            else
            {
                parsed.Malformed++;
            }
        }
    }

    // x-ratelimit-{limit|remaining|reset}-{requests|tokens}
    private static void ReadOpenAi(ReadOnlySpan<char> rest, ReadOnlySpan<char> value, ref Parsed parsed)
    {
        Field field;
        if (rest.StartsWith("limit-", StringComparison.OrdinalIgnoreCase))
        {
            field = Field.Limit;
            rest = rest[6..];
        }
        else if (rest.StartsWith("remaining-", StringComparison.OrdinalIgnoreCase))
        {
            field = Field.Remaining;
            rest = rest[10..];
        }
        else if (rest.StartsWith("reset-", StringComparison.OrdinalIgnoreCase))
        {
            field = Field.Reset;
            rest = rest[6..];
        }
        else
        {
            return;
        }

        if (KindOf(rest) is not { } kind)
        {
            return;
        }

        if (field == Field.Reset)
        {
            SetReset(ref parsed, kind, TryParseGoDuration(value, out var ticks), ticks, relative: true);
        }
        else
        {
            SetCount(ref parsed, kind, field, value);
        }
    }

    // anthropic-ratelimit-{requests|tokens|input-tokens|output-tokens}-{limit|remaining|reset}
    private static void ReadAnthropic(ReadOnlySpan<char> rest, ReadOnlySpan<char> value, ref Parsed parsed)
    {
        var dash = rest.LastIndexOf('-');
        if (dash <= 0 || KindOf(rest[..dash]) is not { } kind)
        {
            return;
        }

        var suffix = rest[(dash + 1)..];
        if (suffix.Equals("reset", StringComparison.OrdinalIgnoreCase))
        {
            var ok = DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at);
            SetReset(ref parsed, kind, ok, ok ? at.UtcTicks : 0, relative: false);
        }
        else if (suffix.Equals("limit", StringComparison.OrdinalIgnoreCase))
        {
            SetCount(ref parsed, kind, Field.Limit, value);
        }
        else if (suffix.Equals("remaining", StringComparison.OrdinalIgnoreCase))
        {
            SetCount(ref parsed, kind, Field.Remaining, value);
        }
    }

    private static RateLimitKind? KindOf(ReadOnlySpan<char> name) =>
        name.Equals("requests", StringComparison.OrdinalIgnoreCase) ? RateLimitKind.Requests
        : name.Equals("tokens", StringComparison.OrdinalIgnoreCase) ? RateLimitKind.Tokens
        : name.Equals("input-tokens", StringComparison.OrdinalIgnoreCase) ? RateLimitKind.InputTokens
        : name.Equals("output-tokens", StringComparison.OrdinalIgnoreCase) ? RateLimitKind.OutputTokens
        : null;

    private static void SetCount(ref Parsed parsed, RateLimitKind kind, Field field, ReadOnlySpan<char> value)
    {
        if (!TryParseCount(value, out var count))
        {
            parsed.Malformed++;
            return;
        }

        ref var values = ref parsed.Kinds[(int)kind];
        if (field == Field.Limit)
        {
            values.Limit = count;
            values.Flags |= KindValues.HasLimit;
        }
        else
        {
            values.Remaining = count;
            values.Flags |= KindValues.HasRemaining;
        }
    }

    private static void SetReset(ref Parsed parsed, RateLimitKind kind, bool ok, long ticks, bool relative)
    {
        if (!ok)
        {
            parsed.Malformed++;
            return;
        }

        ref var values = ref parsed.Kinds[(int)kind];
        values.Reset = ticks;
        values.Flags |= relative ? (byte)(KindValues.HasReset | KindValues.ResetIsRelative) : KindValues.HasReset;
    }

    private static ReadOnlySpan<char> First(HeaderStringValues values)
    {
        foreach (var value in values)
        {
            return value.AsSpan().Trim();
        }

        return default;
    }

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

    private static bool TryParseMilliseconds(ReadOnlySpan<char> value, out long ticks)
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

    private enum Field
    {
        Limit,
        Remaining,
        Reset,
    }

    /// <summary>What one response said of one kind.</summary>
    internal struct KindValues
    {
        public const byte HasLimit = 1;
        public const byte HasRemaining = 2;
        public const byte HasReset = 4;
        public const byte ResetIsRelative = 8;

        public long Limit;
        public long Remaining;

        /// <summary>A duration from now (<see cref="ResetIsRelative"/>) or an instant, in ticks.</summary>
        public long Reset;
        public byte Flags;
    }

    [InlineArray(RateLimitState.KindCount)]
    internal struct KindArray
    {
        private KindValues _first;
    }

    /// <summary>What one response's headers said: on the stack, so reading them allocates nothing.</summary>
    internal struct Parsed
    {
        public KindArray Kinds;
        public int Malformed;

        /// <summary>-1 when no retry header came; else ticks from now or an instant.</summary>
        public long RetryAfter;
        public bool RetryAfterIsRelative;
        public bool RetryAfterMs;

        public Parsed()
        {
            RetryAfter = -1;
        }

        public readonly bool Seen
        {
            get
            {
                if (RetryAfter >= 0)
                {
                    return true;
                }

                for (var i = 0; i < RateLimitState.KindCount; i++)
                {
                    if (Kinds[i].Flags != 0)
                    {
                        return true;
                    }
                }

                return false;
            }
        }
    }
}
