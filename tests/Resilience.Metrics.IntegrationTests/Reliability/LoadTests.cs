using System.Net;
using Microsoft.Extensions.DependencyInjection;

namespace Resilience.Metrics.IntegrationTests.Reliability;

[Collection(typeof(MemoryMeasuringTests))]
public class LoadTests
{
    private const string Usage = """{"id":"x","model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8}}""";
    private static readonly string[] Models = ["gpt-4o", "gpt-4o-mini", "o3", "gpt-4.1", "gpt-4.1-nano"];

    [Fact]
    public async Task A_million_requests_from_sixteen_callers_add_up_exactly_in_flat_memory()
    {
        const int callers = 16;
        const int perCaller = 62_500;
        const int warmUp = 2_000;
        var backend = new InMemoryBackend((request, call) => call % 7 == 0
            ? InMemoryBackend.Json(request, """{"error":{"message":"bad"}}""", HttpStatusCode.BadRequest)
            : InMemoryBackend.Json(request, Usage));
        var services = new ServiceCollection();
        services.AddHttpClient("load", c => c.BaseAddress = new Uri("https://api.openai.com/"))
            .AddApiMonitoring(o =>
            {
                o.ApiFormat = ApiFormat.OpenAI;
                o.Queue.MaxConcurrentRequests = 32;
            })
            .ConfigurePrimaryHttpMessageHandler(() => backend);
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("load");
        var reporter = provider.GetRequiredService<IMetricsReporter>();
        long okSeen = 0, failedSeen = 0;
        long memoryAfterWarmUp = 0;
        using var warm = new CountdownEvent(callers);
        var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();

        await Task.WhenAll(Enumerable.Range(0, callers).Select(caller => Task.Run(async () =>
        {
            try
            {
                for (var i = 0; i < perCaller; i++)
                {
                    if (i == warmUp)
                    {
                        warm.Signal();
                        if (caller == 0)
                        {
                            warm.Wait(TestContext.Current.CancellationToken);
                            memoryAfterWarmUp = GC.GetTotalMemory(forceFullCollection: true);
                        }
                    }

                    using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions");
                    request.SetApiModel(Models[(caller + i) % Models.Length]);
                    using var response = await client.SendAsync(request, TestContext.Current.CancellationToken);
                    Interlocked.Increment(ref response.IsSuccessStatusCode ? ref okSeen : ref failedSeen);
                }
            }
            catch (Exception exception)
            {
                errors.Add(exception);
            }
        })));

        var memoryAtEnd = GC.GetTotalMemory(forceFullCollection: true);
        Assert.Empty(errors);
        var report = reporter.GetMetricsReport("load");
        Assert.Equal(callers * perCaller, report.TotalRequests);
        Assert.Equal(okSeen, report.Successes);
        Assert.Equal(failedSeen, report.Failures);
        Assert.Equal(callers * perCaller / 7, report.Failures);
        Assert.Equal(report.Failures, report.Errors.ErrorCategories["invalid_request"]);
        Assert.Equal(new TokenCounts(3 * okSeen, 5 * okSeen), report.TokenCounts);
        Assert.Equal(report.TotalRequests, report.Models.Values.Sum(m => m.Requests));
        Assert.Equal(report.Successes, report.Models.Values.Sum(m => m.Successes));
        Assert.Equal(report.TokenCounts.Completion, report.Models.Values.Sum(m => m.TokenCounts.Completion));
        Assert.Equal(report.TotalRequests, report.Latency.Count);
        Assert.Equal(0, report.MonitoringErrors);
        Assert.Equal(0, report.Queue.ActiveRequests);

        // Flat memory: nothing per request is kept; what grows after warm-up is noise (pools, JIT), not data.
        Assert.True(memoryAtEnd - memoryAfterWarmUp < 8 * 1024 * 1024, $"memory grew by {(memoryAtEnd - memoryAfterWarmUp) / 1024} KiB");
    }
}
