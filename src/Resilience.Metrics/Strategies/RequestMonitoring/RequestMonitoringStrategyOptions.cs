using Polly;

namespace Resilience.Metrics;

/// <summary>Options of the outermost strategy, which records one event per request.</summary>
public sealed class RequestMonitoringStrategyOptions : ResilienceStrategyOptions
{
    /// <summary>Creates the options with their defaults.</summary>
    public RequestMonitoringStrategyOptions() => Name = "ApiRequestMonitoring";

    /// <summary>Whether a <see cref="RequestTrace"/> is kept per request (one small allocation each). Default false.</summary>
    public bool RequestTracing { get; set; }

    /// <summary>Whether failures are classified into error types and categories. Default true.</summary>
    public bool ErrorTracking { get; set; } = true;

    /// <summary>Which backend's request and response shapes models and tokens are read from. Default <see cref="ApiFormat.Auto"/>.</summary>
    public ApiFormat ApiFormat { get; set; } = ApiFormat.Auto;

    /// <summary>The <see cref="HttpClient.Timeout"/> of the client the pipeline runs in, if any: its expiry is a timeout, not a caller's cancellation.</summary>
    internal TimeSpan? HttpClientTimeout { get; set; }

    /// <summary>The GenAI provider name of an API of no known provider: the backend's name.</summary>
    internal string? GenAiProviderFallback { get; set; }
}
