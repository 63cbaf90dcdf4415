using System.Text.Json.Serialization;

namespace Resilience.Metrics;

/// <summary>Source-generated serialization of the report records: no reflection, trimming and AOT safe.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    NewLine = "\n",
    Converters = [typeof(FiniteDoubleJsonConverter), typeof(UnixSecondsJsonConverter), typeof(CircuitStateJsonConverter)])]
[JsonSerializable(typeof(MetricsReport))]
[JsonSerializable(typeof(IReadOnlyList<HistorySample>))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;
