using System.Globalization;
using Microsoft.Extensions.Options;

namespace Resilience.Metrics;

/// <summary>
/// Checks <see cref="ApiMonitoringOptions"/> at start-up; every message names the option, the value it had and the
/// backend (and the client, when its name differs). Every option has a lower and an upper bound that no real
/// deployment reaches, so a typo (an extra zero, a unit mixed up) fails here rather than as memory or CPU later.
/// </summary>
internal sealed class ApiMonitoringOptionsValidator : IValidateOptions<ApiMonitoringOptions>
{
    /// <summary>Traces and circuit changes kept per backend: 100,000 traces are a few tens of MiB.</summary>
    public const int MaxMetricsWindowSize = 100_000;

    /// <summary>Percentiles a report shows.</summary>
    public const int MaxLatencyPercentiles = 32;

    /// <summary>Requests in flight per backend.</summary>
    public const int MaxConcurrentRequests = 10_000;

    /// <summary>Requests waiting per backend (each holds a small object while it waits).</summary>
    public const int MaxQueueSize = 100_000;

    /// <summary>Failed attempts that open the circuit.</summary>
    public const int MaxFailureThreshold = 10_000;

    /// <summary>Models a price table may name.</summary>
    public const int MaxPricedModels = 1_000;

    /// <summary>USD per million tokens: far above any real price, so a price in the wrong unit fails here.</summary>
    public const double MaxPricePerMillion = 10_000;

    private static readonly TimeSpan HalfSecond = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    // A timer's period tops out at about 49.7 days; a reset more often than once a second is no monitoring window.
    internal static readonly TimeSpan MinResetInterval = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan MaxResetInterval = TimeSpan.FromDays(30);

    private readonly BackendClaims? _claims;

    public ApiMonitoringOptionsValidator()
    {
    }

    /// <summary>A validator that also refuses two clients claiming one backend name with different settings.</summary>
    public ApiMonitoringOptionsValidator(BackendClaims claims) => _claims = claims;

    public ValidateOptionsResult Validate(string? name, ApiMonitoringOptions options)
    {
        var problems = Problems(name, options);
        if (problems.Count == 0)
        {
            if (_claims is not null && name is not null)
            {
                _claims.MarkValid(name);
            }

            return ValidateOptionsResult.Success;
        }

        // Once a client's options were valid, a bad value is a reload: IOptionsMonitor validates inside
        // IConfigurationRoot.Reload(), which must not throw. The pipeline's rebuild rejects it instead, logs it and keeps
        // the last valid options (ApiMonitoringReloads).
        if (_claims is not null && name is not null && _claims.WasValid(name))
        {
            return ValidateOptionsResult.Success;
        }

        return ValidateOptionsResult.Fail(problems);
    }

    /// <summary>Every problem of <paramref name="options"/> (client <paramref name="name"/>), each naming the option and the backend.</summary>
    public List<string> Problems(string? name, ApiMonitoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var where = Where(name, options.BackendName);
        var errors = Errors(options).Select(error => error + where).ToList();
        if (errors.Count == 0 && _claims is not null && name is not null && options.MetricsEnabled
            && _claims.Claim(options.BackendName ?? name, name, options.ToRegistration()) is { } conflict)
        {
            errors.Add(conflict);
        }

        return errors;
    }

    /// <summary>The message suffix that says whose options these are: the backend, and the client when it differs.</summary>
    private static string Where(string? client, string? backend)
    {
        backend ??= client;
        if (string.IsNullOrEmpty(backend))
        {
            return ".";
        }

        return client is null || client == backend || client.Length == 0
            ? $" (backend \"{TextLimits.Cap(backend)}\")."
            : $" (backend \"{TextLimits.Cap(backend)}\", client \"{TextLimits.Cap(client)}\").";
    }

    /// <summary>Throws an <see cref="OptionsValidationException"/> listing every problem.</summary>
    public static void ThrowIfInvalid(string name, ApiMonitoringOptions options)
    {
        var result = new ApiMonitoringOptionsValidator().Validate(name, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(name, typeof(ApiMonitoringOptions), result.Failures);
        }
    }

    private static IEnumerable<string> Errors(ApiMonitoringOptions o)
    {
        if (o.ConfigurationProblem is { } problem)
        {
            yield return problem;
        }

        if (o.BackendName is { } backend)
        {
            if (string.IsNullOrWhiteSpace(backend))
            {
                yield return Error("BackendName", "must not be empty", $"\"{backend}\"");
            }
            else if (backend.Length > TextLimits.MaxNameLength || !TextLimits.IsValidUtf16(backend) || backend.Any(char.IsControl))
            {
                yield return Error("BackendName", $"must be at most {TextLimits.MaxNameLength} characters of valid UTF-16 without control characters",
                    $"\"{TextLimits.Cap(backend, 32)}\" ({backend.Length} characters)");
            }
        }

        if (o.MetricsWindowSize is < 1 or > MaxMetricsWindowSize)
        {
            yield return Error("MetricsWindowSize", $"must be from 1 to 100,000", o.MetricsWindowSize);
        }

        if (o.MetricsResetInterval is { } reset && (reset < MinResetInterval || reset > MaxResetInterval))
        {
            yield return Error("MetricsResetInterval", "must be from 1 second to 30 days (or unset for no periodic reset)", reset);
        }

        if (o.LatencyPercentiles is { Length: > MaxLatencyPercentiles } many)
        {
            yield return Error("LatencyPercentiles", $"must hold at most {MaxLatencyPercentiles} values", $"{many.Length} values");
        }

        foreach (var percentile in o.LatencyPercentiles ?? [])
        {
            if (!(percentile is > 0 and <= 100))
            {
                yield return Error("LatencyPercentiles", "must each be greater than 0 and at most 100", percentile);
            }
        }

        if (!Enum.IsDefined(o.Resilience))
        {
            yield return Error("Resilience", "must be one of " + string.Join(", ", Enum.GetNames<ApiResilience>()), o.Resilience);
        }

        if (!Enum.IsDefined(o.ApiFormat))
        {
            yield return Error("ApiFormat", "must be one of " + string.Join(", ", Enum.GetNames<ApiFormat>()), o.ApiFormat);
        }

        if (o.Queue is null)
        {
            yield return Error("Queue", "must not be null", "null");
        }
        else
        {
            if (o.Queue.MaxConcurrentRequests is < 1 or > MaxConcurrentRequests)
            {
                yield return Error("Queue.MaxConcurrentRequests", $"must be from 1 to 10,000", o.Queue.MaxConcurrentRequests);
            }

            if (o.Queue.QueueSize is < 0 or > MaxQueueSize)
            {
                yield return Error("Queue.QueueSize", $"must be from 0 to 100,000", o.Queue.QueueSize);
            }
        }

        if (o.Retry is null)
        {
            yield return Error("Retry", "must not be null", "null");
        }
        else
        {
            if (o.Retry.MaxRetries is < 0 or > 100)
            {
                yield return Error("Retry.MaxRetries", "must be from 0 to 100", o.Retry.MaxRetries);
            }

            if (o.Retry.InitialRetryDelay < TimeSpan.Zero || o.Retry.InitialRetryDelay > OneDay)
            {
                yield return Error("Retry.InitialRetryDelay", "must be from 0 to 1 day", o.Retry.InitialRetryDelay);
            }

            if (!(o.Retry.BackoffFactor is >= 1 and <= 100))
            {
                yield return Error("Retry.BackoffFactor", "must be from 1 to 100", o.Retry.BackoffFactor);
            }

            if (o.Retry.MaxRetryDelay < TimeSpan.Zero || o.Retry.MaxRetryDelay > OneDay)
            {
                yield return Error("Retry.MaxRetryDelay", "must be from 0 to 1 day", o.Retry.MaxRetryDelay);
            }
        }

        if (o.CircuitBreaker is null)
        {
            yield return Error("CircuitBreaker", "must not be null", "null");
        }
        else
        {
            if (o.CircuitBreaker.FailureThreshold is < 2 or > MaxFailureThreshold)
            {
                yield return Error("CircuitBreaker.FailureThreshold", $"must be from 2 (Polly's minimum throughput) to 10,000", o.CircuitBreaker.FailureThreshold);
            }

            if (o.CircuitBreaker.ResetTimeout < HalfSecond || o.CircuitBreaker.ResetTimeout > OneDay)
            {
                yield return Error("CircuitBreaker.ResetTimeout", "must be from 0.5 seconds to 1 day", o.CircuitBreaker.ResetTimeout);
            }

            if (o.CircuitBreaker.HalfOpenMaxRequests != 1)
            {
                yield return Error("CircuitBreaker.HalfOpenMaxRequests", "must be 1: Polly's circuit breaker admits one trial request while half-open", o.CircuitBreaker.HalfOpenMaxRequests);
            }

            if (o.CircuitBreaker.SamplingDuration < HalfSecond || o.CircuitBreaker.SamplingDuration > OneDay)
            {
                yield return Error("CircuitBreaker.SamplingDuration", "must be from 0.5 seconds to 1 day", o.CircuitBreaker.SamplingDuration);
            }
        }

        foreach (var pricingError in PricingErrors(o.Pricing))
        {
            yield return pricingError;
        }

        if (o.AttemptTimeout is { } timeout && (timeout < TimeSpan.FromMilliseconds(10) || timeout > OneDay))
        {
            yield return Error("AttemptTimeout", "must be from 10 milliseconds to 1 day (or unset for none)", timeout);
        }
    }

    private static IEnumerable<string> PricingErrors(Dictionary<string, ModelPrice>? pricing)
    {
        if (pricing is null)
        {
            yield return Error("Pricing", "must not be null (leave it empty for no cost figures)", "null");
            yield break;
        }

        if (pricing.Count > MaxPricedModels)
        {
            yield return Error("Pricing", "must name at most 1,000 models", $"{pricing.Count} models");
        }

        foreach (var (model, price) in pricing)
        {
            var option = $"Pricing[\"{TextLimits.Cap(model, 32)}\"]";
            if (string.IsNullOrWhiteSpace(model) || model.Length > TextLimits.MaxNameLength || !TextLimits.IsValidUtf16(model) || model.Any(char.IsControl))
            {
                yield return Error(option, $"must be named by 1 to {TextLimits.MaxNameLength} characters of valid UTF-16 without control characters", $"\"{TextLimits.Cap(model, 32)}\" ({model.Length} characters)");
            }

            if (price is null)
            {
                yield return Error(option, "must not be null", "null");
                continue;
            }

            // A missing input or output price would have to be guessed: it must be said, 0 included.
            foreach (var (name, value, required) in new (string, double?, bool)[]
                {
                    ("InputPerMillion", price.InputPerMillion, true), ("OutputPerMillion", price.OutputPerMillion, true), ("CachedInputPerMillion", price.CachedInputPerMillion, false),
                })
            {
                if (value is not { } usd)
                {
                    if (required)
                    {
                        yield return Error($"{option}.{name}", "must be set, in USD per million tokens (0 for a model without that price)", "unset");
                    }
                }
                else if (!(usd is >= 0 and <= MaxPricePerMillion))
                {
                    yield return Error($"{option}.{name}", "must be from 0 to 10,000 USD per million tokens", usd);
                }
            }
        }
    }

    private static string Error(string option, string rule, object value) =>
        string.Create(CultureInfo.InvariantCulture, $"ApiMonitoringOptions.{option} {rule}; it was {value}");
}
