using System.Globalization;

namespace Resilience.Metrics.Benchmarks.Guide;

/// <summary>
/// A C# port of the monitoring guide's own design (<c>shared/monitoring-guide.md</c>), kept as the guide has it so the
/// benchmarks can put it beside the library: one lock around every update and read, a list of every latency, a list of
/// every timestamp, a dictionary of models each with its own latency list, a dictionary of error types; and a report
/// that sorts the latency list (in place, under the lock) and filters the timestamp list every time.
/// </summary>
public sealed class GuideMetrics
{
    private readonly Lock _metricsLock = new();
    private readonly string _apiName;
    private readonly double _startTime = Now();

    private long _requests;
    private long _successes;
    private long _failures;
    private long _retries;
    private long _promptTokens;
    private long _completionTokens;
    private List<double> _latency = [];
    private Dictionary<string, long> _errorTypes = new(StringComparer.Ordinal);
    private Dictionary<string, GuideModel> _models = new(StringComparer.Ordinal);
    private List<double> _timestamps = [];
    private readonly List<double> _queueTime = [];
    private readonly List<double> _queueLength = [];
    private readonly List<(string State, double Timestamp)> _stateChanges = [];

    public GuideMetrics(string apiName) => _apiName = apiName;

    /// <summary>How many latencies the lists hold (for the memory table).</summary>
    public int Count
    {
        get
        {
            lock (_metricsLock)
            {
                return _latency.Count;
            }
        }
    }

    /// <summary><c>time.time()</c>: seconds since the epoch, as a double.</summary>
    public static double Now() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;

    /// <summary>The guide's <c>_update_metrics</c>, field by field.</summary>
    public void UpdateMetrics(bool success = true, double? latency = null, Exception? error = null, string? errorType = null,
        bool retried = false, string? model = null, long promptTokens = 0, long completionTokens = 0)
    {
        lock (_metricsLock)
        {
            // Basic counters
            _requests += 1;
            if (success)
            {
                _successes += 1;
            }
            else
            {
                _failures += 1;
            }

            // Latency tracking
            if (latency is { } value)
            {
                _latency.Add(value);
            }

            // Retry tracking
            if (retried)
            {
                _retries += 1;
            }

            // Token counting
            _promptTokens += promptTokens;
            _completionTokens += completionTokens;

            // Error tracking (type(error).__name__)
            var type = errorType ?? error?.GetType().Name;
            if (type is not null)
            {
                _errorTypes.TryGetValue(type, out var count);
                _errorTypes[type] = count + 1;
            }

            // Per-model tracking
            if (!string.IsNullOrEmpty(model))
            {
                if (!_models.TryGetValue(model, out var stats))
                {
                    stats = new GuideModel();
                    _models[model] = stats;
                }

                stats.Requests += 1;
                if (success)
                {
                    stats.Successes += 1;
                }
                else
                {
                    stats.Failures += 1;
                }

                if (latency is { } modelLatency)
                {
                    stats.Latency.Add(modelLatency);
                }
            }

            // Timestamp tracking
            _timestamps.Add(Now());
        }
    }

    /// <summary>
    /// What an application following the guide's advice ("reset metrics periodically") does: fresh lists. The
    /// per-request benchmark calls it every few million requests only to bound the benchmark process's memory.
    /// </summary>
    public void ResetMetrics()
    {
        lock (_metricsLock)
        {
            _requests = _successes = _failures = _retries = _promptTokens = _completionTokens = 0;
            _latency = [];
            _timestamps = [];
            _errorTypes = new Dictionary<string, long>(StringComparer.Ordinal);
            _models = new Dictionary<string, GuideModel>(StringComparer.Ordinal);
        }
    }

    /// <summary>The guide's <c>get_latency_metrics</c>: sorts the latency list in place, then indexes it.</summary>
    public Dictionary<string, object> GetLatencyMetrics()
    {
        lock (_metricsLock)
        {
            var latencyData = _latency;
            if (latencyData.Count == 0)
            {
                return new Dictionary<string, object>
                {
                    ["avg_latency"] = 0.0,
                    ["min_latency"] = 0.0,
                    ["max_latency"] = 0.0,
                    ["percentiles"] = new Dictionary<string, double> { ["50"] = 0, ["90"] = 0, ["95"] = 0, ["99"] = 0 },
                };
            }

            latencyData.Sort();
            var n = latencyData.Count;
            return new Dictionary<string, object>
            {
                ["avg_latency"] = Sum(latencyData) / n,
                ["min_latency"] = latencyData[0],
                ["max_latency"] = latencyData[^1],
                ["percentiles"] = new Dictionary<string, double>
                {
                    ["50"] = latencyData[(int)(n * 0.5)],
                    ["90"] = latencyData[(int)(n * 0.9)],
                    ["95"] = latencyData[(int)(n * 0.95)],
                    ["99"] = latencyData[(int)(n * 0.99)],
                },
            };
        }
    }

    /// <summary>The guide's <c>get_throughput_metrics</c>: filters the whole timestamp list into a new list.</summary>
    public Dictionary<string, object> GetThroughputMetrics(double timeWindow = 60)
    {
        lock (_metricsLock)
        {
            var currentTime = Now();
            var recentTimestamps = _timestamps.Where(ts => currentTime - ts <= timeWindow).ToList();
            var rps = recentTimestamps.Count > 0 ? recentTimestamps.Count / timeWindow : 0;
            var tokenThroughput = new Dictionary<string, double>();
            var totalTokens = _promptTokens + _completionTokens;
            if (_timestamps.Count > 0)
            {
                var elapsed = currentTime - _timestamps[0];
                if (elapsed > 0)
                {
                    tokenThroughput["tokens_per_second"] = totalTokens / elapsed;
                    tokenThroughput["prompt_tokens_per_second"] = _promptTokens / elapsed;
                    tokenThroughput["completion_tokens_per_second"] = _completionTokens / elapsed;
                }
            }

            return new Dictionary<string, object>
            {
                ["requests_per_second"] = rps,
                ["total_requests_in_window"] = recentTimestamps.Count,
                ["time_window_seconds"] = timeWindow,
                ["token_throughput"] = tokenThroughput,
            };
        }
    }

    /// <summary>The guide's <c>get_error_metrics</c>.</summary>
    public Dictionary<string, object?> GetErrorMetrics()
    {
        lock (_metricsLock)
        {
            var errorRate = _requests > 0 ? _failures / (double)_requests : 0;
            var categorized = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var (errorType, count) in _errorTypes)
            {
                var category = errorType.Contains("Timeout", StringComparison.Ordinal) ? "timeout" : "unexpected";
                categorized.TryGetValue(category, out var sum);
                categorized[category] = sum + count;
            }

            return new Dictionary<string, object?>
            {
                ["error_rate"] = errorRate,
                ["total_errors"] = _failures,
                ["error_types"] = new Dictionary<string, long>(_errorTypes, StringComparer.Ordinal),
                ["error_categories"] = categorized,
                ["most_common_error"] = _errorTypes.Count > 0 ? _errorTypes.MaxBy(e => e.Value).Key : null,
            };
        }
    }

    /// <summary>The guide's <c>get_model_metrics</c>: sums the model's whole latency list.</summary>
    public Dictionary<string, double> GetModelMetrics(string modelName)
    {
        lock (_metricsLock)
        {
            if (!_models.TryGetValue(modelName, out var model))
            {
                return new Dictionary<string, double> { ["requests"] = 0, ["success_rate"] = 0, ["avg_latency"] = 0 };
            }

            var total = model.Requests;
            return new Dictionary<string, double>
            {
                ["requests"] = total,
                ["successes"] = model.Successes,
                ["failures"] = model.Failures,
                ["success_rate"] = total > 0 ? model.Successes / (double)total : 0,
                ["avg_latency"] = model.Latency.Count > 0 ? Sum(model.Latency) / model.Latency.Count : 0,
            };
        }
    }

    /// <summary>The guide's <c>get_queue_metrics</c>.</summary>
    public Dictionary<string, double> GetQueueMetrics()
    {
        lock (_metricsLock)
        {
            return new Dictionary<string, double>
            {
                ["current_queue_size"] = 0,
                ["active_requests"] = 0,
                ["avg_queue_time_ms"] = _queueTime.Count > 0 ? Sum(_queueTime) / _queueTime.Count : 0,
                ["avg_queue_length"] = _queueLength.Count > 0 ? Sum(_queueLength) / _queueLength.Count : 0,
                ["max_queue_length"] = _queueLength.Count > 0 ? _queueLength.Max() : 0,
                ["queue_rejection_count"] = 0,
            };
        }
    }

    /// <summary>The guide's <c>get_circuit_breaker_metrics</c>.</summary>
    public Dictionary<string, object> GetCircuitBreakerMetrics()
    {
        lock (_metricsLock)
        {
            var currentTime = Now();
            var stateTime = new Dictionary<string, double>(StringComparer.Ordinal) { ["CLOSED"] = 0, ["OPEN"] = 0, ["HALF-OPEN"] = 0 };
            var prevState = "CLOSED";
            var prevTime = _timestamps.Count > 0 ? _timestamps[0] : currentTime;
            foreach (var (state, timestamp) in _stateChanges)
            {
                stateTime[prevState] += timestamp - prevTime;
                prevState = state;
                prevTime = timestamp;
            }

            stateTime[prevState] += currentTime - prevTime;
            var sum = stateTime.Values.Sum();
            return new Dictionary<string, object>
            {
                ["current_state"] = "CLOSED",
                ["failure_count"] = 0,
                ["failure_threshold"] = 5,
                ["open_circuit_count"] = _stateChanges.Count(c => c.State == "OPEN"),
                ["state_time_seconds"] = stateTime,
                ["uptime_percentage"] = sum > 0 ? stateTime["CLOSED"] / sum * 100 : 100,
            };
        }
    }

    /// <summary>The guide's <c>get_metrics_report</c>: every figure above, under the (re-entrant) lock.</summary>
    public Dictionary<string, object?> GetMetricsReport()
    {
        lock (_metricsLock)
        {
            var totalRequests = _requests;
            var models = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
            foreach (var model in _models.Keys)
            {
                models[model] = GetModelMetrics(model);
            }

            return new Dictionary<string, object?>
            {
                ["timestamp"] = Now(),
                ["api_name"] = _apiName,
                ["uptime_seconds"] = Now() - _startTime,
                ["total_requests"] = totalRequests,
                ["success_rate"] = totalRequests > 0 ? _successes / (double)totalRequests : 0,
                ["latency"] = GetLatencyMetrics(),
                ["queue"] = GetQueueMetrics(),
                ["circuit_breaker"] = GetCircuitBreakerMetrics(),
                ["errors"] = GetErrorMetrics(),
                ["throughput"] = GetThroughputMetrics(),
                ["models"] = models,
            };
        }
    }

    /// <summary>The guide's <c>get_prometheus_metrics</c>: a full report, then f-string lines.</summary>
    public string GetPrometheusMetrics()
    {
        var report = GetMetricsReport();
        var api = (string)report["api_name"]!;
        var latency = (Dictionary<string, object>)report["latency"]!;
        var percentiles = (Dictionary<string, double>)latency["percentiles"];
        var queue = (Dictionary<string, double>)report["queue"]!;
        var errors = (Dictionary<string, object?>)report["errors"]!;
        var throughput = (Dictionary<string, object>)report["throughput"]!;
        var lines = new List<string>
        {
            "# HELP api_requests_total Total number of API requests",
            "# TYPE api_requests_total counter",
            Line($"api_requests_total{{api=\"{api}\"}} {report["total_requests"]}"),
            "# HELP api_success_rate Success rate of API requests",
            "# TYPE api_success_rate gauge",
            Line($"api_success_rate{{api=\"{api}\"}} {report["success_rate"]}"),
            "# HELP api_latency_milliseconds API request latency in milliseconds",
            "# TYPE api_latency_milliseconds gauge",
            Line($"api_latency_milliseconds{{api=\"{api}\",percentile=\"50\"}} {percentiles["50"]}"),
            Line($"api_latency_milliseconds{{api=\"{api}\",percentile=\"95\"}} {percentiles["95"]}"),
            Line($"api_latency_milliseconds{{api=\"{api}\",percentile=\"99\"}} {percentiles["99"]}"),
            "# HELP api_queue_size Current number of requests in queue",
            "# TYPE api_queue_size gauge",
            Line($"api_queue_size{{api=\"{api}\"}} {queue["current_queue_size"]}"),
            "# HELP api_active_requests Current number of active requests",
            "# TYPE api_active_requests gauge",
            Line($"api_active_requests{{api=\"{api}\"}} {queue["active_requests"]}"),
            "# HELP api_error_rate Rate of API request errors",
            "# TYPE api_error_rate gauge",
            Line($"api_error_rate{{api=\"{api}\"}} {errors["error_rate"]}"),
            "# HELP api_circuit_state Current circuit breaker state (0=CLOSED, 1=HALF-OPEN, 2=OPEN)",
            "# TYPE api_circuit_state gauge",
            Line($"api_circuit_state{{api=\"{api}\"}} 0"),
            "# HELP api_throughput_rps Requests per second",
            "# TYPE api_throughput_rps gauge",
            Line($"api_throughput_rps{{api=\"{api}\"}} {throughput["requests_per_second"]}"),
        };

        foreach (var (model, stats) in (Dictionary<string, Dictionary<string, double>>)report["models"]!)
        {
            lines.AddRange(
            [
                "# HELP api_model_requests_total Total requests for a specific model",
                "# TYPE api_model_requests_total counter",
                Line($"api_model_requests_total{{api=\"{api}\",model=\"{model}\"}} {stats["requests"]}"),
                "# HELP api_model_success_rate Success rate for a specific model",
                "# TYPE api_model_success_rate gauge",
                Line($"api_model_success_rate{{api=\"{api}\",model=\"{model}\"}} {stats["success_rate"]}"),
                "# HELP api_model_latency_milliseconds Average latency for a specific model",
                "# TYPE api_model_latency_milliseconds gauge",
                Line($"api_model_latency_milliseconds{{api=\"{api}\",model=\"{model}\"}} {stats["avg_latency"]}"),
            ]);
        }

        return string.Join('\n', lines);
    }

    private static string Line(FormattableString line) => line.ToString(CultureInfo.InvariantCulture);

    private static double Sum(List<double> values)
    {
        var sum = 0.0;
        foreach (var value in values)
        {
            sum += value;
        }

        return sum;
    }

    private sealed class GuideModel
    {
        public long Requests { get; set; }

        public long Successes { get; set; }

        public long Failures { get; set; }

        public List<double> Latency { get; } = [];
    }
}
