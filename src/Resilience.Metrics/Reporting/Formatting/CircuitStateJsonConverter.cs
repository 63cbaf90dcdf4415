using System.Text.Json;
using System.Text.Json.Serialization;

namespace Resilience.Metrics;

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
