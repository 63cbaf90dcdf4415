using Microsoft.Extensions.Http;

namespace Resilience.Metrics;

/// <summary>
/// Tells an <see cref="HttpClient.Timeout"/> from a caller's cancellation. Inside the handler chain both look the
/// same: HttpClient hands its handlers one token linked to the caller's and to its own timer, and decides only above
/// them which exception the caller gets. What the handler can know is the client's timeout (read from the factory's
/// options when the pipeline is built) and how long the request ran: a cancellation no earlier than the timeout is
/// the client's timer.
/// </summary>
internal static class HttpClientTimeout
{
    /// <summary>What <see cref="HttpClient.Timeout"/> is when nothing sets it.</summary>
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(100);

    private static readonly TimeSpan MaxSlack = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The timeout the factory gives the named client: its configuration actions applied to a client that never
    /// sends. Null when the timeout is infinite. A Timeout set on an HttpClient after the factory made it is not
    /// seen here.
    /// </summary>
    public static TimeSpan? Read(HttpClientFactoryOptions? options)
    {
        if (options is null)
        {
            return Default;
        }

        try
        {
            using var probe = new HttpClient(new NeverSends(), disposeHandler: true);
            foreach (var configure in options.HttpClientActions)
            {
                configure(probe);
            }

            return probe.Timeout == Timeout.InfiniteTimeSpan ? null : probe.Timeout;
        }
#pragma warning disable CA1031 // An application's configuration action that fails here fails again, visibly, when the factory runs it.
        catch (Exception)
#pragma warning restore CA1031
        {
            return Default;
        }
    }

    /// <summary>
    /// Whether a request cancelled after <paramref name="elapsed"/> (measured by the monitoring, which starts a few
    /// microseconds after HttpClient's timer) ran into <paramref name="timeout"/>.
    /// </summary>
    public static bool Explains(TimeSpan? timeout, TimeSpan elapsed)
    {
        if (timeout is not { } limit || limit <= TimeSpan.Zero)
        {
            return false;
        }

        // The slack covers the time between HttpClient starting its timer and the monitoring starting its clock.
        var slack = TimeSpan.FromTicks(Math.Min(limit.Ticks / 32, MaxSlack.Ticks));
        return elapsed >= limit - slack;
    }

    private sealed class NeverSends : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("A probe client sends nothing.");
    }
}
