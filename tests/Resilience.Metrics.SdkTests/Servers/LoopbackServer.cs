using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Resilience.Metrics.SdkTests.Servers;

/// <summary>What the server received: enough to tell the core what an SDK's requests look like on the wire.</summary>
/// <param name="RetryCount">The <c>x-stainless-retry-count</c> header the Stainless-generated SDKs send (0 on a first attempt), if any.</param>
internal sealed record ReceivedRequest(string Method, string Path, string? ContentType, long? ContentLength, string? TransferEncoding, string Body, string? RetryCount = null);

/// <summary>
/// A minimal Kestrel app on 127.0.0.1 (port 0) that counts every attempt it receives and how many it served at once.
/// A request is in flight from its first byte in until its last byte out (the response is completed before the
/// count drops), so a stream counts until its end.
/// </summary>
internal sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _attempts;
    private int _inFlight;
    private int _maxInFlight;

    private LoopbackServer(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Requests (attempts) received.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>The most requests in flight at once.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public ConcurrentQueue<ReceivedRequest> Received { get; } = new();

    public static async Task<LoopbackServer> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new LoopbackServer(app);
        app.Use(server.CountAsync);
        map(app);
        await app.StartAsync(TestContext.Current.CancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        server.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    private async Task CountAsync(HttpContext context, RequestDelegate next)
    {
        Interlocked.Increment(ref _attempts);
        var now = Interlocked.Increment(ref _inFlight);
        for (var max = Volatile.Read(ref _maxInFlight); now > max; max = Volatile.Read(ref _maxInFlight))
        {
            Interlocked.CompareExchange(ref _maxInFlight, now, max);
        }

        try
        {
            context.Request.EnableBuffering();
            using var reader = new StreamReader(context.Request.Body, leaveOpen: true);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            context.Request.Body.Position = 0;
            Received.Enqueue(new ReceivedRequest(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.ContentType,
                context.Request.ContentLength,
                context.Request.Headers.TransferEncoding.ToString() is { Length: > 0 } te ? te : null,
                body,
                context.Request.Headers["x-stainless-retry-count"].ToString() is { Length: > 0 } retry ? retry : null));

            await next(context);
            if (!context.RequestAborted.IsCancellationRequested)
            {
                // The last byte is out only once the response is completed.
                await context.Response.CompleteAsync();
            }
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client or the handler (HttpContext.Abort) ended the connection.
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
