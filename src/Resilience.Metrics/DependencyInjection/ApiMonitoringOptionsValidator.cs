using System.Globalization;
using Microsoft.Extensions.Options;

namespace Resilience.Metrics;

/// <summary>
/// The <see cref="IValidateOptions{TOptions}"/> of <see cref="ApiMonitoringOptions"/> that <c>AddApiMonitoring</c> registers:
/// the generated validator's findings (the annotations) plus the cross-field rules of <see cref="OptionRules"/>, each
/// message naming the option, the value it had and the backend (and the client, when its name differs); then the
/// check that two clients claiming one backend agree. Every option has a lower and an upper bound that no real
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

    // A timer's period tops out at about 49.7 days; a reset more often than once a second is no monitoring window.
    internal const string MinResetIntervalText = "00:00:01";
    internal const string MaxResetIntervalText = "30.00:00:00";
    internal static readonly TimeSpan MinResetInterval = TimeSpan.Parse(MinResetIntervalText, CultureInfo.InvariantCulture);
    internal static readonly TimeSpan MaxResetInterval = TimeSpan.Parse(MaxResetIntervalText, CultureInfo.InvariantCulture);

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
        var errors = OptionRules.Check(options).Select(error => OptionRules.Whose(error, name, options.BackendName)).ToList();
        if (errors.Count == 0 && _claims is not null && name is not null && options.MetricsEnabled
            && _claims.Claim(options.BackendName ?? name, name, options.ToRegistration()) is { } conflict)
        {
            errors.Add(conflict);
        }

        return errors;
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
}
