using System.Diagnostics.Metrics;

namespace Resilience.Metrics;

/// <summary>
/// The OpenTelemetry gauges of the providers' rate limits (<c>api.client.rate_limit.limit</c>, <c>.remaining</c>,
/// <c>.reset</c>), attributes <c>api.backend</c> and <c>api.rate_limit.kind</c>: read from the collector's live state
/// when a listener collects, nothing on the request path.
/// </summary>
internal static class RateLimitInstruments
{
    private static readonly string[] KindNames = ["requests", "tokens", "input_tokens", "output_tokens"];

    /// <summary>The report name of a kind (<c>input_tokens</c>).</summary>
    public static string Name(RateLimitKind kind) => KindNames[(int)kind];

    public static void Register(Meter meter, Func<IReadOnlyList<BackendMetrics>> backends, TimeProvider time)
    {
        meter.CreateObservableGauge("api.client.rate_limit.limit", () => Read(backends(), Field.Limit), "{unit}",
            "The provider's rate limit per window, from its latest response headers.");
        meter.CreateObservableGauge("api.client.rate_limit.remaining", () => Read(backends(), Field.Remaining), "{unit}",
            "What is left of the provider's rate limit in the current window, from its latest response headers.");
        meter.CreateObservableGauge("api.client.rate_limit.reset", () => ReadReset(backends(), time), "s",
            "Seconds until the provider's rate-limit window resets (0 once passed).");
    }

    private static IEnumerable<Measurement<long>> Read(IReadOnlyList<BackendMetrics> backends, Field field)
    {
        foreach (var backend in backends)
        {
            for (var kind = 0; kind < RateLimitState.KindCount; kind++)
            {
                if (backend.RateLimits[(RateLimitKind)kind].TryRead(out var value) && (field == Field.Limit ? value.Limit : value.Remaining) is >= 0 and var measured)
                {
                    yield return new Measurement<long>(measured, Tags(backend.Name, kind));
                }
            }
        }
    }

    private static IEnumerable<Measurement<double>> ReadReset(IReadOnlyList<BackendMetrics> backends, TimeProvider time)
    {
        var now = time.GetUtcNow().UtcTicks;
        foreach (var backend in backends)
        {
            for (var kind = 0; kind < RateLimitState.KindCount; kind++)
            {
                if (backend.RateLimits[(RateLimitKind)kind].TryRead(out var value) && value.ResetUtcTicks >= 0)
                {
                    yield return new Measurement<double>(Math.Max(0, value.ResetUtcTicks - now) / (double)TimeSpan.TicksPerSecond, Tags(backend.Name, kind));
                }
            }
        }
    }

    private static KeyValuePair<string, object?>[] Tags(string backend, int kind) =>
        [new("api.backend", backend), new("api.rate_limit.kind", KindNames[kind])];

    private enum Field
    {
        Limit,
        Remaining,
    }
}
