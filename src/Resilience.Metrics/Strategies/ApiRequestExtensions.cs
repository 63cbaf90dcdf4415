using System.Diagnostics.CodeAnalysis;
using Polly;

namespace Resilience.Metrics;

/// <summary>
/// What a caller can tell the monitoring about one request: the model it is for (so it need not be read from the URL
/// or the body) and the priority it waits with in the queue. On an <see cref="HttpRequestMessage"/> for HTTP clients,
/// on a <see cref="ResilienceContext"/> for Polly pipelines of any kind. Every setter returns what it was given, so
/// calls chain; every getter has a <c>TryGet</c> form.
/// </summary>
public static class ApiRequestExtensions
{
    /// <summary>
    /// Records the model this request is for (for example <c>gpt-4o</c>). The monitoring reports the request under
    /// this model, before anything it could read from the URL or the body.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="model">The model name; not empty. Kept to its first 256 characters, like every stored name.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> or <paramref name="model"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="model"/> is empty.</exception>
    public static HttpRequestMessage SetApiModel(this HttpRequestMessage request, string model)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(model);
        request.Options.Set(ModelExtractor.NamedModelOption, TextLimits.Cap(model));
        return request;
    }

    /// <summary>Records the model a pipeline execution is for, as <see cref="SetApiModel(HttpRequestMessage, string)"/> does for a request.</summary>
    /// <param name="context">The execution's context.</param>
    /// <param name="model">The model name; not empty. Kept to its first 256 characters.</param>
    /// <returns>The context.</returns>
    /// <remarks>
    /// On an HTTP pipeline prefer the request's own <see cref="SetApiModel(HttpRequestMessage, string)"/>: a model on the
    /// context is taken as given, and the request's URL and headers are then not read for it.
    /// </remarks>
    public static ResilienceContext SetApiModel(this ResilienceContext context, string model)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentException.ThrowIfNullOrEmpty(model);
        context.Properties.Set(ApiMonitoringContext.Model, TextLimits.Cap(model));
        return context;
    }

    /// <summary>Gets the model recorded with <see cref="SetApiModel(HttpRequestMessage, string)"/>, if any.</summary>
    /// <param name="request">The request.</param>
    /// <param name="model">The model, when one was recorded.</param>
    /// <returns><see langword="true"/> when the request carries a model.</returns>
    public static bool TryGetApiModel(this HttpRequestMessage request, [NotNullWhen(true)] out string? model)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ModelExtractor.TryGetNamedModel(request, out model);
    }

    /// <summary>
    /// Gets the model of a pipeline execution: set with <see cref="SetApiModel(ResilienceContext, string)"/>, or — once
    /// request monitoring has run — the model it read from the request.
    /// </summary>
    /// <param name="context">The execution's context.</param>
    /// <param name="model">The model, when known.</param>
    /// <returns><see langword="true"/> when the execution has a model.</returns>
    public static bool TryGetApiModel(this ResilienceContext context, [NotNullWhen(true)] out string? model)
    {
        ArgumentNullException.ThrowIfNull(context);
        return NonEmpty(context.Properties.TryGetValue(ApiMonitoringContext.Model, out model), ref model);
    }

    /// <summary>Sets the priority this request waits with when its backend is at its concurrency limit.</summary>
    /// <param name="request">The request.</param>
    /// <param name="priority">High, Normal or Low.</param>
    /// <returns>The request.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="priority"/> is not a defined <see cref="RequestPriority"/>.</exception>
    public static HttpRequestMessage SetApiPriority(this HttpRequestMessage request, RequestPriority priority)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(ApiMonitoringContext.PriorityOption, Defined(priority));
        return request;
    }

    /// <summary>Sets the priority a pipeline execution waits with, as <see cref="SetApiPriority(HttpRequestMessage, RequestPriority)"/> does for a request.</summary>
    /// <param name="context">The execution's context.</param>
    /// <param name="priority">High, Normal or Low.</param>
    /// <returns>The context.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="priority"/> is not a defined <see cref="RequestPriority"/>.</exception>
    public static ResilienceContext SetApiPriority(this ResilienceContext context, RequestPriority priority)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Properties.Set(ApiMonitoringContext.Priority, Defined(priority));
        return context;
    }

    /// <summary>Gets the priority set with <see cref="SetApiPriority(HttpRequestMessage, RequestPriority)"/>, if any.</summary>
    /// <param name="request">The request.</param>
    /// <param name="priority">The priority, when one was set.</param>
    /// <returns><see langword="true"/> when the request carries a priority.</returns>
    public static bool TryGetApiPriority(this HttpRequestMessage request, out RequestPriority priority)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Options.TryGetValue(ApiMonitoringContext.PriorityOption, out priority);
    }

    /// <summary>Gets the priority set with <see cref="SetApiPriority(ResilienceContext, RequestPriority)"/>, if any.</summary>
    /// <param name="context">The execution's context.</param>
    /// <param name="priority">The priority, when one was set.</param>
    /// <returns><see langword="true"/> when the execution carries a priority.</returns>
    public static bool TryGetApiPriority(this ResilienceContext context, out RequestPriority priority)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.Properties.TryGetValue(ApiMonitoringContext.Priority, out priority);
    }

    private static bool NonEmpty(bool found, [NotNullWhen(true)] ref string? value)
    {
        if (!found || string.IsNullOrEmpty(value))
        {
            value = null;
        }

        return value is not null;
    }

    private static RequestPriority Defined(RequestPriority priority) => ApiMonitoringContext.IsDefined(priority)
        ? priority
        : throw new ArgumentOutOfRangeException(nameof(priority), priority, "The request priority must be High, Normal or Low.");
}
