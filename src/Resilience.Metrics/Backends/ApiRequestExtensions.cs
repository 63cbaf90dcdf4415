using System.Diagnostics.CodeAnalysis;

namespace Resilience.Metrics;

/// <summary>
/// Extensions that tell the monitoring which model a request is for, so it does not have to read it from the URL
/// or the request body.
/// </summary>
public static class ApiRequestExtensions
{
    /// <summary>The name of the <see cref="HttpRequestMessage.Options"/> entry that holds the model.</summary>
    public const string ModelOptionName = "Resilience.Metrics.Model";

    /// <summary>Gets the key of the <see cref="HttpRequestMessage.Options"/> entry that holds the model.</summary>
    public static HttpRequestOptionsKey<string> ModelOptionKey { get; } = new(ModelOptionName);

    /// <summary>
    /// Records the model this request is for (for example <c>gpt-4o</c>). The monitoring reports the request under
    /// this model, before anything it could read from the URL or the body.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="model">The model name; not empty. Kept to its first 256 characters, like every stored name.</param>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> or <paramref name="model"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="model"/> is empty.</exception>
    public static void SetApiModel(this HttpRequestMessage request, string model)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrEmpty(model);
        request.Options.Set(ModelOptionKey, TextLimits.Cap(model));
    }

    /// <summary>Gets the model recorded with <see cref="SetApiModel"/>, if any.</summary>
    /// <param name="request">The request.</param>
    /// <param name="model">The model, when one was recorded.</param>
    /// <returns><see langword="true"/> when the request carries a model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is <see langword="null"/>.</exception>
    public static bool TryGetApiModel(this HttpRequestMessage request, [NotNullWhen(true)] out string? model)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Options.TryGetValue(ModelOptionKey, out string? value) && !string.IsNullOrEmpty(value))
        {
            model = value;
            return true;
        }

        model = null;
        return false;
    }
}
