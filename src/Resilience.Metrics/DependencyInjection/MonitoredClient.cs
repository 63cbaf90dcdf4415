namespace Resilience.Metrics;

/// <summary>An HttpClient that <c>AddApiMonitoring</c> monitors, by client name (one DI singleton per call).</summary>
internal sealed record MonitoredClient(string Name);
