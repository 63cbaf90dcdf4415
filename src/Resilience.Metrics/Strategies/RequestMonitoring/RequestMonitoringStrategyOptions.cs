using Polly;

namespace Resilience.Metrics;

/// <summary>
/// Options of the outermost strategy, which records one event per request. Their defaults are
/// <see cref="ApiMonitoringOptions"/>'s (<c>AddApiMonitoring</c> builds them from those options).
/// </summary>
internal sealed class RequestMonitoringStrategyOptions : ResilienceStrategyOptions
{
    /// <summary>Creates the options with their defaults.</summary>
    public RequestMonitoringStrategyOptions() => Name = "ApiRequestMonitoring";

    /// <summary>Whether a <see cref="RequestTrace"/> is kept per request (one small allocation each). Default false.</summary>
    public bool RequestTracing { get; set; } = ApiMonitoringOptions.Defaults.RequestTracing;

    /// <summary>Whether failures are classified into error types and categories. Default true.</summary>
    public bool ErrorTracking { get; set; } = ApiMonitoringOptions.Defaults.ErrorTracking;

    /// <summary>Which backend's request and response shapes models and tokens are read from. Default <see cref="ApiFormat.Auto"/>.</summary>
    [Defined(typeof(ApiFormat))]
    public ApiFormat ApiFormat { get; set; } = ApiMonitoringOptions.Defaults.ApiFormat;

    /// <summary>The <see cref="HttpClient.Timeout"/> of the client the pipeline runs in, if any: its expiry is a timeout, not a caller's cancellation.</summary>
    internal TimeSpan? HttpClientTimeout { get; set; }

    /// <summary>The GenAI provider name of an API of no known provider: the backend's name.</summary>
    internal string? GenAiProviderFallback { get; set; }

    /// <summary>A copy, so a strategy never depends on (or changes) the caller's instance.</summary>
    internal RequestMonitoringStrategyOptions Copy() => (RequestMonitoringStrategyOptions)MemberwiseClone();
}
