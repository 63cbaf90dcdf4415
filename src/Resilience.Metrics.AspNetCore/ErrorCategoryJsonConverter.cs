using System.Text.Json;
using System.Text.Json.Serialization;

namespace Resilience.Metrics.AspNetCore;

/// <summary>Writes an <see cref="ErrorCategory"/> by the snake_case name every other output uses (<c>rate_limiting</c>), not as a number.</summary>
internal sealed class ErrorCategoryJsonConverter : JsonConverter<ErrorCategory>
{
    public override ErrorCategory Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var name = reader.GetString();
        foreach (var category in ErrorCategoryNames.All)
        {
            if (category.ToName() == name)
            {
                return category;
            }
        }

        return ErrorCategory.None;
    }

    public override void Write(Utf8JsonWriter writer, ErrorCategory value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(value.ToName());
    }
}
