using System.Diagnostics.Metrics;
using System.Net;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Resilience.Metrics.Benchmarks.Guide;

namespace Resilience.Metrics.Benchmarks;

/// <summary>
/// Suite 1: one request through a Polly pipeline whose callback completes synchronously, so what is measured is the
/// pipeline itself. Every variant runs the same harness (a pooled context carrying the model, one execution).
/// </summary>
[MemoryDiagnoser]
public class PipelineBenchmarks
{
    /// <summary>The guide's lists are replaced after this many requests, only to bound the benchmark's memory.</summary>
    public const int GuideResetEvery = 1 << 22;

    private static readonly HttpResponseMessage Ok = new(HttpStatusCode.OK);

    // A 200 as OpenAI sends it: its request id, its processing time and the six rate-limit headers.
    private static readonly HttpResponseMessage OkWithRateLimits = WithHeaders(
        ("x-request-id", "req_8f1c2a"), ("openai-processing-ms", "412"),
        ("x-ratelimit-limit-requests", "10000"), ("x-ratelimit-remaining-requests", "9999"), ("x-ratelimit-reset-requests", "8.64s"),
        ("x-ratelimit-limit-tokens", "2000000"), ("x-ratelimit-remaining-tokens", "1999000"), ("x-ratelimit-reset-tokens", "6m0s"));

    // The same without rate-limit headers: what (g) adds is the reading of the six.
    private static readonly HttpResponseMessage OkWithOtherHeaders = WithHeaders(
        ("x-request-id", "req_8f1c2a"), ("openai-processing-ms", "412"), ("openai-version", "2020-10-01"), ("cf-ray", "8c1d2e3f4a5b6c7d-AMS"),
        ("server", "cloudflare"), ("strict-transport-security", "max-age=31536000"), ("x-content-type-options", "nosniff"), ("alt-svc", "h3=\":443\""));

    private static readonly Func<ResilienceContext, HttpResponseMessage, ValueTask<Outcome<HttpResponseMessage>>> Callback =
        static (_, response) => Outcome.FromResultAsValueTask(response);

    private ResiliencePipeline<HttpResponseMessage> _empty = null!;
    private ResiliencePipeline<HttpResponseMessage> _polly = null!;
    private ResiliencePipeline<HttpResponseMessage> _pollyTelemetry = null!;
    private ResiliencePipeline<HttpResponseMessage> _monitored = null!;
    private ResiliencePipeline<HttpResponseMessage> _monitoredTracing = null!;
    private ResiliencePipeline<HttpResponseMessage> _guidePipeline = null!;
    private MetricsCollector _collector = null!;
    private GuideMetrics _guide = null!;
    private MeterListener? _listener;
    private int _guideRequests;

    /// <summary>Measurements the Polly meter listener received (so the listener does real work).</summary>
    public long PollyMeasurements { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        _empty = new ResiliencePipelineBuilder<HttpResponseMessage>().Build();
        _polly = AddPollyStrategies(new ResiliencePipelineBuilder<HttpResponseMessage>()).Build();

        _pollyTelemetry = AddPollyStrategies(new ResiliencePipelineBuilder<HttpResponseMessage>())
            .ConfigureTelemetry(NullLoggerFactory.Instance)
            .Build();
        _listener = new MeterListener
        {
            InstrumentPublished = static (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Polly")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        _listener.SetMeasurementEventCallback<double>((_, _, _, _) => PollyMeasurements++);
        _listener.SetMeasurementEventCallback<long>((_, _, _, _) => PollyMeasurements++);
        _listener.SetMeasurementEventCallback<int>((_, _, _, _) => PollyMeasurements++);
        _listener.Start();

        _collector = new MetricsCollector();
        ApiMonitoringTelemetry.Publish(_collector);   // as AddApiMonitoring() does: the instruments are there, disabled until listened to
        _monitored = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddApiMonitoring<HttpResponseMessage>("bench", _collector, o => o.RequestTracing = false)
            .Build();
        _monitoredTracing = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddApiMonitoring<HttpResponseMessage>("bench-tracing", _collector, o => o.RequestTracing = true)
            .Build();

        _guide = new GuideMetrics("bench");
        _guidePipeline = AddPollyStrategies(new ResiliencePipelineBuilder<HttpResponseMessage>().AddGuideMonitoring(_guide)).Build();
    }

    /// <summary>
    /// What the monitored pipeline protects a backend with, from Polly alone, configured as <c>AddApiMonitoring</c>'s
    /// defaults: a concurrency limit of 5 with a queue of 100, 3 exponential retries of transient outcomes, a breaker
    /// opening after 5 transient failures in 30 s for 30 s.
    /// </summary>
    internal static ResiliencePipelineBuilder<HttpResponseMessage> AddPollyStrategies(ResiliencePipelineBuilder<HttpResponseMessage> builder) => builder
        .AddConcurrencyLimiter(permitLimit: 5, queueLimit: 100)
        .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = 3,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromSeconds(1),
            MaxDelay = TimeSpan.FromSeconds(30),
            UseJitter = true,
            ShouldHandle = static args => new ValueTask<bool>(Outcomes.IsTransient(args.Outcome)),
        })
        .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            FailureRatio = 1.0,
            MinimumThroughput = 5,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = TimeSpan.FromSeconds(30),
            ShouldHandle = static args => new ValueTask<bool>(Outcomes.IsTransient(args.Outcome)),
        });

    [GlobalCleanup]
    public void Cleanup()
    {
        _listener?.Dispose();
        _collector.Dispose();
    }

    [Benchmark(Baseline = true, Description = "a. empty pipeline")]
    public HttpResponseMessage? A_Empty() => Execute(_empty);

    [Benchmark(Description = "b. Polly queue+retry+breaker")]
    public HttpResponseMessage? B_Polly() => Execute(_polly);

    [Benchmark(Description = "c. (b) + Polly telemetry + listener")]
    public HttpResponseMessage? C_PollyTelemetry() => Execute(_pollyTelemetry);

    [Benchmark(Description = "d. AddApiMonitoring")]
    public HttpResponseMessage? D_Monitored() => Execute(_monitored);

    [Benchmark(Description = "e. AddApiMonitoring + tracing")]
    public HttpResponseMessage? E_MonitoredTracing() => Execute(_monitoredTracing);

    [Benchmark(Description = "g. (d), a response with 8 other headers")]
    public HttpResponseMessage? G_MonitoredOtherHeaders() => Execute(_monitored, OkWithOtherHeaders);

    [Benchmark(Description = "h. (d), a response with OpenAI's rate-limit headers")]
    public HttpResponseMessage? H_MonitoredRateLimitHeaders() => Execute(_monitored, OkWithRateLimits);

    [Benchmark(Description = "f. (b) + guide's _update_metrics")]
    public HttpResponseMessage? F_Guide()
    {
        if (++_guideRequests == GuideResetEvery)
        {
            _guideRequests = 0;
            _guide.ResetMetrics();
        }

        return Execute(_guidePipeline);
    }

    internal static HttpResponseMessage? Execute(ResiliencePipeline<HttpResponseMessage> pipeline) => Execute(pipeline, Ok);

    private static HttpResponseMessage WithHeaders(params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK);
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    internal static HttpResponseMessage? Execute(ResiliencePipeline<HttpResponseMessage> pipeline, HttpResponseMessage response)
    {
        var context = ResilienceContextPool.Shared.Get();
        context.Properties.Set(ApiMonitoringContext.Model, BenchData.Model);
        var pending = pipeline.ExecuteOutcomeAsync(Callback, context, response);
        var outcome = pending.IsCompletedSuccessfully ? pending.Result : pending.AsTask().GetAwaiter().GetResult();
        ResilienceContextPool.Shared.Return(context);
        return outcome.Result;
    }
}
