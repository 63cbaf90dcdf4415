using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;

namespace Resilience.Metrics;

/// <summary>
/// Puts a client's monitoring handler first (outermost), whatever the order the application added its handlers in:
/// outside <c>AddStandardResilienceHandler()</c> or any other retrying handler, monitoring sees one call per logical
/// request, and those handlers' retries reach it through Polly's telemetry instead of as requests of their own.
/// </summary>
/// <remarks>
/// A marker handler is added right before the monitoring handler; once every handler of the client is in place (an
/// action added in <c>PostConfigure</c>, so after all the application's own), the handler after the marker moves to the
/// front and the marker goes. A handler can only be found by its position, and the marker is what marks it.
/// </remarks>
internal static class OutermostHandler
{
    /// <summary>Adds the marker: call right before adding the handler that must come first.</summary>
    public static void MarkNext(IHttpClientBuilder builder)
    {
        builder.AddHttpMessageHandler(static () => new Marker());
        builder.Services.PostConfigure<HttpClientFactoryOptions>(builder.Name, static options =>
        {
            if (!options.HttpMessageHandlerBuilderActions.Contains(MoveMarkedFirst))
            {
                options.HttpMessageHandlerBuilderActions.Add(MoveMarkedFirst);
            }
        });
    }

    private static readonly Action<HttpMessageHandlerBuilder> MoveMarkedFirst = static builder => Reorder(builder.AdditionalHandlers);

    /// <summary>Moves the handler after the marker to the front and removes the marker.</summary>
    internal static void Reorder(IList<DelegatingHandler> handlers)
    {
        for (var i = 0; i < handlers.Count; i++)
        {
            if (handlers[i] is not Marker)
            {
                continue;
            }

            handlers.RemoveAt(i);
            if (i < handlers.Count)
            {
                var marked = handlers[i];
                handlers.RemoveAt(i);
                handlers.Insert(0, marked);
            }

            return;
        }
    }

    /// <summary>Marks a position in the handler list; never sends anything (it is removed before the chain is built).</summary>
    private sealed class Marker : DelegatingHandler;
}
