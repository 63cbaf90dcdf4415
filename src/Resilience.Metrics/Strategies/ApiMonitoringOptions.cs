using Microsoft.Extensions.Options;

namespace Resilience.Metrics;

/// <summary>
/// Everything <c>AddApiMonitoring</c> sets up for one backend, with the monitoring guide's option names and
/// defaults. Bindable from configuration (<c>AddApiMonitoring(configuration.GetSection("ApiMonitoring:openai"))</c>).
/// </summary>
/// <remarks>
/// The single source of the defaults (the property initializers here and in the strategy options; <see cref="BackendRegistration"/>
/// and <see cref="RequestMonitoringStrategyOptions"/> take theirs from <see cref="Defaults"/>) and of the bounds (the
/// annotations, checked by the generated validator, plus the few cross-field rules of <see cref="OptionRules"/>).
/// </remarks>
public sealed class ApiMonitoringOptions
{
    /// <summary>The default latency percentiles: 50, 90, 95, 99.</summary>
    public static IReadOnlyList<double> DefaultLatencyPercentiles => BackendRegistration.DefaultLatencyPercentiles;

    /// <summary>Options with every default, for the types that share them (never handed out, never changed).</summary>
    internal static ApiMonitoringOptions Defaults { get; } = new();

    /// <summary>The backend's name in reports (the <c>api</c> label). Default: the HttpClient's name.</summary>
    public string? BackendName { get; set; }

    /// <summary>Whether requests are recorded at all. When false, queue, retry and circuit breaker still protect the backend but nothing is reported. Default true.</summary>
    public bool MetricsEnabled { get; set; } = true;

    /// <summary>Whether a latency histogram is kept per model (per-model percentiles). Default false.</summary>
    public bool DetailedLatency { get; set; }

    /// <summary>Whether failures are classified into error types and categories. Default true.</summary>
    public bool ErrorTracking { get; set; } = true;

    /// <summary>Whether a trace is kept per request, for <c>GetTrace</c> and <c>GetRecentTraces</c>. Default false.</summary>
    public bool RequestTracing { get; set; }

    /// <summary>How many traces and circuit state changes the backend keeps (newest win). Default 1000.</summary>
    [Bounds(1, BackendRegistration.MaxMetricsWindowSize, "must be from 1 to 100,000")]
    public int MetricsWindowSize { get; set; } = BackendRegistration.DefaultMetricsWindowSize;

    /// <summary>When set, the backend's recorded figures reset at this interval (the guide's hourly reset: 01:00:00). Default none.</summary>
    [Bounds(typeof(TimeSpan), BackendRegistration.MinResetIntervalText, BackendRegistration.MaxResetIntervalText, "must be from 1 second to 30 days (or unset for no periodic reset)")]
    public TimeSpan? MetricsResetInterval { get; set; }

    /// <summary>The latency percentiles reports show, each in (0, 100]. Default (null): 50, 90, 95, 99.</summary>
    [MaxItems(BackendRegistration.MaxLatencyPercentiles, "must hold at most 32 values", "values")]
    public double[]? LatencyPercentiles { get; set; }

    /// <summary>Which backend's request and response shapes models and tokens are read from. Default <see cref="ApiFormat.Auto"/>.</summary>
    [Defined(typeof(ApiFormat))]
    public ApiFormat ApiFormat { get; set; } = ApiFormat.Auto;

    /// <summary>
    /// Which resilience of ours is added beside the monitoring: <see cref="ApiResilience.Full"/> (default: queue, retry,
    /// circuit breaker, attempt timeout, as configured) or <see cref="ApiResilience.None"/> (monitor only, for a client
    /// with <c>AddStandardResilienceHandler()</c> or an SDK that retries itself).
    /// </summary>
    [Defined(typeof(ApiResilience))]
    public ApiResilience Resilience { get; set; } = ApiResilience.Full;

    /// <summary>Priority queueing and the concurrency limit.</summary>
    [NotNullOption]
    [ValidateObjectMembers]
    public ApiQueueStrategyOptions Queue { get; set; } = new();

    /// <summary>Retries of transient failures.</summary>
    [NotNullOption]
    [ValidateObjectMembers]
    public ApiRetryStrategyOptions Retry { get; set; } = new();

    /// <summary>The circuit breaker.</summary>
    [NotNullOption]
    [ValidateObjectMembers]
    public ApiCircuitBreakerStrategyOptions CircuitBreaker { get; set; } = new();

    /// <summary>A timeout per attempt (Polly's timeout strategy, innermost), or null for none. Default none.</summary>
    [Bounds(typeof(TimeSpan), "00:00:00.010", "1.00:00:00", "must be from 10 milliseconds to 1 day (or unset for none)")]
    public TimeSpan? AttemptTimeout { get; set; }

    /// <summary>
    /// Prices by model name, in USD per million tokens, for the reports' <c>cost_usd</c>, <c>api_cost_usd_total</c> and the
    /// spend alert. A model matches its exact name, else the longest configured name it begins with
    /// (<c>gpt-4o-2024-08-06</c> finds <c>gpt-4o</c>). Empty (the default): no cost figures at all; a model that
    /// matches nothing contributes nothing and is listed in <c>unpriced_models</c>.
    /// </summary>
    [NotNullOption(Rule = "must not be null (leave it empty for no cost figures)")]
    [MaxItems(BackendRegistration.MaxPricedModels, "must name at most 1,000 models", "models")]
    public Dictionary<string, ModelPrice> Pricing { get; set; } = new(StringComparer.Ordinal);

    /// <summary>What was wrong with the configuration these options were bound from (unknown keys), reported by validation.</summary>
    internal string? ConfigurationProblem { get; set; }

    internal BackendRegistration ToRegistration() => new()
    {
        MetricsWindowSize = MetricsWindowSize,
        MetricsResetInterval = MetricsResetInterval,
        DetailedLatency = DetailedLatency,
        LatencyPercentiles = LatencyPercentiles is { Length: > 0 } percentiles ? [.. percentiles] : DefaultLatencyPercentiles,
        FailureThreshold = CircuitBreaker.FailureThreshold,
        // An API of no known provider (Auto, Generic) is named after its backend, as OpenTelemetry advises.
        GenAiProviderName = ApiFormat is ApiFormat.Auto or ApiFormat.Generic ? BackendName ?? "unknown" : ApiFormats.Get(ApiFormat).ProviderName,
        GenAiOperationName = ApiFormats.Get(ApiFormat).OperationName,
        Pricing = CopyPricing(Pricing),
    };

    // A copy: the registration must not change when the options' objects do.
    private static Dictionary<string, ModelPrice>? CopyPricing(Dictionary<string, ModelPrice>? pricing) =>
        pricing is null || pricing.Count == 0
            ? null
            : pricing.Where(p => p.Value is not null).ToDictionary(
                p => p.Key,
                p => p.Value.Copy(),
                StringComparer.Ordinal);

    internal RequestMonitoringStrategyOptions ToRequestMonitoring() => new()
    {
        RequestTracing = RequestTracing,
        ErrorTracking = ErrorTracking,
        ApiFormat = ApiFormat,
        GenAiProviderFallback = BackendName,
    };
}
