using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Resilience.Metrics;

/// <summary>
/// The caps on every name and text the library stores or exports, applied where the text enters (a model set per
/// request or read from the wire, a backend's name, an error's type and message): memory and output stay bounded
/// whatever a caller or a backend sends, and every output shows the same string.
/// </summary>
/// <remarks>
/// Capping also replaces lone UTF-16 surrogates with U+FFFD, which UTF-8 writers would replace (or refuse) anyway:
/// two names that differ only there would otherwise be two entries that print alike.
/// </remarks>
internal static class TextLimits
{
    /// <summary>Characters kept of a name: model, backend, error type.</summary>
    public const int MaxNameLength = 256;

    /// <summary>Characters kept of an error message in a trace.</summary>
    public const int MaxErrorLength = 1024;

    /// <summary>A name as it is stored: at most <see cref="MaxNameLength"/> characters of valid UTF-16.</summary>
    [return: NotNullIfNotNull(nameof(value))]
    public static string? Cap(string? value) => Cap(value, MaxNameLength);

    /// <summary>
    /// <paramref name="value"/> cut to <paramref name="max"/> characters (never between the halves of a surrogate pair)
    /// with lone surrogates replaced; the same instance, without allocating, when it is already within both rules.
    /// </summary>
    [return: NotNullIfNotNull(nameof(value))]
    public static string? Cap(string? value, int max)
    {
        // The common case: short, and no surrogate at all (one vectorized scan).
        if (value is null || (value.Length <= max && value.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') < 0))
        {
            return value;
        }

        return Rewrite(value, max);
    }

    /// <summary>An error message as a trace keeps it: redacted, at most <see cref="MaxErrorLength"/> characters.</summary>
    public static string RedactedError(string message)
    {
        // Redacting costs time in proportion to the text: only a little more than what is kept is redacted. The
        // margin lets a secret that starts before the cut be recognised whole (every key shape is shorter).
        const int Margin = 256;
        var redacted = SecretRedactor.Redact(Cap(message, MaxErrorLength + Margin));
        return Cap(redacted, MaxErrorLength);
    }

    /// <summary>An exception's message, or its type's name when reading the message throws (a getter of its own).</summary>
    public static string MessageOf(Exception exception)
    {
        try
        {
            return exception.Message ?? exception.GetType().Name;
        }
#pragma warning disable CA1031 // Any exception: a broken exception must not break the monitoring of its request.
        catch (Exception)
#pragma warning restore CA1031
        {
            return exception.GetType().Name;
        }
    }

    /// <summary>Whether <paramref name="value"/> is valid UTF-16 (no lone surrogate).</summary>
    public static bool IsValidUtf16(string value)
    {
        var span = value.AsSpan();
        for (var i = 0; i < span.Length; i++)
        {
            if (char.IsHighSurrogate(span[i]) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(span[i]))
            {
                return false;
            }
        }

        return true;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string Rewrite(string value, int max)
    {
        var length = Math.Min(value.Length, max);
        if (length < value.Length && length > 0 && char.IsHighSurrogate(value[length - 1]) && char.IsLowSurrogate(value[length]))
        {
            length--;   // keep the pair whole: drop both halves
        }

        return string.Create(length, value, static (span, source) =>
        {
            source.AsSpan(0, span.Length).CopyTo(span);
            for (var i = 0; i < span.Length; i++)
            {
                if (char.IsHighSurrogate(span[i]) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
                {
                    i++;
                }
                else if (char.IsSurrogate(span[i]))
                {
                    span[i] = '\uFFFD';
                }
            }
        });
    }
}
