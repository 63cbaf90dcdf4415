using System.Text.Json;
using System.Text.Json.Serialization;

namespace Resilience.Metrics;

/// <summary>The comprehensive report as indented JSON with the guide's snake_case keys (<c>get_json_report</c>).</summary>
/// <remarks>
/// Property names come from the records through <see cref="JsonKnownNamingPolicy.SnakeCaseLower"/>; dictionary keys
/// (percentiles, circuit states, error types, model names) are written as they are.
/// </remarks>
internal static class JsonReportFormatter
{
    /// <summary>One backend's report as a JSON object.</summary>
    public static string Format(MetricsReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return JsonSerializer.Serialize(report, ReportJsonContext.Default.MetricsReport);
    }

    /// <summary>Backends' histories as one JSON object keyed by backend name, in the given order.</summary>
    public static string Format(IReadOnlyList<(string Backend, IReadOnlyList<HistorySample> Samples)> histories)
    {
        using var buffer = new PooledByteBufferWriter(16384);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = false, Encoder = ReportJsonContext.Default.Options.Encoder }))
        {
            writer.WriteStartObject();
            foreach (var (backend, samples) in histories)
            {
                writer.WritePropertyName(backend);
                JsonSerializer.Serialize(writer, samples, ReportJsonContext.Default.IReadOnlyListHistorySample);
            }

            writer.WriteEndObject();
        }

        return buffer.ToUtf8String();
    }

    /// <summary>Several backends' reports as one JSON object keyed by <c>api_name</c>, in the given order.</summary>
    /// <exception cref="ArgumentException">Two reports have the same backend name.</exception>
    public static string Format(IReadOnlyList<MetricsReport> reports)
    {
        FormattingGuards.EnsureUniqueBackends(reports, nameof(reports));

        // Ordered by the caller rather than by a dictionary, and no dictionary to build.
        using var buffer = new PooledByteBufferWriter(4096 * Math.Clamp(reports.Count, 1, 64));
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions
        {
            Indented = true,
            NewLine = "\n",
            Encoder = ReportJsonContext.Default.Options.Encoder,
        }))
        {
            writer.WriteStartObject();
            foreach (var report in reports)
            {
                writer.WritePropertyName(report.Backend);
                JsonSerializer.Serialize(writer, report, ReportJsonContext.Default.MetricsReport);
            }

            writer.WriteEndObject();
        }

        return buffer.ToUtf8String();
    }
}
