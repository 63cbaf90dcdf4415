using System.Globalization;
using Microsoft.Extensions.Options;

namespace Resilience.Metrics;

/// <summary>Checks <see cref="ApiMonitoringAlertOptions"/> at start-up; every message names the option and the value it had.</summary>
internal sealed class ApiMonitoringAlertOptionsValidator : IValidateOptions<ApiMonitoringAlertOptions>
{
    /// <summary>USD per hour: beyond any real budget, so a budget in the wrong unit fails at start-up.</summary>
    public const double MaxSpendPerHourBudget = 1_000_000;

    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan OneDay = TimeSpan.FromDays(1);

    public ValidateOptionsResult Validate(string? name, ApiMonitoringAlertOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = Errors(options).ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Throws an <see cref="OptionsValidationException"/> listing every problem.</summary>
    public static void ThrowIfInvalid(ApiMonitoringAlertOptions options)
    {
        var result = new ApiMonitoringAlertOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(ApiMonitoringAlertOptions), result.Failures);
        }
    }

    private static IEnumerable<string> Errors(ApiMonitoringAlertOptions o)
    {
        if (!(o.ErrorRate is >= 0 and <= 1))
        {
            yield return Error("ErrorRate", "must be from 0 to 1", o.ErrorRate);
        }

        if (o.P95Latency <= TimeSpan.Zero || o.P95Latency > OneDay)
        {
            yield return Error("P95Latency", "must be greater than zero and at most 1 day", o.P95Latency);
        }

        if (!(o.RateLimitHeadroom is >= 0 and <= 1))
        {
            yield return Error("RateLimitHeadroom", "must be from 0 to 1", o.RateLimitHeadroom);
        }

        if (o.QueueSize < 0)
        {
            yield return Error("QueueSize", "must be 0 or more", o.QueueSize);
        }

        if (o.CheckInterval < OneSecond || o.CheckInterval > OneDay)
        {
            yield return Error("CheckInterval", "must be from 1 second to 1 day", o.CheckInterval);
        }

        if (o.SpendPerHourBudget is { } budget && !(budget is > 0 and <= MaxSpendPerHourBudget))
        {
            yield return Error("SpendPerHourBudget", "must be greater than 0 and at most 1,000,000 USD per hour (or unset for no spend alert)", budget);
        }

        if (o.Window < TimeSpan.FromSeconds(5) || o.Window > MetricsReporter.MaxWindow)
        {
            yield return Error("Window", "must be from 5 seconds to 15 minutes", o.Window);
        }
    }

    private static string Error(string option, string rule, object value) =>
        string.Create(CultureInfo.InvariantCulture, $"ApiMonitoringAlertOptions.{option} {rule}; it was {value}.");
}
