using Resilience.Metrics;

namespace OpenTelemetry.Metrics;

/// <summary>Subscribes an OpenTelemetry meter provider to the library's meter (in OpenTelemetry's namespace, where its users look).</summary>
public static class ApiMonitoringMeterProviderBuilderExtensions
{
    /// <summary>Collects the <c>Resilience.Metrics</c> meter: requests, durations, retries, queue, circuit and GenAI token usage.</summary>
    public static MeterProviderBuilder AddApiMonitoringInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(ApiMonitoringTelemetry.Name);
    }
}
