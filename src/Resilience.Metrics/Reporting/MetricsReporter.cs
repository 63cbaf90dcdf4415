using System.Globalization;

namespace Resilience.Metrics;

/// <summary>
/// Builds the guide's reports from collector snapshots. Every figure is computed at read time from bounded state,
/// so a report costs the same after ten requests or ten million. A backend that has recorded nothing (or is not
/// registered) reports zeros, as the guide does for an unknown model.
/// </summary>
public sealed class MetricsReporter : IMetricsReporter
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

    /// <summary>Every registered backend's report, in registration order.</summary>
    public IReadOnlyList<MetricsReport> GetAllReports() => [.. _collector.All.Select(BuildReport)];

    private MetricsReport BuildReport(BackendMetrics backend)
    {
        var recorded = backend.Recorded;
        var counters = recorded.Counters;
        var successes = counters.Sum(RecordedMetrics.Successes);
        var failures = Failures(counters.Sum(RecordedMetrics.Failures));
        var requests = successes + failures;
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
            Timestamp = _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0,
            ApiName = backend.Name,
            UptimeSeconds = _time.GetElapsedTime(backend.RegisteredAt).TotalSeconds,
            TotalRequests = requests,
            Successes = successes,
            Failures = failures,
            Timeouts = counters.Sum(RecordedMetrics.Timeouts),
            Retries = counters.Sum(RecordedMetrics.RetriedRequests),
            RetryAttempts = counters.Sum(RecordedMetrics.RetryAttempts),
            SuccessRate = Ratio(successes, requests),
            TokenCounts = new TokenCounts(counters.Sum(RecordedMetrics.PromptTokens), counters.Sum(RecordedMetrics.CompletionTokens))
            {
                Cached = counters.Sum(RecordedMetrics.CachedTokens),
                Reasoning = counters.Sum(RecordedMetrics.ReasoningTokens),
            },
            Latency = LatencyFigures(backend, recorded),
            Queue = QueueFigures(backend, recorded),
            CircuitBreaker = CircuitFigures(backend),
            Errors = ErrorFigures(recorded, requests, failures),
            Throughput = ThroughputFigures(recorded, DefaultWindow),
            Models = models,
            MonitoringErrors = counters.Sum(RecordedMetrics.MonitoringErrors),
            CostUsd = cost,
            UnpricedModels = unpriced,
            RateLimits = RateLimitFigures.Read(backend.RateLimits, _time.GetUtcNow()),
            Windows = backendWindows,
        };
    }

    private static ModelRate? Rate(PriceTable? prices, ModelStats stats) => prices?.Match(stats);

    private Dictionary<string, WindowMetrics> Windows(WindowTotals[] totals, BackendRegistration registration, long now, bool model, ModelRate? rate)
    {
        var windows = new Dictionary<string, WindowMetrics>(totals.Length, StringComparer.Ordinal);
        for (var i = 0; i < totals.Length; i++)
        {
            windows[ReportWindowNames[i]] = model ? ModelWindow(totals[i], registration, now, rate) : BackendWindow(totals[i], registration, now);
        }

        return windows;
    }

    /// <inheritdoc />
    public WindowMetrics GetWindowMetrics(string backend, TimeSpan window)
    {
        if (window <= TimeSpan.Zero || window > MaxWindow)
        {
            throw new ArgumentOutOfRangeException(nameof(window), window, $"The window must be greater than zero and at most {MaxWindow.TotalMinutes} minutes.");
        }

        var metrics = Backend(backend);
        var recorded = metrics.Recorded;
        var slices = (int)Math.Ceiling(window / SliceRing.SliceLength);
        var totals = recorded.Windows.Read(recorded, [slices], metrics.Registration.LatencyPercentiles);
        var result = BackendWindow(totals[0], metrics.Registration, _time.GetTimestamp());
        if (metrics.Prices is not { } prices)
        {
            return result;
        }

        // The backend's window cost is its priced models' (the backend's own counters do not say which model a token was).
        var cost = 0d;
        foreach (var stats in recorded.Models.All)
        {
            if (Rate(prices, stats) is { } rate)
            {
                var sums = recorded.Windows.Read(stats, [slices], [])[0].Counters;
                cost += rate.Cost(sums[ModelStats.PromptTokens], sums[ModelStats.CompletionTokens], sums[ModelStats.CachedTokens]);
            }
        }

        return result with { CostUsd = cost };
    }

    /// <inheritdoc />
    public IReadOnlyList<HistorySample> GetHistory(string backend)
    {
        var metrics = Backend(backend);
        var percentiles = metrics.Registration.LatencyPercentiles;
        var slices = metrics.Recorded.Windows.History(ReportWindowSlices[0], percentiles);
        var now = _time.GetTimestamp();
        var unixNow = _time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
        return Array.ConvertAll(slices, slice =>
        {
            var sums = slice.Counters;
            var result = new Dictionary<string, double>(percentiles.Count, StringComparer.Ordinal);
            for (var i = 0; i < percentiles.Count && slice.PercentileTicks is { } ticks; i++)
            {
                result[PercentileKey(percentiles[i])] = ticks[i] / TicksPerMillisecond;
            }

            return new HistorySample
            {
                Timestamp = unixNow - ((now - slice.EndTimestamp) / (double)_time.TimestampFrequency),
                TotalRequests = sums[RecordedMetrics.Successes] + Failures(sums[RecordedMetrics.Failures]),
                Successes = sums[RecordedMetrics.Successes],
                Failures = Failures(sums[RecordedMetrics.Failures]),
                Tokens = sums[RecordedMetrics.PromptTokens] + sums[RecordedMetrics.CompletionTokens],
                Percentiles = result,
            };
        });
    }

    /// <summary>Every registered backend's <see cref="GetHistory"/> as one JSON object keyed by backend name.</summary>
    public string GetJsonHistory() => JsonReportFormatter.Format(_collector.All.Select(b => (b.Name, GetHistory(b.Name))).ToList());

    private WindowMetrics BackendWindow(WindowTotals window, BackendRegistration registration, long now)
    {
        var sums = window.Counters;
        var successes = sums[RecordedMetrics.Successes];
        var failures = Failures(sums[RecordedMetrics.Failures]);
        var requests = successes + failures;
        var seconds = Math.Max(0, now - window.StartTimestamp) / (double)_time.TimestampFrequency;
        var categories = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var category in ErrorCategoryNames.All)
        {
            categories[category.ToName()] = sums[RecordedMetrics.CategorySlot(category)];
        }

        return new WindowMetrics
        {
            WindowSeconds = seconds,
            Requests = requests,
            Successes = successes,
            Failures = failures,
            Timeouts = sums[RecordedMetrics.Timeouts],
            SuccessRate = Ratio(successes, requests),
            ErrorRate = Ratio(failures, requests),
            AvgLatency = Ratio(sums[RecordedMetrics.LatencyTicks], requests) / TicksPerMillisecond,
            Percentiles = WindowPercentiles(window, registration.LatencyPercentiles),
            RequestsPerSecond = Ratio(requests, seconds),
            TokensPerSecond = Ratio(sums[RecordedMetrics.PromptTokens] + sums[RecordedMetrics.CompletionTokens], seconds),
            ErrorCategories = categories,
        };
    }

    private WindowMetrics ModelWindow(WindowTotals window, BackendRegistration registration, long now, ModelRate? rate)
    {
        var sums = window.Counters;
        var successes = sums[ModelStats.Successes];
        var failures = Failures(sums[ModelStats.Failures]);
        var requests = successes + failures;
        var seconds = Math.Max(0, now - window.StartTimestamp) / (double)_time.TimestampFrequency;
        return new WindowMetrics
        {
            WindowSeconds = seconds,
            Requests = requests,
            Successes = successes,
            Failures = failures,
            SuccessRate = Ratio(successes, requests),
            ErrorRate = Ratio(failures, requests),
            AvgLatency = Ratio(sums[ModelStats.LatencyTicks], requests) / TicksPerMillisecond,
            Percentiles = WindowPercentiles(window, registration.LatencyPercentiles),
            RequestsPerSecond = Ratio(requests, seconds),
            TokensPerSecond = Ratio(sums[ModelStats.PromptTokens] + sums[ModelStats.CompletionTokens], seconds),
            ErrorCategories = EmptyCategories,
            CostUsd = rate?.Cost(sums[ModelStats.PromptTokens], sums[ModelStats.CompletionTokens], sums[ModelStats.CachedTokens]),
        };
    }

    private static readonly Dictionary<string, long> EmptyCategories = new(StringComparer.Ordinal);

    private static Dictionary<string, double> WindowPercentiles(WindowTotals window, IReadOnlyList<double> percentiles)
    {
        var result = new Dictionary<string, double>(percentiles.Count, StringComparer.Ordinal);
        if (window.PercentileTicks is { } ticks)
        {
            for (var i = 0; i < ticks.Length; i++)
            {
                result[PercentileKey(percentiles[i])] = ticks[i] / TicksPerMillisecond;
            }
        }

        return result;
    }

    /// <inheritdoc />
    public LatencyMetrics GetLatencyMetrics(string backend)
    {
        var metrics = Backend(backend);
        return LatencyFigures(metrics, metrics.Recorded);
    }

    private static LatencyMetrics LatencyFigures(BackendMetrics backend, RecordedMetrics recorded)
    {
        var histogram = recorded.Latency.Snapshot();
        var firstByte = recorded.FirstByte.Snapshot();
        return new LatencyMetrics
        {
            Count = histogram.Total,
            AvgLatency = Ratio(recorded.Counters.Sum(RecordedMetrics.LatencyTicks), histogram.Total) / TicksPerMillisecond,
            MinLatency = histogram.MinTicks / TicksPerMillisecond,
            MaxLatency = histogram.MaxTicks / TicksPerMillisecond,
            Percentiles = Percentiles(histogram, backend.Registration.LatencyPercentiles),
            TimeToFirstByte = firstByte.Total == 0 ? null : new FirstByteLatency(
                firstByte.Total,
                Ratio(recorded.Counters.Sum(RecordedMetrics.FirstByteTicks), firstByte.Total) / TicksPerMillisecond,
                Percentiles(firstByte, backend.Registration.LatencyPercentiles)),
            Histogram = DurationHistogram.From(histogram, recorded.Counters.Sum(RecordedMetrics.LatencyTicks)),
            FirstByteHistogram = DurationHistogram.From(firstByte, recorded.Counters.Sum(RecordedMetrics.FirstByteTicks)),
        };
    }

    private static Dictionary<string, double> Percentiles(HistogramSnapshot histogram, IReadOnlyList<double> percentiles)
    {
        Span<double> values = percentiles.Count <= 16 ? stackalloc double[percentiles.Count] : new double[percentiles.Count];
        histogram.ValuesAtPercentiles(percentiles, values);
        var result = new Dictionary<string, double>(percentiles.Count, StringComparer.Ordinal);
        for (var i = 0; i < values.Length; i++)
        {
            result[PercentileKey(percentiles[i])] = values[i] / TicksPerMillisecond;
        }

        return result;
    }

    /// <summary>The report key of a percentile: <c>"50"</c>, <c>"99.9"</c>.</summary>
    public static string PercentileKey(double percentile) => percentile.ToString(CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public ThroughputMetrics GetThroughputMetrics(string backend, TimeSpan? window = null)
    {
        var span = window ?? DefaultWindow;
        if (span <= TimeSpan.Zero || span > ThroughputHistory.MaxWindow)
        {
            throw new ArgumentOutOfRangeException(nameof(window), span, $"The window must be greater than zero and at most {ThroughputHistory.MaxWindow.TotalMinutes} minutes.");
        }

        return ThroughputFigures(Backend(backend).Recorded, span);
    }

    private ThroughputMetrics ThroughputFigures(RecordedMetrics recorded, TimeSpan window)
    {
        var now = _time.GetTimestamp();
        var current = recorded.Sample(now);
        var windowStart = now - (long)(window.TotalSeconds * _time.TimestampFrequency);

        // Totals at the window's start: the newest once-a-second sample at or before it; a backend (or reset)
        // younger than the window counts from its start.
        var baseline = recorded.StartTimestamp >= windowStart
            ? new ThroughputSample(recorded.StartTimestamp, 0, 0, 0)
            : recorded.Throughput.AtOrBefore(windowStart) ?? new ThroughputSample(recorded.StartTimestamp, 0, 0, 0);
        var seconds = (now - baseline.Timestamp) / (double)_time.TimestampFrequency;

        var requests = current.Requests - baseline.Requests;
        var prompt = current.PromptTokens - baseline.PromptTokens;
        var completion = current.CompletionTokens - baseline.CompletionTokens;
        return new ThroughputMetrics
        {
            RequestsPerSecond = Ratio(requests, seconds),
            TotalRequestsInWindow = requests,
            TimeWindowSeconds = window.TotalSeconds,
            TokenThroughput = new TokenThroughput(Ratio(prompt + completion, seconds), Ratio(prompt, seconds), Ratio(completion, seconds)),
        };
    }

    /// <inheritdoc />
    public ErrorMetrics GetErrorMetrics(string backend)
    {
        var recorded = Backend(backend).Recorded;
        var failures = Failures(recorded.Counters.Sum(RecordedMetrics.Failures));
        return ErrorFigures(recorded, recorded.Counters.Sum(RecordedMetrics.Successes) + failures, failures);
    }

    private static ErrorMetrics ErrorFigures(RecordedMetrics recorded, long requests, long failures)
    {
        var types = recorded.ErrorTypes.Snapshot();
        var categories = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var category in ErrorCategoryNames.All)
        {
            categories[category.ToName()] = recorded.Counters.Sum(RecordedMetrics.CategorySlot(category));
        }

        string? mostCommon = null;
        long most = 0;
        foreach (var (type, count) in types)
        {
            if (count > most || (count == most && mostCommon is not null && string.CompareOrdinal(type, mostCommon) < 0))
            {
                mostCommon = type;
                most = count;
            }
        }

        return new ErrorMetrics
        {
            ErrorRate = Ratio(failures, requests),
            TotalErrors = failures,
            ErrorTypes = new SortedDictionary<string, long>(types, StringComparer.Ordinal),
            ErrorCategories = categories,
            MostCommonError = mostCommon,
        };
    }

    /// <inheritdoc />
    public ModelMetrics GetModelMetrics(string backend, string model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var metrics = Backend(backend);
        return metrics.Recorded.Models.TryGet(model, out var stats)
            ? ModelFigures(stats!, metrics.Registration, Rate(metrics.Prices, stats!))
            : new ModelMetrics { TokenCounts = new TokenCounts(0, 0) };
    }

    private static ModelMetrics ModelFigures(ModelStats stats, BackendRegistration registration, ModelRate? rate)
    {
        var counters = stats.Counters;
        var successes = counters.Sum(ModelStats.Successes);
        var requests = successes + Failures(counters.Sum(ModelStats.Failures));
        var snapshot = stats.Latency?.Snapshot();
        return new ModelMetrics
        {
            Requests = requests,
            Successes = successes,
            Failures = Failures(counters.Sum(ModelStats.Failures)),
            SuccessRate = Ratio(successes, requests),
            AvgLatency = Ratio(counters.Sum(ModelStats.LatencyTicks), requests) / TicksPerMillisecond,
            Retries = counters.Sum(ModelStats.RetriedRequests),
            TokenCounts = new TokenCounts(counters.Sum(ModelStats.PromptTokens), counters.Sum(ModelStats.CompletionTokens))
            {
                Cached = counters.Sum(ModelStats.CachedTokens),
                Reasoning = counters.Sum(ModelStats.ReasoningTokens),
            },
            Percentiles = snapshot is null ? null : Percentiles(snapshot, registration.LatencyPercentiles),
            Histogram = snapshot is null ? null : DurationHistogram.From(snapshot, counters.Sum(ModelStats.LatencyTicks)),
            ResponseModels = stats.ResponseModels.ToList(),
            CostUsd = rate?.Cost(counters.Sum(ModelStats.PromptTokens), counters.Sum(ModelStats.CompletionTokens), counters.Sum(ModelStats.CachedTokens)),
        };
    }

    /// <inheritdoc />
    public QueueMetrics GetQueueMetrics(string backend)
    {
        var metrics = Backend(backend);
        return QueueFigures(metrics, metrics.Recorded);
    }

    private static QueueMetrics QueueFigures(BackendMetrics backend, RecordedMetrics recorded)
    {
        var counters = recorded.Counters;
        var (waiting, active) = backend.Queues.Read();
        var admissions = Math.Max(0, backend.Admissions.Count - recorded.AdmissionsBefore);
        return new QueueMetrics
        {
            CurrentQueueSize = waiting,
            ActiveRequests = active,
            AvgQueueTimeMs = Ratio(counters.Sum(RecordedMetrics.QueueTimeTicks), admissions) / TicksPerMillisecond,
            AvgQueueLength = Ratio(counters.Sum(RecordedMetrics.QueueLengthSum), admissions),
            MaxQueueLength = recorded.MaxQueueLength,
            QueueRejectionCount = counters.Sum(RecordedMetrics.QueueRejections),
        };
    }

    /// <inheritdoc />
    public CircuitBreakerMetrics GetCircuitBreakerMetrics(string backend) => CircuitFigures(Backend(backend));

    private static CircuitBreakerMetrics CircuitFigures(BackendMetrics backend)
    {
        var circuit = backend.Circuit.Snapshot();
        var seconds = circuit.SecondsInState;
        var total = seconds.Sum();
        return new CircuitBreakerMetrics
        {
            CurrentState = circuit.State.ToName(),
            FailureCount = circuit.ConsecutiveFailures,
            FailureThreshold = backend.Registration.FailureThreshold,
            OpenCircuitCount = circuit.OpenCount,
            StateTimeSeconds = new Dictionary<string, double>(StringComparer.Ordinal)
            {
                [CircuitState.Closed.ToName()] = seconds[(int)CircuitState.Closed],
                [CircuitState.Open.ToName()] = seconds[(int)CircuitState.Open],
                [CircuitState.HalfOpen.ToName()] = seconds[(int)CircuitState.HalfOpen],
            },
            UptimePercentage = total > 0 ? seconds[(int)CircuitState.Closed] / total * 100 : 100,
            StateChanges = Array.ConvertAll(circuit.Changes, static c => new CircuitStateChange(c.State.ToName(), c.At.ToUnixTimeMilliseconds() / 1000.0)),
        };
    }

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

    /// <summary>Every registered backend's report as one JSON object keyed by backend name.</summary>
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

    /// <summary>
    /// Failures as a window or a reset sees them: an SDK's successful retry turns its call's earlier failure into a
    /// success by a −1, which lands in the current slice even when the failure lies in an older slice or before a reset.
    /// </summary>
    private static long Failures(long counted) => Math.Max(0, counted);

}
