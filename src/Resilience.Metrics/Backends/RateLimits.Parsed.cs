using System.Runtime.CompilerServices;

namespace Resilience.Metrics;

/// <content>What one response's rate-limit headers said, held on the stack until it is applied to the backend's state.</content>
internal static partial class RateLimits
{
    private enum Field
    {
        Limit,
        Remaining,
        Reset,
    }

    /// <summary>What one response said of one kind.</summary>
    internal struct KindValues
    {
        public const byte HasLimit = 1;
        public const byte HasRemaining = 2;
        public const byte HasReset = 4;
        public const byte ResetIsRelative = 8;

        public long Limit;
        public long Remaining;

        /// <summary>A duration from now (<see cref="ResetIsRelative"/>) or an instant, in ticks.</summary>
        public long Reset;
        public byte Flags;
    }

    [InlineArray(RateLimitState.KindCount)]
    internal struct KindArray
    {
        private KindValues _first;
    }

    /// <summary>What one response's headers said: on the stack, so reading them allocates nothing.</summary>
    internal struct Parsed
    {
        public KindArray Kinds;
        public int Malformed;

        /// <summary>-1 when no retry header came; else ticks from now or an instant.</summary>
        public long RetryAfter;
        public bool RetryAfterIsRelative;
        public bool RetryAfterMs;

        public Parsed()
        {
            RetryAfter = -1;
        }

        public readonly bool Seen
        {
            get
            {
                if (RetryAfter >= 0)
                {
                    return true;
                }

                for (var i = 0; i < RateLimitState.KindCount; i++)
                {
                    if (Kinds[i].Flags != 0)
                    {
                        return true;
                    }
                }

                return false;
            }
        }
    }
}
