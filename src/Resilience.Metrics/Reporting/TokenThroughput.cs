namespace Resilience.Metrics;

/// <summary>Tokens per second.</summary>
/// <param name="TokensPerSecond">Prompt and completion tokens per second.</param>
/// <param name="PromptTokensPerSecond">Prompt tokens per second.</param>
/// <param name="CompletionTokensPerSecond">Completion tokens per second.</param>
public sealed record TokenThroughput(double TokensPerSecond, double PromptTokensPerSecond, double CompletionTokensPerSecond);
