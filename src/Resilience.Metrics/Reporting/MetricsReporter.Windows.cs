namespace Resilience.Metrics;

/// <content>The sliding windows and the per-slice history: a backend's and each model's figures over the last minutes.</content>
public sealed partial class MetricsReporter
{
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
        var utcNow = UnixSecondsJsonConverter.ToMilliseconds(_time.GetUtcNow());
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
                Timestamp = utcNow - _time.GetElapsedTime(slice.EndTimestamp, now),
                TotalRequests = sums[RecordedMetrics.Successes] + Failures(sums[RecordedMetrics.Failures]),
                Successes = sums[RecordedMetrics.Successes],
                Failures = Failures(sums[RecordedMetrics.Failures]),
                Tokens = sums[RecordedMetrics.PromptTokens] + sums[RecordedMetrics.CompletionTokens],
                Percentiles = result,
            };
        });
    }

    /// <inheritdoc />
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
}
