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

}
