using System.Globalization;

namespace Resilience.Metrics;

/// <content>The report's sections since the last reset: latency, throughput, errors, models, queue and circuit breaker.</content>
public sealed partial class MetricsReporter
{
    /// <inheritdoc />
    public LatencyMetrics GetLatencyMetrics(string backend)
    {
        var metrics = Backend(backend);
        return LatencyFigures(metrics, metrics.Recorded, metrics.Recorded.Totals());
    }

    private static LatencyMetrics LatencyFigures(BackendMetrics backend, RecordedMetrics recorded, in CounterTotals totals)
    {
        var firstByte = recorded.FirstByte.Snapshot();
        return Figures(recorded.Latency.Snapshot(), totals.LatencyTicks, backend.Registration.LatencyPercentiles) with
        {
            TimeToFirstByte = firstByte.Total == 0 ? null : Figures(firstByte, totals.FirstByteTicks, backend.Registration.LatencyPercentiles),
        };
    }

    // One shape for the request latency and the time to first byte: the same histogram, the same figures.
    private static LatencyMetrics Figures(HistogramSnapshot histogram, long sumTicks, IReadOnlyList<double> percentiles) => new()
    {
        Count = histogram.Total,
        AvgLatency = Ratio(sumTicks, histogram.Total) / TicksPerMillisecond,
        MinLatency = histogram.MinTicks / TicksPerMillisecond,
        MaxLatency = histogram.MaxTicks / TicksPerMillisecond,
        Percentiles = Percentiles(histogram, percentiles),
        Histogram = DurationHistogram.From(histogram, sumTicks),
    };

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
        return ErrorFigures(recorded, recorded.Totals());
    }

    private static ErrorMetrics ErrorFigures(RecordedMetrics recorded, in CounterTotals totals)
    {
        var types = recorded.ErrorTypes.Snapshot();
        var categories = Categories(totals);

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
            ErrorRate = Ratio(totals.Failures, totals.Requests),
            TotalErrors = totals.Failures,
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
        var totals = stats.Totals();
        var snapshot = stats.Latency?.Snapshot();
        return new ModelMetrics
        {
            Requests = totals.Requests,
            Successes = totals.Successes,
            Failures = totals.Failures,
            SuccessRate = Ratio(totals.Successes, totals.Requests),
            AvgLatency = Ratio(totals.LatencyTicks, totals.Requests) / TicksPerMillisecond,
            Retries = totals.RetriedRequests,
            TokenCounts = TokenCountsOf(totals),
            Percentiles = snapshot is null ? null : Percentiles(snapshot, registration.LatencyPercentiles),
            Histogram = snapshot is null ? null : DurationHistogram.From(snapshot, totals.LatencyTicks),
            ResponseModels = stats.ResponseModels.ToList(),
            CostUsd = rate?.Cost(totals),
        };
    }

    /// <inheritdoc />
    public QueueMetrics GetQueueMetrics(string backend)
    {
        var metrics = Backend(backend);
        return QueueFigures(metrics, metrics.Recorded, metrics.Recorded.Totals());
    }

    private static QueueMetrics QueueFigures(BackendMetrics backend, RecordedMetrics recorded, in CounterTotals totals)
    {
        var (waiting, active) = backend.Queues.Read();
        var admissions = Math.Max(0, backend.Admissions.Count - recorded.AdmissionsBefore);
        return new QueueMetrics
        {
            CurrentQueueSize = waiting,
            ActiveRequests = active,
            AvgQueueTimeMs = Ratio(totals.QueueTimeTicks, admissions) / TicksPerMillisecond,
            AvgQueueLength = Ratio(totals.QueueLengthSum, admissions),
            MaxQueueLength = recorded.MaxQueueLength,
            QueueRejectionCount = totals.QueueRejections,
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
            CurrentState = circuit.State,
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
            StateChanges = Array.ConvertAll(circuit.Changes, static c => new CircuitStateChange(c.State, UnixSecondsJsonConverter.ToMilliseconds(c.At))),
        };
    }
}
