using Resilience.Metrics;

namespace OpenTelemetry.Trace;

/// <summary>Subscribes an OpenTelemetry tracer provider to the library's activity source (in OpenTelemetry's namespace, where its users look).</summary>
public static class ApiMonitoringTracerProviderBuilderExtensions
{
    /// <summary>Collects the <c>Resilience.Metrics</c> activity source: one span per monitored request.</summary>
    public static TracerProviderBuilder AddApiMonitoringInstrumentation(this TracerProviderBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.AddSource(ApiMonitoringTelemetry.Name);
    }
}
