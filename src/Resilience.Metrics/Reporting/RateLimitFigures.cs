namespace Resilience.Metrics;

/// <summary>Turns a backend's <see cref="RateLimitState"/> into its report at a given time.</summary>
internal static class RateLimitFigures
{
    public static RateLimitsReport Read(RateLimitState state, DateTimeOffset now)
    {
        var nowTicks = now.UtcTicks;
        var retryUntil = state.RetryUntilUtcTicks;
        var malformed = state.Malformed;
        var requests = Kind(state, RateLimitKind.Requests, nowTicks);
        var tokens = Kind(state, RateLimitKind.Tokens, nowTicks);
        var input = Kind(state, RateLimitKind.InputTokens, nowTicks);
        var output = Kind(state, RateLimitKind.OutputTokens, nowTicks);
        if (requests is null && tokens is null && input is null && output is null && retryUntil < 0 && malformed == 0)
        {
            return RateLimitsReport.None;
        }

        return new RateLimitsReport
        {
            Requests = requests,
            Tokens = tokens,
            InputTokens = input,
            OutputTokens = output,
            RetryAfterSeconds = retryUntil > nowTicks ? Seconds(retryUntil - nowTicks) : null,
            MalformedHeaders = malformed,
        };
    }

    private static RateLimitMetrics? Kind(RateLimitState state, RateLimitKind kind, long nowTicks)
    {
        if (!state[kind].TryRead(out var value))
        {
            return null;
        }

        return new RateLimitMetrics
        {
            Limit = value.Limit >= 0 ? value.Limit : null,
            Remaining = value.Remaining >= 0 ? value.Remaining : null,
            ResetSeconds = value.ResetUtcTicks >= 0 ? Seconds(Math.Max(0, value.ResetUtcTicks - nowTicks)) : null,
            // Clamped: the ticks come from whatever clock the collector was given, and a DateTimeOffset must not throw mid-report.
            ObservedAt = new DateTimeOffset(Math.Clamp(value.ObservedUtcTicks, 0, DateTimeOffset.MaxValue.UtcTicks), TimeSpan.Zero),
        };
    }

    // Milliseconds precision, as the report's other times.
    private static double Seconds(long ticks) => Math.Round(ticks / (double)TimeSpan.TicksPerSecond, 3);
}
