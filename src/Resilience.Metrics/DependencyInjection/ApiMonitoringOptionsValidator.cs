using System.Globalization;
using Microsoft.Extensions.Options;

namespace Resilience.Metrics;

/// <summary>Checks <see cref="ApiMonitoringOptions"/> at start-up; every message names the option and the value it had.</summary>
internal sealed class ApiMonitoringOptionsValidator : IValidateOptions<ApiMonitoringOptions>
{
    private static readonly TimeSpan HalfSecond = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, ApiMonitoringOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = Errors(options).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
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
        if (o.BackendName is { } backend && string.IsNullOrWhiteSpace(backend))
        {
            yield return Error("BackendName", "must not be empty", $"\"{backend}\"");
        }

        if (o.MetricsWindowSize <= 0)
        {
            yield return Error("MetricsWindowSize", "must be greater than 0", o.MetricsWindowSize);
        }

        if (o.MetricsResetInterval is { } reset && reset <= TimeSpan.Zero)
        {
            yield return Error("MetricsResetInterval", "must be greater than zero (or unset for no periodic reset)", reset);
        }

        foreach (var percentile in o.LatencyPercentiles ?? [])
        {
            if (!(percentile is > 0 and <= 100))
            {
                yield return Error("LatencyPercentiles", "must each be greater than 0 and at most 100", percentile);
            }
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
            if (o.Queue.MaxConcurrentRequests < 1)
            {
                yield return Error("Queue.MaxConcurrentRequests", "must be at least 1", o.Queue.MaxConcurrentRequests);
            }

            if (o.Queue.QueueSize < 0)
            {
                yield return Error("Queue.QueueSize", "must be 0 or more", o.Queue.QueueSize);
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
            if (o.CircuitBreaker.FailureThreshold < 2)
            {
                yield return Error("CircuitBreaker.FailureThreshold", "must be at least 2 (Polly's minimum throughput)", o.CircuitBreaker.FailureThreshold);
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

        if (o.AttemptTimeout is { } timeout && (timeout < TimeSpan.FromMilliseconds(10) || timeout > OneDay))
        {
            yield return Error("AttemptTimeout", "must be from 10 milliseconds to 1 day (or unset for none)", timeout);
        }
    }

    private static string Error(string option, string rule, object value) =>
        string.Create(CultureInfo.InvariantCulture, $"ApiMonitoringOptions.{option} {rule}; it was {value}.");
}
