using Microsoft.Extensions.Options;

namespace Resilience.Metrics;

/// <summary>
/// The one validation of the options, for every entry point: the annotations (<see cref="OptionsAnnotations"/>) plus
/// the rules no annotation can say (a delay cap below the first delay, each percentile, the backend name's
/// characters, each price, the keys configuration had that no option has). <c>AddApiMonitoring</c> on an HttpClient
/// runs it at start-up (<see cref="ApiMonitoringOptionsValidator"/>); the pipeline-builder extensions run it when they
/// add their strategies, throwing <see cref="OptionsValidationException"/>.
/// </summary>
internal static class OptionRules
{
    /// <summary>Every problem of <paramref name="options"/>, each "<c>ApiMonitoringOptions.{option} {rule}; it was {value}.</c>".</summary>
    public static IEnumerable<string> Check(ApiMonitoringOptions options)
    {
        if (options.ConfigurationProblem is { } problem)
        {
            yield return problem;
        }

        var annotated = OptionsAnnotations.Instance.Validate(null, options).Failures ?? [];
        foreach (var failure in annotated)
        {
            yield return failure;
        }

        const string Prefix = nameof(ApiMonitoringOptions);
        if (options.BackendName is { } backend)
        {
            if (string.IsNullOrWhiteSpace(backend))
            {
                yield return OptionRule.Message($"{Prefix}.BackendName", "must not be empty", $"\"{backend}\"");
            }
            else if (backend.Length > TextLimits.MaxNameLength || !TextLimits.IsValidUtf16(backend) || backend.Any(char.IsControl))
            {
                yield return OptionRule.Message($"{Prefix}.BackendName", $"must be at most {TextLimits.MaxNameLength} characters of valid UTF-16 without control characters",
                    $"\"{TextLimits.Cap(backend, 32)}\" ({backend.Length} characters)");
            }
        }

        foreach (var percentile in options.LatencyPercentiles ?? [])
        {
            if (!(percentile is > 0 and <= 100))
            {
                yield return OptionRule.Message($"{Prefix}.LatencyPercentiles", "must each be greater than 0 and at most 100", percentile);
            }
        }

        if (options.Retry is { } retry)
        {
            foreach (var error in Retry(retry, $"{Prefix}.Retry", annotated))
            {
                yield return error;
            }
        }

        foreach (var error in Pricing(options.Pricing, $"{Prefix}.Pricing"))
        {
            yield return error;
        }
    }

    /// <summary>Throws when the retry options <c>AddApiRetry</c> was given are invalid.</summary>
    public static void ThrowIfInvalid(ApiRetryStrategyOptions options, BackendKey backend)
    {
        var annotated = OptionsAnnotations.Instance.Validate(null, options).Failures ?? [];
        Throw(backend, options, annotated, Retry(options, nameof(ApiRetryStrategyOptions), annotated));
    }

    /// <summary>Throws when the queue options <c>AddApiQueue</c> was given are invalid.</summary>
    public static void ThrowIfInvalid(ApiQueueStrategyOptions options, BackendKey backend) =>
        Throw(backend, options, OptionsAnnotations.Instance.Validate(null, options).Failures);

    /// <summary>Throws when the circuit breaker options <c>AddApiCircuitBreaker</c> was given are invalid.</summary>
    public static void ThrowIfInvalid(ApiCircuitBreakerStrategyOptions options, BackendKey backend) =>
        Throw(backend, options, OptionsAnnotations.Instance.Validate(null, options).Failures);

    /// <summary>Throws when the options <c>AddApiRequestMonitoring</c> was given are invalid.</summary>
    public static void ThrowIfInvalid(RequestMonitoringStrategyOptions options, BackendKey backend) =>
        Throw(backend, options, OptionsAnnotations.Instance.Validate(null, options).Failures);

    /// <summary>Throws an <see cref="OptionsValidationException"/> listing every problem of <paramref name="options"/> (backend or client <paramref name="name"/>).</summary>
    public static void ThrowIfInvalid(string name, ApiMonitoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = Check(options).Select(error => Whose(error, name, options.BackendName)).ToList();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(name, typeof(ApiMonitoringOptions), problems);
        }
    }

    /// <summary>
    /// <paramref name="error"/> ("<c>... it was 0.5.</c>") with whose options these are in place of its final period:
    /// the backend, and the client when its name differs.
    /// </summary>
    public static string Whose(string error, string? client, string? backend)
    {
        backend ??= client;
        var text = error.EndsWith('.') ? error[..^1] : error;
        if (string.IsNullOrEmpty(backend))
        {
            return text + ".";
        }

        return client is null || client == backend || client.Length == 0
            ? $"{text} (backend \"{TextLimits.Cap(backend)}\")."
            : $"{text} (backend \"{TextLimits.Cap(backend)}\", client \"{TextLimits.Cap(client)}\").";
    }

    private static void Throw<TOptions>(BackendKey backend, TOptions options, IEnumerable<string>? failures, IEnumerable<string>? more = null)
        where TOptions : Polly.ResilienceStrategyOptions
    {
        var errors = (failures ?? []).Concat(more ?? []).Select(error => Whose(error, null, backend.Name)).ToList();
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(options.Name ?? string.Empty, typeof(TOptions), errors);
        }
    }

    /// <summary>The retry rules across options, checked once both delays are within their bounds (<paramref name="annotated"/> names neither).</summary>
    private static IEnumerable<string> Retry(ApiRetryStrategyOptions retry, string prefix, IEnumerable<string> annotated)
    {
        // Each delay is capped at MaxRetryDelay: a cap below the first delay would silently replace the backoff.
        if (retry.MaxRetryDelay < retry.InitialRetryDelay
            && !annotated.Any(f => f.StartsWith($"{prefix}.InitialRetryDelay ", StringComparison.Ordinal) || f.StartsWith($"{prefix}.MaxRetryDelay ", StringComparison.Ordinal)))
        {
            yield return OptionRule.Message($"{prefix}.MaxRetryDelay", $"must be at least {prefix}.InitialRetryDelay ({retry.InitialRetryDelay:c})", retry.MaxRetryDelay);
        }
    }

    private static IEnumerable<string> Pricing(Dictionary<string, ModelPrice>? pricing, string prefix)
    {
        foreach (var (model, price) in pricing ?? [])
        {
            var option = $"{prefix}[\"{TextLimits.Cap(model, 32)}\"]";
            if (string.IsNullOrWhiteSpace(model) || model.Length > TextLimits.MaxNameLength || !TextLimits.IsValidUtf16(model) || model.Any(char.IsControl))
            {
                yield return OptionRule.Message(option, $"must be named by 1 to {TextLimits.MaxNameLength} characters of valid UTF-16 without control characters", $"\"{TextLimits.Cap(model, 32)}\" ({model.Length} characters)");
            }

            if (price is null)
            {
                yield return OptionRule.Message(option, "must not be null", "null");
                continue;
            }

            // A missing input or output price would have to be guessed: it must be said, 0 included.
            foreach (var (name, value, required) in new (string, double?, bool)[]
                {
                    ("InputPerMillion", price.InputPerMillion, true), ("OutputPerMillion", price.OutputPerMillion, true), ("CachedInputPerMillion", price.CachedInputPerMillion, false),
                    ("CacheWriteInputPerMillion", price.CacheWriteInputPerMillion, false),
                })
            {
                if (value is not { } usd)
                {
                    if (required)
                    {
                        yield return OptionRule.Message($"{option}.{name}", "must be set, in USD per million tokens (0 for a model without that price)", "unset");
                    }
                }
                else if (!(usd is >= 0 and <= BackendRegistration.MaxPricePerMillion))
                {
                    yield return OptionRule.Message($"{option}.{name}", "must be from 0 to 10,000 USD per million tokens", usd);
                }
            }
        }
    }
}
