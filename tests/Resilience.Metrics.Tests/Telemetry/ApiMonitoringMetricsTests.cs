using System.Diagnostics.Metrics;
using NSubstitute;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Resilience.Metrics.Tests.Telemetry;

public sealed class ApiMonitoringMetricsTests : IDisposable
{
    // Other tests' collectors publish on the same meter name at the same time: look only at this backend's series.
    private readonly string _backendName = $"otel-{Guid.NewGuid():N}";
    private readonly List<Metric> _exported = [];
    private readonly MeterProvider _provider;
    private readonly OwnMeterFactory _meters = new();
    private readonly MetricsCollector _collector;
    private readonly BackendKey _backend;

    public ApiMonitoringMetricsTests()
    {
        _collector = new MetricsCollector();
        ApiMonitoringTelemetry.Publish(_collector, _meters);
        _provider = Sdk.CreateMeterProviderBuilder().AddApiMonitoringInstrumentation().AddInMemoryExporter(_exported).Build();
        _backend = _collector.RegisterBackend(_backendName, new BackendRegistration { GenAiProviderName = "openai" });
    }

    public void Dispose()
    {
        _provider.Dispose();
        _collector.Dispose();
        _meters.Dispose();
    }

    private List<(Dictionary<string, object?> Tags, MetricPoint Point)> Points(string name)
    {
        _exported.Clear();
        _provider.ForceFlush();
        var result = new List<(Dictionary<string, object?>, MetricPoint)>();
        foreach (var metric in _exported.Where(m => m.Name == name))
        {
            foreach (ref readonly var point in metric.GetMetricPoints())
            {
                var tags = new Dictionary<string, object?>();
                foreach (var tag in point.Tags)
                {
                    tags[tag.Key] = tag.Value;
                }

                if (Equals(tags.GetValueOrDefault("api.backend"), _backendName))
                {
                    result.Add((tags, point));
                }
            }
        }

        return result;
    }

    [Fact]
    public void Requests_and_durations_carry_backend_model_outcome_and_error_tags()
    {
        _collector.RecordRequest(new RequestCompleted(_backend) { Succeeded = true, Model = "gpt-4o", Latency = TimeSpan.FromMilliseconds(200), PromptTokens = 12, CompletionTokens = 30 });
        _collector.RecordRequest(new RequestCompleted(_backend) { Succeeded = true, Model = "gpt-4o", Latency = TimeSpan.FromMilliseconds(400) });
        _collector.RecordRequest(new RequestCompleted(_backend) { Succeeded = false, Model = "gpt-4o", Latency = TimeSpan.FromSeconds(1), ErrorCategory = ErrorCategory.RateLimiting, ErrorType = "429" });

        var requests = Points("api.client.requests");
        var success = Assert.Single(requests, p => Equals(p.Tags["api.outcome"], "success"));
        Assert.Equal(2, success.Point.GetSumLong());
        Assert.Equal("gpt-4o", success.Tags["gen_ai.request.model"]);
        var failure = Assert.Single(requests, p => Equals(p.Tags["api.outcome"], "failure"));
        Assert.Equal(1, failure.Point.GetSumLong());
        Assert.Equal("429", failure.Tags["error.type"]);
        Assert.Equal("rate_limiting", failure.Tags["api.error.category"]);

        var durations = Points("api.client.request.duration");
        var successDuration = Assert.Single(durations, p => Equals(p.Tags["api.outcome"], "success")).Point;
        Assert.Equal(2, successDuration.GetHistogramCount());
        Assert.Equal(0.6, successDuration.GetHistogramSum(), 9);
    }

    [Fact]
    public void Gen_ai_token_usage_and_operation_duration_follow_the_semantic_conventions()
    {
        // The GenAI instruments carry no api.backend tag. The meter listener is process-wide and other tests record
        // tokens at the same time (for other providers too): tell this test's points apart by a model of its own.
        var model = $"gpt-4o-{Guid.NewGuid():N}";
        _collector.RecordRequest(new RequestCompleted(_backend) { Succeeded = true, Model = model, Latency = TimeSpan.FromMilliseconds(500), PromptTokens = 12, CompletionTokens = 30 });
        // An SDK's retry attempt: a retry of the request above, whose tokens are usage too.
        _collector.RecordRequest(new RequestCompleted(_backend) { Succeeded = true, Model = model, ClientRetryNumber = 1, Latency = TimeSpan.FromMilliseconds(300), PromptTokens = 8 });

        _exported.Clear();
        _provider.ForceFlush();
        var usage = _exported.Where(m => m.Name == "gen_ai.client.token.usage").SelectMany(m =>
        {
            var points = new List<(string Type, long Count, double Sum)>();
            foreach (ref readonly var point in m.GetMetricPoints())
            {
                var tags = new Dictionary<string, object?>();
                foreach (var tag in point.Tags)
                {
                    tags[tag.Key] = tag.Value;
                }

                if (!Equals(tags.GetValueOrDefault("gen_ai.request.model"), model))
                {
                    continue;
                }

                Assert.Equal("chat", tags["gen_ai.operation.name"]);
                Assert.Equal("openai", tags["gen_ai.provider.name"]);
                points.Add(((string)tags["gen_ai.token.type"]!, point.GetHistogramCount(), point.GetHistogramSum()));
            }

            return points;
        }).ToList();

        Assert.Equal(2, usage.Count);
        Assert.Contains(("input", 2L, 20.0), usage);
        Assert.Contains(("output", 1L, 30.0), usage);
        Assert.Contains(_exported, m => m.Name == "gen_ai.client.operation.duration" && m.Unit == "s");
    }

    [Fact]
    public void Retries_queue_and_circuit_instruments_report_their_events()
    {
        var queue = Substitute.For<IQueueState>();
        queue.CurrentQueueSize.Returns(2);
        queue.ActiveRequests.Returns(1);
        _collector.ObserveQueue(_backend, queue);
        _collector.RecordRetry(new RetryAttempted(_backend) { ErrorCategory = ErrorCategory.ServiceUnavailable, ErrorType = "503" });
        _collector.RecordQueue(new QueueEvent(_backend, QueueEventKind.Enqueued));
        _collector.RecordQueue(new QueueEvent(_backend, QueueEventKind.Enqueued));
        _collector.RecordQueue(new QueueEvent(_backend, QueueEventKind.Started, 1, TimeSpan.FromMilliseconds(250)));
        _collector.RecordQueue(new QueueEvent(_backend, QueueEventKind.Rejected, 2));
        _collector.RecordCircuitStateChange(new CircuitStateChanged(_backend, CircuitState.Open));

        Assert.Equal(1, Assert.Single(Points("api.client.retries")).Point.GetSumLong());
        Assert.Equal(0.25, Assert.Single(Points("api.client.queue.time")).Point.GetHistogramSum(), 9);
        Assert.Equal(1, Assert.Single(Points("api.client.queue.rejections")).Point.GetSumLong());
        Assert.Equal(2, Assert.Single(Points("api.client.queue.length")).Point.GetSumLong());
        Assert.Equal(1, Assert.Single(Points("api.client.active_requests")).Point.GetSumLong());
        var transition = Assert.Single(Points("api.client.circuit.transitions"));
        Assert.Equal("OPEN", transition.Tags["api.circuit.state"]);

        var states = Points("api.client.circuit.state").ToDictionary(p => (string)p.Tags["api.circuit.state"]!, p => p.Point.GetGaugeLastValueLong());
        Assert.Equal(new Dictionary<string, long> { ["CLOSED"] = 0, ["HALF-OPEN"] = 0, ["OPEN"] = 1 }, states);
        GC.KeepAlive(queue);
    }

    [Fact]
    public void Cost_is_an_observable_counter_in_USD_per_priced_model_read_from_the_collector()
    {
        var priced = _collector.RegisterBackend(_backendName, new BackendRegistration
        {
            GenAiProviderName = "openai",
            Pricing = new Dictionary<string, ModelPrice> { ["gpt-4o"] = new() { InputPerMillion = 2.5, OutputPerMillion = 10, CachedInputPerMillion = 1.25 } },
        });
        _collector.RecordRequest(new RequestCompleted(priced) { Succeeded = true, Model = "gpt-4o", PromptTokens = 10_000, CachedTokens = 4_000, CompletionTokens = 2_000 });
        _collector.RecordRequest(new RequestCompleted(priced) { Succeeded = true, Model = "llama3", PromptTokens = 10_000, CompletionTokens = 2_000 });

        var point = Assert.Single(Points("api.client.cost"));
        Assert.Equal("gpt-4o", point.Tags["gen_ai.request.model"]);
        Assert.Equal(0.04, point.Point.GetSumDouble(), 12);
        var metric = _exported.First(m => m.Name == "api.client.cost");
        Assert.Equal("USD", metric.Unit);
        Assert.Equal(MetricType.DoubleSum, metric.MetricType);

        _collector.RecordRequest(new RequestCompleted(priced) { Succeeded = true, Model = "gpt-4o", CompletionTokens = 100_000 });
        Assert.Equal(1.04, Assert.Single(Points("api.client.cost")).Point.GetSumDouble(), 12);
    }

    [Fact]
    public void A_backend_without_a_price_table_has_no_cost_series()
    {
        _collector.RecordRequest(new RequestCompleted(_backend) { Succeeded = true, Model = "gpt-4o", PromptTokens = 10_000, CompletionTokens = 2_000 });

        Assert.Empty(Points("api.client.cost"));
    }

    [Fact]
    public void Rate_limit_gauges_follow_the_latest_headers_by_backend_and_kind()
    {
        var now = _collector.TimeProvider.GetUtcNow().UtcTicks;
        var tokens = _collector.Get(_backend).RateLimits[RateLimitKind.Tokens];
        tokens.Write(2000000, 1999000, now + TimeSpan.FromMinutes(6).Ticks, now);

        var limit = Assert.Single(Points("api.client.rate_limit.limit"));
        Assert.Equal("tokens", limit.Tags["api.rate_limit.kind"]);
        Assert.Equal(2000000, limit.Point.GetGaugeLastValueLong());
        Assert.Equal(1999000, Assert.Single(Points("api.client.rate_limit.remaining")).Point.GetGaugeLastValueLong());
        Assert.InRange(Assert.Single(Points("api.client.rate_limit.reset")).Point.GetGaugeLastValueDouble(), 300, 360);

        tokens.Write(-1, 1000, -1, now);
        Assert.Equal(1000, Assert.Single(Points("api.client.rate_limit.remaining")).Point.GetGaugeLastValueLong());
    }

    /// <summary>
    /// Makes this test's meter distinct from every other collector's in the process (by a scope tag of its own).
    /// OpenTelemetry merges identical instruments of same-named meters into one stream, and when any of those meters is
    /// disposed (another test disposing its collector) it drops the whole stream: this test's points would vanish.
    /// </summary>
    private sealed class OwnMeterFactory : IMeterFactory
    {
        private readonly List<Meter> _created = [];
        private readonly string _id = Guid.NewGuid().ToString("N");

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(new MeterOptions(options.Name) { Version = options.Version, Tags = [new("test.instance", _id)], Scope = this });
            _created.Add(meter);
            return meter;
        }

        public void Dispose() => _created.ForEach(m => m.Dispose());
    }
}
