using Microsoft.Extensions.Logging;

namespace Resilience.Metrics.Simulation;

/// <summary>Options for <see cref="SimulatedBackendServer.StartAsync(SimulationOptions?, CancellationToken)"/>.</summary>
public sealed class SimulationOptions
{
    /// <summary>The loopback port to listen on; 0 (the default) lets the operating system pick a free one.</summary>
    public int Port { get; set; }

    /// <summary>
    /// The completion tokens each backend generates by default (see <see cref="BackendControl.CompletionTokens"/>).
    /// Default 16.
    /// </summary>
    public int CompletionTokens { get; set; } = 16;

    /// <summary>
    /// The pause between two chunks of a streamed response, per backend by default
    /// (see <see cref="BackendControl.StreamChunkDelay"/>). Default 5 ms.
    /// </summary>
    public TimeSpan StreamChunkDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// The clock for latency, delays and <see cref="FaultPlan"/> time windows.
    /// Default <see cref="TimeProvider.System"/>; tests may pass a fake one.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Configures the server's logging. By default the server logs nothing.</summary>
    public Action<ILoggingBuilder>? ConfigureLogging { get; set; }
}
