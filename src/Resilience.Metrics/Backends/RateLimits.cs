using System.Globalization;
using System.Net.Http.Headers;

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
internal static partial class RateLimits
{
    private const string OpenAiPrefix = "x-ratelimit-";
    private const string AnthropicPrefix = "anthropic-ratelimit-";

    /// <summary>
    /// The hook of request monitoring: every response, success or failure, before it is recorded. What the headers say
    /// goes to <paramref name="state"/> (null: parsed, then dropped). The caller catches and counts what this throws.
    /// </summary>
    public static void Observe(HttpResponseMessage? response, RateLimitState? state, TimeProvider time)
    {
        if (response is null)
        {
            return;
        }

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
            state?.Apply(ref parsed, time.GetUtcNow().UtcTicks);
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
            if (reset >= 0 && (kind.Flags & KindValues.ResetIsRelative) == 0 && Math.Abs(reset - nowUtcTicks) > RateLimitValues.MaxDelay.Ticks)
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
            if (Math.Abs(until - nowUtcTicks) <= RateLimitValues.MaxDelay.Ticks)
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

            if (RateLimitValues.TryParseRetryAfter(First(values), out var ticks, out var relative))
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
            if (RateLimitValues.TryParseMilliseconds(First(values), out var ticks))
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
            SetReset(ref parsed, kind, RateLimitValues.TryParseGoDuration(value, out var ticks), ticks, relative: true);
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
        if (!RateLimitValues.TryParseCount(value, out var count))
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

    internal static ReadOnlySpan<char> First(HeaderStringValues values)
    {
        foreach (var value in values)
        {
            return value.AsSpan().Trim();
        }

        return default;
    }
}
