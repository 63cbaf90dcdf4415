namespace Resilience.Metrics;

/// <content>The sliding windows and the per-slice history: a backend's and each model's figures over the last minutes.</content>
public sealed partial class MetricsReporter
{
    private Dictionary<string, WindowMetrics> Windows(WindowTotals[] totals, BackendRegistration registration, long now, bool model, ModelRate? rate)
    {
        var windows = new Dictionary<string, WindowMetrics>(totals.Length, StringComparer.Ordinal);
        for (var i = 0; i < totals.Length; i++)
        {
            windows[ReportWindowNames[i]] = Window(totals[i], registration, now, model, rate);
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
        var result = Window(totals[0], metrics.Registration, _time.GetTimestamp(), model: false, rate: null);
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
                cost += rate.Cost(recorded.Windows.Read(stats, [slices], [])[0].Totals);
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
            var totals = slice.Totals;
            var result = new Dictionary<string, double>(percentiles.Count, StringComparer.Ordinal);
            for (var i = 0; i < percentiles.Count && slice.PercentileTicks is { } ticks; i++)
            {
                result[PercentileKey(percentiles[i])] = ticks[i] / TicksPerMillisecond;
            }

            return new HistorySample
            {
                Timestamp = utcNow - _time.GetElapsedTime(slice.EndTimestamp, now),
                TotalRequests = totals.Requests,
                Successes = totals.Successes,
                Failures = totals.Failures,
                Tokens = totals.Tokens,
                Percentiles = result,
            };
        });
    }

    /// <inheritdoc />
    public string GetJsonHistory() => JsonReportFormatter.Format(_collector.All.Select(b => (b.Name, GetHistory(b.Name))).ToList());

    // One builder for a backend's windows and a model's: the same totals, a model just keeps no categories.
    private WindowMetrics Window(WindowTotals window, BackendRegistration registration, long now, bool model, ModelRate? rate)
    {
        var totals = window.Totals;
        var seconds = Math.Max(0, now - window.StartTimestamp) / (double)_time.TimestampFrequency;
        return new WindowMetrics
        {
            WindowSeconds = seconds,
            Requests = totals.Requests,
            Successes = totals.Successes,
            Failures = totals.Failures,
            Timeouts = totals.Timeouts,
            SuccessRate = Ratio(totals.Successes, totals.Requests),
            ErrorRate = Ratio(totals.Failures, totals.Requests),
            AvgLatency = Ratio(totals.LatencyTicks, totals.Requests) / TicksPerMillisecond,
            Percentiles = WindowPercentiles(window, registration.LatencyPercentiles),
            RequestsPerSecond = Ratio(totals.Requests, seconds),
            TokensPerSecond = Ratio(totals.Tokens, seconds),
            ErrorCategories = model ? EmptyCategories : Categories(totals),
            CostUsd = rate?.Cost(totals),
        };
    }

    private static readonly Dictionary<string, long> EmptyCategories = new(StringComparer.Ordinal);

    /// <summary>Errors by category, every one of the seven present.</summary>
    private static Dictionary<string, long> Categories(in CounterTotals totals)
    {
        var categories = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var category in ErrorCategoryNames.All)
        {
            categories[category.ToName()] = totals.Category(category);
        }

        return categories;
    }

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
