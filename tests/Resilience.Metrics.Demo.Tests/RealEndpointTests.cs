using System.Text.Json;
using Resilience.Metrics.Simulation;

namespace Resilience.Metrics.Demo.Tests;

/// <summary>
/// <c>--backend-url</c> sends a backend's traffic to another endpoint, with the key from its environment variable. A
/// second simulation server stands in for the real endpoint: it refuses requests without a credential, as OpenAI does.
/// </summary>
[Collection(DemoRuns.Name)]
public sealed class RealEndpointTests : IDisposable
{
    private const string Key = "sk-demo-test-0123456789abcdef";

    private readonly string _output = Path.Combine(Path.GetTempPath(), "resilience-metrics-demo-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task A_backend_url_gets_the_traffic_with_the_key_from_the_environment_and_the_key_is_never_printed()
    {
        await using var endpoint = await SimulatedBackendServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var previous = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
        Environment.SetEnvironmentVariable("OPENAI_API_KEY", Key);
        try
        {
            await using var demo = DemoHarness.Start(
                "--duration", "2", "--rps", "10", "--backends", "openai",
                "--backend-url", $"openai={endpoint.BaseAddressOf(SimulatedApi.OpenAI)}", "--output", _output);

            Assert.Equal(0, await demo.Run.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));

            var served = endpoint[SimulatedApi.OpenAI];
            Assert.True(served.Requests > 0);
            Assert.Equal(served.Requests, served.Succeeded);       // every request carried the credential; no scripted faults
            Assert.Contains("real endpoint", demo.Output, StringComparison.Ordinal);
            Assert.Contains("OPENAI_API_KEY: set", demo.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(Key, demo.Output, StringComparison.Ordinal);
            foreach (var file in Directory.GetFiles(_output))
            {
                Assert.DoesNotContain(Key, await File.ReadAllTextAsync(file, TestContext.Current.CancellationToken), StringComparison.Ordinal);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable("OPENAI_API_KEY", previous);
        }
    }

    [Fact]
    public async Task Without_the_key_a_real_endpoint_refuses_and_the_failures_are_authentication_errors()
    {
        await using var endpoint = await SimulatedBackendServer.StartAsync(cancellationToken: TestContext.Current.CancellationToken);
        var previous = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
        Environment.SetEnvironmentVariable("OPENAI_API_KEY", null);
        try
        {
            await using var demo = DemoHarness.Start(
                "--duration", "2", "--rps", "10", "--backends", "openai",
                "--backend-url", $"openai={endpoint.BaseAddressOf(SimulatedApi.OpenAI)}", "--output", _output);

            Assert.Equal(0, await demo.Run.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken));

            Assert.Contains("OPENAI_API_KEY: not set", demo.Output, StringComparison.Ordinal);
            using var report = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_output, "report.json"), TestContext.Current.CancellationToken));
            var openai = report.RootElement.GetProperty("openai");
            Assert.True(openai.GetProperty("total_requests").GetInt64() > 0);
            Assert.Equal(openai.GetProperty("total_requests").GetInt64(), openai.GetProperty("errors").GetProperty("error_categories").GetProperty("authentication").GetInt64());
        }
        finally
        {
            Environment.SetEnvironmentVariable("OPENAI_API_KEY", previous);
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_output))
        {
            Directory.Delete(_output, recursive: true);
        }
    }
}
