using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Resilience.Metrics;

/// <summary>Subscribes OpenTelemetry to the library's meter and activity source.</summary>
public static class OpenTelemetryBuilderExtensions
{
    /// <summary>Collects the <c>Resilience.Metrics</c> meter: requests, durations, retries, queue, circuit and GenAI token usage.</summary>
    public static MeterProviderBuilder AddApiMonitoringInstrumentation(this MeterProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddMeter(ApiMonitoringTelemetry.Name);
    }

    /// <summary>Collects the <c>Resilience.Metrics</c> activity source: one span per monitored request.</summary>
    public static TracerProviderBuilder AddApiMonitoringInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(ApiMonitoringTelemetry.Name);
    }
}
