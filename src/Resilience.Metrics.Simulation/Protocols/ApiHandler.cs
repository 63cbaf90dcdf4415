using System.Text.Json;

namespace Resilience.Metrics.Simulation.Protocols;

/// <summary>One route's protocol: how to read its request and write its responses.</summary>
internal abstract class ApiHandler(ErrorDialect dialect)
{
    protected const string JsonType = "application/json";
    protected const string EventStreamType = "text/event-stream; charset=utf-8";

    /// <summary>The shape of this route's error bodies.</summary>
    public ErrorDialect Dialect { get; } = dialect;

    /// <summary>
    /// Reads and validates the request and sets the exchange's model, prompt tokens, completion tokens and
    /// stream flag. Throws <see cref="BadRequestException"/> for an invalid request.
    /// </summary>
    public abstract ValueTask ReadAsync(Exchange exchange);

    /// <summary>Writes the successful response.</summary>
    public abstract Task RespondAsync(Exchange exchange);

    /// <summary>The content type of this request's successful response (used for malformed bodies too).</summary>
    public virtual string ContentType(Exchange exchange) => exchange.Stream ? EventStreamType : JsonType;

    /// <summary>Reads the body and requires a JSON object.</summary>
    protected static async ValueTask<JsonElement> ReadObjectAsync(Exchange exchange)
    {
        await exchange.ReadJsonAsync().ConfigureAwait(false);
        if (exchange.Body.ValueKind != JsonValueKind.Object)
        {
            throw new BadRequestException(400, "The request body must be a JSON object.");
        }

        return exchange.Body;
    }

    protected static JsonElement Property(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) ? value : default;

    protected static string? String(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    protected static bool? Bool(JsonElement element, string name) => Property(element, name).ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    protected static int? Int(JsonElement element, string name) =>
        Property(element, name) is { ValueKind: JsonValueKind.Number } value && value.TryGetInt32(out var number) ? number : null;

    /// <summary>Words in a content value: a string, or an array of strings / parts with a <c>text</c> field.</summary>
    protected static int ContentWords(JsonElement content)
    {
        switch (content.ValueKind)
        {
            case JsonValueKind.String:
                return Text.CountWords(content.GetString());
            case JsonValueKind.Array:
                var words = 0;
                foreach (var part in content.EnumerateArray())
                {
                    words += part.ValueKind == JsonValueKind.String ? Text.CountWords(part.GetString()) : Text.CountWords(String(part, "text"));
                }

                return words;
            default:
                return 0;
        }
    }

    /// <summary>Words in the <c>content</c> of every message of a <c>messages</c> array, which must not be empty.</summary>
    protected static int MessagesWords(JsonElement body)
    {
        var messages = Property(body, "messages");
        if (messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
        {
            throw new BadRequestException(400, "messages: a non-empty array of messages is required.");
        }

        var words = 0;
        foreach (var message in messages.EnumerateArray())
        {
            words += ContentWords(Property(message, "content"));
        }

        return words;
    }
}
