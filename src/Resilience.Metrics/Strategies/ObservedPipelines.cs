namespace Resilience.Metrics;

/// <summary>
/// Which Polly pipelines the telemetry bridge listens to, by exact name: the pipelines of HttpClients that have
/// monitoring (<c>{client}-{handler}</c>, such as <c>openai-standard</c>), and pipelines the application named with
/// <c>ObserveResiliencePipeline</c>. Every other pipeline in the process is left alone.
/// </summary>
internal sealed class ObservedPipelines
{
    /// <summary>The name of the resilience handler <c>AddApiMonitoring</c> adds to an HttpClient (its pipeline is <c>{client}-api-monitoring</c>).</summary>
    public const string MonitoringHandlerName = "api-monitoring";

    /// <summary>The monitored HttpClients, by name.</summary>
    public HashSet<string> Clients { get; } = new(StringComparer.Ordinal);

    /// <summary>Pipelines named explicitly, and the backend each reports as.</summary>
    public Dictionary<string, string> Pipelines { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The backend a pipeline reports as, or null when it is not observed: an explicit name first; then the monitored
    /// client whose name, followed by <c>-</c>, starts the pipeline's name (the longest, so <c>azure-openai</c> wins over
    /// <c>azure</c>), except the client's own monitoring pipeline, which reports directly.
    /// </summary>
    /// <param name="pipelineName">The pipeline's name.</param>
    /// <param name="backendOf">The backend name of a monitored client.</param>
    public string? BackendOf(string pipelineName, Func<string, string> backendOf)
    {
        if (Pipelines.TryGetValue(pipelineName, out var backend))
        {
            return backend;
        }

        string? client = null;
        foreach (var candidate in Clients)
        {
            if (pipelineName.Length > candidate.Length + 1
                && pipelineName.StartsWith(candidate, StringComparison.Ordinal)
                && pipelineName[candidate.Length] == '-'
                && (client is null || candidate.Length > client.Length))
            {
                client = candidate;
            }
        }

        if (client is null
            || pipelineName.AsSpan(client.Length + 1).Equals(MonitoringHandlerName, StringComparison.Ordinal))
        {
            return null;
        }

        return backendOf(client);
    }
}
