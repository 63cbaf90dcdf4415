using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace Resilience.Metrics;

/// <summary>
/// Every backend's report as one Prometheus text exposition (format 0.0.4): each family's <c># HELP</c> and
/// <c># TYPE</c> once, then that family's series for every backend, with the label <c>api</c> = backend name.
/// </summary>
/// <remarks>
/// The guide's families keep its names, types and help texts, even where Prometheus naming would differ
/// (<c>_milliseconds</c>); added families follow the conventions (base units, counters end in <c>_total</c>).
/// A family no backend has a series for is left out. Written as UTF-8 straight into a buffer: this runs on every scrape.
/// </remarks>
internal static class PrometheusFormatter
{
    /// <summary>The content type of the exposition this formatter writes.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private static readonly SearchValues<char> LabelCharsToEscape = SearchValues.Create("\\\"\n");

    private static ReadOnlySpan<byte> Counter => "counter"u8;

    private static ReadOnlySpan<byte> Gauge => "gauge"u8;

    private static ReadOnlySpan<byte> HistogramType => "histogram"u8;

    // The le labels of the default bounds, formatted once ("0.005", "2.5", "300").
    private static readonly string[] DefaultLe = [.. DurationHistogram.DefaultUpperBounds.Select(b => b.ToString("R", CultureInfo.InvariantCulture))];

    /// <summary>The exposition as a string; it ends with a newline, or is empty when there are no reports.</summary>
    /// <exception cref="ArgumentException">Two reports have the same backend name.</exception>
    public static string Format(IReadOnlyList<MetricsReport> reports)
    {
        FormattingGuards.EnsureUniqueApiNames(reports, nameof(reports));
        using var buffer = new PooledByteBufferWriter(EstimateSize(reports));
        WriteCore(reports, buffer);
        return buffer.ToUtf8String();
    }

    /// <summary>Writes the exposition as UTF-8 to <paramref name="output"/> (e.g. an HTTP response's pipe).</summary>
    /// <exception cref="ArgumentException">Two reports have the same backend name.</exception>
    public static void Write(IReadOnlyList<MetricsReport> reports, IBufferWriter<byte> output)
    {
        FormattingGuards.EnsureUniqueApiNames(reports, nameof(reports));
        ArgumentNullException.ThrowIfNull(output);
        WriteCore(reports, output);
    }

    private static void WriteCore(IReadOnlyList<MetricsReport> reports, IBufferWriter<byte> output)
    {
        // Each family walks every report; foreach over the interface would box an enumerator each time, a span does not.
        switch (reports)
        {
            case MetricsReport[] array:
                WriteFamilies(array, output);
                break;
            case List<MetricsReport> list:
                WriteFamilies(CollectionsMarshal.AsSpan(list), output);
                break;
            default:
                var rented = ArrayPool<MetricsReport>.Shared.Rent(reports.Count);
                try
                {
                    for (var i = 0; i < reports.Count; i++)
                    {
                        rented[i] = reports[i];
                    }

                    WriteFamilies(rented.AsSpan(0, reports.Count), output);
                }
                finally
                {
                    ArrayPool<MetricsReport>.Shared.Return(rented, clearArray: true);
                }

                break;
        }
    }

    private static void WriteFamilies(ReadOnlySpan<MetricsReport> reports, IBufferWriter<byte> output)
    {
        // The guide's families, in the guide's order.
        var family = new Family(output, "api_requests_total"u8, Counter, "Total number of API requests"u8);
        foreach (var r in reports)
        {
            family.Sample(r.ApiName, r.TotalRequests);
        }

        family = new Family(output, "api_success_rate"u8, Gauge, "Success rate of API requests"u8);
        foreach (var r in reports)
        {
            family.Sample(r.ApiName, r.SuccessRate);
        }

        family = new Family(output, "api_latency_milliseconds"u8, Gauge, "API request latency in milliseconds"u8);
        foreach (var r in reports)
        {
            foreach (var (percentile, value) in r.Latency.Percentiles)
            {
                family.Start(r.ApiName);
                family.Label("percentile"u8, percentile);
                family.End(value);
            }
        }

        family = new Family(output, "api_queue_size"u8, Gauge, "Current number of requests in queue"u8);
        foreach (var r in reports)
        {
            family.Sample(r.ApiName, r.Queue.CurrentQueueSize);
        }

        family = new Family(output, "api_active_requests"u8, Gauge, "Current number of active requests"u8);
        foreach (var r in reports)
        {
            family.Sample(r.ApiName, r.Queue.ActiveRequests);
        }

        family = new Family(output, "api_error_rate"u8, Gauge, "Rate of API request errors"u8);
        foreach (var r in reports)
        {
            family.Sample(r.ApiName, r.Errors.ErrorRate);
        }

        family = new Family(output, "api_circuit_state"u8, Gauge, "Current circuit breaker state (0=CLOSED, 1=HALF-OPEN, 2=OPEN)"u8);
        foreach (var r in reports)
        {
            // An unknown state has no honest number: the series is left out rather than guessed.
            if (CircuitStateValue(r.CircuitBreaker.CurrentState) is { } state)
            {
                family.Sample(r.ApiName, state);
            }
        }

        family = new Family(output, "api_throughput_rps"u8, Gauge, "Requests per second"u8);
        foreach (var r in reports)
        {
            family.Sample(r.ApiName, r.Throughput.RequestsPerSecond);
        }

        family = new Family(output, "api_model_requests_total"u8, Counter, "Total requests for a specific model"u8);
        foreach (var r in reports)
        {
            foreach (var (model, stats) in r.Models)
            {
                family.Sample(r.ApiName, model, stats.Requests);
            }
        }

        family = new Family(output, "api_model_success_rate"u8, Gauge, "Success rate for a specific model"u8);
        foreach (var r in reports)
        {
            foreach (var (model, stats) in r.Models)
            {
                family.Sample(r.ApiName, model, stats.SuccessRate);
            }
        }

        family = new Family(output, "api_model_latency_milliseconds"u8, Gauge, "Average latency for a specific model"u8);
        foreach (var r in reports)
        {
            foreach (var (model, stats) in r.Models)
            {
                family.Sample(r.ApiName, model, stats.AvgLatency);
            }
        }

        // Added families. Counters restart from zero after ResetMetrics, which rate() treats as a counter reset.
        family = new Family(output, "api_failures_total"u8, Counter, "Total number of failed API requests"u8);
        foreach (var r in reports)
        {
            family.Sample(r.ApiName, r.Failures);
        }

        family = new Family(output, "api_timeouts_total"u8, Counter, "API requests whose final error was a timeout"u8);
        foreach (var r in reports)
        {
            family.Sample(r.ApiName, r.Timeouts);
        }

        family = new Family(output, "api_retries_total"u8, Counter, "API requests that were retried at least once"u8);
        foreach (var r in reports)
        {
            family.Sample(r.ApiName, r.Retries);
        }

        family = new Family(output, "api_retry_attempts_total"u8, Counter, "Retry attempts of API requests"u8);
        foreach (var r in reports)
        {
            family.Sample(r.ApiName, r.RetryAttempts);
        }

        family = new Family(output, "api_errors_total"u8, Counter, "API request errors by category"u8);
        foreach (var r in reports)
        {
            // Always the seven categories, so dashboards and alerts see a fixed label set.
            for (var c = 0; c < ErrorCategoryNames.All.Count; c++)
            {
                var name = ErrorCategoryNames.All[c].ToName();
                family.Start(r.ApiName);
                family.Label("category"u8, name);
                family.End(r.Errors.ErrorCategories.TryGetValue(name, out var count) ? count : 0L);
            }
        }

        family = new Family(output, "api_tokens_total"u8, Counter, "Tokens processed, by type (prompt, completion)"u8);
        foreach (var r in reports)
        {
            family.Start(r.ApiName);
            family.Label("type"u8, "prompt"u8);
            family.End(r.TokenCounts.Prompt);
            family.Start(r.ApiName);
            family.Label("type"u8, "completion"u8);
            family.End(r.TokenCounts.Completion);
        }

        family = new Family(output, "api_token_throughput_tps"u8, Gauge, "Tokens (prompt and completion) per second"u8);
        foreach (var r in reports)
        {
            family.Sample(r.ApiName, r.Throughput.TokenThroughput.TokensPerSecond);
        }

        family = new Family(output, "api_model_tokens_total"u8, Counter, "Tokens for a specific model, by type (prompt, completion)"u8);
        foreach (var r in reports)
        {
            foreach (var (model, stats) in r.Models)
            {
                family.Start(r.ApiName);
                family.Label("model"u8, model);
                family.Label("type"u8, "prompt"u8);
                family.End(stats.TokenCounts.Prompt);
                family.Start(r.ApiName);
                family.Label("model"u8, model);
                family.Label("type"u8, "completion"u8);
                family.End(stats.TokenCounts.Completion);
            }
        }

        family = new Family(output, "api_queue_rejections_total"u8, Counter, "Requests rejected because the queue was full"u8);
        foreach (var r in reports)
        {
            family.Sample(r.ApiName, r.Queue.QueueRejectionCount);
        }

        family = new Family(output, "api_circuit_open_total"u8, Counter, "Times the circuit breaker opened"u8);
        foreach (var r in reports)
        {
            family.Sample(r.ApiName, r.CircuitBreaker.OpenCircuitCount);
        }

        // A gauge, not a counter: the report's state times restart at each reset and are not a monotonic total.
        family = new Family(output, "api_circuit_state_time_seconds"u8, Gauge, "Seconds spent in each circuit state since the last reset"u8);
        foreach (var r in reports)
        {
            foreach (var (state, seconds) in r.CircuitBreaker.StateTimeSeconds)
            {
                family.Start(r.ApiName);
                family.Label("state"u8, state);
                family.End(seconds);
            }
        }

        family = new Family(output, "api_monitoring_errors_total"u8, Counter, "Faults inside monitoring that were caught"u8);
        foreach (var r in reports)
        {
            family.Sample(r.ApiName, r.MonitoringErrors);
        }

        family = new Family(output, "api_uptime_seconds"u8, Gauge, "Seconds since the backend was registered"u8);
        foreach (var r in reports)
        {
            family.Sample(r.ApiName, r.UptimeSeconds);
        }

        // Real histograms: rate() over their buckets gives any window's percentiles, and buckets add up across instances.
        family = new Family(output, "api_request_duration_seconds"u8, HistogramType, "End-to-end API request duration (queue time and retries included)"u8);
        foreach (var r in reports)
        {
            family.Histogram(r.ApiName, null, r.Latency.Histogram ?? DurationHistogram.Empty);
        }

        family = new Family(output, "api_time_to_first_chunk_seconds"u8, HistogramType, "Time from a request's start to the first chunk of a streamed response"u8);
        foreach (var r in reports)
        {
            family.Histogram(r.ApiName, null, r.Latency.FirstByteHistogram ?? DurationHistogram.Empty);
        }

        // Per model only where the model keeps a histogram (DetailedLatency): 19 series a model.
        family = new Family(output, "api_model_request_duration_seconds"u8, HistogramType, "End-to-end API request duration for a specific model"u8);
        foreach (var r in reports)
        {
            foreach (var (model, stats) in r.Models)
            {
                if (stats.Histogram is { } histogram)
                {
                    family.Histogram(r.ApiName, model, histogram);
                }
            }
        }
    }

    /// <summary>The value of <c>api_circuit_state</c> for an open circuit (the alert rules test for it).</summary>
    internal const int OpenCircuitValue = 2;

    private static int? CircuitStateValue(string? state) => state switch
    {
        "CLOSED" => 0,
        "HALF-OPEN" => 1,
        "OPEN" => OpenCircuitValue,
        _ => null,
    };

    private static int EstimateSize(IReadOnlyList<MetricsReport> reports)
    {
        // About 4.5 KB of series per backend and 0.6 KB per model; a good guess saves regrowing the buffer.
        var size = 4096;
        for (var i = 0; i < reports.Count; i++)
        {
            size += 4608 + (640 * reports[i].Models.Count);
            if (size > 1 << 20)
            {
                break;
            }
        }

        return size;
    }

    private static void WriteRaw(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    private static void WriteEscaped(IBufferWriter<byte> output, ReadOnlySpan<char> value)
    {
        // Label values escape backslash, double quote and line feed (\\ \" \n); everything else is plain UTF-8.
        while (!value.IsEmpty)
        {
            var index = value.IndexOfAny(LabelCharsToEscape);
            var run = index < 0 ? value : value[..index];
            if (!run.IsEmpty)
            {
                // Lone surrogates become U+FFFD here, so the exposition stays valid UTF-8.
                var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(run.Length));
                output.Advance(Encoding.UTF8.GetBytes(run, span));
            }

            if (index < 0)
            {
                return;
            }

            WriteRaw(output, value[index] switch
            {
                '\\' => "\\\\"u8,
                '"' => "\\\""u8,
                _ => "\\n"u8,
            });
            value = value[(index + 1)..];
        }
    }

    private static void WriteNumber(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(20);
        if (!value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A 64-bit integer did not fit in 20 bytes.");
        }

        output.Advance(written);
    }

    private static void WriteNumber(IBufferWriter<byte> output, double value)
    {
        if (!double.IsFinite(value))
        {
            // NaN is never written (it would read as a real sample); infinities are Prometheus' own +Inf and -Inf.
            WriteRaw(output, double.IsNaN(value) ? "0"u8 : value > 0 ? "+Inf"u8 : "-Inf"u8);
            return;
        }

        // Shortest round-trip form ("R"); the longest is 24 bytes, e.g. -1.7976931348623157E+308.
        var span = output.GetSpan(32);
        if (!value.TryFormat(span, out var written, "R", CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A double did not fit in 32 bytes.");
        }

        output.Advance(written);
    }

    /// <summary>
    /// Writes one family's series; the <c># HELP</c> and <c># TYPE</c> lines go out just before its first series,
    /// so an empty family writes nothing. Use as Start, Label..., End per series.
    /// </summary>
    private ref struct Family
    {
        private readonly IBufferWriter<byte> _output;
        private readonly ReadOnlySpan<byte> _name;
        private readonly ReadOnlySpan<byte> _type;
        private readonly ReadOnlySpan<byte> _help;
        private bool _started;

        public Family(IBufferWriter<byte> output, ReadOnlySpan<byte> name, ReadOnlySpan<byte> type, ReadOnlySpan<byte> help)
        {
            _output = output;
            _name = name;
            _type = type;
            _help = help;
        }

        public void Sample(string api, long value)
        {
            Start(api);
            End(value);
        }

        public void Sample(string api, double value)
        {
            Start(api);
            End(value);
        }

        // One series of a per-model family.
        public void Sample(string api, string model, long value)
        {
            Start(api);
            Label("model"u8, model);
            End(value);
        }

        public void Sample(string api, string model, double value)
        {
            Start(api);
            Label("model"u8, model);
            End(value);
        }

        /// <summary>One histogram's series: a bucket per bound, +Inf, sum and count.</summary>
        public void Histogram(string api, string? model, DurationHistogram histogram)
        {
            var bounds = histogram.UpperBounds;
            for (var i = 0; i <= bounds.Count; i++)
            {
                Start(api, "_bucket"u8);
                if (model is not null)
                {
                    Label("model"u8, model);
                }

                if (i == bounds.Count)
                {
                    Label("le"u8, "+Inf"u8);
                    End(histogram.Count);
                }
                else
                {
                    Label("le"u8, ReferenceEquals(bounds, DurationHistogram.DefaultUpperBounds) ? DefaultLe[i] : bounds[i].ToString("R", CultureInfo.InvariantCulture));
                    End(histogram.CumulativeCounts[i]);
                }
            }

            Start(api, "_sum"u8);
            if (model is not null)
            {
                Label("model"u8, model);
            }

            End(histogram.Sum);
            Start(api, "_count"u8);
            if (model is not null)
            {
                Label("model"u8, model);
            }

            End(histogram.Count);
        }

        public void Start(string api) => Start(api, default);

        public void Start(string api, ReadOnlySpan<byte> suffix)
        {
            if (!_started)
            {
                _started = true;
                WriteRaw(_output, "# HELP "u8);
                WriteRaw(_output, _name);
                WriteRaw(_output, " "u8);
                WriteRaw(_output, _help);
                WriteRaw(_output, "\n# TYPE "u8);
                WriteRaw(_output, _name);
                WriteRaw(_output, " "u8);
                WriteRaw(_output, _type);
                WriteRaw(_output, "\n"u8);
            }

            WriteRaw(_output, _name);
            WriteRaw(_output, suffix);
            WriteRaw(_output, "{api=\""u8);
            WriteEscaped(_output, api);
            WriteRaw(_output, "\""u8);
        }

        public readonly void Label(ReadOnlySpan<byte> name, string value)
        {
            WriteRaw(_output, ","u8);
            WriteRaw(_output, name);
            WriteRaw(_output, "=\""u8);
            WriteEscaped(_output, value);
            WriteRaw(_output, "\""u8);
        }

        // A constant value that needs no escaping.
        public readonly void Label(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
        {
            WriteRaw(_output, ","u8);
            WriteRaw(_output, name);
            WriteRaw(_output, "=\""u8);
            WriteRaw(_output, value);
            WriteRaw(_output, "\""u8);
        }

        public readonly void End(long value)
        {
            WriteRaw(_output, "} "u8);
            WriteNumber(_output, value);
            WriteRaw(_output, "\n"u8);
        }

        public readonly void End(double value)
        {
            WriteRaw(_output, "} "u8);
            WriteNumber(_output, value);
            WriteRaw(_output, "\n"u8);
        }
    }
}
