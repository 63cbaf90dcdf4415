using System.Net;
using BenchmarkDotNet.Attributes;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;

namespace Resilience.Metrics.Benchmarks;

/// <summary>
/// Profiling aid for suite 1: each strategy of the monitored pipeline alone (and Polly's counterpart), and the
/// collector's RecordRequest called directly, so a pipeline's cost can be split by strategy.
/// </summary>
[MemoryDiagnoser]
public class BreakdownBenchmarks
{
    private static readonly HttpResponseMessage Ok = new(HttpStatusCode.OK);

    private ResiliencePipeline<HttpResponseMessage> _empty = null!;
    private ResiliencePipeline<HttpResponseMessage> _pollyLimiter = null!;
    private ResiliencePipeline<HttpResponseMessage> _pollyRetry = null!;
    private ResiliencePipeline<HttpResponseMessage> _pollyBreaker = null!;
    private ResiliencePipeline<HttpResponseMessage> _ourRequestMonitoring = null!;
    private ResiliencePipeline<HttpResponseMessage> _ourQueue = null!;
    private ResiliencePipeline<HttpResponseMessage> _ourRetry = null!;
    private ResiliencePipeline<HttpResponseMessage> _ourBreaker = null!;
    private ResiliencePipeline<HttpResponseMessage> _pollyComposed = null!;
    private ResiliencePipeline<HttpResponseMessage> _oursComposedWithoutMonitoring = null!;
    private ResiliencePipeline<HttpResponseMessage> _oursComposed = null!;
    private ResiliencePipeline<HttpResponseMessage> _oursComposedUnfused = null!;
    private ResiliencePipeline<HttpResponseMessage> _monitoringOverPolly = null!;
    private MetricsCollector _collector = null!;
    private BackendKey _backend;

    [GlobalSetup]
    public void Setup()
    {
        _collector = new MetricsCollector();
        ApiMonitoringTelemetry.Publish(_collector);   // as AddApiMonitoring() does: the instruments are there, disabled until listened to
        _backend = _collector.RegisterBackend("breakdown");
        var options = new ApiMonitoringOptions();
        _empty = new ResiliencePipelineBuilder<HttpResponseMessage>().Build();
        _pollyLimiter = new ResiliencePipelineBuilder<HttpResponseMessage>().AddConcurrencyLimiter(5, 100).Build();
        _pollyRetry = new ResiliencePipelineBuilder<HttpResponseMessage>().AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            MaxRetryAttempts = 3,
            ShouldHandle = static args => new ValueTask<bool>(Outcomes.IsTransient(args.Outcome)),
        }).Build();
        _pollyBreaker = new ResiliencePipelineBuilder<HttpResponseMessage>().AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
        {
            ShouldHandle = static args => new ValueTask<bool>(Outcomes.IsTransient(args.Outcome)),
        }).Build();
        _ourRequestMonitoring = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddApiRequestMonitoring(_backend, _collector, new RequestMonitoringStrategyOptions()).Build();
        _ourQueue = new ResiliencePipelineBuilder<HttpResponseMessage>().AddApiQueue(_backend, _collector, options.Queue).Build();
        _ourRetry = new ResiliencePipelineBuilder<HttpResponseMessage>().AddApiRetry(_backend, _collector, options.Retry).Build();
        _ourBreaker = new ResiliencePipelineBuilder<HttpResponseMessage>().AddApiCircuitBreaker(_backend, _collector, options.CircuitBreaker).Build();

        _pollyComposed = PipelineBenchmarks.AddPollyStrategies(new ResiliencePipelineBuilder<HttpResponseMessage>()).Build();
        _oursComposedWithoutMonitoring = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddApiQueue(_backend, _collector, options.Queue)
            .AddApiRetry(_backend, _collector, options.Retry)
            .AddApiCircuitBreaker(_backend, _collector, options.CircuitBreaker)
            .Build();
        _oursComposed = new ResiliencePipelineBuilder<HttpResponseMessage>().AddApiMonitoring<HttpResponseMessage>("breakdown-composed", _collector).Build();
        _oursComposedUnfused = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddApiRequestMonitoring(_backend, _collector, new RequestMonitoringStrategyOptions())
            .AddApiQueue(_backend, _collector, options.Queue)
            .AddApiRetry(_backend, _collector, options.Retry)
            .AddApiCircuitBreaker(_backend, _collector, options.CircuitBreaker)
            .Build();
        _monitoringOverPolly = PipelineBenchmarks.AddPollyStrategies(new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddApiRequestMonitoring(_backend, _collector, new RequestMonitoringStrategyOptions())).Build();
    }

    [GlobalCleanup]
    public void Cleanup() => _collector.Dispose();

    [Benchmark(Baseline = true)]
    public HttpResponseMessage? Empty() => PipelineBenchmarks.Execute(_empty);

    [Benchmark]
    public HttpResponseMessage? Polly_ConcurrencyLimiter() => PipelineBenchmarks.Execute(_pollyLimiter);

    [Benchmark]
    public HttpResponseMessage? Polly_Retry() => PipelineBenchmarks.Execute(_pollyRetry);

    [Benchmark]
    public HttpResponseMessage? Polly_CircuitBreaker() => PipelineBenchmarks.Execute(_pollyBreaker);

    [Benchmark]
    public HttpResponseMessage? Ours_RequestMonitoring() => PipelineBenchmarks.Execute(_ourRequestMonitoring);

    [Benchmark]
    public HttpResponseMessage? Ours_Queue() => PipelineBenchmarks.Execute(_ourQueue);

    [Benchmark]
    public HttpResponseMessage? Ours_Retry() => PipelineBenchmarks.Execute(_ourRetry);

    [Benchmark]
    public HttpResponseMessage? Ours_CircuitBreaker() => PipelineBenchmarks.Execute(_ourBreaker);

    [Benchmark(Description = "Polly limiter+retry+breaker (= suite 1 b)")]
    public HttpResponseMessage? Composed_Polly() => PipelineBenchmarks.Execute(_pollyComposed);

    [Benchmark(Description = "our queue+retry+breaker, no request monitoring")]
    public HttpResponseMessage? Composed_OursWithoutMonitoring() => PipelineBenchmarks.Execute(_oursComposedWithoutMonitoring);

    [Benchmark(Description = "AddApiMonitoring (= suite 1 d)")]
    public HttpResponseMessage? Composed_Ours() => PipelineBenchmarks.Execute(_oursComposed);

    [Benchmark(Description = "monitoring, queue, retry, breaker as four strategies")]
    public HttpResponseMessage? Composed_OursUnfused() => PipelineBenchmarks.Execute(_oursComposedUnfused);

    [Benchmark(Description = "request monitoring over Polly's limiter+retry+breaker")]
    public HttpResponseMessage? Composed_MonitoringOverPolly() => PipelineBenchmarks.Execute(_monitoringOverPolly);

    [Benchmark]
    public void Collector_RecordRequest() => _collector.RecordRequest(new RequestCompleted(_backend)
    {
        Model = BenchData.Model,
        Latency = TimeSpan.FromTicks(1234),
        Succeeded = true,
        Attempts = 1,
    });
}
