using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Resilience.Metrics.Simulation.Tests;

public sealed class ServerTests
{
    [Fact]
    public async Task Server_listens_on_loopback_and_exposes_every_api()
    {
        await using var server = await Sim.StartAsync();

        Assert.Equal("127.0.0.1", server.BaseAddress.Host);
        Assert.Equal(server.Port, server.BaseAddress.Port);
        Assert.Equal(Enum.GetValues<SimulatedApi>(), server.Apis);
        Assert.Equal(new Uri(server.BaseAddress, "openai/"), server.BaseAddressOf(SimulatedApi.OpenAI));
        Assert.Equal(new Uri(server.BaseAddress, "tgi/"), server.BaseAddressOf(SimulatedApi.HuggingFaceTgi));
        Assert.All(server.Apis, api => Assert.Equal(api, server[api].Api));
    }

    [Fact]
    public async Task Unknown_paths_are_404_and_not_counted()
    {
        await using var server = await Sim.StartAsync();
        using var client = new HttpClient { BaseAddress = server.BaseAddress };
        using var response = await client.GetAsync(new Uri("openai/v1/unknown", UriKind.Relative), Sim.Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, server[SimulatedApi.OpenAI].Requests);
    }

    [Fact]
    public async Task Disposal_releases_the_port()
    {
        var server = await Sim.StartAsync();
        var port = server.Port;
        using (await Sim.SendAsync(server, SimulatedApi.OpenAI))
        {
        }

        await server.DisposeAsync();

        using var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        listener.Stop();
        await using var again = await SimulatedBackendServer.StartAsync(new SimulationOptions { Port = port }, Sim.Ct);
        Assert.Equal(port, again.Port);
    }

    [Fact]
    public async Task Disposal_is_prompt_with_requests_in_flight()
    {
        var server = await Sim.StartAsync(new SimulationOptions { StreamChunkDelay = TimeSpan.FromSeconds(1), CompletionTokens = 60 });
        server[SimulatedApi.OpenAI].Latency = LatencyModel.Fixed(TimeSpan.FromSeconds(60));
        using var client = Sim.Client(server, SimulatedApi.OpenAI);
        using var streamClient = Sim.Client(server, SimulatedApi.Anthropic);
        using var waiting = SimulatedRequests.Create(SimulatedApi.OpenAI);
        using var streaming = SimulatedRequests.Create(SimulatedApi.Anthropic, stream: true);
        var pending = client.SendAsync(waiting, Sim.Ct);
        using var stream = await streamClient.SendAsync(streaming, HttpCompletionOption.ResponseHeadersRead, Sim.Ct);
        while (server[SimulatedApi.OpenAI].InFlight == 0)
        {
            await Task.Delay(10, Sim.Ct);
        }

        var watch = Stopwatch.StartNew();
        await server.DisposeAsync();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), watch.Elapsed.ToString());
        await Assert.ThrowsAsync<HttpRequestException>(() => pending);
        await server.DisposeAsync(); // idempotent
    }

    [Fact]
    public async Task Starting_on_a_busy_port_fails()
    {
        await using var server = await Sim.StartAsync();

        await Assert.ThrowsAnyAsync<IOException>(() => SimulatedBackendServer.StartAsync(new SimulationOptions { Port = server.Port }, Sim.Ct));
    }

    [Fact]
    public async Task Concurrent_requests_are_all_counted_exactly()
    {
        await using var server = await Sim.StartAsync();
        var apis = new[] { SimulatedApi.OpenAI, SimulatedApi.Anthropic, SimulatedApi.Gemini, SimulatedApi.Ollama };

        await Parallel.ForEachAsync(Enumerable.Range(0, 40), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Sim.Ct }, async (i, _) =>
        {
            using var response = await Sim.SendAsync(server, apis[i % apis.Length], stream: i % 3 == 0);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        });

        Assert.All(apis, api =>
        {
            Assert.Equal(10, server[api].Succeeded);
            Assert.Equal(10L * SimulatedRequests.PromptTokens(api), server[api].TotalPromptTokens);
            Assert.Equal(160, server[api].TotalCompletionTokens);
        });
    }
}
