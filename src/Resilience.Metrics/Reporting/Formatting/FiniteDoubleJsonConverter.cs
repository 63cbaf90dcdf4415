using System.Text.Json;
using System.Text.Json.Serialization;

namespace Resilience.Metrics;

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
