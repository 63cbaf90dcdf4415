using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Resilience.Metrics.Simulation.Tests;

/// <summary>Test helpers: a fast server, a plain client per API, and stream readers.</summary>
internal static class Sim
{
    public static Task<SimulatedBackendServer> StartAsync(SimulationOptions? options = null) =>
        SimulatedBackendServer.StartAsync(options ?? new SimulationOptions { StreamChunkDelay = TimeSpan.FromMilliseconds(1) }, TestContext.Current.CancellationToken);

    public static HttpClient Client(SimulatedBackendServer server, SimulatedApi api, TimeSpan? timeout = null) =>
        new() { BaseAddress = server.BaseAddressOf(api), Timeout = timeout ?? TimeSpan.FromSeconds(30) };

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<HttpResponseMessage> SendAsync(SimulatedBackendServer server, SimulatedApi api, bool stream = false, string? model = null)
    {
        using var client = Client(server, api);
        using var request = SimulatedRequests.Create(api, model, stream);
        var response = await client.SendAsync(request, Ct);
        await response.Content.LoadIntoBufferAsync(Ct);
        return response;
    }

    public static async Task<JsonDocument> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));

    public static HttpRequestMessage Post(string path, string json, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    public static (string Name, string Value) Bearer => ("Authorization", "Bearer sk-test");

    /// <summary>The SSE events of a body: (event name or null, data) pairs.</summary>
    public static List<(string? Event, string Data)> ParseSse(string body)
    {
        var events = new List<(string?, string)>();
        string? name = null;
        var data = new StringBuilder();
        foreach (var raw in body.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    events.Add((name, data.ToString()));
                }

                name = null;
                data.Clear();
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                name = line["event:".Length..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Append(line["data:".Length..].TrimStart());
            }
        }

        return events;
    }

    public static string MediaType(HttpResponseMessage response) => response.Content.Headers.ContentType?.MediaType ?? "";

    public static async Task<string> TextAsync(HttpResponseMessage response) => await response.Content.ReadAsStringAsync(Ct);

    public static int Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    public static void RemoveCredentials(HttpRequestMessage request)
    {
        request.Headers.Authorization = null;
        request.Headers.Remove("x-api-key");
        request.Headers.Remove("x-goog-api-key");
        request.Headers.Remove("Authorization");
    }

    public static MediaTypeHeaderValue Json => new("application/json");
}
