using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Resilience.Metrics.Simulation.Protocols;

/// <summary>
/// Writes a provider's rate-limit headers as it sends them: OpenAI and Groq <c>x-ratelimit-*</c> with Go-style durations
/// (<c>59.6ms</c>, <c>6m0s</c>) to the reset; Anthropic <c>anthropic-ratelimit-*</c> with RFC 3339 reset times, its
/// <c>tokens</c> being the most restrictive of its input and output limits.
/// </summary>
internal static class RateLimitHeaders
{
    public static void Write(SimulatedApi api, SimulatedRateLimits limits, Exchange exchange)
    {
        if (!limits.Enabled || api is not (SimulatedApi.OpenAI or SimulatedApi.Groq or SimulatedApi.Anthropic))
        {
            return;
        }

        var now = limits.Take(exchange.PromptTokens, exchange.CompletionTokens);
        var headers = exchange.Http.Response.Headers;
        if (api == SimulatedApi.Anthropic)
        {
            var reset = now.Reset.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            Anthropic(headers, "requests", now.RequestLimit, now.RequestsRemaining, reset);
            Anthropic(headers, "input-tokens", now.TokenLimit, now.TokensRemaining, reset);
            Anthropic(headers, "output-tokens", now.OutputTokenLimit, now.OutputTokensRemaining, reset);
            var inputShare = now.TokensRemaining / (double)Math.Max(1, now.TokenLimit);
            var outputShare = now.OutputTokensRemaining / (double)Math.Max(1, now.OutputTokenLimit);
            if (inputShare <= outputShare)
            {
                Anthropic(headers, "tokens", now.TokenLimit, now.TokensRemaining, reset);
            }
            else
            {
                Anthropic(headers, "tokens", now.OutputTokenLimit, now.OutputTokensRemaining, reset);
            }

            return;
        }

        var left = GoDuration(now.Reset - now.Now);
        headers["x-ratelimit-limit-requests"] = Number(now.RequestLimit);
        headers["x-ratelimit-remaining-requests"] = Number(now.RequestsRemaining);
        headers["x-ratelimit-reset-requests"] = left;
        headers["x-ratelimit-limit-tokens"] = Number(now.TokenLimit);
        headers["x-ratelimit-remaining-tokens"] = Number(now.TokensRemaining);
        headers["x-ratelimit-reset-tokens"] = left;
    }

    private static void Anthropic(IHeaderDictionary headers, string kind, long limit, long remaining, string reset)
    {
        headers[$"anthropic-ratelimit-{kind}-limit"] = Number(limit);
        headers[$"anthropic-ratelimit-{kind}-remaining"] = Number(remaining);
        headers[$"anthropic-ratelimit-{kind}-reset"] = reset;
    }

    /// <summary>A Go duration as OpenAI prints it: <c>59.6ms</c> under a second, else <c>6m0s</c>, <c>1h2m3.5s</c>, <c>8.64s</c>.</summary>
    internal static string GoDuration(TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            return "0s";
        }

        if (value < TimeSpan.FromSeconds(1))
        {
            return Math.Round(value.TotalMilliseconds, 1).ToString("0.#", CultureInfo.InvariantCulture) + "ms";
        }

        var hours = (long)value.TotalHours;
        var seconds = Math.Round(value.TotalSeconds - (hours * 3600) - (value.Minutes * 60), 2);
        var text = seconds.ToString("0.##", CultureInfo.InvariantCulture) + "s";
        if (hours > 0)
        {
            return $"{hours}h{value.Minutes}m{text}";
        }

        return value.Minutes > 0 ? $"{value.Minutes}m{text}" : text;
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
