using System.Globalization;
using System.Text;
using Resilience.Metrics.Simulation;

namespace Resilience.Metrics.Demo;

/// <summary>Builds the demo's requests: each API's real request shape, a mix of models, some of them streamed.</summary>
internal static class DemoRequests
{
    /// <summary>The credential headers the simulated requests carry (fake values) and real endpoints get from the environment.</summary>
    public static IReadOnlyList<string> CredentialHeaders { get; } = ["Authorization", "x-api-key", "x-goog-api-key"];

    private static long s_objectNumber;

    /// <summary>One request of <paramref name="backend"/>'s traffic mix.</summary>
    /// <param name="backend">The backend.</param>
    /// <param name="model">A model that replaces the backend's mix (<c>--model</c>), or null.</param>
    /// <param name="random">The load generator's random source (one thread).</param>
    /// <param name="fault">A scripted client-side fault.</param>
    public static HttpRequestMessage Create(DemoBackend backend, string? model, Random random, ClientFault fault = ClientFault.None)
    {
        var stream = random.NextDouble() < backend.StreamShare;
        var chosen = model ?? Pick(backend.Models, random);
        HttpRequestMessage request;
        if (backend.Api == SimulatedApi.Ovms && model is null && chosen == "resnet50")
        {
            request = SimulatedRequests.CreateOvmsPredict(chosen);
        }
        else if (backend.Api == SimulatedApi.S3 && random.NextDouble() < 0.2)
        {
            var n = Interlocked.Increment(ref s_objectNumber) % 50;
            var body = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"object\":{n},\"note\":\"written by the demo\"}}"));
            request = SimulatedRequests.CreateS3Put(string.Create(CultureInfo.InvariantCulture, $"demo/object-{n}.json"), body, model);
        }
        else
        {
            request = SimulatedRequests.Create(backend.Api, chosen, stream);
        }

        switch (fault)
        {
            case ClientFault.MissingCredentials:
                RemoveCredentials(request);
                break;
            case ClientFault.InvalidBody:
                request.Content = new StringContent("""{"messages":[{"role":"user","content":"Hi"}]}""", Encoding.UTF8, "application/json");
                break;
        }

        return request;
    }

    /// <summary>Removes the credential headers (the simulated requests carry fake ones).</summary>
    public static void RemoveCredentials(HttpRequestMessage request)
    {
        foreach (var header in CredentialHeaders)
        {
            request.Headers.Remove(header);
        }

        request.Headers.Remove("x-amz-date");
        request.Headers.Remove("x-amz-content-sha256");
    }

    private static string Pick(IReadOnlyList<(string Model, double Share)> models, Random random)
    {
        var draw = random.NextDouble();
        foreach (var (name, share) in models)
        {
            if (draw < share)
            {
                return name;
            }

            draw -= share;
        }

        return models[^1].Model;
    }
}
