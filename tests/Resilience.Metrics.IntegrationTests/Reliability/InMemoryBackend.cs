using System.Net;
using System.Text;

namespace Resilience.Metrics.IntegrationTests.Reliability;

/// <summary>A backend in memory: answers with whatever <see cref="Respond"/> returns, counting calls.</summary>
internal sealed class InMemoryBackend(Func<HttpRequestMessage, long, HttpResponseMessage> respond) : HttpMessageHandler
{
    private long _calls;

    public long Calls => Interlocked.Read(ref _calls);

    public Func<HttpRequestMessage, long, HttpResponseMessage> Respond { get; } = respond;

    public static HttpResponseMessage Json(HttpRequestMessage request, string json, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json"), RequestMessage = request };

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromResult(Respond(request, Interlocked.Increment(ref _calls)));
}
