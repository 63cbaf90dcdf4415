namespace Resilience.Metrics;

/// <summary>
/// Builds the guide's reports from collector snapshots. Every figure is computed at read time from bounded state,
/// so a report costs the same after ten requests or ten million. A backend that has recorded nothing (or is not
/// registered) reports zeros, as the guide does for an unknown model.
/// </summary>
public sealed partial class MetricsReporter : IMetricsReporter
{
    private const double TicksPerMillisecond = TimeSpan.TicksPerMillisecond;
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromSeconds(60);

    // The report's windows and their lengths in slices, ascending (one pass over the slices serves all three).
    private static readonly string[] ReportWindowNames = ["1m", "5m", "15m"];
    private static readonly int[] ReportWindowSlices = [12, 60, SliceRing.SliceCount];

    /// <summary>The longest window <see cref="GetWindowMetrics"/> accepts: 15 minutes.</summary>
    public static TimeSpan MaxWindow { get; } = SliceRing.SliceLength * SliceRing.SliceCount;

    private readonly MetricsCollector _collector;
    private readonly TimeProvider _time;

    /// <summary>Creates a reporter over <paramref name="collector"/>.</summary>
    public MetricsReporter(MetricsCollector collector)
    {
        ArgumentNullException.ThrowIfNull(collector);
        _collector = collector;
        _time = collector.TimeProvider;
    }

    /// <inheritdoc />
    public IReadOnlyCollection<string> Backends => _collector.Backends;

    private BackendMetrics Backend(string backend)
    {
        ArgumentNullException.ThrowIfNull(backend);
        return _collector.Find(backend) ?? new BackendMetrics(backend, new BackendRegistration(), _time);
    }

    /// <inheritdoc />
    public MetricsReport GetMetricsReport(string backend) => BuildReport(Backend(backend));

    /// <inheritdoc />
    public IReadOnlyList<MetricsReport> GetAllReports() => [.. _collector.All.Select(BuildReport)];

    private MetricsReport BuildReport(BackendMetrics backend)
    {
        var recorded = backend.Recorded;
        var totals = recorded.Totals();
        var now = _time.GetTimestamp();
        var models = new SortedDictionary<string, ModelMetrics>(StringComparer.Ordinal);

        // Cost is computed here, from the token counters, rather than per request: the request path stays as it was.
        var prices = backend.Prices;
        double? cost = prices is null ? null : 0d;
        var windowCosts = prices is null ? null : new double[ReportWindowNames.Length];
        var unpriced = prices is null ? null : new List<string>();
        foreach (var stats in recorded.Models.All)
        {
            var rate = Rate(prices, stats);
            var figures = ModelFigures(stats, backend.Registration, rate);
            var windows = Windows(recorded.Windows.Read(stats, ReportWindowSlices, backend.Registration.LatencyPercentiles), backend.Registration, now, model: true, rate);
            models[stats.Name] = figures with { Windows = windows };
            if (prices is null)
            {
                continue;
            }

            if (rate is null)
            {
                unpriced!.Add(stats.Name);
                continue;
            }

            cost += figures.CostUsd ?? 0;
            for (var i = 0; i < ReportWindowNames.Length; i++)
            {
                windowCosts![i] += windows[ReportWindowNames[i]].CostUsd ?? 0;
            }
        }

        unpriced?.Sort(StringComparer.Ordinal);
        var backendWindows = Windows(recorded.Windows.Read(recorded, ReportWindowSlices, backend.Registration.LatencyPercentiles), backend.Registration, now, model: false, rate: null);
        if (windowCosts is not null)
        {
            for (var i = 0; i < ReportWindowNames.Length; i++)
            {
                backendWindows[ReportWindowNames[i]] = backendWindows[ReportWindowNames[i]] with { CostUsd = windowCosts[i] };
            }
        }

        return new MetricsReport
        {
            Timestamp = UnixSecondsJsonConverter.ToMilliseconds(_time.GetUtcNow()),
            Backend = backend.Name,
            UptimeSeconds = _time.GetElapsedTime(backend.RegisteredAt).TotalSeconds,
            TotalRequests = totals.Requests,
            Successes = totals.Successes,
            Failures = totals.Failures,
            Timeouts = totals.Timeouts,
            Retries = totals.RetriedRequests,
            RetryAttempts = totals.RetryAttempts,
            SuccessRate = Ratio(totals.Successes, totals.Requests),
            TokenCounts = TokenCountsOf(totals),
            Latency = LatencyFigures(backend, recorded, totals),
            Queue = QueueFigures(backend, recorded, totals),
            CircuitBreaker = CircuitFigures(backend),
            Errors = ErrorFigures(recorded, totals),
            Throughput = ThroughputFigures(recorded, DefaultWindow),
            Models = models,
            MonitoringErrors = totals.MonitoringErrors,
            CostUsd = cost,
            UnpricedModels = unpriced,
            RateLimits = RateLimitFigures.Read(backend.RateLimits, _time.GetUtcNow()),
            Windows = backendWindows,
        };
    }

    private static ModelRate? Rate(PriceTable? prices, ModelStats stats) => prices?.Match(stats);

    /// <inheritdoc />
    public RequestTrace? GetTrace(string traceId)
    {
        ArgumentNullException.ThrowIfNull(traceId);
        foreach (var backend in _collector.All)
        {
            foreach (var trace in backend.Recorded.Traces.Recent())
            {
                if (trace.TraceId == traceId)
                {
                    return trace;
                }
            }
        }

        return null;
    }

    /// <inheritdoc />
    public IReadOnlyList<RequestTrace> GetRecentTraces(int limit = 10, string? backend = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var sources = backend is null ? _collector.All : _collector.Find(backend) is { } one ? [one] : [];
        return
        [
            .. sources.SelectMany(b => b.Recorded.Traces.Recent().Take(limit))
                .OrderByDescending(t => t.EndTime)
                .Take(limit),
        ];
    }

    /// <inheritdoc />
    public RateLimitsReport GetRateLimits(string backend) => RateLimitFigures.Read(Backend(backend).RateLimits, _time.GetUtcNow());

    /// <inheritdoc />
    public string GetAsciiReport(string backend) => AsciiReportFormatter.Format(GetMetricsReport(backend));

    /// <inheritdoc />
    public string GetJsonReport(string backend) => JsonReportFormatter.Format(GetMetricsReport(backend));

    /// <inheritdoc />
    public string GetJsonReport() => JsonReportFormatter.Format(GetAllReports());

    /// <inheritdoc />
    public string GetPrometheusMetrics() => PrometheusFormatter.Format(GetAllReports());

    /// <inheritdoc />
    public string ExportGrafanaDashboard() => GrafanaDashboard.Build();

    /// <inheritdoc />
    public string ExportGrafanaDashboard(DashboardSource source) => GrafanaDashboard.Build(source);

    /// <inheritdoc />
    public void ResetMetrics(string? backend = null) => _collector.Reset(backend);

    private static double Ratio(double numerator, double denominator) => denominator > 0 ? numerator / denominator : 0;

    /// <summary>The token counts of a backend's or a model's totals.</summary>
    private static TokenCounts TokenCountsOf(in CounterTotals totals) => new(totals.PromptTokens, totals.CompletionTokens)
    {
        Cached = totals.CachedTokens,
        CacheWrite = totals.CacheWriteTokens,
        Reasoning = totals.ReasoningTokens,
    };
}
