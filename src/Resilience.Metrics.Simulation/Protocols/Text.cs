using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Resilience.Metrics.Simulation.Protocols;

/// <summary>Deterministic text, token counting and JSON / SSE framing shared by the protocols.</summary>
internal static class Text
{
    private static readonly string[] Vocabulary =
    [
        "Resilient", "clients", "measure", "every", "request", "so", "that", "slow", "backends,", "rate", "limits",
        "and", "open", "circuits", "show", "up", "in", "the", "report", "before", "users", "notice", "them.",
    ];

    /// <summary>The <paramref name="index"/>-th generated token: a word, with a leading space after the first.</summary>
    public static string Token(int index) =>
        index == 0 ? Vocabulary[0] : " " + Vocabulary[index % Vocabulary.Length];

    /// <summary>The text of <paramref name="tokens"/> generated tokens; it has exactly that many words.</summary>
    public static string Completion(int tokens)
    {
        var text = new StringBuilder();
        for (var i = 0; i < tokens; i++)
        {
            text.Append(Token(i));
        }

        return text.ToString();
    }

    /// <summary>Whitespace-separated words: the simulation's token count for a prompt.</summary>
    public static int CountWords(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        var count = 0;
        var inWord = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                inWord = false;
            }
            else if (!inWord)
            {
                inWord = true;
                count++;
            }
        }

        return count;
    }

    /// <summary>A stable (process-independent) 32-bit FNV-1a hash, to seed deterministic numbers from text.</summary>
    public static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return unchecked((int)hash);
    }

    /// <summary>Writes a JSON value with <paramref name="write"/> and returns its UTF-8 bytes.</summary>
    public static byte[] Json(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>An SSE frame: optional <c>event:</c> line, one <c>data:</c> line, blank line.</summary>
    public static byte[] Sse(byte[] data, string? eventName = null, string separator = "data: ", string newline = "\n")
    {
        var head = eventName is null ? separator : $"event: {eventName}{newline}{separator}";
        return [.. Encoding.UTF8.GetBytes(head), .. data, .. Encoding.UTF8.GetBytes(newline + newline)];
    }

    /// <summary>An NDJSON line.</summary>
    public static byte[] Line(byte[] data) => [.. data, (byte)'\n'];

    /// <summary>UTF-8 bytes of <paramref name="text"/>.</summary>
    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);
}
