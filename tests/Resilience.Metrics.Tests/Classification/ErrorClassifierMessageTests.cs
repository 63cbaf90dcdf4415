namespace Resilience.Metrics.Tests;

public sealed class ErrorClassifierMessageTests
{
    [Theory]
    [InlineData("Rate limit reached for requests", ErrorCategory.RateLimiting)]
    [InlineData("429 Too Many Requests", ErrorCategory.RateLimiting)]
    [InlineData("Authentication failed", ErrorCategory.Authentication)]
    [InlineData("UNAUTHORIZED", ErrorCategory.Authentication)]
    [InlineData("Incorrect API key provided", ErrorCategory.Authentication)]
    [InlineData("Invalid value for 'temperature'", ErrorCategory.InvalidRequest)]
    [InlineData("Bad Request: missing field", ErrorCategory.InvalidRequest)]
    [InlineData("The engine is currently Unavailable", ErrorCategory.ServiceUnavailable)]
    [InlineData("Internal server error", ErrorCategory.ServiceUnavailable)]
    [InlineData("Gateway timeout while waiting", ErrorCategory.Timeout)]
    [InlineData("The read operation Timed Out", ErrorCategory.Timeout)]
    [InlineData("Connection refused (localhost:11434)", ErrorCategory.Network)]
    [InlineData("Connection reset by peer", ErrorCategory.Network)]
    [InlineData("No connection could be made because the target machine actively refused it.", ErrorCategory.Network)]
    [InlineData("Name or service not known", ErrorCategory.Network)]
    public void Message_rule_gives_its_category(string message, ErrorCategory expected)
    {
        Assert.Equal(expected, ErrorClassifier.Classify(message));
        Assert.Equal(expected, ErrorClassifier.Classify(null, new InvalidOperationException(message)));
    }

    [Theory]
    [InlineData("Invalid API key", ErrorCategory.Authentication)]
    [InlineData("Rate limit: invalid tier, server error", ErrorCategory.RateLimiting)]
    [InlineData("Service unavailable after timeout", ErrorCategory.ServiceUnavailable)]
    [InlineData("Invalid request: timed out", ErrorCategory.InvalidRequest)]
    public void Message_rules_apply_in_the_guide_order(string message, ErrorCategory expected) =>
        Assert.Equal(expected, ErrorClassifier.Classify(message));

    [Theory]
    [InlineData("Something odd happened")]
    [InlineData("")]
    [InlineData(null)]
    public void Message_that_matches_no_rule_is_unexpected(string? message) =>
        Assert.Equal(ErrorCategory.Unexpected, ErrorClassifier.Classify(message));

    [Fact]
    public void Message_of_an_inner_exception_is_checked() =>
        Assert.Equal(
            ErrorCategory.RateLimiting,
            ErrorClassifier.Classify(null, new InvalidOperationException("wrapper", new InvalidOperationException("Too many requests"))));

    [Fact]
    public void Message_of_the_outer_exception_comes_before_the_inner_one() =>
        Assert.Equal(
            ErrorCategory.Timeout,
            ErrorClassifier.Classify(null, new InvalidOperationException("timed out", new InvalidOperationException("rate limit"))));

    [Fact]
    public void Unknown_exception_with_a_neutral_message_is_unexpected() =>
        Assert.Equal(ErrorCategory.Unexpected, ErrorClassifier.Classify(null, new InvalidOperationException("boom")));

    [Fact]
    public void Message_classification_does_not_allocate()
    {
        const string message = "Upstream said: Connection reset by peer while streaming";
        _ = ErrorClassifier.Classify(message);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var category = ErrorCategory.None;
        for (var i = 0; i < 1000; i++)
        {
            category = ErrorClassifier.Classify(message);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(ErrorCategory.Network, category);
        Assert.Equal(0, allocated);
    }
}
