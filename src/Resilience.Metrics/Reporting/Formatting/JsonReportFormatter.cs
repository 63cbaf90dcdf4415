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

/// <summary>Source-generated serialization of the report records: no reflection, trimming and AOT safe.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    WriteIndented = true,
    NewLine = "\n",
    Converters = [typeof(FiniteDoubleJsonConverter), typeof(UnixSecondsJsonConverter), typeof(CircuitStateJsonConverter)])]
[JsonSerializable(typeof(MetricsReport))]
[JsonSerializable(typeof(IReadOnlyList<HistorySample>))]
internal sealed partial class ReportJsonContext : JsonSerializerContext;

/// <summary>
/// Writes NaN and infinities as 0: JSON has no literal for them, System.Text.Json would throw mid-report, and a
/// string such as "NaN" would break readers that expect numbers.
/// </summary>
internal sealed class FiniteDoubleJsonConverter : JsonConverter<double>
{
    public override double Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDouble();

    public override void Write(Utf8JsonWriter writer, double value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(FormattingGuards.Finite(value));
    }
}

/// <summary>
/// Writes a time as Unix seconds, a number (the guide's <c>time.time()</c>), to the tick: the .NET records hold
/// <see cref="DateTimeOffset"/> while the JSON keeps the numbers readers already parse.
/// </summary>
/// <remarks>
/// The report's own time and the circuit changes are cut to the millisecond before they get here (<see cref="ToMilliseconds"/>),
/// so they print as they always did (<c>1700000000.25</c>): ticks / 10⁷ is the same double as milliseconds / 1000 for
/// such times (from 1514 to 2426, where a whole millisecond's ticks are exact in a double).
/// </remarks>
internal sealed class UnixSecondsJsonConverter : JsonConverter<DateTimeOffset>
{
    private static readonly long UnixEpochTicks = DateTimeOffset.UnixEpoch.UtcTicks;
    private static readonly decimal MinSeconds = DateTimeOffset.MinValue.ToUnixTimeSeconds();
    private static readonly decimal MaxSeconds = DateTimeOffset.MaxValue.ToUnixTimeSeconds() + 1m;

    /// <summary>The time without its part below the millisecond (in UTC), as the reports print it.</summary>
    public static DateTimeOffset ToMilliseconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());

    /// <summary>Unix seconds to the tick: the number the JSON carries for <paramref name="time"/>.</summary>
    public static double ToUnixSeconds(DateTimeOffset time) => (time.UtcTicks - UnixEpochTicks) / (double)TimeSpan.TicksPerSecond;

    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        // Decimal, not double: the written digits convert to the tick they came from.
        if (!reader.TryGetDecimal(out var seconds) || seconds < MinSeconds || seconds > MaxSeconds)
        {
            throw new JsonException("The time is not a number of Unix seconds within DateTimeOffset's range.");
        }

        var ticks = (long)Math.Round(seconds * TimeSpan.TicksPerSecond) + UnixEpochTicks;
        return new DateTimeOffset(Math.Clamp(ticks, 0, DateTimeOffset.MaxValue.UtcTicks), TimeSpan.Zero);
    }

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteNumberValue(ToUnixSeconds(value));
    }
}

/// <summary>Writes a <see cref="CircuitState"/> as the reports name it: <c>CLOSED</c>, <c>OPEN</c> or <c>HALF-OPEN</c>.</summary>
internal sealed class CircuitStateJsonConverter : JsonConverter<CircuitState>
{
    public override CircuitState Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var name = reader.GetString();
        foreach (var state in (ReadOnlySpan<CircuitState>)[CircuitState.Closed, CircuitState.HalfOpen, CircuitState.Open])
        {
            if (state.ToName() == name)
            {
                return state;
            }
        }

        throw new JsonException($"Unknown circuit state '{name}'.");
    }

    public override void Write(Utf8JsonWriter writer, CircuitState value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToName());
    }
}
