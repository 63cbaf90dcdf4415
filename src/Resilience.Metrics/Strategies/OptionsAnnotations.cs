using Microsoft.Extensions.Options;

namespace Resilience.Metrics;

/// <summary>
/// The validators Microsoft.Extensions.Options generates from the options' annotations (ranges, required objects,
/// enum values, list lengths), nested objects included (<c>[ValidateObjectMembers]</c>). Called with no name, they name
/// an option by its type and path: <c>ApiMonitoringOptions.Retry.BackoffFactor</c>, <c>ApiRetryStrategyOptions.BackoffFactor</c>.
/// </summary>
[OptionsValidator]
internal sealed partial class OptionsAnnotations :
    IValidateOptions<ApiMonitoringOptions>,
    IValidateOptions<ApiRetryStrategyOptions>,
    IValidateOptions<ApiQueueStrategyOptions>,
    IValidateOptions<ApiCircuitBreakerStrategyOptions>,
    IValidateOptions<RequestMonitoringStrategyOptions>
{
    /// <summary>The one instance (the generated validators keep no state).</summary>
    public static OptionsAnnotations Instance { get; } = new();
}
