using System.Text.Json;
using System.Text.Json.Serialization;

namespace Resilience.Metrics;

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
