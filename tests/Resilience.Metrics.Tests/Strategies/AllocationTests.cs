using System.Net;
using Polly;

namespace Resilience.Metrics.Tests.Strategies;

/// <summary>
/// What a request allocates, measured on the test's own thread. It runs alone: a span listener of another test
/// (OpenTelemetry's tracer provider is process-wide) would make this test's pipeline create spans on the measured thread.
/// </summary>
[Collection(nameof(AllocationTests))]
public sealed class AllocationTests
{
    [Fact]
    public void A_request_through_every_strategy_of_a_polly_pipeline_allocates_nothing_per_request()
    {
        using var collector = new MetricsCollector();

        // The strategies' hot path (queue, retry, breaker, request monitoring, the collector with its windows, spans
        // without a listener, the request event passed by reference), without HTTP: the HttpClient path reads headers and
        // bodies, whose cost benchmarks/ measures (suite 2).
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddApiMonitoring<HttpResponseMessage>("zero-alloc", collector)
            .Build();
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        var context = ResilienceContextPool.Shared.Get(TestContext.Current.CancellationToken);
        for (var i = 0; i < 100; i++)
        {
            pipeline.Execute(static (_, r) => r, context, response);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            pipeline.Execute(static (_, r) => r, context, response);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        ResilienceContextPool.Shared.Return(context);

        // Nothing per request: the smallest object is 24 bytes, so one per request would be 24,000 bytes here. (A test
        // build may still make a one-off object in a thousand calls, such as tiered JIT's; benchmarks/ measures 0 B.)
        Assert.InRange(allocated, 0, 1000);
        Assert.Equal(1100, new MetricsReporter(collector).GetMetricsReport("zero-alloc").TotalRequests);
    }
}

[CollectionDefinition(nameof(AllocationTests), DisableParallelization = true)]
public sealed class AllocationTestsDefinition;
