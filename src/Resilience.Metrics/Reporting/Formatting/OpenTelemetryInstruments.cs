using M = Resilience.Metrics.MetricCatalog;

namespace Resilience.Metrics;

/// <summary>
/// The instruments the OpenTelemetry dashboard queries. Those with a <c>/monitoring/metrics</c> counterpart take
/// their name from the catalogue; a test checks every one against the meter's instruments (name, kind, unit).
/// </summary>
internal static class OpenTelemetryInstruments
{
    public static readonly OpenTelemetryInstrument Requests = new(Counterpart(M.RequestsTotal), MetricKind.Counter, "{request}");
    public static readonly OpenTelemetryInstrument RequestDuration = new(Counterpart(M.RequestDurationSeconds), MetricKind.Histogram, "s");
    public static readonly OpenTelemetryInstrument Retries = new(Counterpart(M.RetryAttemptsTotal), MetricKind.Counter, "{retry}");
    public static readonly OpenTelemetryInstrument QueueLength = new(Counterpart(M.QueueSize), MetricKind.Gauge, "{request}");
    public static readonly OpenTelemetryInstrument ActiveRequests = new(Counterpart(M.ActiveRequests), MetricKind.Gauge, "{request}");
    public static readonly OpenTelemetryInstrument QueueRejections = new(Counterpart(M.QueueRejectionsTotal), MetricKind.Counter, "{request}");
    public static readonly OpenTelemetryInstrument CircuitState = new(Counterpart(M.CircuitStateGauge), MetricKind.Gauge, "{state}");
    public static readonly OpenTelemetryInstrument TokenUsage = new(Counterpart(M.TokensTotal), MetricKind.Histogram, "{token}");

    // No /monitoring/metrics family carries the same measurement with the same labels.
    public static readonly OpenTelemetryInstrument CircuitTransitions = new("api.client.circuit.transitions", MetricKind.Counter, "{transition}");
    public static readonly OpenTelemetryInstrument TimeToFirstChunk = new("gen_ai.client.operation.time_to_first_chunk", MetricKind.Histogram, "s");

    public static IReadOnlyList<OpenTelemetryInstrument> All { get; } =
    [
        Requests, RequestDuration, Retries, QueueLength, ActiveRequests, QueueRejections, CircuitState, TokenUsage,
        CircuitTransitions, TimeToFirstChunk,
    ];

    private static string Counterpart(MetricFamily family) =>
        family.OpenTelemetry ?? throw new InvalidOperationException($"{family.Name} names no OpenTelemetry counterpart.");
}
